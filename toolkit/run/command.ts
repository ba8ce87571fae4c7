/**
 * `qhal-gen test --board FILE|FOLDER [--work DIR] [--only TEXT] [--client-cert] [--bench]
 *  [--freertos-dir DIR] [--freertos-config DIR] [--sdk-dir DIR] [--sdk-include DIR]...
 *  [--namespace auto|on|off] [--json] [--junit FILE] [--report DIR]`: for each board, a fresh PKI, generate + build with
 * the broker's CA, compile the suite, start the broker, run the suite (natively, under
 * qemu-user or qemu-system, or on lwIP). Exit 0 when no case failed anywhere, 1 otherwise,
 * 2 bad input. `--bench` runs the suite's benchmarks instead of its cases and prints their
 * figures (`BENCH name value unit`) with the HAL object's size: figures, never verdicts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { oneOf, parseFlags, UsageError } from '../cli/args.js';
import { boardFiles } from '../cli/board-files.js';
import type { ConformanceResult } from './conformance.js';
import { margin, type FreertosUsage } from './freertos-usage.js';
import { testBoard } from './index.js';
import { collectBoardRun } from '../report/collect.js';
import type { BoardRun } from '../report/model.js';
import { writeResults } from '../report/write.js';
import { checkSdkDir, sdkDirFlag } from '../toolchain/sdk-tree.js';
import { createProgressReporter, createStepReporter } from '../toolchain/progress.js';

/** The measured figures in one line: most used of given, and the margin that leaves. */
function sizingLine(u: FreertosUsage): string {
  const parts = u.stacks.map((s) => `${s.task} ${s.used} of ${s.size} (${margin(s.size, s.used)})`);
  if (u.heap)
    parts.push(`heap ${u.heap.used} of ${u.heap.total} (${margin(u.heap.total, u.heap.used)})`);
  return `# freertos sizing, bytes most used of given: ${parts.join(', ')}`;
}

type BoardOutcome = { board: string; error?: string; result?: ConformanceResult };

/** Folder mode's last line: cases over every board, and which boards were only built. */
export function folderSummary(outcomes: readonly BoardOutcome[]): string {
  const ran = outcomes.flatMap((o) =>
    o.result && o.result.notRun === undefined ? [o.result] : [],
  );
  const sum = (k: 'passed' | 'failed' | 'skipped') => ran.reduce((n, r) => n + r[k], 0);
  const notRun = outcomes.filter((o) => o.result?.notRun !== undefined).map((o) => o.board);
  const broken = outcomes
    .filter((o) => o.error !== undefined || (o.result && !o.result.complete))
    .map((o) => o.board);
  const names = (l: string[]) => (l.length ? ` (${l.join(', ')})` : '');
  return (
    `== ${outcomes.length} boards: ${sum('passed')} passed, ${sum('failed')} failed, ` +
    `${sum('skipped')} skipped; ${notRun.length} built, not run${names(notRun)}; ` +
    `${broken.length} did not finish${names(broken)}`
  );
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
    'sdk-dir': { type: 'string' },
    'sdk-include': { type: 'string', multiple: true },
    namespace: { type: 'string' },
    json: { type: 'boolean' },
    junit: { type: 'string' },
    report: { type: 'string' },
  });
  if (!v.board) throw new UsageError('test: --board <file|folder> is required');
  const namespace = v.namespace
    ? oneOf('namespace', v.namespace, ['auto', 'on', 'off'] as const)
    : 'auto';
  const files = boardFiles('test', v.board);
  // A bad SDK folder is bad input: refused before any board is built.
  const sdk = sdkDirFlag(v['sdk-dir']);
  if (sdk.sdkDir !== undefined) checkSdkDir(sdk.sdkDir, sdk.sdkFrom ?? '--sdk-dir');
  else if (v['sdk-include'] !== undefined)
    throw new UsageError('test: --sdk-include needs --sdk-dir (or QHAL_SDK_DIR)');
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
  const runs: BoardRun[] = [];
  const results = v.junit !== undefined || v.report !== undefined;
  try {
    for (const file of files) {
      const name = path.basename(file, '.ts');
      say(`== ${name}`);
      const lines: string[] = [];
      const started = Date.now();
      const logged = (l: string) => {
        lines.push(l);
        say(l);
      };
      try {
        const r = await testBoard({
          board: file,
          workDir: path.join(root, name),
          log: logged,
          onProgress: createProgressReporter(process.stderr),
          step: createStepReporter(process.stderr),
          namespace,
          ...(v.only ? { only: v.only } : {}),
          ...(v['client-cert'] ? { clientCert: true } : {}),
          ...(v['freertos-dir'] ? { freertosDir: v['freertos-dir'] } : {}),
          ...(v['freertos-config'] ? { freertosConfigDir: v['freertos-config'] } : {}),
          ...sdk,
          ...(v['sdk-include'] ? { sdkIncludeDirs: v['sdk-include'] } : {}),
          ...(v.bench ? { config: { bench: '1' } } : {}),
        });
        if (v.bench) {
          const s = r.halSize;
          say(
            `BENCH size.qhal_socket ${s.text} text (data ${s.data}, bss ${s.bss}: the HAL object)`,
          );
        }
        if (r.freertos) say(sizingLine(r.freertos));
        if (r.failed > 0 || !r.complete) bad += 1;
        summary.push({ board: name, result: r });
        if (results)
          runs.push(await collectBoardRun({ board: name, file, result: r, lines, seconds: 0 }));
      } catch (err) {
        bad += 1;
        const msg = (err as Error).message;
        say(`FAIL ${name}: ${msg}`);
        summary.push({ board: name, error: msg });
        if (results) {
          const seconds = (Date.now() - started) / 1000;
          runs.push(await collectBoardRun({ board: name, file, error: msg, lines, seconds }));
        }
      }
    }
    if (files.length > 1 || fs.statSync(v.board).isDirectory()) say(folderSummary(summary));
    if (results)
      for (const f of writeResults(runs, { junit: v.junit, report: v.report })) say(`# wrote ${f}`);
  } finally {
    if (!keep) fs.rmSync(root, { recursive: true, force: true });
  }
  if (json) console.log(JSON.stringify(summary, null, 2));
  return bad ? 1 : 0;
}
