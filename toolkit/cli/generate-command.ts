/** `qhal-gen generate` and `qhal-gen --target <stack>`: the main job. */
import path from 'node:path';
import { generateBoard } from '../generate/index.js';
import { differingFiles, writeFilesAtomically } from '../generate/write.js';
import { loadBoard, loadHal, displayPath } from '../load/index.js';
import { paths } from '../load/toolkit-paths.js';
import { TOOL_VERSION } from '../version.js';
import { oneOf, parseFlags, UsageError } from './args.js';
import { outDirError, resolveOutDir } from './out-dir.js';

/** Built-in default board per stack family, used by `--target`. */
export const DEFAULT_BOARDS = {
  posix: path.join(paths.boards, 'linux-x86_64.ts'),
  lwip: path.join(paths.boards, 'mps2-an385-lwip-raw.ts'),
} as const;

export interface GenerateOptions {
  board: string;
  out: string;
  check: boolean;
  json: boolean;
}

export async function generateToDisk(o: GenerateOptions): Promise<number> {
  const outDir = resolveOutDir(o.out);
  const board = await loadBoard(o.board);
  const { hal, source } = await loadHal();
  const result = generateBoard(board, hal, source);
  if (o.check) {
    const stale = differingFiles(outDir, result.files);
    if (o.json) {
      console.log(JSON.stringify({ board: board.name, outDir, upToDate: !stale.length, stale }));
    } else if (stale.length) {
      console.error(`qhal-gen: out of date in ${displayPath(outDir)}: ${stale.join(', ')}`);
    } else {
      console.log(`qhal-gen: ${displayPath(outDir)} is up to date for board ${board.name}`);
    }
    return stale.length ? 1 : 0;
  }
  let written: string[];
  try {
    written = writeFilesAtomically(outDir, result.files);
  } catch (err) {
    throw outDirError(o.out, err);
  }
  if (o.json) {
    console.log(
      JSON.stringify(
        {
          tool: 'qhal-gen',
          version: TOOL_VERSION,
          board: board.name,
          target: board.target,
          stack: board.stack,
          backend: result.backend,
          inputsHash: result.inputsHash,
          files: written,
        },
        null,
        2,
      ),
    );
  } else {
    for (const f of written) console.log(`wrote ${displayPath(f)}`);
  }
  return 0;
}

export async function runGenerate(argv: string[]): Promise<number> {
  const v = parseFlags('generate', argv, {
    board: { type: 'string' },
    out: { type: 'string' },
    check: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (!v.board) throw new UsageError('generate: --board <file> is required');
  return generateToDisk({
    board: v.board,
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
  const family = oneOf('target', v.target ?? '', ['posix', 'lwip'] as const);
  return generateToDisk({
    board: DEFAULT_BOARDS[family],
    out: v.out ?? 'qhal-out',
    check: v.check ?? false,
    json: v.json ?? false,
  });
}
