/**
 * The object cache (toolchain/object-cache.ts) that the conformance suite's sources go through:
 * an unchanged source comes back without compiling, also when a header it includes differs
 * only in a comment; a header whose declarations changed, or other flags, compile again, and
 * the object is then the new one. Real zig; this file's cache is its own temporary folder.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { compileCached } from '../toolkit/toolchain/object-cache.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-object-cache-'));
process.env.QHAL_CACHE_DIR = path.join(work, 'cache');

test.after(() => fs.rmSync(work, { recursive: true, force: true }));

/** A build folder with `config.h` as given, and `use.c` including it by a relative name. */
function buildDir(name: string, header: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.h'), header);
  return dir;
}

const source = path.join(work, 'use.c');
fs.writeFileSync(source, '#include "config.h"\nint value(void) { return VALUE; }\n');

function job(dir: string, extra: string[] = []) {
  return {
    source,
    object: path.join(dir, 'use.o'),
    flags: ['-target', 'x86_64-linux-musl', '-O1', '-I', '.', ...extra],
  };
}

test('kept by the preprocessed source: a comment is the same input, a changed value is not', async () => {
  const first = buildDir('a', '/* run 1 */\n#define VALUE 1\n');
  const r1 = await compileCached([job(first)], first);
  assert.deepEqual(r1, { compiled: 1, failure: null });
  const one = fs.readFileSync(path.join(first, 'use.o'));

  // Another (temporary) folder, a header that differs in its comment only: from the cache.
  const second = buildDir('b', '/* run 2, another hash */\n#define VALUE 1\n');
  const r2 = await compileCached([job(second)], second);
  assert.deepEqual(r2, { compiled: 0, failure: null });
  assert.deepEqual(fs.readFileSync(path.join(second, 'use.o')), one);

  const third = buildDir('c', '/* run 3 */\n#define VALUE 2\n');
  const r3 = await compileCached([job(third)], third);
  assert.deepEqual(r3, { compiled: 1, failure: null });
  assert.notDeepEqual(fs.readFileSync(path.join(third, 'use.o')), one, 'the new value compiled');

  const r4 = await compileCached([job(first, ['-O2'])], first);
  assert.equal(r4.compiled, 1, 'other flags are another key');
});

test('a source that does not compile is a failure with the compiler’s words, and is not kept', async () => {
  const dir = buildDir('bad', '#define VALUE (\n');
  const r = await compileCached([job(dir)], dir);
  assert.equal(r.compiled, 1);
  assert.ok(r.failure, 'the failure is reported');
  assert.match(r.failure.stderr, /error/);
  const again = await compileCached([job(dir)], dir);
  assert.equal(again.compiled, 1, 'nothing was stored for it');
});
