/**
 * lwip-socket on FreeRTOS (os 'freertos'): qhal-gen's own lwIP sys_arch
 * (targets/common/lwip-freertos), the FreeRTOSConfig.h the MCU targets ship, and the build of
 * FreeRTOS, lwIP and the HAL from a FreeRTOS-Kernel tree.
 *
 * Always: the lwIP configuration for FreeRTOS (NO_SYS=0, lwIP's own socket types and heap,
 * mailboxes with a size, qhal-gen's arch/cc.h instead of the generated one) and where
 * FreeRTOSConfig.h comes from.
 *
 * With QHAL_FREERTOS_DIR naming a FreeRTOS-Kernel tree (qhal-gen does not download FreeRTOS
 * and CI has none, so these skip there): examples/boards/freertos-lwip-cortex-m4.ts builds
 * (libfreertos.a with the kernel, liblwip.a, libmbedtls.a, libqhal_socket.a), and
 * examples/boards/mps2-an385-freertos-lwip.ts builds, is linked with
 * examples/apps/mps2-freertos/main.c and runs on qemu-system-arm -M mps2-an385: the FreeRTOS
 * scheduler, lwIP's tcpip thread, the LAN9118 netif and the HAL's I/O task run a TCP echo and a
 * UDP echo against servers on the host's loopback (the guest's 10.0.2.2); every check must
 * PASS. runMcuFirmware stops QEMU by PID whatever happens.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../toolkit/load/index.js';
import { formatFirmwareResult, runMcuFirmware } from '../toolkit/run/mcu.js';
import { startSmokeServers } from '../toolkit/run/mcu-smoke.js';
import { formatBuildSummary } from '../toolkit/toolchain/build.js';
import { resolveFreertosConfig } from '../toolkit/toolchain/freertos.js';
import { generateLwipConfig, lwipFlags, lwipSources } from '../toolkit/toolchain/lwip-config.js';
import { getTarget } from '../toolkit/toolchain/targets.js';
import { generateAndBuild } from './helpers/boards.js';

// dist/test/freertos.test.js → repo root is two up.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BOARDS = path.join(ROOT, 'examples', 'boards');
const APP = path.join(ROOT, 'examples', 'apps', 'mps2-freertos');

const FREERTOS_DIR = process.env.QHAL_FREERTOS_DIR;
const NO_TREE =
  FREERTOS_DIR === undefined || FREERTOS_DIR.trim() === ''
    ? 'QHAL_FREERTOS_DIR does not name a FreeRTOS-Kernel tree (qhal-gen does not download FreeRTOS)'
    : false;

test('FreeRTOS lwipopts.h: NO_SYS=0 with lwIP socket types, own heap, sized mailboxes; no generated arch/cc.h', async () => {
  const board = await loadBoard(path.join(BOARDS, 'freertos-lwip-cortex-m4.ts'));
  const target = getTarget(board.target);
  const cfg = generateLwipConfig(board, target);
  assert.deepEqual(
    cfg.files.map((f) => f.name),
    ['lwipopts.h'],
    'arch/cc.h comes from targets/common/lwip-freertos',
  );
  const opts = cfg.files[0].content;
  for (const line of [
    /^#define NO_SYS\s+0$/m,
    /^#define LWIP_SOCKET\s+1$/m,
    /^#define LWIP_SOCKET_POLL\s+1$/m,
    /^#define LWIP_TCPIP_CORE_LOCKING\s+1$/m,
    /^#define SYS_LIGHTWEIGHT_PROT\s+1$/m,
    /^#define MEM_LIBC_MALLOC\s+0$/m,
    /^#define LWIP_NETIF_LOOPBACK\s+1$/m,
    /^#define TCPIP_MBOX_SIZE\s+[1-9]/m,
    /^#define DEFAULT_TCP_RECVMBOX_SIZE\s+[1-9]/m,
    /^#define DEFAULT_UDP_RECVMBOX_SIZE\s+[1-9]/m,
    /^#define DEFAULT_ACCEPTMBOX_SIZE\s+[1-9]/m,
  ]) {
    assert.match(opts, line);
  }
  assert.doesNotMatch(opts, /LWIP_SOCKET_EXTERNAL_HEADERS/, "lwIP's own socket types");
  const root = '/lwip';
  assert.ok(
    lwipSources(root, board, target).some((f) =>
      f.endsWith(path.join('targets', 'common', 'lwip-freertos', 'sys_arch.c')),
    ),
    "qhal-gen's sys_arch.c is built into liblwip.a",
  );
  const flags = lwipFlags(root, board, target, '/cfg');
  assert.deepEqual(flags.slice(0, 4), ['-I', '/cfg', '-I', path.join(root, 'src', 'include')]);
  assert.ok(flags.includes(path.join(ROOT, 'targets', 'common', 'lwip-freertos', 'include')));
});

test('FreeRTOSConfig.h: the target ships one, --freertos-config names another, none is an error', () => {
  for (const id of ['cortex-m3', 'cortex-m4', 'mps2-an385']) {
    const cfg = resolveFreertosConfig(getTarget(id), undefined);
    assert.equal(cfg.origin, 'toolkit');
    assert.equal(cfg.dir, path.join(ROOT, 'targets', 'common', 'freertos'));
    assert.match(cfg.content, /#define configTICK_RATE_HZ 1000/);
  }
  assert.throws(
    () => resolveFreertosConfig(getTarget('cortex-m33'), undefined),
    /ships no FreeRTOSConfig\.h for target cortex-m33: pass --freertos-config <dir>/,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-frcfg-'));
  try {
    assert.throws(
      () => resolveFreertosConfig(getTarget('cortex-m4'), dir),
      /--freertos-config .*: no FreeRTOSConfig\.h in that folder/,
    );
    fs.writeFileSync(path.join(dir, 'FreeRTOSConfig.h'), '/* mine */\n');
    const mine = resolveFreertosConfig(getTarget('cortex-m4'), dir);
    assert.deepEqual([mine.origin, mine.dir, mine.content], ['user', dir, '/* mine */\n']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'freertos-lwip-cortex-m4 builds with --freertos-dir: libfreertos.a, liblwip.a, libmbedtls.a, libqhal_socket.a',
  { skip: NO_TREE, timeout: 600_000 },
  async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-freertos-m4-'));
    try {
      const board = await loadBoard(path.join(BOARDS, 'freertos-lwip-cortex-m4.ts'));
      const build = await generateAndBuild(board, path.join(work, 'out'), {
        freertosDir: FREERTOS_DIR,
      });
      console.log(formatBuildSummary(build));
      assert.deepEqual(
        build.libraries.map((l) => l.name),
        ['freertos', 'mbedtls', 'lwip'],
      );
      const kernel = fs.readFileSync(build.libraries[0].archive).toString('latin1');
      for (const sym of [
        'vTaskStartScheduler',
        'xQueueGenericCreate',
        'pvPortMalloc',
        'xPortSysTickHandler',
      ]) {
        assert.ok(kernel.includes(sym), `libfreertos.a defines ${sym}`);
      }
      const lwip = fs.readFileSync(build.libraries[2].archive).toString('latin1');
      for (const sym of [
        'sys_mbox_trypost_fromisr',
        'sys_arch_protect',
        'sys_thread_new',
        'lwip_poll',
      ]) {
        assert.ok(lwip.includes(sym), `liblwip.a defines ${sym}`);
      }
      assert.ok(fs.existsSync(path.join(build.outDir, 'FreeRTOSConfig.h')));
      for (const row of build.sizes) assert.ok(row.text > 0, `${row.name} has code`);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
);

test(
  'mps2-an385 FreeRTOS firmware: scheduler, lwIP tcpip thread and the HAL pass TCP and UDP echo on QEMU',
  { skip: NO_TREE, timeout: 600_000 },
  async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-freertos-mps2-'));
    try {
      const board = await loadBoard(path.join(BOARDS, 'mps2-an385-freertos-lwip.ts'));
      const build = await generateAndBuild(board, path.join(work, 'out'), {
        freertosDir: FREERTOS_DIR,
      });
      console.log(formatBuildSummary(build));
      const servers = await startSmokeServers();
      let r;
      try {
        r = await runMcuFirmware({
          build,
          appSources: [path.join(APP, 'main.c')],
          append: servers.cmdline,
          timeoutMs: 180_000,
          log: (l) => console.log(`| ${l}`),
        });
      } finally {
        await servers.close();
      }
      console.log(formatFirmwareResult(r));
      const log = r.output.join('\n');
      assert.equal(r.timedOut, false, `QEMU timed out:\n${log}`);
      assert.match(r.summary ?? '', /^[1-9]\d* passed, 0 failed$/, log);
      assert.equal(r.exitCode, 0, log);
      for (const what of [
        /^PASS FreeRTOS scheduler runs the test task$/m,
        /^PASS tcpip_init done, LAN9118 netif up/m,
        /^PASS async connect reports TRUE once/m,
        /^PASS 6500-byte echo received intact$/m,
        /^PASS peer close: echo, then Quos_socketIORx\(len 0\) exactly once$/m,
        /^PASS connect to a closed port reports FALSE once$/m,
        /^PASS udp echo to the default peer, sender address given$/m,
        /^PASS udp echo to an explicit peer$/m,
      ]) {
        assert.match(log, what);
      }
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
);
