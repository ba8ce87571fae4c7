/**
 * `qhal-gen generate --board FILE|FOLDER [--board ...] [--out DIR] [--check] [--json]` and
 * `qhal-gen --target <stack>`: the main job. Several boards (or a folder) are generated in
 * one process, each into `DIR/<board name>/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateBoard, type GenerationResult } from '../generate/index.js';
import { differingFiles, writeFilesAtomically } from '../generate/write.js';
import { InputError, loadGenerateInputs, displayPath } from '../load/index.js';
import type { BoardModel } from '../model/board-model.js';
import { paths } from '../load/toolkit-paths.js';
import { TOOL_VERSION } from '../version.js';
import { oneOf, parseFlags, UsageError } from './args.js';
import { boardFiles } from './board-files.js';
import { outDirError, resolveOutDir } from './out-dir.js';

/**
 * Built-in default board per stack family, used by `--target`. lwIP means FreeRTOS + lwIP's
 * sockets API, the way most lwIP products run (generating needs no kernel; building and
 * testing it take --freertos-dir or QHAL_FREERTOS_DIR); bare-metal lwIP raw is `lwip-raw`.
 */
export const DEFAULT_BOARDS = {
  posix: path.join(paths.boards, 'linux-x86_64.ts'),
  lwip: path.join(paths.boards, 'mps2-an385-freertos-lwip.ts'),
  'lwip-raw': path.join(paths.boards, 'mps2-an385-lwip-raw.ts'),
} as const;

export type DefaultTarget = keyof typeof DEFAULT_BOARDS;

export interface GenerateOptions {
  /** Board files (or folders of them). One file: written to `out`; more: `out/<board name>/`. */
  boards: string[];
  out: string;
  check: boolean;
  json: boolean;
}

interface Planned {
  board: BoardModel;
  outDir: string;
  result: GenerationResult;
}

/**
 * Loads and generates every board before anything is written: one bad board fails the whole
 * run (all its located errors, exit 2) and no board's files are written.
 */
async function planBoards(o: GenerateOptions): Promise<Planned[]> {
  const out = resolveOutDir(o.out);
  const files = [...new Set(o.boards.flatMap((b) => boardFiles('generate', b)))];
  const perBoard = files.length > 1 || o.boards.some((b) => fs.statSync(b).isDirectory());
  const { boards, diagnostics, hal } = await loadGenerateInputs(files);
  if (diagnostics.length) throw new InputError(diagnostics);
  const byName = new Map<string, string>();
  for (const b of boards) {
    const other = byName.get(b.name);
    if (perBoard && other !== undefined)
      throw new UsageError(
        `generate: boards ${displayPath(other)} and ${displayPath(b.file)} are both named "${b.name}" (one output folder per board name)`,
      );
    byName.set(b.name, b.file);
  }
  return boards.map((board) => ({
    board,
    outDir: perBoard ? path.join(out, board.name) : out,
    result: generateBoard(board, hal.hal, hal.source),
  }));
}

function checkOne(p: Planned, json: boolean): boolean {
  const stale = differingFiles(p.outDir, p.result.files);
  if (json) {
    console.log(
      JSON.stringify({ board: p.board.name, outDir: p.outDir, upToDate: !stale.length, stale }),
    );
  } else if (stale.length) {
    console.error(`qhal-gen: out of date in ${displayPath(p.outDir)}: ${stale.join(', ')}`);
  } else {
    console.log(`qhal-gen: ${displayPath(p.outDir)} is up to date for board ${p.board.name}`);
  }
  return stale.length === 0;
}

function writeOne(p: Planned, out: string, json: boolean): object {
  let written: string[];
  try {
    written = writeFilesAtomically(p.outDir, p.result.files);
  } catch (err) {
    throw outDirError(out, err);
  }
  if (!json) for (const f of written) console.log(`wrote ${displayPath(f)}`);
  return {
    tool: 'qhal-gen',
    version: TOOL_VERSION,
    board: p.board.name,
    target: p.board.target,
    stack: p.board.stack,
    backend: p.result.backend,
    inputsHash: p.result.inputsHash,
    files: written,
  };
}

export async function generateToDisk(o: GenerateOptions): Promise<number> {
  const planned = await planBoards(o);
  if (o.check) {
    // Every board is checked (and reported) even after a stale one.
    const fresh = planned.map((p) => checkOne(p, o.json));
    return fresh.every(Boolean) ? 0 : 1;
  }
  const reports = planned.map((p) => writeOne(p, o.out, o.json));
  // One board: the object as before; several: an array of them.
  if (o.json) console.log(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2));
  return 0;
}

export async function runGenerate(argv: string[]): Promise<number> {
  const v = parseFlags('generate', argv, {
    board: { type: 'string', multiple: true },
    out: { type: 'string' },
    check: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (!v.board?.length) throw new UsageError('generate: --board <file|folder> is required');
  return generateToDisk({
    boards: v.board,
    out: v.out ?? 'qhal-out',
    check: v.check ?? false,
    json: v.json ?? false,
  });
}

export async function runTargetDefault(argv: string[]): Promise<number> {
  const v = parseFlags('--target', argv, {
    target: { type: 'string' },
    out: { type: 'string' },
    check: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const family = oneOf('target', v.target ?? '', Object.keys(DEFAULT_BOARDS) as DefaultTarget[]);
  const code = await generateToDisk({
    boards: [DEFAULT_BOARDS[family]],
    out: v.out ?? 'qhal-out',
    check: v.check ?? false,
    json: v.json ?? false,
  });
  // The FreeRTOS default generates without a kernel; say what building it takes.
  if (code === 0 && !v.check && family === 'lwip') {
    console.error(
      `qhal-gen: board ${path.basename(DEFAULT_BOARDS.lwip, '.ts')} (FreeRTOS + lwIP sockets): ` +
        '`qhal-gen build` and `qhal-gen test` need a FreeRTOS-Kernel tree: --freertos-dir DIR or ' +
        'QHAL_FREERTOS_DIR=DIR (bare-metal lwIP raw: --target lwip-raw)',
    );
  }
  return code;
}
