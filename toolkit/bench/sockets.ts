/**
 * The socket figures: the HAL (the conformance suite's benchmarks, bench=1) and the reference
 * clients run one after the other against the same broker, `reps` times each, interleaved
 * (HAL, raw, HAL, raw, ...), so both see the same machine; the table takes medians.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startBroker, suiteConfig } from '../broker/broker.js';
import { paths } from '../load/toolkit-paths.js';
import { prepareConformance } from '../run/index.js';
import { addBenchLines, type Samples } from './figures.js';
import { buildRawClients } from './raw-build.js';

/**
 * The linux-x86_64 example with room for the idle links (limits.maxSockets ≥ idle + 1), reading
 * 64 KiB at a time: the raw client reads up to 128 KiB per call, and with the example's 4 KiB
 * the echo rows would measure the board's buffer choice (one callback per 4 KiB), not the HAL.
 */
export function benchBoard(dir: string, idle: number): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(paths.boards, 'certs'), path.join(dir, 'certs'), { recursive: true });
  const text = fs.readFileSync(path.join(paths.boards, 'linux-x86_64.ts'), 'utf8');
  const variant = text
    .replace(/name: '[^']*'/, "name: 'linux-x86_64-bench'")
    .replace(/maxSockets: \d+/, `maxSockets: ${Math.max(16, Math.min(1024, idle + 8))}`)
    .replace(/rxBufferSize: \d+/, 'rxBufferSize: 65536');
  if (!/maxSockets: \d+/.test(text)) throw new Error('linux-x86_64.ts has no limits.maxSockets');
  const file = path.join(dir, 'linux-x86_64-bench.ts');
  fs.writeFileSync(file, variant);
  return file;
}

/** Resolves with stdout; stderr lines go to `note` (the reference clients name the cipher suite). */
function runChild(
  cmd: string,
  args: string[],
  timeoutMs: number,
  note: (line: string) => void = () => undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      for (const l of err.split('\n')) if (l.trim()) note(l);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(cmd)} exited ${code}:\n${out}\n${err}`.trim()));
    });
  });
}

export interface SocketBenchOptions {
  workDir: string;
  reps: number;
  /** Idle links for the round trip under load (1,000 in the full run). */
  idle: number;
  tcpRounds: number;
  tlsRounds: number;
  log: (line: string) => void;
}

export async function socketFigures(o: SocketBenchOptions): Promise<Samples> {
  const board = benchBoard(path.join(o.workDir, 'board'), o.idle);
  o.log(`# building the HAL (${path.basename(board)}), the suite and the reference clients`);
  const prepared = await prepareConformance({ board, workDir: path.join(o.workDir, 'hal') });
  const { target } = prepared.plan;
  if (target.qemu.mode !== 'native') throw new Error('the socket benchmarks run natively only');
  const raw = await buildRawClients({
    target,
    build: prepared.build,
    out: path.join(o.workDir, 'raw-bench'),
  });
  const broker = await startBroker({
    pkiDir: prepared.pki.dir,
    dtls: false,
    dns: false,
    lifetimeMs: 60 * 60_000,
  });
  const samples: Samples = new Map();
  try {
    const conf = path.join(o.workDir, 'suite.conf');
    fs.writeFileSync(conf, suiteConfig(broker.info));
    const counts = [
      '--bench-idle',
      String(o.idle),
      '--bench-tcp-rounds',
      String(o.tcpRounds),
      '--bench-tls-rounds',
      String(o.tlsRounds),
    ];
    for (let i = 0; i < o.reps; i++) {
      const hal = await runChild(
        prepared.suiteBinary,
        ['--config', conf, '--bench', '1', ...counts],
        600_000,
      );
      addBenchLines(samples, hal);
      const ref = await runChild(
        raw,
        ['--config', conf, '--ca', prepared.pki.caCert, ...counts],
        600_000,
        (l) => o.log(`# ${i + 1}: ${l}`),
      );
      addBenchLines(samples, ref);
      for (const l of `${hal}${ref}`.split('\n'))
        if (l.startsWith('BENCH ')) o.log(`# ${i + 1}: ${l}`);
    }
  } finally {
    await broker.stop();
  }
  return samples;
}
