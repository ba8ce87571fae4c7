/**
 * The lwip-raw backend on a real MCU image: ci/mps2-smoke.sh generates the HAL for
 * examples/boards/mps2-an385-lwip-raw.ts, builds lwIP + mbedtls + the HAL + the board
 * support + examples/apps/mps2-smoke, boots it on qemu-system-arm -M mps2-an385 and lets it
 * talk TCP, UDP and TLS to servers on the host's loopback. The script stops QEMU and the
 * servers by PID whatever happens; this test only bounds the script's time.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('mps2-an385 lwip-raw firmware boots on QEMU and passes its TCP/UDP/TLS exchange with the host', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-mps2-'));
  try {
    const r = spawnSync('bash', [path.join(ROOT, 'ci', 'mps2-smoke.sh'), out], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 600_000,
      killSignal: 'SIGTERM',
      env: { ...process.env, JOBS: '2', QEMU_TIMEOUT: '120' },
    });
    const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    assert.equal(r.error, undefined, `ci/mps2-smoke.sh: ${String(r.error)}\n${log}`);
    assert.equal(r.status, 0, log);
    const last = log.match(/^(\d+) passed, (\d+) failed$/gm)?.pop();
    assert.ok(last !== undefined, `no summary line in:\n${log}`);
    assert.match(last, /^[1-9]\d* passed, 0 failed$/);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
