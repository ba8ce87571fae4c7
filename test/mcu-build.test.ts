/**
 * MCU builds through buildBoard (what `qhal-gen build` does): the mps2-an385 lwip-raw
 * example board gives libqhal_socket.a, the target's board support libqhal_board.a,
 * liblwip.a (with altcp_tls) and libmbedtls.a, all Thumb code for ARMv7-M, and a size
 * report with the HAL object; the board's entropy option reaches the board support through
 * qhal_Socket.h; the loader refuses an MCU board with TLS and no entropy source; the
 * lwip-raw HAL compiles warning-free for variants of the board (DTLS with certificates,
 * client certificate, verification off, IPv6, DTLS without TLS, sync connect, no DTLS) and is
 * clang-format clean in the project style.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateBoard } from '../toolkit/generate/index.js';
import { paths } from '../toolkit/load/toolkit-paths.js';
import { InputError } from '../toolkit/load/diagnostic.js';
import { loadBoard, loadHal } from '../toolkit/load/index.js';
import type { BoardModel } from '../toolkit/model/board-model.js';
import { formatBuildSummary, type BuildSummary } from '../toolkit/toolchain/build.js';
import { ToolchainError } from '../toolkit/toolchain/errors.js';
import { lwipFlags } from '../toolkit/toolchain/lwip-config.js';
import { MBEDTLS_CONFIG_FILE_NAME } from '../toolkit/toolchain/mbedtls-config.js';
import { ensureSource } from '../toolkit/toolchain/sources.js';
import { targetCompileFlags } from '../toolkit/toolchain/targets.js';
import { runZig } from '../toolkit/toolchain/zig.js';
import { boardVariant, generateAndBuild } from './helpers/boards.js';
import { runFirmwareElf } from '../toolkit/run/mcu.js';
import { linkProgram } from '../toolkit/toolchain/link.js';
import { getTarget } from '../toolkit/toolchain/targets.js';
import { archiveObjects } from '../toolkit/toolchain/verify.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BOARD = path.join(ROOT, 'examples', 'boards', 'mps2-an385-lwip-raw.ts');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-mcu-build-test-'));
process.on('exit', () => fs.rmSync(TMP, { recursive: true, force: true }));

function build(board: BoardModel, out: string): Promise<BuildSummary> {
  return generateAndBuild(board, path.join(TMP, out));
}

let mps2: BuildSummary | undefined;

test('build mps2-an385-lwip-raw: HAL, board support, lwIP and mbedtls are Thumb code for ARMv7-M', async () => {
  const started = Date.now();
  const s = await build(await loadBoard(BOARD), 'mps2');
  mps2 = s;
  console.log(`mps2-an385-lwip-raw: ${((Date.now() - started) / 1000).toFixed(1)}s`);
  console.log(formatBuildSummary(s));
  assert.deepEqual(
    s.libraries.map((l) => l.name),
    ['mbedtls', 'lwip'],
  );
  assert.equal(s.boardSupport?.archive, path.join(s.outDir, 'libqhal_board.a'));
  for (const lib of ['libqhal_socket.a', 'libqhal_board.a', 'liblwip.a', 'libmbedtls.a']) {
    const objs = archiveObjects(path.join(s.outDir, lib));
    assert.ok(objs.length > 0, `${lib} has objects`);
    let thumbFunctions = 0;
    for (const o of objs) {
      assert.equal(o.machine, 40, `${lib}(${o.member}) is ARM`);
      assert.equal(o.class, 32);
      assert.equal(o.flags & 0x200, 0x200, `${lib}(${o.member}) soft-float ABI`);
      assert.equal(o.arm?.cpuProfile, 'M', `${lib}(${o.member}) Tag_CPU_arch_profile`);
      assert.equal(o.arm?.cpuArch, 10, `${lib}(${o.member}) Tag_CPU_arch v7-M`);
      assert.equal(o.armFunctions, 0, `${lib}(${o.member}) has no ARM-state functions`);
      thumbFunctions += o.thumbFunctions;
    }
    assert.ok(thumbFunctions > 0, `${lib} defines Thumb functions`);
  }
  const members = (lib: string) => archiveObjects(path.join(s.outDir, lib)).map((o) => o.member);
  assert.deepEqual(members('libqhal_board.a'), ['entropy.o', 'lan9118_netif.o', 'startup.o']);
  assert.ok(members('liblwip.a').includes('src__apps__altcp_tls__altcp_tls_mbedtls.o'));
  const opts = fs.readFileSync(path.join(s.outDir, 'lwipopts.h'), 'utf8');
  assert.match(opts, /#define NO_SYS\s+1/);
  assert.match(opts, /#define LWIP_ALTCP\s+1/);
  assert.match(opts, /#define LWIP_ALTCP_TLS\s+1/);
  assert.match(opts, /#define LWIP_ALTCP_TLS_MBEDTLS\s+1/);
  assert.match(opts, /#define MEMP_NUM_ALTCPCB\s/);
  assert.match(opts, /#define MEM_SIZE\s+\(48 \* 1024\)/);
  assert.match(
    fs.readFileSync(path.join(s.outDir, 'qhal_Socket.h'), 'utf8'),
    /#define QHAL_ALLOW_TEST_ENTROPY 1/,
  );

  // The size report: the Cortex-M3 HAL object first, then the board support and libraries.
  assert.deepEqual(
    s.sizes.map((r) => r.name),
    ['qhal_socket', 'qhal_board', 'mbedtls', 'lwip'],
  );
  const halRow = s.sizes[0];
  assert.ok(halRow && halRow.text > 0, 'HAL text is nonzero');
  assert.equal(halRow.total, halRow.text + halRow.data + halRow.bss);
  for (const r of s.sizes) assert.ok(r.text > 0, `${r.name} text is nonzero`);
  const table = formatBuildSummary(s);
  assert.match(table, /^\s+text\s+data\s+bss\s+total$/m);
  assert.match(
    table,
    new RegExp(`^qhal_socket\\s+${halRow.text}\\s+${halRow.data}\\s+${halRow.bss}\\s`, 'm'),
  );
  const sizeJson = JSON.parse(fs.readFileSync(path.join(s.outDir, 'size.json'), 'utf8')) as {
    target: string;
    sizes: { name: string }[];
  };
  assert.equal(sizeJson.target, 'mps2-an385');
  assert.equal(sizeJson.sizes.length, 4);
});

test('mps2-an385: a program links with the board start-up (no crt0) and the target linker script, and runs', async () => {
  const s = mps2;
  assert.ok(s, 'the mps2 build ran');
  const src = path.join(TMP, 'tiny.c');
  // picolibc's errno is thread-local: the link needs .tdata/.tbss placed by the script.
  fs.writeFileSync(
    src,
    '#include <errno.h>\n#include "mps2_an385.h"\nint main(int c, char **v) { (void)c; (void)v; errno = 0; qhal_mps2_puts("tiny\\n"); return errno; }\n',
  );
  const t = getTarget('mps2-an385');
  const elf = await linkProgram({
    target: t,
    sources: [src],
    cflags: ['-I', path.join(t.dir, 'board'), '-I', s.outDir],
    inputs: [
      s.hal.archive,
      ...(s.boardSupport ? [s.boardSupport.archive] : []),
      ...s.libraries.map((l) => l.archive),
    ],
    out: path.join(TMP, 'tiny.elf'),
  });
  const r = await runFirmwareElf(t, elf, { timeoutMs: 30_000 });
  assert.equal(r.exitCode, 0, r.output.join('\n'));
  assert.ok(r.output.includes('tiny'), r.output.join('\n'));
});

test('entropy: { hook } reaches the board support through qhal_Socket.h (QHAL_BOARD_ENTROPY_FN)', async () => {
  const base = await loadBoard(BOARD);
  const s = await build({ ...base, entropy: { hook: 'board_trng_read32' } }, 'mps2-hook');
  const h = fs.readFileSync(path.join(s.outDir, 'qhal_Socket.h'), 'utf8');
  assert.match(h, /#define QHAL_BOARD_ENTROPY_FN board_trng_read32/);
  assert.doesNotMatch(h, /QHAL_ALLOW_TEST_ENTROPY/);
  assert.ok(s.boardSupport, 'board support built');
});

test('without an entropy choice the mps2 board support refuses to build', async () => {
  const base = await loadBoard(BOARD);
  await assert.rejects(
    build({ ...base, entropy: null }, 'mps2-none'),
    (e: unknown) =>
      e instanceof ToolchainError &&
      /board support .* does not compile cleanly/.test(e.message) &&
      /mps2-an385 has no entropy source/.test(e.message),
  );
});

test('loader: a cortex-m3 board with TLS and no entropy option is refused (InputError)', async () => {
  const dir = fs.mkdtempSync(path.join(TMP, 'board-'));
  fs.cpSync(path.join(ROOT, 'examples', 'boards', 'certs'), path.join(dir, 'certs'), {
    recursive: true,
  });
  const src = fs
    .readFileSync(BOARD, 'utf8')
    .replace(/^\s*entropy: 'TEST-ONLY-NOT-RANDOM',\n/m, '')
    .replace("target: 'mps2-an385'", "target: 'cortex-m3'");
  assert.doesNotMatch(src, /^\s*entropy:/m);
  const file = path.join(dir, 'm3-tls-no-entropy.ts');
  fs.writeFileSync(file, src);
  await assert.rejects(
    loadBoard(file),
    (e: unknown) =>
      e instanceof InputError && /TLS on an MCU needs an entropy source/.test(e.message),
  );
  // The same board with the test-only label loads.
  fs.writeFileSync(
    file,
    src.replace("connect: 'async',", "connect: 'async',\n  entropy: 'TEST-ONLY-NOT-RANDOM',"),
  );
  const ok = await loadBoard(file);
  assert.equal(ok.entropy, 'test-only');
  assert.equal(ok.target, 'cortex-m3');
});

const NO_PSK: [string, string] = ["    psk: { hook: 'qhal_test_psk' },\n", ''];

const RAW_VARIANTS: Record<string, [string | RegExp, string][]> = {
  'DTLS with certificates': [NO_PSK],
  'DTLS and TLS with a client certificate': [
    NO_PSK,
    [
      "caFile: 'certs/example-test-ca.pem',",
      "caFile: 'certs/example-test-ca.pem',\n    clientCertFile: 'certs/client.pem',\n    clientKeyFile: 'certs/client.key',",
    ],
  ],
  'verification off by the loud option': [
    ["verify: 'required'", "verify: 'none-INSECURE-accepts-any-server'"],
  ],
  'as shipped (DTLS with a PSK hook)': [],
  'IPv6, sync connect': [
    ['ipv6: false', 'ipv6: true'],
    ["connect: 'async'", "connect: 'sync'"],
  ],
  'DTLS without TLS': [['tls: true', 'tls: false']],
  // The largest queue the loader allows: it must still compile and fill exactly (the static
  // write queue, core/txq-static, counts in size_t).
  'largest buffers (65,536-byte write queue)': [['rxBufferSize: 1024', 'rxBufferSize: 65536']],
  // The board's own write queue (limits.txQueueSize), apart from rxBufferSize: the largest
  // still passes the counters' check, the smallest still compiles.
  'limits.txQueueSize 65,536 with a 1,024-byte rxBufferSize': [
    ['rxBufferSize: 1024,', 'rxBufferSize: 1024,\n    txQueueSize: 65536,'],
  ],
  'limits.txQueueSize 256': [['rxBufferSize: 1024,', 'rxBufferSize: 1024,\n    txQueueSize: 256,']],
  'no DTLS': [['dtls: true', 'dtls: false'], NO_PSK],
  'TCP and UDP only': [
    ['tls: true', 'tls: false'],
    ['dtls: true', 'dtls: false'],
    NO_PSK,
    ['tcpServer: { maxClients: 2 }', 'tcpServer: false'],
    ['broadcast: true', 'broadcast: false'],
    ['dns: { maxAddresses: 1 }', 'dns: false'],
  ],
  // One socket kind alone: every fragment the other kind pulls in must drop out with it.
  'TCP only, async connect': [
    ['udp: true', 'udp: false'],
    ['tls: true', 'tls: false'],
    ['dtls: true', 'dtls: false'],
    NO_PSK,
    ['tcpServer: { maxClients: 2 }', 'tcpServer: false'],
    ['broadcast: true', 'broadcast: false'],
  ],
  'UDP only': [
    ['tcp: true', 'tcp: false'],
    ['tls: true', 'tls: false'],
    ['dtls: true', 'dtls: false'],
    NO_PSK,
    ['tcpServer: { maxClients: 2 }', 'tcpServer: false'],
  ],
};

test('lwip-raw: the HAL compiles warning-free (-std=c99 -Wall -Wextra -Werror) and is clang-format clean for board variants', async () => {
  const clangFormat = spawnSync('clang-format', ['--version']).status === 0;
  const [mbedtls, lwip] = await Promise.all([ensureSource('mbedtls'), ensureSource('lwip')]);
  const { hal, source } = await loadHal();
  const target = getTarget('mps2-an385');
  const targetFlags = await targetCompileFlags(target);
  for (const [name, edits] of Object.entries(RAW_VARIANTS)) {
    const file = boardVariant('mps2-an385-lwip-raw', edits);
    for (const f of ['client.pem', 'client.key']) {
      fs.copyFileSync(
        path.join(paths.root, 'test', 'fixtures', 'client', f),
        path.join(path.dirname(file), 'certs', f),
      );
    }
    const board = await loadBoard(file);
    const dir = fs.mkdtempSync(path.join(TMP, 'raw-variant-'));
    // What `generate` writes: the HAL pair, lwipopts.h, arch/cc.h and the mbedtls config.
    for (const f of generateBoard(board, hal, source).files) {
      fs.mkdirSync(path.dirname(path.join(dir, f.name)), { recursive: true });
      fs.writeFileSync(path.join(dir, f.name), f.content);
    }
    const r = await runZig([
      'cc',
      ...targetFlags,
      '-std=c99',
      '-Os',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-I',
      dir,
      '-I',
      paths.sdkShim,
      ...lwipFlags(lwip, board, target, dir),
      '-I',
      path.join(mbedtls, 'include'),
      `-DMBEDTLS_CONFIG_FILE="${MBEDTLS_CONFIG_FILE_NAME}"`,
      '-c',
      path.join(dir, 'qhal_Socket.c'),
      '-o',
      path.join(dir, 'qhal_socket.o'),
    ]);
    assert.equal(r.code, 0, `${name}:\n${r.stderr}`);
    assert.equal(r.stderr.trim(), '', `${name} printed:\n${r.stderr}`);
    if (clangFormat) {
      const fmt = spawnSync(
        'clang-format',
        [
          `--style=file:${path.join(paths.templates, '.clang-format')}`,
          '--dry-run',
          '--Werror',
          path.join(dir, 'qhal_Socket.c'),
        ],
        { encoding: 'utf8' },
      );
      assert.equal(fmt.status, 0, `${name}: not formatted:\n${fmt.stderr.slice(0, 3000)}`);
    }
    const c = fs.readFileSync(path.join(dir, 'qhal_Socket.c'), 'utf8');
    if (board.features.dtls) {
      assert.match(c, /mbedtls_ssl_set_timer_cb\(/, name);
      assert.match(c, /MBEDTLS_SSL_TRANSPORT_DATAGRAM/, name);
      assert.doesNotMatch(c, /not yet in lwip-raw/, name);
    } else {
      assert.match(c, /dtls is off for this board/, name);
    }
  }
});
