/**
 * The lwip-raw backend on qemu-system-arm -M mps2-an385, for what the conformance run of the
 * example board (lwip-conformance.test.ts) does not cover: DTLS with certificates (the example
 * board authenticates DTLS with a pre-shared key), and that a failing case on the MCU reaches
 * the result (FAIL line, count, QEMU's exit status). Both through testBoard(), as
 * `qhal-gen test --board` runs it; QEMU and the broker are stopped by PID whatever happens.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadBoard } from '../toolkit/load/index.js';
import { paths } from '../toolkit/load/toolkit-paths.js';
import { testBoard, type ConformanceResult } from '../toolkit/run/index.js';

const BOARD = path.join(paths.boards, 'mps2-an385-lwip-raw.ts');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-mps2-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function statuses(r: ConformanceResult): Record<string, string> {
  return Object.fromEntries(r.cases.map((c) => [c.name, `${c.status} ${c.reason ?? ''}`.trim()]));
}

test(
  'mps2-an385 lwip-raw without its PSK hook: DTLS with certificates verifies the server (good, untrusted CA, wrong name)',
  { timeout: 900_000 },
  async () => {
    const loaded = await loadBoard(BOARD);
    assert.ok(loaded.tls?.pskHook, 'the example board authenticates DTLS with a PSK');
    const { pskHook: _psk, ...tls } = loaded.tls;
    void _psk;
    const lines: string[] = [];
    const r = await testBoard({
      board: { ...loaded, tls },
      workDir: path.join(work, 'dtls-cert'),
      only: 'dtls.',
      log: (l) => lines.push(l),
    });
    const log = lines.join('\n');
    assert.equal(r.complete, true, log);
    assert.equal(r.failed, 0, log);
    const s = statuses(r);
    for (const name of [
      'dtls.cert',
      'dtls.cert-untrusted-rejected',
      'dtls.cert-wrong-host-rejected',
      'dtls.large-record-then-new-session',
    ]) {
      assert.equal(s[name], 'pass', `${name}:\n${log}`);
    }
    assert.match(s['dtls.psk'] ?? '', /^skip .*no PSK hook/);
    console.log(
      `# mps2-an385-lwip-raw without PSK, dtls.*: ${r.passed} passed, ${r.skipped} skipped`,
    );
  },
);

test(
  'mps2-an385 lwip-raw: a failing case on QEMU is reported (FAIL line, failed count, exit status)',
  { timeout: 900_000 },
  async () => {
    const lines: string[] = [];
    // The TCP echo moved to a port nothing listens on: both tcp.echo cases must fail.
    const r = await testBoard({
      board: BOARD,
      workDir: path.join(work, 'fail'),
      only: 'tcp.echo',
      config: { 'tcp-echo': '1' },
      log: (l) => lines.push(l),
    });
    const log = lines.join('\n');
    assert.equal(r.complete, true, log);
    assert.deepEqual(
      r.cases.map((c) => [c.name, c.status]),
      [
        ['tcp.echo', 'fail'],
        ['tcp.echo-sizes-1B-64KiB', 'fail'],
      ],
      log,
    );
    assert.equal(r.failed, 2);
    assert.match(log, /^FAIL tcp\.echo: connect to the TCP echo: /m);
    assert.notEqual(r.exitCode, 0, `QEMU's exit status must say the firmware failed:\n${log}`);
  },
);
