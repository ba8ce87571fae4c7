/**
 * Build progress: on a TTY one updating line (`mbedtls: 37/96`); otherwise (or when `CI`
 * is set) a plain line about every 10%.
 */
export interface ProgressEvent {
  /** What is being built: `mbedtls`, `lwip`, `hal`. */
  phase: string;
  done: number;
  total: number;
}

export type ProgressSink = (ev: ProgressEvent) => void;

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

export function createProgressReporter(
  stream: ProgressStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): ProgressSink {
  const live = stream.isTTY === true && !env.CI;
  const lastBucket = new Map<string, number>();
  return (ev) => {
    if (live) {
      stream.write(`\r\x1b[2K${ev.phase}: ${ev.done}/${ev.total}`);
      if (ev.done >= ev.total) stream.write('\n');
      return;
    }
    const bucket = ev.total === 0 ? 10 : Math.floor((ev.done * 10) / ev.total);
    const prev = lastBucket.get(ev.phase) ?? -1;
    if (bucket > prev || (ev.done === 0 && prev === -1)) {
      lastBucket.set(ev.phase, bucket);
      stream.write(`${ev.phase}: ${ev.done}/${ev.total}\n`);
    }
  };
}
