/**
 * lwip-socket on FreeRTOS (os 'freertos'): qhal-gen's own lwIP sys_arch
 * (targets/common/lwip-freertos), the FreeRTOSConfig.h the MCU targets ship, and the build of
 * FreeRTOS, lwIP and the HAL from a FreeRTOS-Kernel tree.
 *
 * Always: the lwIP configuration for FreeRTOS (NO_SYS=0, lwIP's own socket types and heap,
 * mailboxes with a size, qhal-gen's arch/cc.h instead of the generated one) and where
 * FreeRTOSConfig.h comes from.
 *
 * With QHAL_FREERTOS_DIR naming a FreeRTOS-Kernel tree (qhal-gen does not download FreeRTOS;
 * .ci/run unpacks the shared one when it is there, and without one these skip saying how to
 * give it): examples/boards/freertos-lwip-cortex-m4.ts builds (libfreertos.a with the kernel,
 * liblwip.a, libmbedtls.a, libqhal_socket.a), and every FreeRTOS example board runs the
 * conformance suite on qemu-system-arm (`qhal-gen test`): the cases in a FreeRTOS task of
 * their own beside the HAL's I/O task, lwIP's tcpip thread and the NIC's task, against the
 * test broker; no case may fail, and the run reports each task's stack high-water mark and
 * the FreeRTOS heap's minimum-ever free space.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../toolkit/load/index.js';
import { testBoard } from '../toolkit/run/index.js';
import { formatBuildSummary } from '../toolkit/toolchain/build.js';
import { resolveFreertosConfig } from '../toolkit/toolchain/freertos.js';
import { generateLwipConfig, lwipFlags, lwipSources } from '../toolkit/toolchain/lwip-config.js';
import { getTarget } from '../toolkit/toolchain/targets.js';
import { generateAndBuild } from './helpers/boards.js';
import { assertSaneFreertosUsage } from './helpers/freertos-usage.js';

// dist/test/freertos.test.js → repo root is two up.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BOARDS = path.join(ROOT, 'examples', 'boards');

const FREERTOS_DIR = process.env.QHAL_FREERTOS_DIR;
const NO_TREE =
  FREERTOS_DIR === undefined || FREERTOS_DIR.trim() === ''
    ? 'no FreeRTOS kernel: set QHAL_FREERTOS_DIR=<FreeRTOS-Kernel tree> (qhal-gen does not download FreeRTOS; CI=true bash .ci/run unpacks ../shared/deps/FreeRTOS-Kernel-V11.1.0.tar.gz)'
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
  for (const id of [
    'cortex-m3',
    'cortex-m4',
    'cortex-m33',
    'mps2-an385',
    'mps2-an386',
    'mps2-an505',
  ]) {
    const cfg = resolveFreertosConfig(getTarget(id), undefined);
    assert.equal(cfg.origin, 'toolkit');
    assert.equal(cfg.dir, path.join(ROOT, 'targets', 'common', 'freertos'));
    assert.match(cfg.content, /#define configTICK_RATE_HZ 1000/);
  }
  // A CPU whose port qhal-gen ships no configuration for.
  const riscv = { ...getTarget('cortex-m3'), id: 'rv32', freertosPort: 'portable/GCC/RISC-V' };
  assert.throws(
    () => resolveFreertosConfig(riscv, undefined),
    /ships no FreeRTOSConfig\.h for target rv32: pass --freertos-config <dir>/,
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

test('targets as data: a board target extends its CPU part (FreeRTOS port, QEMU machine and NIC, platform files)', () => {
  const t = getTarget('mps2-an386');
  const cpu = getTarget('cortex-m4');
  assert.deepEqual(
    [t.kind, t.zigTarget, t.cpuFlags, t.float],
    [cpu.kind, cpu.zigTarget, cpu.cpuFlags, 'hard'],
  );
  assert.equal(t.freertosPort, 'portable/GCC/ARM_CM4F');
  assert.deepEqual(t.qemu.args.slice(0, 2), ['-M', 'mps2-an386']);
  assert.equal(t.qemu.nic, 'lan9118');
  assert.deepEqual(t.suitePlatform, { baremetal: 'port-mps2.c', freertos: 'port-freertos.c' });
  // Files named by the board part resolve from its own folder.
  assert.ok(fs.existsSync(path.join(t.dir, t.linkerScript ?? '')), 'linker script');
  assert.ok(fs.existsSync(path.join(t.dir, t.boardSources ?? '', 'startup.c')), 'board folder');
  assert.equal(getTarget('mps2-an385').freertosPort, 'portable/GCC/ARM_CM3');
  // An unknown parent, and a cycle, are named.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-targets-'));
  const write = (id: string, body: object) => {
    fs.mkdirSync(path.join(dir, id));
    fs.writeFileSync(path.join(dir, id, 'target.json'), JSON.stringify({ id, ...body }));
  };
  const saved = process.env.QHAL_TARGETS_DIR;
  try {
    process.env.QHAL_TARGETS_DIR = dir;
    write('a', { extends: 'b' });
    write('b', { extends: 'a' });
    assert.throws(() => getTarget('a'), /"extends" makes a cycle/);
    fs.rmSync(path.join(dir, 'b'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'a', 'target.json'),
      JSON.stringify({ id: 'a', extends: 'nope' }),
    );
    assert.throws(() => getTarget('a'), /extends unknown target "nope"/);
  } finally {
    if (saved === undefined) delete process.env.QHAL_TARGETS_DIR;
    else process.env.QHAL_TARGETS_DIR = saved;
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

/** The conformance suite on every FreeRTOS board in examples/boards (QEMU, lwIP sockets). */
const FREERTOS_BOARDS = [
  'mps2-an385-freertos-lwip',
  'mps2-an386-freertos-lwip',
  'mps2-an505-freertos-lwip',
];

for (const name of FREERTOS_BOARDS) {
  test(
    `conformance suite on FreeRTOS under QEMU: ${name} ends with 0 failed, skips only what it lacks`,
    { skip: NO_TREE, timeout: 1_500_000 },
    async () => {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-freertos-suite-'));
      const lines: string[] = [];
      try {
        const r = await testBoard({
          board: path.join(BOARDS, `${name}.ts`),
          workDir: work,
          freertosDir: FREERTOS_DIR,
          log: (l) => lines.push(l),
        });
        const log = lines.join('\n');
        console.log(
          `# ${name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped in ${r.seconds.toFixed(0)} s`,
        );
        for (const l of lines.filter((x) => x.startsWith('# freertos '))) console.log(l);
        assert.equal(r.complete, true, log);
        assert.equal(r.failed, 0, log);
        assert.ok(r.passed >= 16, `only ${r.passed} cases passed:\n${log}`);
        // The cases a FreeRTOS lwIP board must run (not skip): the I/O task, lwIP's sockets and
        // the tcpip thread under real scheduling.
        for (const c of [
          'tcp.echo',
          'tcp.partial-writes-slow-reader',
          'tcp.down-once-on-reset',
          'tcp.close-inside-callback',
          'udp.with-peer',
          'resources.1000-open-close-cycles',
          'resources.no-heap-in-steady-state',
          'writes.given-up-at-send-timeout',
          'lifecycle.close-from-another-task-during-flood',
        ]) {
          assert.equal(r.cases.find((x) => x.name === c)?.status, 'pass', `${c}:\n${log}`);
        }
        // A skip names why the case cannot apply.
        for (const c of r.cases.filter((x) => x.status === 'skip'))
          assert.match(c.reason ?? '', /board feature \w+ is off|one address per name/, c.name);
        // Sizing from measurements: every task's high-water mark against the stack it was
        // given (the I/O task's is the board's ioTaskStackSize), and the heap's low point.
        assertSaneFreertosUsage(r.freertos, log);
        const io = r.freertos?.stacks.find((s) => s.task === 'qhal_io');
        const board = await loadBoard(path.join(BOARDS, `${name}.ts`));
        assert.equal(io?.size, board.limits.ioTaskStackSize);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
  );
}
