/**
 * What the run stage takes from a target's data alone (toolkit/run/conformance.ts): a native
 * target runs on a host with its CPU (from the zig triple, not the id), a user-mode target
 * through its qemu command, and the slow reader's pause follows the run mode.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { emulatorCommand, slowPauseFor } from '../toolkit/run/conformance.js';
import { getTarget, type Target } from '../toolkit/toolchain/targets.js';

const HOST_TRIPLE: Record<string, string> = {
  x64: 'x86_64-linux-musl',
  arm64: 'aarch64-linux-musl',
  riscv64: 'riscv64-linux-musl',
};

test('a native target runs on a host with its CPU, whatever its id', () => {
  const native = getTarget('x86_64-linux-musl');
  const host = HOST_TRIPLE[os.arch()];
  const mine: Target = { ...native, id: 'my-board', zigTarget: host ?? 'x86_64-linux-musl' };
  if (host) assert.deepEqual(emulatorCommand(mine, '/bin/suite'), ['/bin/suite']);
  const other = os.arch() === 'x64' ? 'aarch64-linux-musl' : 'x86_64-linux-musl';
  assert.throws(
    () => emulatorCommand({ ...native, id: 'elsewhere', zigTarget: other }, '/bin/suite'),
    new RegExp(`target elsewhere runs natively only on ${other.split('-')[0]} hosts`),
  );
});

test('a user-mode target runs through the qemu command its data names', () => {
  const t = getTarget('aarch64-linux-musl');
  assert.equal(t.qemu.mode, 'user');
  assert.deepEqual(emulatorCommand(t, '/bin/suite'), [
    t.qemu.command as string,
    ...t.qemu.args,
    '/bin/suite',
  ]);
});

test("the slow reader's pause is shortened for native runs only", () => {
  assert.equal(slowPauseFor(getTarget('x86_64-linux-musl')), 500);
  assert.equal(slowPauseFor(getTarget('aarch64-linux-musl')), undefined);
  assert.equal(slowPauseFor(getTarget('mps2-an385')), undefined);
});
