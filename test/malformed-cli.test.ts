/**
 * The edges of the CLI and of the files a board names: each is bad input with exit 2, a
 * message that says which flag or file, nothing written, and with --json the same error as
 * JSON on stdout.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { outDirError } from '../toolkit/cli/out-dir.js';
import { UsageError } from '../toolkit/cli/args.js';
import { loadBoard } from '../toolkit/load/index.js';
import { PACKAGE_ROOT } from '../toolkit/load/toolkit-paths.js';
import { generateMbedtlsConfig } from '../toolkit/toolchain/mbedtls-config.js';
import { getTarget } from '../toolkit/toolchain/targets.js';
import { exampleBoardPath } from './helpers/boards.js';
import { runCli } from './helpers/cli.js';

const BOARD = exampleBoardPath('linux-x86_64');
const MALFORMED = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'malformed');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-cli-edges-'));

function gen(...args: string[]): ReturnType<typeof runCli> {
  return runCli(['generate', ...args]);
}

test('generate --help and -h print the usage and exit 0', async () => {
  for (const flag of ['--help', '-h']) {
    const r = await gen(flag);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /qhal-gen generate --board FILE/);
  }
});

test("--out '' is refused instead of writing into the current folder", async () => {
  const r = await gen('--board', BOARD, '--out', '');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "qhal-gen: --out must name a folder (got '')");
});

test('--out naming a file, or a path through a file, is refused and the file is untouched', async () => {
  const file = path.join(TMP, 'a-file');
  fs.writeFileSync(file, 'keep');
  const r = await gen('--board', BOARD, '--out', file);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `qhal-gen: --out '${file}' is a file, not a folder`);
  const below = await gen('--board', BOARD, '--out', path.join(file, 'sub'));
  assert.equal(below.code, 2);
  assert.equal(below.stderr, `qhal-gen: --out '${file}/sub': ${file} is a file, not a folder`);
  assert.equal(fs.readFileSync(file, 'utf8'), 'keep');
});

test('--out where nothing may be written (even as root: /sys, /proc) is bad input, not a crash', async () => {
  for (const out of ['/sys/qhal-out', '/proc/qhal-out/deeper']) {
    const r = await gen('--board', BOARD, '--out', out);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`^qhal-gen: --out '${out}': cannot write there: .* \\(E[A-Z]+\\)$`),
    );
    assert.equal(fs.existsSync(out), false);
  }
});

test('a permission error while writing maps to a --out message (EACCES, EROFS)', () => {
  for (const [code, reason] of [
    ['EACCES', 'permission denied'],
    ['EROFS', 'read-only file system'],
  ]) {
    const e = outDirError('D', Object.assign(new Error('x'), { code }));
    assert.ok(e instanceof UsageError);
    assert.equal(e.message, `--out 'D': cannot write there: ${reason} (${code})`);
  }
  const other = new Error('not a file-system error');
  assert.equal(outDirError('D', other), other);
});

test('--board naming a folder (where a command takes one file) or a .js file is a located error', async () => {
  // generate and test take a folder of boards; build takes one board file.
  const dir = await runCli(['build', '--board', path.dirname(BOARD), '--out', path.join(TMP, 'x')]);
  assert.equal(dir.code, 2);
  assert.match(
    dir.stderr,
    /:1:1: --board names a folder; this command takes one board file \(\.ts\)$/,
  );
  const js = path.join(TMP, 'board.js');
  fs.writeFileSync(js, 'export default {};\n');
  const r = await gen('--board', js, '--out', path.join(TMP, 'x'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /board\.js:1:1: a board file is TypeScript \(\.ts\)/);
  assert.equal(fs.existsSync(path.join(TMP, 'x')), false);
});

test('--json on bad input prints the located errors as JSON on stdout, exit code unchanged', async () => {
  const board = path.join(MALFORMED, 'spread-const-typo.ts');
  const r = await gen('--board', board, '--out', path.join(TMP, 'j'), '--json');
  assert.equal(r.code, 2);
  assert.deepEqual(JSON.parse(r.stdout), {
    ok: false,
    exitCode: 2,
    errors: [
      {
        kind: 'input',
        file: board,
        line: 3,
        column: 61,
        message: "limits.conectTimeoutMs is not a known property; did you mean 'connectTimeoutMs'?",
      },
    ],
  });
  const usage = await gen('--board', BOARD, '--out', '', '--json');
  assert.equal(usage.code, 2);
  const u = JSON.parse(usage.stdout) as { errors: { kind: string; file: null }[] };
  assert.equal(u.errors[0]?.kind, 'usage');
  assert.equal(u.errors[0]?.file, null);
});

function boardWithCa(name: string, pem: string): string {
  const dir = fs.mkdtempSync(path.join(TMP, `${name}-`));
  fs.writeFileSync(path.join(dir, 'ca.pem'), pem);
  const text = fs
    .readFileSync(BOARD, 'utf8')
    .replace("caFile: 'certs/example-test-ca.pem'", "caFile: 'ca.pem'");
  const file = path.join(dir, 'board.ts');
  fs.writeFileSync(file, text);
  return file;
}

test('a CA file over 1 MiB is refused with its size (it would be embedded in the C)', async () => {
  const ca = fs.readFileSync(path.join(MALFORMED, 'ca.pem'), 'utf8');
  const big = ca.repeat(Math.ceil((1024 * 1024 + 1) / ca.length));
  const file = boardWithCa('big', big);
  const r = await gen('--board', file, '--out', path.join(TMP, 'big-out'));
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    new RegExp(
      `board\\.ts:\\d+:\\d+: tls\\.caFile: ca\\.pem is ${big.length} bytes; at most 1048576 \\(1 MiB\\) is embedded$`,
    ),
  );
});

test('a P-384 / SHA-384 CA is accepted and the generated mbedtls config can verify it', async () => {
  const p384 = fs.readFileSync(
    path.join(PACKAGE_ROOT, 'test', 'fixtures', 'toolchain', 'p384-ca.pem'),
    'utf8',
  );
  const model = await loadBoard(boardWithCa('p384', p384));
  const cfg = generateMbedtlsConfig(model, getTarget(model.target));
  assert.ok(cfg.defines.includes('MBEDTLS_ECP_DP_SECP384R1_ENABLED'));
  assert.ok(cfg.defines.includes('MBEDTLS_SHA512_C'));
  assert.ok(!cfg.notes.some((n) => n.startsWith('warning:')), cfg.notes.join('\n'));
});

test('--sdk-dir (or QHAL_SDK_DIR) naming no folder or no SDK tree is bad input, nothing written', async () => {
  const out = path.join(TMP, 'sdk-out');
  const notSdk = path.join(TMP, 'not-an-sdk');
  fs.mkdirSync(path.join(notSdk, 'kernel'), { recursive: true });
  fs.writeFileSync(path.join(notSdk, 'kernel', 'Quos_kernel.h'), '/* only one of the files */\n');
  const missing = path.join(TMP, 'no-such-sdk');
  // The SDK's three marker files, written here: only the callback's parameter list matters.
  const otherGeneration = path.join(TMP, 'sdk-peer-size');
  fs.mkdirSync(path.join(otherGeneration, 'kernel'), { recursive: true });
  fs.mkdirSync(path.join(otherGeneration, 'driverLayer'), { recursive: true });
  fs.writeFileSync(path.join(otherGeneration, 'kernel', 'Quos_kernel.h'), '/* test tree */\n');
  fs.writeFileSync(path.join(otherGeneration, 'driverLayer', 'Qhal_driver.h'), '/* test tree */\n');
  fs.writeFileSync(
    path.join(otherGeneration, 'kernel', 'quos_socket.h'),
    'void Quos_socketIORx(pointer_t h, quint8_t t, const void *p, quint32_t n, quint8_t *b, quint32_t l);\n',
  );
  const cases: { args: string[]; env?: NodeJS.ProcessEnv; message: RegExp }[] = [
    {
      args: ['build', '--board', BOARD, '--out', out, '--sdk-dir', missing],
      message: new RegExp(
        `^qhal-gen: --sdk-dir ${missing}: no such directory; it must be a QuecThing SDK tree`,
      ),
    },
    {
      args: ['build', '--board', BOARD, '--out', out, '--sdk-dir', notSdk],
      message: new RegExp(
        `^qhal-gen: --sdk-dir ${notSdk} is not a QuecThing SDK tree: missing kernel/quos_socket.h, driverLayer/Qhal_driver.h;`,
      ),
    },
    {
      args: ['test', '--board', BOARD, '--work', out, '--sdk-dir', notSdk],
      message:
        /^qhal-gen: --sdk-dir .* is not a QuecThing SDK tree: missing kernel\/quos_socket\.h/,
    },
    {
      args: ['build', '--board', BOARD, '--out', out],
      env: { QHAL_SDK_DIR: missing },
      message: new RegExp(`^qhal-gen: QHAL_SDK_DIR ${missing}: no such directory`),
    },
    {
      // A tree of the other core generation: the option that fixes it, not a compile error.
      args: ['build', '--board', BOARD, '--out', out, '--sdk-dir', otherGeneration],
      message:
        /^qhal-gen: --sdk-dir .*: its kernel\/quos_socket\.h declares Quos_socketIORx with the peer's size, but the board says core\.rxPeerSize: false; set core\.rxPeerSize: true for this SDK$/,
    },
    {
      args: ['build', '--board', BOARD, '--out', out, '--sdk-include', TMP],
      message: /^qhal-gen: --sdk-include needs --sdk-dir \(or QHAL_SDK_DIR\)$/,
    },
  ];
  for (const c of cases) {
    const saved = process.env.QHAL_SDK_DIR;
    if (c.env?.QHAL_SDK_DIR !== undefined) process.env.QHAL_SDK_DIR = c.env.QHAL_SDK_DIR;
    else delete process.env.QHAL_SDK_DIR;
    const r = await runCli(c.args).finally(() => {
      if (saved === undefined) delete process.env.QHAL_SDK_DIR;
      else process.env.QHAL_SDK_DIR = saved;
    });
    assert.equal(r.code, 2, `${c.args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, c.message);
    assert.equal(fs.existsSync(out), false, `${c.args.join(' ')} wrote ${out}`);
  }
  const json = await runCli([
    'build',
    '--board',
    BOARD,
    '--out',
    out,
    '--sdk-dir',
    missing,
    '--json',
  ]);
  assert.equal(json.code, 2);
  const parsed = JSON.parse(json.stdout) as { exitCode: number; errors: { message: string }[] };
  assert.equal(parsed.exitCode, 2);
  assert.match(parsed.errors[0].message, /no such directory/);
});

test.after(() => fs.rmSync(TMP, { recursive: true, force: true }));
