/**
 * Everything one `generate` run loads, the boards and the HAL description, in one batch: when
 * some are not in the load cache they share one Program and one type checker.
 */
import type { BoardModel } from '../model/board-model.js';
import { failures, settle } from './batch.js';
import { distinctFiles, planBoard, type LoadBoardOptions, type LoadedBoards } from './board.js';
import { InputError } from './diagnostic.js';
import { planHal, type LoadedHal } from './hal.js';

export async function loadGenerateInputs(
  boardPaths: readonly string[],
  opts: LoadBoardOptions = {},
): Promise<LoadedBoards & { hal: LoadedHal }> {
  const boards = distinctFiles(boardPaths).map((f) => planBoard(f, opts));
  const [hal, ...results] = await settle<BoardModel | LoadedHal>([planHal(), ...boards]);
  if (!hal?.ok) throw new InputError(hal?.diagnostics ?? []);
  return {
    hal: hal.value as LoadedHal,
    boards: results.flatMap((r) => (r.ok ? [r.value as BoardModel] : [])),
    diagnostics: failures(results),
  };
}
