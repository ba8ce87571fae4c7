/** Runs the native DTLS echo server (one process per port) and stops it by PID. */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Closable } from './servers.js';

export interface DtlsEcho extends Closable {
  port: number;
  pid: number;
  /** What the server wrote on stderr (handshake failures), for diagnostics. */
  log(): string;
}

export type DtlsEchoMode = { psk: string; identity: string } | { cert: string; key: string };

export function startDtlsEcho(
  bin: string,
  host: string,
  mode: DtlsEchoMode,
  lifetimeS: number,
): Promise<DtlsEcho> {
  const args = ['--host', host, '--lifetime', String(Math.max(1, Math.ceil(lifetimeS)))];
  if ('psk' in mode) args.push('--psk', mode.psk, '--identity', mode.identity);
  else args.push('--crt', mode.cert, '--key', mode.key);
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderr = (stderr + d).slice(-8192);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(t);
    }
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`DTLS echo server did not report its port in 10 s: ${stderr.trim()}`));
    }, 10_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`DTLS echo server exited (${code}): ${stderr.trim()}`));
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), pid: child.pid ?? -1, log: () => stderr, close: stop });
      }
    });
  });
}
