/** load stage for the HAL description: the same type-check and evaluation as boards. */
import fs from 'node:fs';
import type { HalDescription } from '../describe/hal.js';
import { loadDescription } from './evaluate.js';
import { paths } from './toolkit-paths.js';

export interface LoadedHal {
  hal: HalDescription;
  /** The description's source text, part of the generated files' input hash. */
  source: string;
}

let cached: (LoadedHal & { file: string }) | undefined;

export async function loadHal(file = paths.hal): Promise<LoadedHal> {
  const source = fs.readFileSync(file, 'utf8');
  // Loaded once per process (many boards, one HAL) unless the file changed.
  if (cached?.file === file && cached.source === source) return cached;
  const hal = loadDescription(file, 'HAL description', 'defineHal', (e) => e.value);
  cached = { file, hal: hal as HalDescription, source };
  return cached;
}
