/** load stage for the HAL description: the same type-check and evaluation as boards. */
import fs from 'node:fs';
import type { HalDescription } from '../describe/hal.js';
import { InputError } from './diagnostic.js';
import { evaluateDefaultExport } from './evaluate.js';
import { typecheckFile } from './typecheck.js';
import { paths } from './toolkit-paths.js';

export interface LoadedHal {
  hal: HalDescription;
  /** The description's source text, part of the generated files' input hash. */
  source: string;
}

export async function loadHal(file = paths.hal): Promise<LoadedHal> {
  const { sourceFile, diagnostics } = typecheckFile(file);
  if (diagnostics.length) throw new InputError(diagnostics);
  const evaluated = await evaluateDefaultExport(file, sourceFile, 'HAL description');
  if (!evaluated.ok) throw new InputError([evaluated.diagnostic]);
  return { hal: evaluated.value as HalDescription, source: fs.readFileSync(file, 'utf8') };
}
