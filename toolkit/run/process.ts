/** Child processes of the run stage: each in its own process group, stopped by PID only. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Started {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM to the child's process group, SIGKILL after graceMs; resolves when it exited. */
  stop(graceMs?: number): Promise<void>;
}

export function startGroup(cmd: string, args: string[], opts: SpawnOptions = {}): Started {
  const child = spawn(cmd, args, { ...opts, detached: true });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const signalGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // the group is gone
    }
  };
  const stop = async (graceMs = 2000) => {
    if (child.pid === undefined) return;
    if (!done) signalGroup('SIGTERM');
    const t = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    await exited;
    clearTimeout(t);
    // Whatever the leader left behind in its group goes too.
    signalGroup('SIGKILL');
  };
  return { child, exited, stop };
}

/** Calls onLine for every complete line of a stream. */
export function eachLine(
  stream: NodeJS.ReadableStream | null | undefined,
  onLine: (line: string) => void,
): Promise<void> {
  return new Promise((resolve) => {
    if (!stream) return resolve();
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    stream.on('end', () => {
      if (buf) onLine(buf);
      resolve();
    });
    stream.on('error', () => resolve());
  });
}
