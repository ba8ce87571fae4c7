/**
 * The plan (toolkit/model/plan.ts): every example board's derived decisions, the config
 * headers `generate` writes from it, and that `generate`'s output for the bare-metal lwIP
 * board compiles on its own (only the output folder, lwIP's and mbedtls's include folders,
 * picolibc and the SDK's headers on the include path).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadBoard } from '../toolkit/load/index.js';
import { paths } from '../toolkit/load/toolkit-paths.js';
import { planBoard, type BoardPlan } from '../toolkit/model/plan.js';
import { resolveSource } from '../toolkit/toolchain/sources.js';
import { targetCompileFlags } from '../toolkit/toolchain/targets.js';
import { zigPath } from '../toolkit/toolchain/zig.js';
import { exampleBoardPath } from './helpers/boards.js';
import { runBin } from './helpers/cli.js';

async function plan(name: string): Promise<BoardPlan> {
  return planBoard(await loadBoard(exampleBoardPath(name)));
}

const names = (p: BoardPlan): string[] => p.configFiles.map((f) => f.name);
const option = (p: BoardPlan, lib: 'lwip' | 'mbedtls', name: string) =>
  (p[lib]?.options ?? []).filter((o) => o.name === name);

test('plan: mps2-an385-lwip-raw is asynchronous lwIP raw on bare metal with DTLS PSK', async () => {
  const p = await plan('mps2-an385-lwip-raw');
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.decisions) && Object.isFrozen(p.target));
  // The target.json chain: mps2-an385 extends cortex-m3 (CPU fields come from the parent).
  assert.equal(p.target.id, 'mps2-an385');
  assert.equal(p.target.zigTarget, 'thumb-freestanding-eabi');
  assert.deepEqual(p.backend, {
    stack: 'lwip-raw',
    maxWrite: 1024,
    extraApi: ['Qhal_lwipRawPoll'],
  });
  const d = p.decisions;
  assert.equal(d.asyncConnect, true);
  assert.equal(d.freertos, null);
  assert.equal(d.needsMbedtls, true);
  assert.equal(d.needsLwip, true);
  assert.equal(d.certDatesChecked, false, 'no RTC: no MBEDTLS_HAVE_TIME_DATE');
  assert.deepEqual(d.pskSource, { hook: 'qhal_test_psk' });
  assert.equal(d.lwipPeers, true);
  assert.deepEqual(d.qemu, {
    mode: 'system',
    command: 'qemu-system-arm',
    machine: 'mps2-an385',
    nic: 'lan9118',
  });
  assert.equal(d.suitePlatform, 'port-mps2.c');
  assert.equal(d.network, 'qemu-slirp');
  assert.deepEqual(names(p), ['lwipopts.h', 'arch/cc.h', 'qhal_mbedtls_config.h']);
  assert.equal(option(p, 'lwip', 'NO_SYS')[0]?.value, '1');
  assert.equal(option(p, 'lwip', 'LWIP_ALTCP_TLS')[0]?.value, '1');
  assert.equal(option(p, 'mbedtls', 'MBEDTLS_HAVE_TIME_DATE').length, 0);
  assert.equal(option(p, 'mbedtls', 'MBEDTLS_KEY_EXCHANGE_PSK_ENABLED').length, 1);
  assert.equal(option(p, 'mbedtls', 'MBEDTLS_AESNI_C').length, 0, 'no AES-NI on Cortex-M');
});

test('plan: mps2-an505-freertos-lwip is lwIP sockets on FreeRTOS with the ARMv8-M port', async () => {
  const p = await plan('mps2-an505-freertos-lwip');
  assert.equal(p.target.id, 'mps2-an505');
  assert.deepEqual(p.decisions.freertos, {
    port: 'portable/GCC/ARM_CM33_NTZ/non_secure',
    portSources: ['port.c', 'portasm.c'],
  });
  assert.equal(p.decisions.suitePlatform, 'port-freertos.c');
  assert.equal(p.decisions.qemu.machine, 'mps2-an505');
  assert.equal(p.backend.extraApi.length, 0);
  assert.equal(p.backend.maxWrite, 65535);
  // FreeRTOS boards get qhal-gen's own arch/cc.h (targets/common/lwip-freertos), not one generated.
  assert.ok(!names(p).includes('arch/cc.h'));
  assert.equal(option(p, 'lwip', 'NO_SYS')[0]?.value, '0');
  assert.equal(
    option(p, 'lwip', 'TCPIP_THREAD_PRIO')[0]?.value,
    String(p.board.limits.ioTaskPriority + 1),
  );
});

test('plan: the other example boards', async () => {
  const an386 = await plan('mps2-an386-freertos-lwip');
  assert.equal(an386.decisions.freertos?.port, 'portable/GCC/ARM_CM4F');
  assert.equal(an386.decisions.qemu.machine, 'mps2-an386');
  const m4 = await plan('freertos-lwip-cortex-m4');
  assert.equal(m4.decisions.freertos?.port, 'portable/GCC/ARM_CM4F');
  assert.equal(m4.decisions.suitePlatform, null, 'a bare CPU target has no suite platform file');
  assert.equal(m4.decisions.qemu.nic, null);

  const x86 = await plan('linux-x86_64');
  assert.equal(x86.decisions.network, 'kernel');
  assert.equal(x86.decisions.qemu.mode, 'native');
  assert.equal(x86.decisions.certDatesChecked, x86.decisions.needsMbedtls);
  assert.equal(x86.decisions.suitePlatform, 'port-posix.c');
  assert.equal(x86.decisions.lwipPeers, false);
  assert.equal(x86.decisions.freertos, null);
  assert.equal(x86.lwip, null);
  assert.equal(option(x86, 'mbedtls', 'MBEDTLS_AESNI_C').length, 1, 'AES-NI on x86_64');
  assert.equal(option(x86, 'mbedtls', 'MBEDTLS_HAVE_TIME_DATE').length, 1);

  const lwip = await plan('linux-x86_64-lwip');
  assert.equal(lwip.decisions.network, 'lwip-tap');
  assert.equal(lwip.decisions.lwipPeers, false, "the unix port uses the system's sockaddr");
  assert.ok(names(lwip).includes('lwipopts.h') && !names(lwip).includes('arch/cc.h'));

  const rv = await plan('linux-riscv64');
  assert.equal(rv.decisions.qemu.command, 'qemu-riscv64');
  assert.equal(option(rv, 'mbedtls', 'MBEDTLS_AESNI_C').length, 0);
});

test('plan: every option of the config headers has a one-line reason; MD5 never', async () => {
  for (const name of ['mps2-an385-lwip-raw', 'linux-x86_64-lwip', 'mps2-an505-freertos-lwip']) {
    const p = await plan(name);
    for (const o of [...(p.lwip?.options ?? []), ...(p.mbedtls?.options ?? [])]) {
      assert.ok(o.why.trim().length > 5 && !o.why.includes('\n'), `${name}: ${o.name} has no why`);
    }
    for (const f of p.configFiles) assert.doesNotMatch(f.content, /MD5/, `${name}: ${f.name}`);
    const mbedtls = p.configFiles.find((f) => f.name === 'qhal_mbedtls_config.h');
    assert.equal(mbedtls !== undefined, p.decisions.needsMbedtls, name);
    // The reason sits right above each switch.
    if (mbedtls) assert.match(mbedtls.content, /\/\* [^\n]+ \*\/\n#define MBEDTLS_GCM_C\n/);
  }
});

test('generate writes a set for mps2-an385-lwip-raw that compiles on its own (zig, cortex-m3, -Werror)', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-standalone-'));
  const D = path.join(out, 'D');
  const boardFile = exampleBoardPath('mps2-an385-lwip-raw');
  const gen = runBin(['generate', '--board', boardFile, '--out', D]);
  assert.equal(gen.code, 0, gen.stderr);
  for (const f of [
    'qhal_Socket.c',
    'qhal_Socket.h',
    'lwipopts.h',
    'arch/cc.h',
    'qhal_mbedtls_config.h',
  ])
    assert.ok(fs.existsSync(path.join(D, f)), `generate wrote ${f}`);
  const board = await loadBoard(boardFile);
  const p = planBoard(board);
  const lwip = await resolveSource('lwip');
  const mbedtls = await resolveSource('mbedtls');
  const args = [
    'cc',
    ...(await targetCompileFlags(p.target)), // -target, -mcpu=cortex_m3, -isystem picolibc
    '-std=c99',
    '-Os',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-I',
    D,
    '-I',
    path.join(lwip.root, 'src', 'include'),
    '-I',
    path.join(mbedtls.root, 'include'),
    // The QuecThing SDK's headers (Quos_kernel.h): the application's SDK, here qhal-gen's shim.
    '-I',
    paths.sdkShim,
    // No -DMBEDTLS_CONFIG_FILE: the generated .c names the config generate wrote beside it.
    '-c',
    path.join(D, 'qhal_Socket.c'),
    '-o',
    path.join(out, 'qhal_Socket.o'),
  ];
  assert.ok(args.includes('-mcpu=cortex_m3'));
  const cc = spawnSync(zigPath(), args, { encoding: 'utf8', timeout: 300_000 });
  assert.equal(cc.status, 0, cc.stderr);
  assert.equal(cc.stderr, '', 'no diagnostics');
  assert.ok(fs.statSync(path.join(out, 'qhal_Socket.o')).size > 1000);
  fs.rmSync(out, { recursive: true, force: true });
});
