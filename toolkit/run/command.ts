/**
 * `qhal-gen test --board FILE|FOLDER [--work DIR] [--only TEXT] [--client-cert] [--bench]
 *  [--freertos-dir DIR] [--freertos-config DIR] [--namespace auto|on|off] [--json]`: for each board, a fresh PKI, generate + build with
 * the broker's CA, compile the suite, start the broker, run the suite (natively, under
 * qemu-user or qemu-system, or on lwIP). Exit 0 when no case failed anywhere, 1 otherwise,
 * 2 bad input. `--bench` runs the suite's benchmarks instead of its cases and prints their
 * figures (`BENCH name value unit`) with the HAL object's size: figures, never verdicts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { oneOf, parseFlags, UsageError } from '../cli/args.js';
import type { ConformanceResult } from './conformance.js';
import { testBoard } from './index.js';

function boardFiles(p: string): string[] {
  const abs = path.resolve(p);
  if (!fs.existsSync(abs)) throw new UsageError(`test: --board ${p} does not exist`);
  if (fs.statSync(abs).isDirectory()) {
    const files = fs
      .readdirSync(abs)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .sort()
      .map((f) => path.join(abs, f));
    if (files.length === 0) throw new UsageError(`test: no board files (*.ts) in ${p}`);
    return files;
  }
  return [abs];
}

export async function runTestCommand(argv: string[]): Promise<number> {
  const v = parseFlags('test', argv, {
    board: { type: 'string' },
    work: { type: 'string' },
    only: { type: 'string' },
    'client-cert': { type: 'boolean' },
    bench: { type: 'boolean' },
    'freertos-dir': { type: 'string' },
    'freertos-config': { type: 'string' },
    namespace: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!v.board) throw new UsageError('test: --board <file|folder> is required');
  const namespace = v.namespace
    ? oneOf('namespace', v.namespace, ['auto', 'on', 'off'] as const)
    : 'auto';
  const files = boardFiles(v.board);
  const keep = v.work !== undefined;
  const root = keep
    ? path.resolve(v.work as string)
    : fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-test-'));
  const json = v.json ?? false;
  const say = (l: string) => (json ? process.stderr.write(`${l}\n`) : console.log(l));
  const summary: {
    board: string;
    error?: string;
    result?: Omit<ConformanceResult, 'cases'> & { cases: ConformanceResult['cases'] };
  }[] = [];
  let bad = 0;
  try {
    for (const file of files) {
      const name = path.basename(file, '.ts');
      say(`== ${name}`);
      try {
        const r = await testBoard({
          board: file,
          workDir: path.join(root, name),
          log: say,
          namespace,
          ...(v.only ? { only: v.only } : {}),
          ...(v['client-cert'] ? { clientCert: true } : {}),
          ...(v['freertos-dir'] ? { freertosDir: v['freertos-dir'] } : {}),
          ...(v['freertos-config'] ? { freertosConfigDir: v['freertos-config'] } : {}),
          ...(v.bench ? { config: { bench: '1' } } : {}),
        });
        if (v.bench) {
          const s = r.halSize;
          say(
            `BENCH size.qhal_socket ${s.text} text (data ${s.data}, bss ${s.bss}: the HAL object)`,
          );
        }
        if (r.failed > 0 || !r.complete) bad += 1;
        summary.push({ board: name, result: r });
      } catch (err) {
        bad += 1;
        const msg = (err as Error).message;
        say(`FAIL ${name}: ${msg}`);
        summary.push({ board: name, error: msg });
      }
    }
  } finally {
    if (!keep) fs.rmSync(root, { recursive: true, force: true });
  }
  if (json) console.log(JSON.stringify(summary, null, 2));
  return bad ? 1 : 0;
}
