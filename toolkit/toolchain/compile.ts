/** Compiling C files with `zig cc`, several at once. */
import os from 'node:os';
import path from 'node:path';
import { runPool } from './proc.js';
import { runZig, zigPath } from './zig.js';

export interface CompileJob {
  source: string;
  object: string;
  /** Flags (everything after `zig cc` except `-c source -o object`). */
  flags: string[];
}

export interface CompileResult {
  job: CompileJob;
  ok: boolean;
  /** Compiler diagnostics (empty when clean). */
  stderr: string;
}

export interface CompileCommand {
  directory: string;
  file: string;
  arguments: string[];
  output: string;
}

export function defaultParallelism(): number {
  return Math.max(1, os.availableParallelism());
}

export function compileArgs(job: CompileJob): string[] {
  return ['cc', ...job.flags, '-c', job.source, '-o', job.object];
}

export function compileCommand(job: CompileJob, directory: string): CompileCommand {
  return {
    directory,
    file: job.source,
    arguments: [zigPath(), ...compileArgs(job)],
    output: job.object,
  };
}

export async function compileAll(
  jobs: readonly CompileJob[],
  opts: { parallel?: number; cwd?: string; onDone?: (done: number, total: number) => void } = {},
): Promise<CompileResult[]> {
  let done = 0;
  opts.onDone?.(0, jobs.length);
  return runPool(jobs, opts.parallel ?? defaultParallelism(), async (job) => {
    const r = await runZig(compileArgs(job), { cwd: opts.cwd ?? path.dirname(job.source) });
    done++;
    opts.onDone?.(done, jobs.length);
    return { job, ok: r.code === 0, stderr: r.stderr.trim() };
  });
}
