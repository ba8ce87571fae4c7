/**
 * `qhal-gen ci [--boards DIR] [--format github|gitlab] [--out FILE] [--generated DIR] [--check]
 * [--force]`: writes the CI workflow for the boards in DIR (default `boards`). `--check`: exit 1
 * when the file on disk is not what would be written. A file qhal-gen did not write is never
 * replaced without `--force`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ciPlan } from '../ci/plan.js';
import { CI_FORMATS, GENERATED_MARK, renderWorkflow } from '../ci/workflow.js';
import { displayPath } from '../load/index.js';
import { oneOf, parseFlags, UsageError } from './args.js';

export async function runCi(argv: string[]): Promise<number> {
  const v = parseFlags('ci', argv, {
    boards: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    generated: { type: 'string' },
    check: { type: 'boolean' },
    force: { type: 'boolean' },
  });
  const format = oneOf('format', v.format ?? 'github', CI_FORMATS);
  const { options, out } = await ciPlan({
    root: process.cwd(),
    boardsDir: v.boards ?? 'boards',
    format,
    generated: v.generated ?? 'qhal',
    ...(v.out !== undefined ? { out: v.out } : {}),
  });
  const text = renderWorkflow(options);
  const onDisk = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : null;
  if (v.check) {
    if (onDisk === text) {
      console.log(
        `qhal-gen: ${displayPath(out)} is up to date (${boardCount(options.boards.length)})`,
      );
      return 0;
    }
    console.error(
      `qhal-gen: ${displayPath(out)} is ${onDisk === null ? 'missing' : 'out of date'}: run ${options.regenerate}`,
    );
    return 1;
  }
  if (onDisk !== null && !onDisk.startsWith(GENERATED_MARK) && !v.force) {
    throw new UsageError(
      `ci: ${displayPath(out)} exists and was not written by qhal-gen: pass --force to replace it, or --out FILE`,
    );
  }
  writeText(out, text);
  console.log(`wrote ${displayPath(out)} (${boardCount(options.boards.length)}, ${format})`);
  return 0;
}

export function writeText(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

export const boardCount = (n: number): string => `${n} board${n === 1 ? '' : 's'}`;
