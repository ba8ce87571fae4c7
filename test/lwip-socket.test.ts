/**
 * The lwip-socket backend, what is not the conformance suite's job on the example board
 * (lwip-conformance.test.ts runs the suite on linux-x86_64-lwip, async connect):
 * - the same board with synchronous connects, through the suite's TCP cases (lwIP's unix port
 *   on a TAP device in the run's own namespace; skips without private namespaces);
 * - the FreeRTOS example board (freertos-lwip-cortex-m4) must fail `build` without a kernel
 *   tree, with a message that names --freertos-dir and what the directory must hold;
 * - its HAL uses FreeRTOS directly for tasks and locks;
 * - feature variants build warning-free with lwIP.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateBoard } from '../toolkit/generate/index.js';
import { loadBoard, loadHal } from '../toolkit/load/index.js';
import { namespaceProblem, testBoard } from '../toolkit/run/index.js';
import { ToolchainError } from '../toolkit/toolchain/errors.js';
import { buildBoard } from '../toolkit/toolchain/build.js';
import { runCli } from './helpers/cli.js';
import { boardVariant } from './helpers/boards.js';

// dist/test/lwip-socket.test.js → repo root is two up.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FREERTOS_BOARD = path.join(ROOT, 'examples', 'boards', 'freertos-lwip-cortex-m4.ts');
const LWIP_BOARD = path.join(ROOT, 'examples', 'boards', 'linux-x86_64-lwip.ts');

const nsProblem = await namespaceProblem();

test(
  "linux-x86_64-lwip with synchronous connects: the suite's TCP cases pass (lwIP unix port, TAP)",
  { skip: nsProblem ? `needs private namespaces: ${nsProblem}` : false, timeout: 900_000 },
  async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-lwip-sync-'));
    const lines: string[] = [];
    try {
      const board = await loadBoard(LWIP_BOARD);
      assert.equal(board.connect, 'async', 'the example board connects asynchronously');
      const r = await testBoard({
        board: { ...board, connect: 'sync' as const },
        workDir: work,
        only: 'tcp.',
        log: (l) => lines.push(l),
      });
      const log = lines.join('\n');
      assert.equal(r.complete, true, log);
      assert.equal(r.failed, 0, log);
      assert.match(log, /^# qhal conformance: board linux-x86_64-lwip, sync connect/m);
      for (const name of ['tcp.echo', 'tcp.connect-refused', 'tcp.write-queued-then-one-txcb'])
        assert.equal(r.cases.find((c) => c.name === name)?.status, 'pass', `${name}:\n${log}`);
      console.log(`# linux-x86_64-lwip sync, tcp.*: ${r.passed} passed, ${r.skipped} skipped`);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
);

test('freertos-lwip-cortex-m4: build without --freertos-dir or QHAL_FREERTOS_DIR says what is missing (exit 1)', async () => {
  const board = await loadBoard(FREERTOS_BOARD);
  // CI exports QHAL_FREERTOS_DIR for the FreeRTOS boards; this build must not see it.
  const env = { ...process.env };
  delete env.QHAL_FREERTOS_DIR;
  const { hal, source } = await loadHal();
  const generated = generateBoard(board, hal, source);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-freertos-'));
  try {
    await assert.rejects(
      buildBoard({ board, generated: generated.files, outDir, env }),
      (e: unknown) => {
        assert.ok(e instanceof ToolchainError);
        assert.equal(e.exitCode, 1);
        assert.match(e.message, /pass --freertos-dir <dir>/);
        assert.match(e.message, /FreeRTOS-Kernel/);
        assert.match(e.message, /include\/FreeRTOS\.h/);
        assert.match(e.message, /portable\/GCC\/ARM_CM4F/);
        return true;
      },
    );
    // A directory that is not a FreeRTOS-Kernel tree: every missing file is named.
    await assert.rejects(
      buildBoard({ board, generated: generated.files, outDir, freertosDir: outDir }),
      (e: unknown) => {
        assert.ok(e instanceof ToolchainError);
        assert.match(
          e.message,
          /is not a FreeRTOS-Kernel tree for cortex-m4: missing include\/FreeRTOS\.h/,
        );
        assert.match(e.message, /portable\/GCC\/ARM_CM4F\/port\.c/);
        return true;
      },
    );
    // Nothing was written before the check.
    assert.deepEqual(fs.readdirSync(outDir), []);

    // The CLI: exit 1, the message on stderr.
    const saved = process.env.QHAL_FREERTOS_DIR;
    delete process.env.QHAL_FREERTOS_DIR;
    let r;
    try {
      r = await runCli(['build', '--board', FREERTOS_BOARD, '--out', outDir]);
    } finally {
      if (saved !== undefined) process.env.QHAL_FREERTOS_DIR = saved;
    }
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--freertos-dir/);
    assert.match(r.stderr, /include\/FreeRTOS\.h and portable\/GCC\/ARM_CM4F/);
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});

test('freertos-lwip-cortex-m4: the generated HAL uses FreeRTOS directly for its tasks and locks', async () => {
  const board = await loadBoard(FREERTOS_BOARD);
  const { hal, source } = await loadHal();
  const c = generateBoard(board, hal, source).files.find(
    (f) => f.name === 'qhal_Socket.c',
  )!.content;
  assert.match(c, /#include "FreeRTOS.h"/);
  assert.match(c, /xTaskCreate\(fn, name, words, NULL, \(UBaseType_t\)QHAL_IO_PRIORITY, NULL\)/);
  assert.match(c, /xSemaphoreCreateMutex\(\)/);
  assert.doesNotMatch(c, /sys_thread_new\(|sys_mutex_new\(/);
  assert.match(c, /lwip_poll\(/);
});

/** Variants of the example lwip board; each must build warning-free (-Werror) with lwIP. */
const VARIANTS: Record<string, [string | RegExp, string][]> = {
  'everything: DTLS with PSK, IPv6, sync connect, peerSize core': [
    ["verify: 'required',", "verify: 'required',\n    psk: { hook: 'qhal_test_psk' },"],
    ["connect: 'async'", "connect: 'sync'"],
    ['rxPeerSize: false', 'rxPeerSize: true'],
  ],
  'tcp and udp only, no DNS, IPv4 only': [
    ['ipv6: true', 'ipv6: false'],
    ['tls: true', 'tls: false'],
    ['dtls: true', 'dtls: false'],
    [/ {2}tls: \{[^}]*\},\n/, ''],
    ['tcpServer: { maxClients: 4 }', 'tcpServer: false'],
    ['broadcast: true', 'broadcast: false'],
    ['dns: { maxAddresses: 1 }', 'dns: false'],
  ],
  'udp only, IPv4 only': [
    ['ipv6: true', 'ipv6: false'],
    ['tcp: true', 'tcp: false'],
    ['tls: true', 'tls: false'],
    ['dtls: true', 'dtls: false'],
    [/ {2}tls: \{[^}]*\},\n/, ''],
    ['tcpServer: { maxClients: 4 }', 'tcpServer: false'],
    ['dns: { maxAddresses: 1 }', 'dns: false'],
  ],
  'tls only, verification off by the loud option': [
    ['udp: true', 'udp: false'],
    ['dtls: true', 'dtls: false'],
    ['broadcast: true', 'broadcast: false'],
    ["verify: 'required'", "verify: 'none-INSECURE-accepts-any-server'"],
  ],
};

test('lwip-socket template: feature variants build warning-free with lwIP (x86_64)', async () => {
  const { hal, source } = await loadHal();
  for (const [name, edits] of Object.entries(VARIANTS)) {
    const file = boardVariant('linux-x86_64-lwip', edits);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-lwip-variant-'));
    try {
      const board = await loadBoard(file);
      const generated = generateBoard(board, hal, source);
      const s = await buildBoard({ board, generated: generated.files, outDir: out, parallel: 2 });
      assert.ok(fs.statSync(s.hal.archive).size > 0, name);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  }
});
