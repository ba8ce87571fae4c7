/**
 * `qhal-gen test --board FOLDER` as CI runs it on examples/boards, on a small folder to bound the
 * time: a FreeRTOS board that runs under QEMU and a product-style board whose target is a bare
 * CPU part (cortex-m4: no emulated machine with a NIC). The run must end with 0 failed; the
 * second board is built and then a named skip ("built, not run: ...") in the JSON summary,
 * the folder's summary line, JUnit and the report page, and the first one's FreeRTOS stack and
 * heap figures reach the JSON and the report. Needs QHAL_FREERTOS_DIR (skips saying how).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { paths } from '../toolkit/load/toolkit-paths.js';
import { folderSummary } from '../toolkit/run/command.js';
import type { ConformanceResult } from '../toolkit/run/conformance.js';
import { parseFreertosUsage } from '../toolkit/run/freertos-usage.js';
import { renderReport } from '../toolkit/report/html.js';
import { renderJunit } from '../toolkit/report/junit.js';
import type { BoardRun } from '../toolkit/report/model.js';
import { BIN } from './helpers/cli.js';
import { assertSaneFreertosUsage } from './helpers/freertos-usage.js';

const FREERTOS_DIR = process.env.QHAL_FREERTOS_DIR;
const NO_TREE =
  FREERTOS_DIR === undefined || FREERTOS_DIR.trim() === ''
    ? 'no FreeRTOS kernel: set QHAL_FREERTOS_DIR=<FreeRTOS-Kernel tree> (CI=true bash .ci/run unpacks ../shared/deps/FreeRTOS-Kernel-V11.1.0.tar.gz)'
    : false;

const RUNS = 'mps2-an385-freertos-lwip';
const BUILT_ONLY = 'freertos-lwip-cortex-m4';

/** The CLI as a child, bounded: killed (its group) after `ms`. */
function runQhalGen(
  args: string[],
  ms: number,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    }, ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

test(
  'folder mode: a FreeRTOS board runs with 0 failed, a board without an emulator is "built, not run" (named skip)',
  { skip: NO_TREE, timeout: 1_500_000 },
  async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-folder-'));
    try {
      const boards = path.join(work, 'boards');
      fs.mkdirSync(boards);
      fs.cpSync(path.join(paths.boards, 'certs'), path.join(boards, 'certs'), { recursive: true });
      for (const b of [RUNS, BUILT_ONLY])
        fs.copyFileSync(path.join(paths.boards, `${b}.ts`), path.join(boards, `${b}.ts`));
      const junit = path.join(work, 'junit.xml');
      const report = path.join(work, 'report');
      const r = await runQhalGen(
        [
          'test',
          '--board',
          boards,
          '--freertos-dir',
          FREERTOS_DIR as string,
          '--only',
          'tcp.echo',
          '--junit',
          junit,
          '--report',
          report,
          '--json',
        ],
        1_400_000,
      );
      const log = r.err;
      assert.equal(r.code, 0, log);
      const summary = JSON.parse(r.out) as { board: string; result?: ConformanceResult }[];
      assert.deepEqual(summary.map((s) => s.board).sort(), [BUILT_ONLY, RUNS]);
      const ran = summary.find((s) => s.board === RUNS)?.result;
      const built = summary.find((s) => s.board === BUILT_ONLY)?.result;
      assert.ok(ran && built, log);
      assert.deepEqual([ran.failed, ran.complete, ran.notRun], [0, true, undefined], log);
      assert.ok(ran.passed >= 1, log);
      assertSaneFreertosUsage(ran.freertos, log);
      // The board's own I/O stack size is the one the figure is measured against.
      assert.equal(ran.freertos?.stacks.find((s) => s.task === 'qhal_io')?.size, 2048);
      const reason =
        /^built, not run: target cortex-m4 has no QEMU machine the suite runs on .*; the same CPU runs it as mps2-an386$/;
      assert.match(built.notRun ?? '', reason);
      assert.deepEqual(
        [built.passed, built.failed, built.skipped, built.cases.map((c) => [c.name, c.status])],
        [0, 0, 1, [['suite', 'skip']]],
      );
      assert.match(
        log,
        /^== 2 boards: \d+ passed, 0 failed, \d+ skipped; 1 built, not run \(freertos-lwip-cortex-m4\); 0 did not finish$/m,
      );
      assert.match(log, /^# freertos sizing, bytes most used of given: .*qhal_io \d+ of 2048 /m);
      // JUnit: the built-only board is one skipped testcase with the reason; nothing failed.
      const doc = new XMLParser({
        ignoreAttributes: false,
        isArray: (n) => ['testsuite', 'testcase'].includes(n),
      }).parse(fs.readFileSync(junit, 'utf8')) as {
        testsuites: Record<string, string> & {
          testsuite: (Record<string, string> & {
            testcase: { '@_name': string; skipped?: { '@_message': string } }[];
          })[];
        };
      };
      assert.deepEqual([doc.testsuites['@_failures'], doc.testsuites['@_errors']], ['0', '0']);
      const suite = doc.testsuites.testsuite.find((s) => s['@_name'] === BUILT_ONLY);
      assert.equal(suite?.['@_skipped'], '1');
      assert.equal(suite?.testcase[0]?.['@_name'], 'suite');
      assert.match(suite?.testcase[0]?.skipped?.['@_message'] ?? '', reason);
      // The report page: the board's total cell says so, and the FreeRTOS figures are shown.
      const page = fs.readFileSync(path.join(report, 'index.html'), 'utf8');
      assert.match(page, /<td class="skip">built, not run<small>built, not run: target cortex-m4/);
      assert.match(page, /<h2>FreeRTOS stacks and heap \(measured, bytes\)<\/h2>/);
      assert.match(
        page,
        /<td>mps2-an385-freertos-lwip<\/td><td>qhal_io<\/td><td class="num">2048<\/td>/,
      );
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
);

test('without a kernel too: the FreeRTOS figures parse, a built-only board counts as one named skip', () => {
  const usage = parseFreertosUsage([
    'PASS tcp.echo (12 ms)',
    '# freertos stack qhal_io: 1328 of 2048 bytes never used',
    '# freertos stack tcpip_thread: 1608 of 2048 bytes never used',
    '# freertos heap: 96432 of 131072 bytes minimum ever free',
    '# freertos stack bad: lots of bytes never used',
  ]);
  assert.deepEqual(usage, {
    stacks: [
      { task: 'qhal_io', size: 2048, unused: 1328, used: 720 },
      { task: 'tcpip_thread', size: 2048, unused: 1608, used: 440 },
    ],
    heap: { total: 131072, minFree: 96432, used: 34640 },
  });
  assert.equal(parseFreertosUsage(['PASS tcp.echo (1 ms)', '1 passed, 0 failed']), undefined);

  const reason = 'built, not run: target cortex-m4 has no QEMU machine the suite runs on (x)';
  const skip = { name: 'suite', status: 'skip' as const, reason, details: [] };
  const base = { exitCode: null, namespace: false, emulator: null, seconds: 1, complete: true };
  const line = folderSummary([
    { board: 'a', result: { ...base, cases: [], passed: 3, failed: 0, skipped: 1 } },
    {
      board: 'b',
      result: { ...base, cases: [skip], passed: 0, failed: 0, skipped: 1, notRun: reason },
    },
    { board: 'c', error: 'build failed' },
  ]);
  assert.equal(
    line,
    '== 3 boards: 3 passed, 0 failed, 1 skipped; 1 built, not run (b); 1 did not finish (c)',
  );

  const runs: BoardRun[] = [
    { board: 'b', notRun: reason, cases: [skip], complete: true, seconds: 1, sizes: [], bench: [] },
    {
      board: 'f',
      cases: [{ name: 'tcp.echo', status: 'pass', ms: 3, details: [] }],
      complete: true,
      seconds: 1,
      sizes: [],
      bench: [],
      ...(usage ? { freertos: usage } : {}),
    },
  ];
  const xml = renderJunit(runs);
  assert.match(xml, /tests="2" failures="0" errors="0" skipped="1"/);
  assert.match(
    xml,
    /<testcase classname="b" name="suite" time="0.000"><skipped message="built, not run: /,
  );
  const page = renderReport(runs);
  assert.match(page, /<td class="skip">built, not run<small>built, not run: target cortex-m4/);
  // The built-only board's reason sits in its total cell, not in a matrix row of its own.
  assert.doesNotMatch(page, /<th>suite<\/th>/);
  assert.match(
    page,
    /<td>f<\/td><td>qhal_io<\/td><td class="num">2048<\/td><td class="num">720<\/td><td class="num">2.8x<\/td>/,
  );
  assert.match(
    page,
    /<td>f<\/td><td>heap \(heap_4\)<\/td><td class="num">131072<\/td><td class="num">34640<\/td>/,
  );
});
