/**
 * Turns what `qhal-gen test` did for one board into a BoardRun: the suite's cases, the build's
 * sizes, benchmark lines, and, from the board as the user wrote it (not the copy the test gives
 * the broker's CA), its generator inputs' hash and security posture.
 */
import { generateBoard } from '../generate/index.js';
import { loadBoard, loadHal } from '../load/index.js';
import type { ConformanceResult } from '../run/conformance.js';
import type { SizeRow } from '../toolchain/size.js';
import { planBoard } from '../model/plan.js';
import { parseBench } from './bench.js';
import { boardSizes, type BoardRun } from './model.js';
import { securityPosture } from './security.js';

export async function describeBoard(
  file: string,
): Promise<Pick<BoardRun, 'target' | 'stack' | 'os' | 'inputsHash' | 'security'>> {
  const board = await loadBoard(file);
  const { hal, source } = await loadHal();
  const plan = planBoard(board);
  return {
    target: board.target,
    stack: board.stack,
    os: board.os,
    inputsHash: generateBoard(board, hal, source, plan).inputsHash,
    security: securityPosture(board, plan.target),
  };
}

export async function collectBoardRun(o: {
  board: string;
  file: string;
  result?: ConformanceResult & { sizes?: SizeRow[] };
  error?: string;
  lines: readonly string[];
  seconds: number;
}): Promise<BoardRun> {
  let about: Awaited<ReturnType<typeof describeBoard>> = {};
  try {
    about = await describeBoard(o.file);
  } catch {
    // A board that does not load is already this run's error; the report shows it as such.
  }
  return {
    board: o.board,
    ...about,
    ...(o.error !== undefined ? { error: o.error } : {}),
    ...(o.result?.notRun !== undefined ? { notRun: o.result.notRun } : {}),
    cases: o.result?.cases ?? [],
    complete: o.result?.complete ?? false,
    seconds: o.result?.seconds ?? o.seconds,
    sizes: boardSizes(o.result?.sizes ?? []),
    ...(o.result?.freertos ? { freertos: o.result.freertos } : {}),
    bench: parseBench(o.lines),
  };
}
