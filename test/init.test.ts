/**
 * `qhal-gen init` as a new user runs it: in an empty folder, flags and no terminal, then
 * `generate --check`, `ci --check` and `qhal-gen test` on what it wrote; the editor set-up
 * type-checks with tsc; missing answers name their flag; nothing is overwritten without
 * --force; in a terminal the questions are asked (readline on a stream).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { runInit } from '../toolkit/cli/init-command.js';
import { readlinePrompter } from '../toolkit/cli/init-questions.js';
import { loadBoard } from '../toolkit/load/index.js';
import { paths } from '../toolkit/load/toolkit-paths.js';
import { runBin, runCli } from './helpers/cli.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-init-test-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

const CA = path.join(paths.boards, 'certs', 'example-test-ca.pem');
const FLAGS = [
  '--name',
  'my-module',
  '--target',
  'x86_64-linux-musl',
  '--stack',
  'posix',
  '--os',
  'posix',
  '--features',
  'tcp,udp,tls,dns',
  '--ca',
  CA,
];

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('qhal-gen init', { timeout: 900_000 }, () => {
  const project = path.join(work, 'project');

  it('with flags and no terminal writes a project whose board generates, type-checks and passes the suite', async () => {
    fs.mkdirSync(project);
    const r = runBin(['init', ...FLAGS], project);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(listFiles(project), [
      '.github/workflows/qhal-gen.yml',
      'boards/certs/README.md',
      'boards/certs/ca.pem',
      'boards/my-module.ts',
      'package.json',
      'qhal/my-module/qhal_Socket.c',
      'qhal/my-module/qhal_Socket.h',
      'qhal/my-module/qhal_mbedtls_config.h',
      'tsconfig.json',
    ]);
    const board = await loadBoard(path.join(project, 'boards', 'my-module.ts'));
    assert.equal(board.features.tls, true);
    assert.equal(board.tls?.verify, 'required');
    assert.equal(board.tls?.caPem, fs.readFileSync(CA, 'utf8'));
    const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    assert.match(pkg.devDependencies['qhal-gen'] ?? '', /^\^\d+\.\d+\.\d+$/);

    // What CI runs first: the committed HAL and the workflow are current.
    const gen = runBin(
      ['generate', '--board', 'boards/my-module.ts', '--out', 'qhal/my-module', '--check'],
      project,
    );
    assert.equal(gen.code, 0, gen.stderr);
    const ci = runBin(['ci', '--check'], project);
    assert.equal(ci.code, 0, ci.stderr);

    // The editor's view: tsconfig.json + `qhal-gen` from node_modules, as after npm install.
    fs.mkdirSync(path.join(project, 'node_modules'));
    fs.symlinkSync(paths.root, path.join(project, 'node_modules', 'qhal-gen'));
    const tsc = spawnSync(
      process.execPath,
      [path.join(paths.root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project],
      { encoding: 'utf8' },
    );
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    fs.rmSync(path.join(project, 'node_modules'), { recursive: true });

    const t = runBin(['test', '--board', 'boards/my-module.ts', '--only', 'tls.'], project);
    assert.equal(t.code, 0, t.stdout + t.stderr);
    assert.match(t.stdout, /^PASS tls\.valid /m);
    assert.match(t.stdout, /^PASS tls\.untrusted-rejected /m);
    assert.match(t.stdout, /^\d+ passed, 0 failed/m);
  });

  it('runs again without change, but never replaces an edited file without --force', async () => {
    const again = runBin(['init', ...FLAGS], project);
    assert.equal(again.code, 0, again.stderr);
    const file = path.join(project, 'boards', 'my-module.ts');
    const edited = fs.readFileSync(file, 'utf8').replace('maxSockets: 16', 'maxSockets: 12');
    fs.writeFileSync(file, edited);
    const refused = runBin(['init', ...FLAGS], project);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /would replace boards\/my-module\.ts.*--force/);
    assert.equal(fs.readFileSync(file, 'utf8'), edited);
    const forced = runBin(['init', ...FLAGS, '--force'], project);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(fs.readFileSync(file, 'utf8'), /maxSockets: 16/);
  });

  it('without a terminal, a missing answer is an error naming its flag, and nothing is written', () => {
    const empty = path.join(work, 'empty');
    fs.mkdirSync(empty);
    const cases: [string[], RegExp][] = [
      [['--name', 'm'], /--target is required when stdin is not a terminal/],
      [FLAGS.filter((_, i) => i < 8), /--features is required/],
      [[...FLAGS.slice(0, 8), '--features', 'tcp,tls'], /--ca is required/],
      [[...FLAGS.slice(0, 8), '--features', 'tcp,dtls'], /--features: dtls needs udp/],
      [[...FLAGS.slice(0, 6), '--os', 'freertos'], /--os: 'freertos' is not a OS for posix/],
      [
        [...FLAGS.slice(0, 10), '--ca', path.join(paths.boards, 'linux-x86_64.ts')],
        /--ca: .* holds no PEM certificate/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = runBin(['init', ...args], empty);
      assert.equal(r.code, 2, `${args.join(' ')}\n${r.stderr}`);
      assert.match(r.stderr, re);
    }
    assert.deepEqual(fs.readdirSync(empty), []);
  });

  it('in a terminal asks each question without a flag, again after a wrong answer', async () => {
    const dir = path.join(work, 'asked');
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d: Buffer) => (shown += d.toString()));
    // name (default: the folder), target (wrong, then default), stack, os, features: TCP only.
    input.end(['', 'z80', '', '', '', 'tcp'].join('\n') + '\n');
    const r = await runCliWith(() =>
      runInit([dir, '--ci', 'none'], { prompter: readlinePrompter(input, output) }),
    );
    assert.equal(r, 0, shown);
    assert.match(shown, /board name \[asked\]: /);
    assert.match(shown, /'z80' is not a target/);
    assert.match(shown, /features, comma-separated .*\[tcp,udp,dns\]: /);
    const board = await loadBoard(path.join(dir, 'boards', 'asked.ts'));
    assert.deepEqual(
      [board.target, board.stack, board.os],
      ['x86_64-linux-musl', 'posix', 'posix'],
    );
    assert.equal(board.features.udp, false);
    assert.equal(board.tls, null);
    assert.match(
      fs.readFileSync(path.join(dir, 'boards', 'certs', 'README.md'), 'utf8'),
      /never invents one/,
    );
    assert.ok(!fs.existsSync(path.join(dir, '.github')));
  });

  it('bad flags are usage errors (exit 2)', async () => {
    const r = await runCli(['init', 'a', 'b']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /one folder expected/);
  });
});

/** Runs fn with console output captured (the command prints what it wrote). */
async function runCliWith(fn: () => Promise<number>): Promise<number> {
  const log = console.log;
  console.log = () => undefined;
  try {
    return await fn();
  } finally {
    console.log = log;
  }
}
