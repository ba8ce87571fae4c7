/**
 * The lwip-raw backend on a real MCU image, through the toolkit only: the HAL for
 * examples/boards/mps2-an385-lwip-raw.ts (its CA replaced by a fresh test CA) is generated
 * and built by buildBoard (HAL + board support + lwIP + mbedtls), examples/apps/mps2-smoke
 * is linked with it and booted by runMcuFirmware on qemu-system-arm -M mps2-an385 with
 * user-mode networking, and talks TCP, UDP, TLS and DTLS (PSK) to servers on the host's
 * loopback. runMcuFirmware stops QEMU by PID whatever happens; the servers run in this
 * process, except the DTLS echo server (the broker's native one), stopped by PID with them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../toolkit/load/index.js';
import { formatFirmwareResult, runMcuFirmware } from '../toolkit/run/mcu.js';
import { makeSmokePki, startSmokeServers } from '../toolkit/run/mcu-smoke.js';
import { formatBuildSummary, type BuildSummary } from '../toolkit/toolchain/build.js';
import { generateAndBuild } from './helpers/boards.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const APP = path.join(ROOT, 'examples', 'apps', 'mps2-smoke');

/** Host servers up, the smoke firmware run on QEMU against them, servers stopped (by PID). */
async function runSmoke(build: BuildSummary, pkiDir: string, dtls: 'psk' | 'cert') {
  const servers = await startSmokeServers(pkiDir, { dtls });
  let r;
  try {
    r = await runMcuFirmware({
      build,
      appSources: [path.join(APP, 'main.c')],
      append: servers.cmdline,
      hostForwards: [{ hostPort: servers.fwdPort, guestPort: 7000 }],
      timeoutMs: 120_000,
      log: (l) => console.log(`| ${l}`),
    });
  } finally {
    await servers.close();
  }
  console.log(formatFirmwareResult(r));
  const log = `${r.output.join('\n')}\n--- DTLS echo server(s):\n${servers.dtlsLog()}`;
  return { r, log, servers };
}

test('mps2-an385 lwip-raw firmware boots on QEMU and passes its TCP/UDP/TLS/DTLS exchange with the host', async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-mps2-'));
  try {
    const pki = makeSmokePki(path.join(work, 'pki'));
    const loaded = await loadBoard(path.join(ROOT, 'examples', 'boards', 'mps2-an385-lwip-raw.ts'));
    assert.ok(loaded.tls, 'the example board uses TLS');
    assert.ok(loaded.features.dtls && loaded.tls.pskHook, 'the example board uses DTLS with a PSK');
    const board = {
      ...loaded,
      tls: { ...loaded.tls, caFile: pki.caCert, caPem: fs.readFileSync(pki.caCert, 'utf8') },
    };
    const build = await generateAndBuild(board, path.join(work, 'build'));
    console.log(
      formatBuildSummary(build)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    assert.ok(build.boardSupport, 'mps2-an385 has board support (libqhal_board.a)');

    const { r, log, servers } = await runSmoke(build, pki.dir, 'psk');
    assert.equal(r.timedOut, false, `QEMU timed out:\n${log}`);
    assert.ok(r.summary !== null, `no summary line in:\n${log}`);
    assert.match(r.summary, /^[1-9]\d* passed, 0 failed$/, log);
    assert.equal(r.exitCode, 0, `QEMU exit status (= the firmware's failures):\n${log}`);
    assert.ok(servers.guestServerReached(), 'the host reached the guest TCP server (hostfwd)');
    for (const what of [
      /^PASS DTLS: PSK handshake inside udpSslInit/m,
      /^PASS DTLS: 1000-byte echo/m,
      /^PASS DTLS: wrong PSK: udpSslInit fails/m,
    ]) {
      assert.match(log, what, 'the DTLS checks ran');
    }

    // The harness reports failures: without the servers' ports the firmware fails its TCP
    // echo check, says so in its summary, and QEMU exits with the number of failures.
    const bad = await runMcuFirmware({
      build,
      appSources: [path.join(APP, 'main.c')],
      append: 'no-servers',
      elf: path.join(work, 'no-servers.elf'),
      timeoutMs: 60_000,
    });
    console.log(formatFirmwareResult(bad));
    assert.equal(bad.timedOut, false);
    assert.ok(bad.failed !== null && bad.failed > 0, bad.output.join('\n'));
    assert.equal(bad.exitCode, bad.failed);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('mps2-an385 lwip-raw DTLS with certificates: verified server echoes, untrusted CA and wrong host name are refused', async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-mps2-dtls-cert-'));
  try {
    const pki = makeSmokePki(path.join(work, 'pki'));
    const loaded = await loadBoard(path.join(ROOT, 'examples', 'boards', 'mps2-an385-lwip-raw.ts'));
    assert.ok(loaded.tls);
    // The same board without its PSK hook: DTLS authenticates the server by certificate.
    const { pskHook, ...tlsNoPsk } = loaded.tls;
    assert.ok(pskHook);
    const board = {
      ...loaded,
      tls: { ...tlsNoPsk, caFile: pki.caCert, caPem: fs.readFileSync(pki.caCert, 'utf8') },
    };
    const build = await generateAndBuild(board, path.join(work, 'build'));
    const { r, log } = await runSmoke(build, pki.dir, 'cert');
    assert.equal(r.timedOut, false, `QEMU timed out:\n${log}`);
    assert.match(r.summary ?? '', /^[1-9]\d* passed, 0 failed$/, log);
    assert.equal(r.exitCode, 0, log);
    for (const what of [
      /^PASS DTLS: verified server \(CA \+ host name\), 1000-byte echo$/m,
      /^PASS DTLS: server from an untrusted CA is refused$/m,
      /^PASS DTLS: certificate for another host name is refused$/m,
    ]) {
      assert.match(log, what, 'the DTLS certificate checks ran');
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
