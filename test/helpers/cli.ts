/** Runs the qhal-gen CLI in-process or as a child, capturing what it prints and its exit code. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { main } from '../../toolkit/cli/main.js';
import { PACKAGE_ROOT } from '../../toolkit/load/toolkit-paths.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const BIN = path.join(PACKAGE_ROOT, 'bin', 'qhal-gen.js');

/** In-process: fast, for the many small cases. Console output is captured, not shown. */
export async function runCli(argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const code = await main(argv);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** As a child process, the way users and CI run it. */
export function runBin(
  argv: string[],
  cwd = PACKAGE_ROOT,
  env: Record<string, string | undefined> = {},
): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...argv], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
