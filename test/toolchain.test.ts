/**
 * Toolchain tests: targets, the generated mbedtls configuration, ELF/ar reading, and real
 * zig cross-builds of a HAL with the cached Debian mbedtls (and lwIP) sources.
 * The library builds are cached under the normal cache, so a second run is fast; the
 * cache test uses its own empty cache folder so that it sees a real miss, then a hit.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { generateBoard } from '../toolkit/generate/index.js';
import { loadBoard, loadHal } from '../toolkit/load/index.js';
import type { BoardModel } from '../toolkit/model/board-model.js';
import { readArchiveFile } from '../toolkit/toolchain/archive.js';
import { planBoard } from '../toolkit/model/plan.js';
import {
  buildBoard as buildGenerated,
  formatBuildSummary,
  type BuildOptions,
  type BuildSummary,
} from '../toolkit/toolchain/build.js';
import { runDoctorChecks } from '../toolkit/toolchain/doctor.js';
import { parseElf } from '../toolkit/toolchain/elf.js';
import { ToolchainError } from '../toolkit/toolchain/errors.js';
import { linkProgram, runCommand } from '../toolkit/toolchain/link.js';
import { generateMbedtlsConfig } from '../toolkit/toolchain/mbedtls-config.js';
import { createProgressReporter } from '../toolkit/toolchain/progress.js';
import { elfSize, formatSizeTable } from '../toolkit/toolchain/size.js';
import {
  cachedSourceDir,
  ensureSource,
  fetchSource,
  resolveSource,
} from '../toolkit/toolchain/sources.js';
import { checkTargetFit, getTarget, listTargets } from '../toolkit/toolchain/targets.js';
import { archiveObjects, wrongMachine } from '../toolkit/toolchain/verify.js';

// dist/test/toolchain.test.js → repo root is two up.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'toolchain');
const CA_PEM = fs.readFileSync(
  path.join(ROOT, 'examples', 'boards', 'certs', 'example-test-ca.pem'),
  'utf8',
);
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-toolchain-test-'));
process.on('exit', () => fs.rmSync(TMP, { recursive: true, force: true }));

const LINUX: { id: string; machine: number }[] = [
  { id: 'x86_64-linux-musl', machine: 62 },
  { id: 'aarch64-linux-musl', machine: 183 },
  { id: 'arm-linux-musleabihf', machine: 40 },
  { id: 'riscv64-linux-musl', machine: 243 },
];

function board(
  target: string,
  over: Partial<BoardModel> = {},
  features: Partial<BoardModel['features']> = {},
): BoardModel {
  const mcu = target.startsWith('cortex-') || target.startsWith('mps2-');
  return {
    file: path.join(TMP, 'board.ts'),
    name: `test-${target}`,
    target,
    stack: mcu ? 'lwip-raw' : 'posix',
    os: mcu ? 'baremetal' : 'posix',
    features: {
      tcp: true,
      udp: true,
      tls: true,
      dtls: false,
      tcpServer: false,
      tcpServerMaxClients: 0,
      broadcast: false,
      dns: true,
      dnsMaxAddresses: 3,
      ipv6: false,
      ...features,
    },
    tls: { caFile: 'ca.pem', caPem: CA_PEM, verify: 'required', handshakeTimeoutMs: 20000 },
    limits: {
      maxSockets: 8,
      rxBufferSize: 2048,
      ioTaskStackSize: 16384,
      ioTaskPriority: 1,
      connectTimeoutMs: 20000,
      ...(mcu ? { txQueueSize: 2048 } : {}),
    },
    connect: 'async',
    core: { version: '2.13', rxPeerSize: true },
    sdk: {
      headers: ['Quos_kernel.h'],
      logFunction: 'Quos_logPrintf',
      logModule: 'HAL_SOCK',
      malloc: 'HAL_MALLOC',
      free: 'HAL_FREE',
      fileNames: { header: 'qhal_socket.h', source: 'qhal_socket.c' },
      signals: true,
    },
    sources: {},
    entropy: mcu ? 'test-only' : null,
    ...over,
  };
}

/** The hand-written stand-in for the generator's output, with the fixture's switches set. */
function fixtureFiles(defines: string[], extraC = ''): { name: string; content: string }[] {
  const flags = defines.map((d) => `#define ${d} 1`).join('\n');
  const h = fs
    .readFileSync(path.join(FIXTURES, 'qhal_socket.h'), 'utf8')
    .replace('/* QHAL_FIXTURE_FLAGS */', flags);
  const c = `${flags}\n${fs.readFileSync(path.join(FIXTURES, 'qhal_socket.c'), 'utf8')}${extraC}`;
  return [
    { name: 'qhal_socket.h', content: h },
    { name: 'qhal_socket.c', content: c },
  ];
}

const quiet = { onProgress: undefined };

/**
 * A build of fixture HAL files with what `generate` writes beside them: the plan's config
 * headers (lwipopts.h, arch/cc.h, qhal_mbedtls_config.h), unless the set has them already.
 */
async function buildBoard(o: BuildOptions): Promise<BuildSummary> {
  const have = new Set(o.generated.map((f) => f.name));
  const config = planBoard(o.board).configFiles.filter((f) => !have.has(f.name));
  return buildGenerated({ ...o, generated: [...o.generated, ...config] });
}

// --- targets -----------------------------------------------------------------------------

test('targets: the shipped targets load with their triples, libc and ELF machine', () => {
  const ids = listTargets().map((t) => t.id);
  for (const id of [...LINUX.map((l) => l.id), 'cortex-m3', 'cortex-m4', 'cortex-m33']) {
    assert.ok(ids.includes(id), `missing target ${id}`);
  }
  for (const l of LINUX) {
    const t = getTarget(l.id);
    assert.equal(t.kind, 'linux');
    assert.equal(t.libc, 'musl');
    assert.equal(t.elf.machine, l.machine);
    assert.equal(t.zigTarget, l.id);
  }
  assert.equal(getTarget('x86_64-linux-musl').qemu.mode, 'native');
  assert.equal(getTarget('riscv64-linux-musl').qemu.command, 'qemu-riscv64');
  const m3 = getTarget('cortex-m3');
  assert.equal(m3.zigTarget, 'thumb-freestanding-eabi');
  assert.deepEqual(m3.cpuFlags, ['-mcpu=cortex_m3']);
  assert.equal(m3.libc, 'picolibc');
  assert.deepEqual(m3.qemu.args.slice(0, 2), ['-M', 'mps2-an385']);
  assert.ok(m3.linkerScript && fs.existsSync(path.join(m3.dir, m3.linkerScript)));
  assert.ok(
    !fs.readFileSync(path.join(m3.dir, m3.linkerScript), 'utf8').includes('ALIGN_WITH_INPUT {'),
  );
  assert.equal(getTarget('cortex-m4').zigTarget, 'thumb-freestanding-eabihf');
  assert.throws(
    () => getTarget('pdp11-unix'),
    (e: unknown) => e instanceof ToolchainError && /Known targets/.test(e.message),
  );
});

test('targets: checkTargetFit accepts supported stack/os pairs and names what is wrong otherwise', () => {
  assert.equal(checkTargetFit('aarch64-linux-musl', 'posix', 'posix'), null);
  assert.equal(checkTargetFit('x86_64-linux-musl', 'lwip-socket', 'posix'), null);
  assert.equal(checkTargetFit('cortex-m3', 'lwip-raw', 'baremetal'), null);
  assert.equal(checkTargetFit('cortex-m4', 'lwip-socket', 'freertos'), null);
  assert.match(
    checkTargetFit('cortex-m3', 'posix', 'posix') ?? '',
    /does not support stack "posix"/,
  );
  assert.match(
    checkTargetFit('aarch64-linux-musl', 'posix', 'freertos') ?? '',
    /does not support os "freertos"/,
  );
  assert.match(
    checkTargetFit('cortex-m3', 'lwip-socket', 'baremetal') ?? '',
    /lwip-socket" with os "baremetal"/,
  );
  assert.match(checkTargetFit('nope', 'posix', 'posix') ?? '', /unknown target "nope"/);
});

// --- mbedtls configuration -----------------------------------------------------------------

test('mbedtls config: TLS client only, no server, no net, no MD5; deterministic', () => {
  const t = getTarget('aarch64-linux-musl');
  const cfg = generateMbedtlsConfig(board(t.id), t);
  assert.equal(cfg.header, generateMbedtlsConfig(board(t.id), t).header, 'same board, same text');
  const has = (m: string): boolean => new RegExp(`^#define ${m}\\b`, 'm').test(cfg.header);
  for (const m of [
    'MBEDTLS_SSL_CLI_C',
    'MBEDTLS_SSL_PROTO_TLS1_2',
    'MBEDTLS_X509_CRT_PARSE_C',
    'MBEDTLS_PEM_PARSE_C',
    'MBEDTLS_RSA_C',
    'MBEDTLS_ECDSA_C',
    'MBEDTLS_ECDH_C',
    'MBEDTLS_GCM_C',
    'MBEDTLS_SHA256_C',
    'MBEDTLS_ENTROPY_C',
    'MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED',
    'MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED',
  ]) {
    assert.ok(has(m), `${m} missing`);
  }
  for (const m of [
    'MBEDTLS_SSL_SRV_C',
    'MBEDTLS_NET_C',
    'MBEDTLS_MD5_C',
    'MBEDTLS_SSL_PROTO_DTLS',
    'MBEDTLS_TIMING_C',
    'MBEDTLS_KEY_EXCHANGE_PSK_ENABLED',
    'MBEDTLS_SHA1_C',
    'MBEDTLS_NO_PLATFORM_ENTROPY',
    'MBEDTLS_FS_IO',
  ]) {
    assert.ok(!has(m), `${m} must be off`);
  }
  assert.match(cfg.header, /#include "mbedtls\/check_config.h"/);
});

test('mbedtls config: DTLS, PSK and MCU entropy only when the board asks for them', () => {
  const linux = getTarget('x86_64-linux-musl');
  const dtls = generateMbedtlsConfig(board(linux.id, {}, { dtls: true }), linux);
  assert.ok(dtls.defines.includes('MBEDTLS_SSL_PROTO_DTLS'));
  assert.ok(dtls.defines.includes('MBEDTLS_SSL_DTLS_ANTI_REPLAY'));
  assert.ok(dtls.defines.includes('MBEDTLS_SSL_DTLS_HELLO_VERIFY'));
  assert.ok(dtls.defines.includes('MBEDTLS_TIMING_C'));
  assert.ok(!dtls.defines.includes('MBEDTLS_KEY_EXCHANGE_PSK_ENABLED'), 'no PSK without a hook');
  const tls = board(linux.id, {}, { dtls: true });
  tls.tls = { ...(tls.tls as NonNullable<BoardModel['tls']>), pskHook: 'board_psk' };
  const psk = generateMbedtlsConfig(tls, linux);
  assert.ok(psk.defines.includes('MBEDTLS_KEY_EXCHANGE_PSK_ENABLED'));
  const m3 = getTarget('cortex-m3');
  const mcu = generateMbedtlsConfig(board(m3.id, {}, { dtls: true }), m3);
  assert.ok(mcu.defines.includes('MBEDTLS_NO_PLATFORM_ENTROPY'));
  assert.ok(mcu.defines.includes('MBEDTLS_ENTROPY_HARDWARE_ALT'));
  assert.ok(!mcu.defines.includes('MBEDTLS_TIMING_C'));
  assert.ok(!mcu.defines.includes('MBEDTLS_HAVE_TIME_DATE'));
});

test('mbedtls config: AES-NI on x86_64 only; AES-128-GCM with ECDHE offered first', () => {
  const x86 = getTarget('x86_64-linux-musl');
  const arm = getTarget('aarch64-linux-musl');
  const m3 = getTarget('cortex-m3');
  const cfg = generateMbedtlsConfig(board(x86.id), x86);
  assert.ok(cfg.defines.includes('MBEDTLS_AESNI_C'));
  assert.ok(cfg.defines.includes('MBEDTLS_HAVE_ASM'), 'AES-NI needs MBEDTLS_HAVE_ASM');
  for (const t of [arm, m3])
    assert.ok(!generateMbedtlsConfig(board(t.id), t).defines.includes('MBEDTLS_AESNI_C'), t.id);
  const suites = (c: ReturnType<typeof generateMbedtlsConfig>): string[] =>
    (/^#define MBEDTLS_SSL_CIPHERSUITES ((?:.*\\\n)*.*)$/m.exec(c.header)?.[1] ?? '')
      .split(/[\s,\\]+/)
      .filter(Boolean);
  assert.deepEqual(suites(cfg), [
    'MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  ]);
  const pskBoard = board(x86.id, {}, { dtls: true });
  pskBoard.tls = { ...(pskBoard.tls as NonNullable<BoardModel['tls']>), pskHook: 'board_psk' };
  const psk = suites(generateMbedtlsConfig(pskBoard, x86));
  assert.equal(psk[0], 'MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE stays first');
  assert.ok(
    psk.indexOf('MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256') <
      psk.indexOf('MBEDTLS_TLS_PSK_WITH_AES_128_CCM'),
  );
  for (const s of psk) assert.doesNotMatch(s, /MD5|NULL|CBC|RC4|3DES/, s);
});

test('mbedtls config: SHA-1 / SHA-384 / P-384 follow the certificates, MD5 never', () => {
  const t = getTarget('x86_64-linux-musl');
  const base = generateMbedtlsConfig(board(t.id), t); // ECDSA P-256 / SHA-256 CA
  assert.ok(!base.defines.includes('MBEDTLS_SHA1_C'));
  assert.ok(!base.defines.includes('MBEDTLS_SHA512_C'));
  assert.ok(!base.defines.includes('MBEDTLS_ECP_DP_SECP384R1_ENABLED'));
  const withCa = (file: string): ReturnType<typeof generateMbedtlsConfig> => {
    const b = board(t.id);
    b.tls = {
      ...(b.tls as NonNullable<BoardModel['tls']>),
      caPem: CA_PEM + fs.readFileSync(path.join(FIXTURES, file), 'utf8'),
    };
    return generateMbedtlsConfig(b, t);
  };
  const sha1 = withCa('sha1-rsa-ca.pem');
  assert.ok(sha1.defines.includes('MBEDTLS_SHA1_C'));
  assert.ok(!sha1.defines.includes('MBEDTLS_MD5_C'));
  const p384 = withCa('p384-ca.pem');
  assert.ok(p384.defines.includes('MBEDTLS_SHA512_C'));
  assert.ok(p384.defines.includes('MBEDTLS_ECP_DP_SECP384R1_ENABLED'));
});

// --- ELF and ar reading -------------------------------------------------------------------

test('elf: sizes count read-only and code as text, writable as data, NOBITS as bss', () => {
  // A hand-made 64-bit little-endian ELF with .text (AX 10), .rodata (A 6), .data (WA 4), .bss (WA NOBITS 8).
  const sections = [
    { name: '', type: 0, flags: 0, size: 0 },
    { name: '.text', type: 1, flags: 0x6, size: 10 },
    { name: '.rodata', type: 1, flags: 0x2, size: 6 },
    { name: '.data', type: 1, flags: 0x3, size: 4 },
    { name: '.bss', type: 8, flags: 0x3, size: 8 },
    { name: '.comment', type: 1, flags: 0, size: 100 },
    { name: '.shstrtab', type: 3, flags: 0, size: 0 },
  ];
  const strtab = Buffer.from(sections.map((s) => s.name).join('\0') + '\0', 'latin1');
  const shoff = 64 + strtab.length + ((8 - ((64 + strtab.length) % 8)) % 8);
  const buf = Buffer.alloc(shoff + sections.length * 64);
  buf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  buf.writeUInt16LE(1, 16);
  buf.writeUInt16LE(183, 18);
  buf.writeBigUInt64LE(BigInt(shoff), 0x28);
  buf.writeUInt16LE(64, 0x3a);
  buf.writeUInt16LE(sections.length, 0x3c);
  buf.writeUInt16LE(sections.length - 1, 0x3e);
  strtab.copy(buf, 64);
  let nameOff = 0;
  sections.forEach((s, i) => {
    const o = shoff + i * 64;
    buf.writeUInt32LE(nameOff, o);
    nameOff += Buffer.byteLength(s.name, 'latin1') + 1;
    buf.writeUInt32LE(s.type, o + 4);
    buf.writeBigUInt64LE(BigInt(s.flags), o + 8);
    buf.writeBigUInt64LE(BigInt(s.name === '.shstrtab' ? 64 : 0), o + 0x18);
    buf.writeBigUInt64LE(BigInt(s.name === '.shstrtab' ? strtab.length : s.size), o + 0x20);
  });
  const elf = parseElf(new Uint8Array(buf));
  assert.equal(elf.machine, 183);
  assert.deepEqual(elf.sections.map((s) => s.name).slice(1, 5), [
    '.text',
    '.rodata',
    '.data',
    '.bss',
  ]);
  assert.deepEqual(elfSize(elf), { text: 16, data: 4, bss: 8, total: 28 });
});

test('progress: one line per step when not a TTY, one live line on a TTY', () => {
  let t = 0;
  const clock = () => t;
  const lines: string[] = [];
  const plain = createProgressReporter(
    { write: (s: string) => lines.push(s), isTTY: false },
    {},
    clock,
  );
  for (let i = 0; i <= 96; i++) {
    t = i * 100;
    plain({ phase: 'mbedtls', done: i, total: 96 });
  }
  plain({ phase: 'lwip', done: 60, total: 60, cached: true });
  assert.deepEqual(lines, [
    'mbedtls: 96 files compiled in 9.6 s\n',
    'lwip: 60 files, from the cache\n',
  ]);
  const tty: string[] = [];
  t = 0;
  const live = createProgressReporter(
    { write: (s: string) => tty.push(s), isTTY: true },
    {},
    clock,
  );
  live({ phase: 'mbedtls', done: 0, total: 96 });
  t = 4100;
  live({ phase: 'mbedtls', done: 37, total: 96 });
  assert.ok(
    tty.join('').endsWith('\rmbedtls: 37/96 files, 4.1 s') ||
      tty.join('').includes('mbedtls: 37/96 files, 4.1 s'),
  );
  assert.ok(tty.join('').startsWith('\r'), 'updates one line in place');
  assert.ok(!tty.join('').includes('\n'), 'no newline until done');
  const ci: string[] = [];
  createProgressReporter(
    { write: (s: string) => ci.push(s), isTTY: true },
    { CI: '1' },
  )({ phase: 'x', done: 2, total: 2 });
  assert.ok(!ci.join('').includes('\r'), 'CI set: no carriage returns');
  assert.deepEqual(ci, ['x: 2 files compiled in 0.0 s\n']);
});

// --- sources ------------------------------------------------------------------------------

test('sources: the cached Debian trees are there (fetched offline when the marker matches)', async () => {
  const mbedtls = await resolveSource('mbedtls', { fetch: false });
  assert.equal(mbedtls.version, '2.28.3');
  assert.equal(mbedtls.origin, 'cache');
  assert.equal(mbedtls.root, cachedSourceDir('mbedtls'));
  const lwip = await resolveSource('lwip', { fetch: false });
  assert.equal(lwip.version, '2.1.3');
  // Debian's `port` patch is applied (dpkg-source -x): the unix port exists.
  assert.ok(fs.existsSync(path.join(lwip.root, 'port', 'sys_arch.c')));
});

test('sources: a bad --mbedtls-dir is a clear error naming the flag and the fix (exit 1)', async () => {
  const missing = path.join(TMP, 'no-such-mbedtls');
  await assert.rejects(ensureSource('mbedtls', { dir: missing }), (e: unknown) => {
    assert.ok(e instanceof ToolchainError);
    assert.equal(e.exitCode, 1);
    assert.equal(
      e.message,
      `mbedtls source not found at ${missing} (from --mbedtls-dir). Point --mbedtls-dir at an mbedtls 2.28 tree, ` +
        'or omit it and run: qhal-gen fetch-sources',
    );
    return true;
  });
  const wrong = path.join(TMP, 'mbedtls-3');
  fs.mkdirSync(path.join(wrong, 'include', 'mbedtls'), { recursive: true });
  fs.writeFileSync(
    path.join(wrong, 'include', 'mbedtls', 'version.h'),
    '#define MBEDTLS_VERSION_STRING "3.4.0"\n',
  );
  await assert.rejects(
    ensureSource('mbedtls', { dir: wrong }),
    /is version 3\.4\.0, not 2\.28\.x.*--mbedtls-dir/,
  );
  await assert.rejects(
    ensureSource('lwip', { dir: wrong }),
    /lwip source not found at .*\(from --lwip-dir\)/,
  );
  // Through build: fails before writing anything.
  const out = path.join(TMP, 'bad-dir-out');
  await assert.rejects(
    buildBoard({
      board: board('x86_64-linux-musl'),
      generated: fixtureFiles(['QHAL_FIXTURE_POSIX']),
      outDir: out,
      mbedtlsDir: missing,
    }),
    /from --mbedtls-dir/,
  );
  assert.ok(!fs.existsSync(out));
  // From the board file, the message names the board field.
  const b = board('x86_64-linux-musl', { sources: { mbedtlsDir: missing } });
  await assert.rejects(
    buildBoard({ board: b, generated: fixtureFiles(['QHAL_FIXTURE_POSIX']), outDir: out }),
    /from the board's sources\.mbedtlsDir/,
  );
});

// --- builds -------------------------------------------------------------------------------

const linuxBuilds = new Map<string, BuildSummary>();
const EXAMPLE_BOARDS = fs
  .readdirSync(path.join(ROOT, 'examples', 'boards'))
  .filter((f) => /^linux-[a-z0-9_]+\.ts$/.test(f))
  .sort();

test('the example Linux boards cover the four Linux targets', () => {
  assert.equal(EXAMPLE_BOARDS.length, 4, EXAMPLE_BOARDS.join(', '));
});

/** sha256("abc"): what the linked test program must print on every target. */
const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

/** Links test/fixtures/toolchain/sha256_main.c with the build's libmbedtls.a and runs it (QEMU or natively). */
async function runSha256(targetId: string, s: BuildSummary): Promise<string> {
  const t = getTarget(targetId);
  const mbedtlsRoot = s.libraries.find((l) => l.name === 'mbedtls')?.source.root ?? '';
  const prog = await linkProgram({
    target: t,
    sources: [path.join(FIXTURES, 'sha256_main.c')],
    cflags: [
      '-I',
      s.outDir,
      '-I',
      path.join(mbedtlsRoot, 'include'),
      '-DMBEDTLS_CONFIG_FILE="qhal_mbedtls_config.h"',
    ],
    inputs: [path.join(s.outDir, 'libmbedtls.a')],
    out: path.join(s.outDir, 'sha256.elf'),
  });
  const c = runCommand(t, prog);
  const r = spawnSync(c.command, c.args, { timeout: 30_000, encoding: 'utf8' });
  assert.equal(r.error, undefined, `${c.command}: ${String(r.error)}`);
  assert.equal(r.status, 0, `${c.command} ${c.args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

for (const file of EXAMPLE_BOARDS) {
  test(`build examples/boards/${file} (real generator): archives hold only the target's e_machine; mbedtls runs`, async () => {
    const started = Date.now();
    const model = await loadBoard(path.join(ROOT, 'examples', 'boards', file));
    const { hal, source } = await loadHal();
    const generated = generateBoard(model, hal, source);
    const l = LINUX.find((x) => x.id === model.target);
    assert.ok(l, `${file}: target ${model.target} is one of the four Linux targets`);
    const out = path.join(TMP, `out-${l.id}`);
    const s = await buildBoard({ board: model, generated: generated.files, outDir: out, ...quiet });
    linuxBuilds.set(l.id, s);
    console.log(
      `# ${l.id}: ${((Date.now() - started) / 1000).toFixed(1)}s, mbedtls ${s.libraries[0]?.cache} (${s.libraries[0]?.seconds.toFixed(1)}s)`,
    );
    assert.equal(s.target, l.id);
    assert.deepEqual(wrongMachine(path.join(out, 'libqhal_socket.a'), l.machine), []);
    assert.deepEqual(wrongMachine(path.join(out, 'libmbedtls.a'), l.machine), []);
    assert.equal(readArchiveFile(path.join(out, 'libmbedtls.a')).length, s.libraries[0]?.files);
    assert.ok(s.libraries[0] && s.libraries[0].files > 80, 'all of library/*.c');
    // The HAL object really has code, and mbedtls's TLS client is in the archive.
    assert.ok(s.hal.size.text > 1000);
    assert.ok((s.libraries[0]?.size.text ?? 0) > 50_000);
    const names = archiveObjects(path.join(out, 'libmbedtls.a')).map((o) => o.member);
    assert.ok(names.includes('library__ssl_cli.o'));
    // size.json and compile_commands.json
    const size = JSON.parse(fs.readFileSync(path.join(out, 'size.json'), 'utf8'));
    assert.deepEqual(
      size.sizes.map((r: { name: string }) => r.name),
      ['qhal_socket', 'mbedtls'],
    );
    const cc = JSON.parse(fs.readFileSync(path.join(out, 'compile_commands.json'), 'utf8')) as {
      file: string;
      arguments: string[];
    }[];
    const halCmd = cc.find((c) => c.file.endsWith('qhal_Socket.c'));
    assert.ok(halCmd && halCmd.arguments.includes('-Werror') && halCmd.arguments.includes(l.id));
    assert.ok(cc.some((c) => c.file.endsWith(path.join('library', 'ssl_tls.c'))));
    const cfg = fs.readFileSync(path.join(out, 'qhal_mbedtls_config.h'), 'utf8');
    assert.equal(/MBEDTLS_SSL_PROTO_DTLS/.test(cfg), model.features.dtls);
    assert.match(await runSha256(l.id, s), new RegExp(`sha256\\(abc\\)=${SHA256_ABC}`));
  });
}

test('build: the size table and JSON summary', () => {
  const s = linuxBuilds.get('aarch64-linux-musl');
  assert.ok(s, 'aarch64 build ran');
  const table = formatSizeTable(s.sizes);
  console.log(
    table
      .split('\n')
      .map((l) => `# ${l}`)
      .join('\n'),
  );
  assert.match(table, /^\s+text\s+data\s+bss\s+total$/m);
  assert.match(table, /^qhal_socket\s+\d+\s+\d+\s+\d+\s+\d+$/m);
  assert.ok(
    formatBuildSummary(s).startsWith(`built ${s.board} for aarch64-linux-musl with zig 0.11.0`),
  );
  const json = JSON.parse(JSON.stringify(s)) as BuildSummary;
  assert.equal(json.sizes.length, 2);
  assert.equal(
    json.sizes[0]?.total,
    (json.sizes[0]?.text ?? 0) + (json.sizes[0]?.data ?? 0) + (json.sizes[0]?.bss ?? 0),
  );
});

test('build: a compiler warning in the HAL fails the build with the compiler message', async () => {
  const extra =
    '\nint qhal_fixture_warns(int x);\nint qhal_fixture_warns(int x)\n{\n  int unused_here;\n  return x;\n}\n';
  await assert.rejects(
    buildBoard({
      board: board('x86_64-linux-musl', {}, { tls: false }),
      generated: fixtureFiles(['QHAL_FIXTURE_POSIX'], extra),
      outDir: path.join(TMP, 'out-warning'),
      ...quiet,
    }),
    (e: unknown) => {
      assert.ok(e instanceof ToolchainError);
      assert.match(e.message, /does not compile cleanly for x86_64-linux-musl/);
      assert.match(e.message, /unused variable 'unused_here'.*-Wunused-variable/);
      return true;
    },
  );
});

test('build: generated files without the config headers the plan names are refused', async () => {
  const b = board('cortex-m3', {}, { tls: false });
  const out = path.join(TMP, 'out-no-config');
  await assert.rejects(
    buildGenerated({ board: b, generated: fixtureFiles(['QHAL_FIXTURE_LWIP']), outDir: out }),
    /the generated files lack lwipopts\.h, which board "[^"]+" needs: run qhal-gen generate/,
  );
  assert.ok(!fs.existsSync(out), 'nothing written');
});

test('build: a board without TLS builds no mbedtls', async () => {
  const s = await buildBoard({
    board: board('riscv64-linux-musl', {}, { tls: false }),
    generated: fixtureFiles(['QHAL_FIXTURE_POSIX']),
    outDir: path.join(TMP, 'out-plain'),
    ...quiet,
  });
  assert.equal(s.cache, 'none');
  assert.deepEqual(s.libraries, []);
  assert.ok(!fs.existsSync(path.join(TMP, 'out-plain', 'libmbedtls.a')));
  assert.deepEqual(wrongMachine(path.join(TMP, 'out-plain', 'libqhal_socket.a'), 243), []);
});

test('build cache: a second build of the same board is a cache hit (fresh cache: miss first)', async () => {
  const env = { ...process.env, QHAL_CACHE_DIR: path.join(TMP, 'cache') };
  const mbedtlsDir = cachedSourceDir('mbedtls'); // as a user tree, so the fresh cache needs no fetch
  const opts = {
    board: board('arm-linux-musleabihf'),
    generated: fixtureFiles(['QHAL_FIXTURE_POSIX', 'QHAL_FIXTURE_TLS']),
    mbedtlsDir,
    env,
    ...quiet,
  };
  let t = Date.now();
  const first = await buildBoard({ ...opts, outDir: path.join(TMP, 'out-cache-1') });
  console.log(`# first build (miss): ${((Date.now() - t) / 1000).toFixed(1)}s`);
  t = Date.now();
  const second = await buildBoard({ ...opts, outDir: path.join(TMP, 'out-cache-2') });
  console.log(`# second build (hit): ${((Date.now() - t) / 1000).toFixed(1)}s`);
  assert.equal(first.cache, 'miss');
  assert.equal(first.libraries[0]?.cache, 'miss');
  assert.equal(first.libraries[0]?.source.origin, 'user');
  assert.equal(second.cache, 'hit');
  assert.equal(second.libraries[0]?.cacheDir, first.libraries[0]?.cacheDir);
  assert.ok(
    first.libraries[0]?.cacheDir.startsWith(
      path.join(TMP, 'cache', 'builds', 'arm-linux-musleabihf'),
    ),
  );
  assert.deepEqual(
    fs.readFileSync(path.join(TMP, 'out-cache-2', 'libmbedtls.a')),
    fs.readFileSync(path.join(TMP, 'out-cache-1', 'libmbedtls.a')),
  );
  // A different configuration is a different cache entry.
  const dtls = await buildBoard({
    ...opts,
    board: board('arm-linux-musleabihf', {}, { dtls: true }),
    outDir: path.join(TMP, 'out-cache-3'),
  });
  assert.equal(dtls.cache, 'miss');
  assert.notEqual(dtls.libraries[0]?.cacheDir, first.libraries[0]?.cacheDir);
});

test('build cortex-m3: mbedtls and lwIP are Thumb code for ARMv7-M', async () => {
  const started = Date.now();
  const out = path.join(TMP, 'out-cortex-m3');
  const s = await buildBoard({
    board: board('cortex-m3', {}, { dtls: true }),
    generated: fixtureFiles(['QHAL_FIXTURE_LWIP', 'QHAL_FIXTURE_TLS']),
    outDir: out,
    ...quiet,
  });
  console.log(`# cortex-m3: ${((Date.now() - started) / 1000).toFixed(1)}s`);
  console.log(
    formatSizeTable(s.sizes)
      .split('\n')
      .map((l) => `# ${l}`)
      .join('\n'),
  );
  assert.deepEqual(
    s.libraries.map((l) => l.name),
    ['mbedtls', 'lwip'],
  );
  for (const lib of ['libqhal_socket.a', 'libmbedtls.a', 'liblwip.a']) {
    const objs = archiveObjects(path.join(out, lib));
    assert.ok(objs.length > 0, `${lib} has objects`);
    let thumbFunctions = 0;
    for (const o of objs) {
      assert.equal(o.machine, 40, `${lib}(${o.member}) is ARM`);
      assert.equal(o.class, 32);
      assert.equal(o.flags & 0xff000000, 0x05000000, `${lib}(${o.member}) EABI version 5`);
      assert.equal(o.flags & 0x200, 0x200, `${lib}(${o.member}) soft-float ABI`);
      assert.equal(o.arm?.cpuProfile, 'M', `${lib}(${o.member}) Tag_CPU_arch_profile`);
      assert.equal(o.arm?.cpuArch, 10, `${lib}(${o.member}) Tag_CPU_arch v7-M`);
      assert.equal(o.armFunctions, 0, `${lib}(${o.member}) has no ARM-state functions`);
      thumbFunctions += o.thumbFunctions;
    }
    assert.ok(thumbFunctions > 0, `${lib} defines Thumb functions`);
  }
  const cfg = fs.readFileSync(path.join(out, 'qhal_mbedtls_config.h'), 'utf8');
  assert.match(cfg, /#define MBEDTLS_ENTROPY_HARDWARE_ALT/);
  assert.ok(fs.existsSync(path.join(out, 'lwipopts.h')));
  // Linked with picolibc's crt0, our lld linker script and zig's compiler-rt; runs on mps2-an385.
  assert.match(await runSha256('cortex-m3', s), new RegExp(`sha256\\(abc\\)=${SHA256_ABC}`));
});

test('build cortex-m4: hard-float ABI, ARMv7E-M', async () => {
  const out = path.join(TMP, 'out-cortex-m4');
  const s = await buildBoard({
    board: board('cortex-m4'),
    generated: fixtureFiles(['QHAL_FIXTURE_LWIP', 'QHAL_FIXTURE_TLS']),
    outDir: out,
    ...quiet,
  });
  for (const o of archiveObjects(path.join(out, 'libmbedtls.a'))) {
    assert.equal(o.flags & 0x400, 0x400, `${o.member} hard-float ABI`);
    assert.equal(o.arm?.cpuArch, 13, `${o.member} Tag_CPU_arch v7E-M`);
  }
  assert.match(await runSha256('cortex-m4', s), new RegExp(`sha256\\(abc\\)=${SHA256_ABC}`));
});

// --- doctor -------------------------------------------------------------------------------

test('doctor: reports zig 0.11.0 and the cached sources, each missing item with its fix', async () => {
  const checks = await runDoctorChecks();
  const zig = checks.find((c) => c.name === 'zig');
  assert.ok(zig?.ok);
  assert.match(zig.detail, /^0\.11\.0 /);
  assert.ok(checks.find((c) => c.name === 'mbedtls source')?.ok);
  for (const c of checks) if (!c.ok) assert.ok(c.fix, `${c.name} says how to fix it`);
  const empty = await runDoctorChecks({
    ...process.env,
    QHAL_CACHE_DIR: path.join(TMP, 'empty-cache'),
  });
  const missing = empty.find((c) => c.name === 'lwip source');
  assert.equal(missing?.ok, false);
  assert.equal(missing?.fix, 'qhal-gen fetch-sources');
});

test('sources: a download whose sha256 differs from the pin is refused, and the cache stays empty', async () => {
  // A stand-in apt-get first on PATH: "downloads" files with the right names, wrong content.
  const bin = path.join(TMP, 'fake-bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(
    path.join(bin, 'apt-get'),
    '#!/bin/sh\nfor f in mbedtls_2.28.3-1.dsc mbedtls_2.28.3.orig.tar.gz mbedtls_2.28.3-1.debian.tar.xz; do echo tampered > "$f"; done\n',
    { mode: 0o755 },
  );
  const cache = path.join(TMP, 'tamper-cache');
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, QHAL_CACHE_DIR: cache };
  await assert.rejects(
    fetchSource('mbedtls', { env }),
    /checksum mismatch for mbedtls_2\.28\.3-1\.dsc: expected sha256 a8bf91b5/,
  );
  assert.ok(!fs.existsSync(path.join(cache, 'sources', 'mbedtls-2.28.3')));
  assert.deepEqual(
    fs.readdirSync(path.join(cache, 'sources')),
    [],
    'temporary download folder removed',
  );
});

test('build lwip-socket on x86_64: lwIP with Debian unix port, HAL against lwIP headers', async () => {
  const out = path.join(TMP, 'out-lwip-socket');
  const s = await buildBoard({
    board: board('x86_64-linux-musl', { stack: 'lwip-socket' }, { tls: false }),
    generated: fixtureFiles(['QHAL_FIXTURE_LWIP']),
    outDir: out,
    ...quiet,
  });
  assert.deepEqual(
    s.libraries.map((l) => l.name),
    ['lwip'],
  );
  assert.deepEqual(wrongMachine(path.join(out, 'liblwip.a'), 62), []);
  const members = readArchiveFile(path.join(out, 'liblwip.a')).map((m) => m.name);
  assert.ok(members.includes('src__api__sockets.o'), 'long member names read back');
  assert.ok(members.includes('port__sys_arch.o'));
  assert.match(fs.readFileSync(path.join(out, 'lwipopts.h'), 'utf8'), /#define NO_SYS\s+0/);
});
