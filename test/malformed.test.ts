/**
 * Every malformed board description gets exactly the expected `path:line:col: message`
 * lines, exit code 2, and no output folder.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../toolkit/load/toolkit-paths.js';
import { runBin, runCli } from './helpers/cli.js';
import { MALFORMED } from './malformed-expectations.js';

const DIR = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'malformed');

test('there are at least 20 malformed fixtures and each has an expectation', () => {
  const files = fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''));
  assert.ok(files.length >= 20, `only ${files.length} fixtures`);
  assert.deepEqual(files.sort(), Object.keys(MALFORMED).sort());
});

for (const [name, expected] of Object.entries(MALFORMED)) {
  test(`malformed board ${name}: exact diagnostics, exit 2, nothing written`, async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-malformed-'));
    const target = path.join(out, 'D');
    const board = path.join(DIR, `${name}.ts`);
    const r = await runCli(['generate', '--board', board, '--out', target]);
    assert.equal(r.code, 2, r.stderr);
    const shown = path.relative(process.cwd(), board);
    const prefix = shown && !shown.startsWith('..') ? shown : board;
    assert.deepEqual(
      r.stderr.split('\n'),
      expected.map((e) => `${prefix}:${e}`),
    );
    assert.equal(fs.existsSync(target), false, 'output folder must not be created');
    assert.deepEqual(fs.readdirSync(out), [], 'no staging files may be left behind');
    fs.rmSync(out, { recursive: true, force: true });
  });
}

test('the CLI itself exits 2 for `name: 42`, names line:col, and leaves an empty D', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-name42-'));
  fs.copyFileSync(path.join(DIR, 'ca.pem'), path.join(tmp, 'ca.pem'));
  // The shape of the example: the bad value on line 2.
  fs.writeFileSync(
    path.join(tmp, 'board.ts'),
    fs
      .readFileSync(path.join(DIR, 'name-is-number.ts'), 'utf8')
      .replace("import { defineBoard } from 'qhal-gen';\n\n", '')
      .replace(
        'export default defineBoard({\n  name: 42,\n',
        'export default defineBoard({ name: 42,\n',
      )
      .replace(/^/, "import { defineBoard } from 'qhal-gen';\n"),
  );
  fs.mkdirSync(path.join(tmp, 'D'));
  const r = runBin(['generate', '--board', 'board.ts', '--out', 'D'], tmp);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^board\.ts:2:\d+: Type 'number' is not assignable to type 'string'\.$/m);
  assert.deepEqual(fs.readdirSync(path.join(tmp, 'D')), []);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a bad flag says what was expected and exits 2', async () => {
  const r = await runCli(['generate', '--bord', 'x.ts']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown option '--bord'/);
  assert.match(
    r.stderr,
    /expected: qhal-gen generate --board <value> --out <value> --check --json/,
  );
  const t = await runCli(['--target', 'zephyr']);
  assert.equal(t.code, 2);
  assert.match(
    t.stderr,
    /--target 'zephyr' is not valid; expected one of: posix, lwip, lwip-raw$/m,
  );
  const c = await runCli(['frobnicate']);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /unknown command 'frobnicate'; expected one of: generate/);
});
