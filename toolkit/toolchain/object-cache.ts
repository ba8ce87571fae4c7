/**
 * Objects kept by what the compiler is given: the SHA-256 of a source after the preprocessor
 * (every header it includes, with comments and unused macros gone), of the flags and of the
 * zig version, under `<qhal-gen cache>/builds/objects/`. A header that differs only in a
 * comment (the generated HAL header's banner names a hash of its inputs, which holds the
 * run's fresh test CA) is then the same input; a changed declaration or flag is a new key.
 * Preprocessing a file costs a few hundredths of a second, compiling it seconds.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { compileAll, defaultParallelism, type CompileJob } from './compile.js';
import { storeCacheEntry } from './cache-file.js';
import { buildsCacheDir } from './paths.js';
import { runPool } from './proc.js';
import { runZig, ZIG_VERSION } from './zig.js';

export interface CachedCompileResult {
  /** The jobs that had to be compiled (the rest came from the cache). */
  compiled: number;
  /** Compiler diagnostics of a failed job, else null. */
  failure: { job: CompileJob; stderr: string } | null;
}

/** The key of `job` compiled in `cwd`, or null when it does not preprocess (compiling says why). */
async function objectKey(job: CompileJob, cwd: string): Promise<string | null> {
  // To stdout by leaving out -o: `zig cc -E -o -` writes nothing there.
  const r = await runZig(['cc', ...job.flags, '-E', job.source], { cwd });
  if (r.code !== 0 || r.stdout.length === 0) return null;
  return crypto
    .createHash('sha256')
    .update(`${ZIG_VERSION}\0${job.flags.join('\0')}\0${path.basename(job.source)}\0`)
    .update(r.stdout)
    .digest('hex');
}

/** Compiles `jobs` in `cwd` (several at once), taking unchanged objects from the cache. */
export async function compileCached(
  jobs: readonly CompileJob[],
  cwd: string,
): Promise<CachedCompileResult> {
  const dir = path.join(buildsCacheDir(), 'objects');
  const keys = await runPool(jobs, defaultParallelism(), (job) => objectKey(job, cwd));
  const misses: { job: CompileJob; key: string | null }[] = [];
  jobs.forEach((job, i) => {
    const key = keys[i] ?? null;
    const kept = key === null ? null : path.join(dir, `${key}.o`);
    if (kept !== null && fs.existsSync(kept)) {
      fs.mkdirSync(path.dirname(job.object), { recursive: true });
      fs.copyFileSync(kept, job.object);
    } else misses.push({ job, key });
  });
  const results = await compileAll(
    misses.map((m) => m.job),
    { cwd },
  );
  const failed = results.find((r) => !r.ok);
  if (failed)
    return { compiled: misses.length, failure: { job: failed.job, stderr: failed.stderr } };
  for (const { job, key } of misses) {
    if (key !== null) storeCacheEntry(path.join(dir, `${key}.o`), { copyOf: job.object });
  }
  return { compiled: misses.length, failure: null };
}
