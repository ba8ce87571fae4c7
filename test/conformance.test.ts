/**
 * The conformance suite against the real generated HAL for the x86_64 example board (native,
 * inside private namespaces when unshare works), plus mutants that must be caught.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadBoard } from '../toolkit/load/index.js';
import { parseSuiteOutput, testBoard, type ConformanceResult } from '../toolkit/run/index.js';

const BOARD = path.resolve('examples/boards/linux-x86_64.ts');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-conformance-test-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function statusOf(r: ConformanceResult, name: string): string | undefined {
  return r.cases.find((c) => c.name === name)?.status;
}

function failures(r: ConformanceResult): string {
  return r.cases
    .filter((c) => c.status === 'fail')
    .map((c) => `${c.name}: ${c.reason ?? ''}\n  ${c.details.join('\n  ')}`)
    .join('\n');
}

describe('suite output parsing', () => {
  it('reads cases, reasons, times, details and the closing line', () => {
    const r = parseSuiteOutput([
      '# header',
      'PASS tcp.echo (12 ms)',
      'FAIL tls.valid: TLS connect to localhost: ConnResult FALSE (121 ms)',
      '  events (1):',
      '    conn h=0x1 type=4 result=0',
      'SKIP dtls.cert: board uses a pre-shared key for DTLS',
      '1 passed, 1 failed, 1 skipped',
    ]);
    assert.equal(r.complete, true);
    assert.deepEqual([r.passed, r.failed, r.skipped], [1, 1, 1]);
    assert.deepEqual(r.cases[0], { name: 'tcp.echo', status: 'pass', ms: 12, details: [] });
    assert.equal(r.cases[1]?.reason, 'TLS connect to localhost: ConnResult FALSE');
    assert.equal(r.cases[1]?.ms, 121);
    assert.deepEqual(r.cases[1]?.details, ['events (1):', '  conn h=0x1 type=4 result=0']);
    assert.equal(r.cases[2]?.reason, 'board uses a pre-shared key for DTLS');
  });

  it('counts a run without its closing line as a failure', () => {
    const r = parseSuiteOutput(['PASS a (1 ms)']);
    assert.equal(r.complete, false);
    assert.equal(r.failed, 1);
  });
});

describe('conformance of the generated POSIX HAL (linux-x86_64)', { timeout: 900_000 }, () => {
  it(
    'passes every case (mutual TLS with the broker client certificate)',
    { timeout: 600_000 },
    async () => {
      const lines: string[] = [];
      const r = await testBoard({
        board: BOARD,
        workDir: path.join(work, 'x86'),
        clientCert: true,
        log: (l) => lines.push(l),
      });
      assert.equal(r.complete, true, lines.join('\n'));
      assert.equal(r.failed, 0, failures(r));
      for (const name of [
        'tcp.echo',
        'tcp.echo-sizes-1B-64KiB',
        'tcp.connect-refused',
        'tcp.partial-writes-slow-reader',
        'tcp.down-once-on-reset',
        'tcp.down-once-on-peer-close',
        'tcp.close-with-data-in-flight',
        'tls.valid',
        'tls.full-record',
        'tls.wrong-host-rejected',
        'tls.expired-rejected',
        'tls.untrusted-rejected',
        'tls.mutual',
        'tls.address-literal-checks-ip-san',
        'dtls.psk',
        'dtls.psk-wrong-key-rejected',
        'udp.with-peer',
        'udp.without-peer',
        'udp.bound-only-receives-sender',
        'server.max-clients-plus-one',
        'dns.dns2IPGet',
        'mqtt.tcp-connect-subscribe-publish-qos1',
        'mqtt.tls-connect-subscribe-publish-qos1',
        'resources.1000-open-close-cycles',
        'args.bad-arguments-and-stale-handles',
        'tcp.write-queued-then-one-txcb',
        'dns.null-and-literals',
        'dtls.large-record-then-new-session',
      ]) {
        assert.equal(statusOf(r, name), 'pass', `${name}\n${lines.join('\n')}`);
      }
      if (r.namespace) {
        for (const name of [
          'tcp.connect-timeout-blackhole',
          'tcp.dns-fallback-next-address',
          'broadcast.received',
        ]) {
          assert.equal(statusOf(r, name), 'pass', name);
        }
      }
    },
  );

  it('catches a HAL that accepts any server certificate', { timeout: 300_000 }, async () => {
    const board = await loadBoard(BOARD);
    assert.ok(board.tls);
    // Without the PSK hook, so that DTLS authenticates by certificate too ('tls.' matches
    // the dtls. cases as well).
    const { pskHook: _psk, ...tlsNoPsk } = board.tls;
    void _psk;
    const insecure = {
      ...board,
      tls: { ...tlsNoPsk, verify: 'none-INSECURE-accepts-any-server' as const },
    };
    const r = await testBoard({
      board: insecure,
      workDir: path.join(work, 'insecure'),
      only: 'tls.',
      log: () => undefined,
    });
    assert.equal(r.complete, true);
    assert.equal(statusOf(r, 'tls.valid'), 'pass');
    for (const name of [
      'tls.wrong-host-rejected',
      'tls.address-literal-checks-ip-san',
      'tls.expired-rejected',
      'tls.untrusted-rejected',
      'dtls.cert-untrusted-rejected',
      'dtls.cert-wrong-host-rejected',
    ]) {
      assert.equal(
        statusOf(r, name),
        'fail',
        `${name} should fail on a HAL that skips verification`,
      );
    }
  });

  it(
    'runs DTLS with certificates when the board has no PSK hook',
    { timeout: 300_000 },
    async () => {
      const board = await loadBoard(BOARD);
      assert.ok(board.tls);
      const { pskHook: _unused, ...tls } = board.tls;
      void _unused;
      const r = await testBoard({
        board: { ...board, tls },
        workDir: path.join(work, 'dtls-cert'),
        only: 'dtls.',
        log: () => undefined,
      });
      assert.equal(r.failed, 0, failures(r));
      for (const name of [
        'dtls.cert',
        'dtls.cert-untrusted-rejected',
        'dtls.cert-wrong-host-rejected',
        'dtls.large-record-then-new-session',
      ])
        assert.equal(statusOf(r, name), 'pass', name);
      assert.equal(statusOf(r, 'dtls.psk'), 'skip');
    },
  );

  it('checks the synchronous connect variant', { timeout: 300_000 }, async () => {
    const board = await loadBoard(BOARD);
    const sync = { ...board, connect: 'sync' as const };
    const r = await testBoard({
      board: sync,
      workDir: path.join(work, 'sync'),
      only: 'tcp.',
      log: () => undefined,
    });
    assert.equal(r.complete, true);
    assert.equal(r.failed, 0, failures(r));
    assert.ok(r.passed >= 7);
  });

  it(
    '--bench: the benchmarks print their figures (values are reported, never judged)',
    {
      timeout: 300_000,
    },
    async () => {
      const lines: string[] = [];
      const r = await testBoard({
        board: BOARD,
        workDir: path.join(work, 'bench'),
        config: { bench: '1' },
        log: (l) => lines.push(l),
      });
      assert.equal(r.complete, true, lines.join('\n'));
      assert.equal(r.failed, 0, failures(r));
      const figures = new Map(
        lines
          .map((l) => /^BENCH (\S+) (\d+) (\S+)/.exec(l))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => [m[1] as string, { value: Number(m[2]), unit: m[3] as string }]),
      );
      for (const [name, unit] of [
        ['tcp.connect', 'us'],
        ['tcp.echo-throughput', 'KiB/s'],
        ['tcp.echo-heap-allocations', 'calls'],
        ['udp.round-trip', 'us'],
        ['tls.connect-and-handshake', 'us'],
      ] as const) {
        assert.equal(figures.get(name)?.unit, unit, `BENCH ${name} printed in ${unit}`);
      }
      assert.ok((figures.get('tcp.echo-throughput')?.value ?? 0) > 0, 'some bytes were echoed');
      assert.ok(r.halSize.text > 0, 'the HAL object has code');
    },
  );
});
