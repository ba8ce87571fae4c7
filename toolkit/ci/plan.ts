/**
 * What goes into a project's CI workflow: its board files (each loaded, so a broken board is
 * reported as `file:line:col` before any workflow is written) and how its jobs reach the
 * toolkit, all relative to the project's root so the output does not depend on where it lives.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../cli/args.js';
import { boardFiles } from '../cli/board-files.js';
import { loadBoard } from '../load/index.js';
import { PACKAGE_ROOT } from '../load/toolkit-paths.js';
import { boardNeedsFreertos } from '../toolchain/freertos.js';
import { defaultWorkflowPath, type CiBoard, type CiFormat, type CiOptions } from './workflow.js';

const posix = (p: string): string => p.split(path.sep).join('/');

/** The board files of `--boards DIR` (a folder, not one file: the workflow has a job per board). */
function boardFilesIn(dir: string): string[] {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw new UsageError(`ci: --boards ${dir} is not a folder`);
  }
  return boardFiles('ci', dir, '--boards');
}

/** The toolkit inside the project (its own repository, or node_modules/qhal-gen), else the usual place. */
function toolkitIn(root: string): string {
  const rel = path.relative(root, PACKAGE_ROOT);
  return rel.startsWith('..') || path.isAbsolute(rel) ? 'node_modules/qhal-gen' : posix(rel);
}

export async function ciPlan(o: {
  root: string;
  boardsDir: string;
  format: CiFormat;
  generated: string;
  out?: string;
}): Promise<{ options: CiOptions; out: string }> {
  const root = path.resolve(o.root);
  const dir = path.resolve(root, o.boardsDir);
  const boards: CiBoard[] = [];
  for (const file of boardFilesIn(dir)) {
    const board = await loadBoard(file);
    boards.push({
      name: path.basename(file, '.ts'),
      file: posix(path.relative(root, file)),
      freertos: boardNeedsFreertos(board),
    });
  }
  const out = path.resolve(root, o.out ?? defaultWorkflowPath(o.format));
  const toolkitDir = toolkitIn(root);
  const command = toolkitDir === '' ? 'node bin/qhal-gen.js' : 'npx qhal-gen';
  const generatedFlag = o.generated === 'qhal' ? '' : ` --generated ${o.generated}`;
  return {
    out,
    options: {
      format: o.format,
      boards,
      generated: o.generated,
      command,
      toolkitDir,
      regenerate: `${command} ci --boards ${posix(path.relative(root, dir)) || '.'} --format ${o.format} --out ${posix(path.relative(root, out))}${generatedFlag}`,
    },
  };
}
