/**
 * The load cache (load/load-cache.ts): a board checked once is read back from the qhal-gen
 * cache, a changed board is checked again, the board rules run on cached boards too, and a
 * broken or unwritable cache is only a miss. This file's cache is its own temporary folder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { InputError, loadBoard } from '../toolkit/load/index.js';
import { loadCacheKey } from '../toolkit/load/load-cache.js';
import { paths } from '../toolkit/load/toolkit-paths.js';
import { boardVariant, exampleBoardPath } from './helpers/boards.js';
import { runBin } from './helpers/cli.js';

const CODE_CACHE = path.join(paths.root, 'dist', 'toolkit', 'load', 'code-cache.js');
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-load-cache-'));
process.env.QHAL_CACHE_DIR = cacheDir;

function entryOf(file: string): string {
  const key = loadCacheKey('board', file, fs.readFileSync(file, 'utf8'));
  return path.join(cacheDir, 'load', `${key}.v8`);
}

function locatedError(err: unknown, file: string): InputError {
  assert.ok(err instanceof InputError, String(err));
  for (const d of err.diagnostics) assert.equal(d.file, file);
  return err;
}

test('a board checked once is read from the cache; its text changed, it is checked again', async () => {
  const file = boardVariant('linux-x86_64', []);
  const fresh = await loadBoard(file);
  const entry = entryOf(file);
  assert.ok(fs.existsSync(entry), 'the checked board is stored');
  assert.deepEqual(await loadBoard(file), fresh, 'read back, the same model');

  // An entry under the board's key is what a load of that text uses...
  const stored = v8.deserialize(fs.readFileSync(entry)) as { key: string; value: object };
  fs.writeFileSync(
    entry,
    v8.serialize({ key: stored.key, value: { ...stored.value, name: 'from-the-cache' } }),
  );
  assert.equal((await loadBoard(file)).name, 'from-the-cache');
  // ...and any change to the text is another key: the board is checked afresh.
  fs.appendFileSync(file, '// edited\n');
  assert.equal((await loadBoard(file)).name, 'linux-x86_64');

  // A type error written after the good text was cached is found, at its place.
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text.replace('maxSockets: 16,', "maxSockets: 'sixteen',"));
  const err = await loadBoard(file).then(
    () => assert.fail('the broken board loaded'),
    (e: unknown) => locatedError(e, file),
  );
  const line = text.split('\n').findIndex((l) => l.includes('maxSockets: 16,')) + 1;
  assert.equal(err.diagnostics[0]?.line, line);
  assert.match(err.message, /:\d+:\d+: .*(string.*number|number.*string)/);
});

test('the rules run on a cached board: a CA file broken since is reported at caFile', async () => {
  const file = boardVariant('linux-x86_64', []);
  await loadBoard(file);
  assert.ok(fs.existsSync(entryOf(file)));
  fs.writeFileSync(path.join(path.dirname(file), 'certs', 'example-test-ca.pem'), 'not a PEM\n');
  const err = await loadBoard(file).then(
    () => assert.fail('a board with a broken CA file loaded'),
    (e: unknown) => locatedError(e, file),
  );
  const caLine =
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('caFile')) + 1;
  assert.equal(err.diagnostics[0]?.line, caLine, err.message);
  assert.match(err.message, /holds no PEM certificate/);
});

test('a torn cache entry is a miss and is written again', async () => {
  const file = boardVariant('linux-x86_64', [[/name: '[^']*'/, "name: 'torn'"]]);
  const first = await loadBoard(file);
  const entry = entryOf(file);
  fs.writeFileSync(entry, 'not v8 data');
  assert.deepEqual(await loadBoard(file), first);
  assert.notEqual(fs.readFileSync(entry, 'utf8'), 'not v8 data', 'the entry is rewritten');
});

test('an unusable cache folder is no error: the board is checked every time', async () => {
  const notADir = path.join(cacheDir, 'a-file');
  fs.writeFileSync(notADir, '');
  process.env.QHAL_CACHE_DIR = notADir;
  try {
    const b = await loadBoard(exampleBoardPath('linux-armhf'));
    assert.equal(b.name, 'linux-armhf');
  } finally {
    process.env.QHAL_CACHE_DIR = cacheDir;
  }
});

test('generate from an empty cache and from a full one writes the same bytes', () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-load-cache-cli-'));
  const env = { ...process.env, QHAL_CACHE_DIR: cache };
  const outs = [0, 1].map((i) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `qhal-load-cache-out${i}-`));
    const args = ['generate', '--board', exampleBoardPath('linux-riscv64'), '--out', out];
    const r = runBin(args, undefined, env);
    assert.equal(r.code, 0, r.stderr);
    return out;
  });
  // The board and the HAL description, one entry each.
  assert.equal(fs.readdirSync(path.join(cache, 'load')).length, 2);
  for (const name of fs.readdirSync(outs[0] as string)) {
    assert.equal(
      fs.readFileSync(path.join(outs[1] as string, name), 'utf8'),
      fs.readFileSync(path.join(outs[0] as string, name), 'utf8'),
      name,
    );
  }
});

test('a big CommonJS file runs the same with V8 code cache; bad cached data is recompiled', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-code-cache-'));
  const file = path.join(dir, 'big.cjs');
  // Over the size the cache is used for: a module whose result shows it ran in full.
  const filler = `// ${'x'.repeat(100)}\n`.repeat(6000);
  fs.writeFileSync(file, `${filler}exports.sum = [1, 2, 3].reduce((a, b) => a + b);\n`);
  const small = path.join(dir, 'small.cjs');
  fs.writeFileSync(small, 'exports.ok = true;\n');
  // Each load in a fresh process: V8's in-process compilation cache would hide the data.
  const script = path.join(dir, 'load.mjs');
  fs.writeFileSync(
    script,
    [
      `import { createRequire } from 'node:module';`,
      `import { withCodeCache } from ${JSON.stringify(pathToFileURL(CODE_CACHE).href)};`,
      `const req = createRequire(${JSON.stringify(file)});`,
      `const big = withCodeCache(() => req(${JSON.stringify(file)}));`,
      `const small = withCodeCache(() => req(${JSON.stringify(small)}));`,
      `console.log(JSON.stringify({ sum: big.sum, ok: small.ok }));`,
    ].join('\n'),
  );
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-code-cache-dir-'));
  const v8Dir = path.join(cache, 'v8');
  const load = () => {
    const r = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, QHAL_CACHE_DIR: cache },
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as unknown;
  };
  assert.deepEqual(load(), { sum: 6, ok: true });
  const entries = fs.readdirSync(v8Dir);
  assert.equal(entries.length, 1, 'one entry, for the big file only');
  const entry = path.join(v8Dir, entries[0] as string);
  assert.ok(fs.statSync(entry).size > 0);
  assert.deepEqual(load(), { sum: 6, ok: true }, 'from the cached code');
  fs.writeFileSync(entry, 'not code cache');
  assert.deepEqual(load(), { sum: 6, ok: true }, 'rejected data: compiled afresh');
  assert.notEqual(fs.readFileSync(entry, 'utf8'), 'not code cache', 'and stored again');
});
