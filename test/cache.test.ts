/**
 * The build cache is checked, not trusted: a byte changed in a cached library or in a cached
 * source tree is noticed on use, a killed build's leftovers are removed, manifests are
 * replaced atomically, and two builds of one key compile it once.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildLibrary, type LibrarySpec } from '../toolkit/toolchain/library.js';
import { cachedSourceDir, resolveSource, SOURCE_SPECS } from '../toolkit/toolchain/sources.js';
import { getTarget, targetCompileFlags } from '../toolkit/toolchain/targets.js';
import { ZIG_VERSION } from '../toolkit/toolchain/zig.js';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-cache-test-'));
const SRC = path.join(TMP, 'src');
fs.mkdirSync(SRC);
fs.writeFileSync(path.join(SRC, 'a.c'), 'int qhal_cache_a(int x) { return x + 1; }\n');
fs.writeFileSync(path.join(SRC, 'b.c'), 'int qhal_cache_b(int x) { return x * 2; }\n');

async function spec(cache: string, tag: string): Promise<LibrarySpec> {
  const target = getTarget('x86_64-linux-musl');
  return {
    name: 'cachetest',
    archiveName: 'libcachetest.a',
    target,
    sources: [path.join(SRC, 'a.c'), path.join(SRC, 'b.c')],
    sourceRoot: SRC,
    sourceHash: tag,
    configFiles: [{ name: 'cachetest_config.h', content: `/* ${tag} */\n` }],
    flags: [...(await targetCompileFlags(target)), '-I', '@CONFIG@'],
    zigVersion: ZIG_VERSION,
    parallel: 1,
    env: { ...process.env, QHAL_CACHE_DIR: cache },
  };
}

test('a flipped byte in a cached archive is a miss and the library is rebuilt', async () => {
  const s = await spec(path.join(TMP, 'c1'), 'flip');
  const first = await buildLibrary(s);
  assert.equal(first.cache, 'miss');
  const good = fs.readFileSync(first.archive);
  assert.equal((await buildLibrary(s)).cache, 'hit');
  const bad = Buffer.from(good);
  bad[bad.length - 10] = (bad[bad.length - 10] as number) ^ 0xff;
  fs.writeFileSync(first.archive, bad);
  const lines: string[] = [];
  const again = await buildLibrary({ ...s, log: (l) => lines.push(l) });
  assert.equal(again.cache, 'miss');
  assert.match(lines.join('\n'), /libcachetest\.a does not match its recorded sha256; rebuilding/);
  assert.deepEqual(fs.readFileSync(again.archive), good);
  // A changed generated header is caught the same way.
  fs.appendFileSync(path.join(again.cacheDir, 'include', 'cachetest_config.h'), '#define X\n');
  assert.equal((await buildLibrary(s)).cache, 'miss');
  assert.equal((await buildLibrary(s)).cache, 'hit');
  assert.deepEqual(
    fs.readdirSync(again.cacheDir).filter((f) => f.endsWith('.tmp')),
    [],
    'manifest written through a temporary file that is renamed',
  );
});

test('two concurrent builds of one key compile once; the other waits and hits', async () => {
  const s = await spec(path.join(TMP, 'c2'), 'concurrent');
  const results = await Promise.all([buildLibrary(s), buildLibrary(s)]);
  assert.deepEqual(results.map((r) => r.cache).sort(), ['hit', 'miss']);
  assert.equal(fs.existsSync(`${results[0]?.cacheDir}.lock`), false, 'lock released');
});

test("an interrupted build's staging folder and lock are cleaned up by the next build", async () => {
  const s = await spec(path.join(TMP, 'c3'), 'stale');
  const first = await buildLibrary(s);
  const dir = first.cacheDir;
  // What a killed build leaves: no manifest, an object folder, its lock with a dead owner.
  fs.rmSync(path.join(dir, 'manifest.json'));
  fs.mkdirSync(path.join(dir, 'obj-killed'));
  fs.writeFileSync(path.join(dir, 'obj-killed', 'a.o'), 'partial');
  fs.mkdirSync(`${dir}.lock`);
  fs.writeFileSync(
    path.join(`${dir}.lock`, 'owner.json'),
    JSON.stringify({ pid: 2 ** 22 + 17, host: os.hostname() }),
  );
  const r = await buildLibrary(s);
  assert.equal(r.cache, 'miss');
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.startsWith('obj-')),
    [],
  );
  assert.equal(fs.existsSync(`${dir}.lock`), false);
});

test('a flipped byte in a cached mbedtls source file is refused with the fix', async () => {
  const cache = path.join(TMP, 'src-cache');
  const env = { ...process.env, QHAL_CACHE_DIR: cache };
  const real = cachedSourceDir('mbedtls');
  const copy = cachedSourceDir('mbedtls', env);
  // A real copy (not hard links): the test edits it.
  fs.cpSync(real, copy, { recursive: true });
  const ok = await resolveSource('mbedtls', { fetch: false, env });
  assert.equal(ok.root, copy);
  const file = path.join(copy, 'library', 'x509_crt.c');
  const text = fs.readFileSync(file);
  text[100] = (text[100] as number) ^ 0x01;
  fs.rmSync(file);
  fs.writeFileSync(file, text);
  await assert.rejects(
    resolveSource('mbedtls', { fetch: false, env }),
    new RegExp(
      `mbedtls cache at ${copy} does not match its pinned content .*expected ${SOURCE_SPECS.mbedtls.treeSha256}\\): a file was changed\\. Run: qhal-gen fetch-sources`,
    ),
  );
});

test.after(() => fs.rmSync(TMP, { recursive: true, force: true }));
