/**
 * Progress of long steps (compiling a library, the HAL, the suite): on a TTY one updating
 * line (`mbedtls: 37/96 files, 4.1 s`); otherwise (or when `CI` is set) one line per step,
 * written when it ends (`mbedtls: 96 files compiled in 34.2 s`, or `... from the cache`), so a
 * CI log says what ran and how long it took without a line per file.
 */
export interface ProgressEvent {
  /** What is being built: `mbedtls`, `lwip`, `hal`. */
  phase: string;
  done: number;
  total: number;
  /** The step's result came from the cache: nothing was compiled. */
  cached?: boolean;
}

export type ProgressSink = (ev: ProgressEvent) => void;

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const files = (n: number): string => `${n} file${n === 1 ? '' : 's'}`;

export function createProgressReporter(
  stream: ProgressStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): ProgressSink {
  const live = stream.isTTY === true && !env.CI;
  const started = new Map<string, number>();
  return (ev) => {
    if (!started.has(ev.phase)) started.set(ev.phase, now());
    const elapsed = now() - (started.get(ev.phase) as number);
    const finished = ev.done >= ev.total;
    if (finished) started.delete(ev.phase);
    const end = ev.cached
      ? `${ev.phase}: ${files(ev.total)}, from the cache`
      : `${ev.phase}: ${files(ev.total)} compiled in ${secs(elapsed)}`;
    if (live) {
      stream.write(
        `\r\x1b[2K${finished ? end : `${ev.phase}: ${ev.done}/${ev.total} files, ${secs(elapsed)}`}`,
      );
      if (finished) stream.write('\n');
      return;
    }
    if (finished) stream.write(`${end}\n`);
  };
}

/** Runs one long step under a label: what it does while it runs (TTY), how long it took. */
export type StepRunner = <T>(label: string, fn: () => Promise<T>) => Promise<T>;

export function createStepReporter(
  stream: ProgressStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): StepRunner {
  const live = stream.isTTY === true && !env.CI;
  return async (label, fn) => {
    const t0 = now();
    if (live) stream.write(`\r\x1b[2K${label} ...`);
    const endLine = (how: string) =>
      stream.write(`${live ? '\r\x1b[2K' : ''}${label}: ${how} ${secs(now() - t0)}\n`);
    try {
      const r = await fn();
      endLine('done in');
      return r;
    } catch (err) {
      endLine('failed after');
      throw err;
    }
  };
}
