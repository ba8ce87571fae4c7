/**
 * generate stage: board model + HAL description → the C files, in memory. Deterministic:
 * the same inputs give byte-identical output, stamped with a hash of those inputs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HalDescription } from '../describe/hal.js';
import { paths } from '../load/toolkit-paths.js';
import type { BoardModel } from '../model/board-model.js';
import { planBoard, type BoardPlan } from '../model/plan.js';
import { TOOL_VERSION } from '../version.js';
import { boardFlags } from './flags.js';
import { renderHeader } from './header.js';
import { renderSource } from './source.js';
import { disabledStub } from './stubs.js';
import { resolveTemplate } from './template.js';

export interface GeneratedFile {
  name: string;
  content: string;
}

export interface GenerationResult {
  /** The HAL pair, then the configuration headers the plan names (lwipopts.h, ...). */
  files: GeneratedFile[];
  inputsHash: string;
  backend: string;
}

/** A failure that is not the user's input: exit code 1. */
export class GenerateError extends Error {}

export function templatePath(stack: BoardModel['stack']): string {
  return path.join(paths.templates, stack, 'qhal_socket.c.tmpl');
}

/** Hash of everything that decides the output, machine-independent (no absolute paths). */
function inputsHash(board: BoardModel, halSource: string, template: string): string {
  const { file, sources, ...decisions } = board;
  void sources; // build-time only: where mbedtls comes from does not change the C we write
  const h = crypto.createHash('sha256');
  for (const part of [
    TOOL_VERSION,
    halSource,
    template,
    path.basename(file),
    JSON.stringify(decisions),
  ]) {
    h.update(String(Buffer.byteLength(part)))
      .update(':')
      .update(part);
  }
  return h.digest('hex');
}

/** Every HAL function must be defined by the backend after resolution, whatever the flags. */
function checkBackendDefinesAll(hal: HalDescription, c: string, backend: string): void {
  const missing = hal.functions.filter(
    (fn) => !new RegExp(`^${fn.returns.replace(/[*]/g, '\\*')}\\s+${fn.name}\\(`, 'm').test(c),
  );
  if (missing.length) {
    throw new GenerateError(
      `templates/${backend}/qhal_socket.c.tmpl does not define ${missing.map((f) => f.name).join(', ')}`,
    );
  }
}

export function generateBoard(
  board: BoardModel,
  hal: HalDescription,
  halSource: string,
  plan: BoardPlan = planBoard(board),
): GenerationResult {
  const tmplFile = templatePath(board.stack);
  if (!fs.existsSync(tmplFile)) {
    throw new GenerateError(
      `the ${board.stack} backend is not available yet in qhal-gen ${TOOL_VERSION} ` +
        `(no ${path.relative(paths.root, tmplFile)}); posix boards are supported`,
    );
  }
  const top = path.relative(paths.templates, tmplFile).split(path.sep).join('/');
  // Every fragment read, in order, goes into the inputs hash (fragments left out do not).
  const read: string[] = [];
  const readFragment = (rel: string): string | undefined => {
    const file = path.resolve(paths.templates, rel);
    if (path.relative(paths.templates, file).startsWith('..') || !fs.existsSync(file)) {
      return undefined;
    }
    const text = fs.readFileSync(file, 'utf8');
    read.push(`${rel}\n${text}`);
    return text;
  };
  const template = readFragment(top)!;
  const resolved = resolveTemplate(template, boardFlags(board), top, {
    read: readFragment,
    stub: (fn) => disabledStub(hal, fn),
  });
  const meta = {
    toolVersion: TOOL_VERSION,
    inputsHash: inputsHash(board, halSource, read.join('\n')),
    backend: board.stack,
  };
  checkBackendDefinesAll(hal, resolved, board.stack);
  const names = board.sdk.fileNames;
  return {
    files: [
      { name: names.header, content: renderHeader(hal, board, meta) },
      { name: names.source, content: renderSource(board, names.header, resolved, meta) },
      // Every generated file the board needs: with these, D compiles against lwIP and mbedtls.
      ...plan.configFiles,
    ],
    inputsHash: meta.inputsHash,
    backend: board.stack,
  };
}
