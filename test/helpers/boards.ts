/** Loads example boards and writes board variants for tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateBoard, type GenerationResult } from '../../toolkit/generate/index.js';
import { loadBoard, loadHal } from '../../toolkit/load/index.js';
import { paths } from '../../toolkit/load/toolkit-paths.js';
import type { BoardModel } from '../../toolkit/model/board-model.js';
import { buildBoard, type BuildOptions, type BuildSummary } from '../../toolkit/toolchain/build.js';

export function exampleBoardPath(name: string): string {
  return path.join(paths.boards, `${name}.ts`);
}

/** What `qhal-gen build` does for a (possibly edited) board model: generate, then build. */
export async function generateAndBuild(
  board: BoardModel,
  outDir: string,
  opts: Partial<Omit<BuildOptions, 'board' | 'generated' | 'outDir'>> = {},
): Promise<BuildSummary> {
  const { hal, source } = await loadHal();
  return buildBoard({
    board,
    generated: generateBoard(board, hal, source).files,
    outDir,
    parallel: 2,
    ...opts,
  });
}

export async function generateFor(boardFile: string): Promise<GenerationResult> {
  const board = await loadBoard(boardFile);
  const { hal, source } = await loadHal();
  return generateBoard(board, hal, source);
}

/**
 * Writes a copy of an example board with text substitutions into a temp folder (with the
 * example CA beside it) and returns its path.
 */
export function boardVariant(base: string, edits: [string | RegExp, string][]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-variant-'));
  fs.cpSync(path.join(paths.boards, 'certs'), path.join(dir, 'certs'), { recursive: true });
  let text = fs.readFileSync(exampleBoardPath(base), 'utf8');
  for (const [from, to] of edits) {
    const before = text;
    text = text.replace(from, to);
    if (text === before) throw new Error(`board variant: '${String(from)}' not found in ${base}`);
  }
  const file = path.join(dir, `${base}-variant.ts`);
  fs.writeFileSync(file, text);
  return file;
}
