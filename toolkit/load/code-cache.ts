/**
 * require() with V8's code cache for the big CommonJS files it loads (the bundled TypeScript
 * compiler is 9 MB): compiling them was a third of a cold `generate` whose description was not
 * in the load cache. Node 20 has no built-in compile cache (module.enableCompileCache is Node
 * 22), so while `load` runs, Module.prototype._compile compiles files over BIG_FILE with
 * vm.Script and the cached data kept under `<qhal-gen cache>/v8/`. V8 checks that cached data
 * matches the source and its own version and flags; rejected or unreadable data is only a
 * slower compile, and the entry is written again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { storeCacheEntry } from '../toolchain/cache-file.js';
import { cacheRoot } from '../toolchain/paths.js';

const BIG_FILE = 512 * 1024;

interface CompilingModule {
  exports: unknown;
  _compile(content: string, filename: string): unknown;
}

/**
 * The entry for `filename` as it is on disk: keyed by its size, modification time and inode
 * rather than by a hash of its text (hashing the 9 MB compiler cost more than 15 ms of each
 * cold run). A file rewritten in place gets a new modification time, so a new entry.
 */
function cacheFile(filename: string, content: string): string {
  let identity: string;
  try {
    const st = fs.statSync(filename, { bigint: true });
    identity = `${st.size}\0${st.mtimeNs}\0${st.ino}\0${st.dev}\0${content.length}`;
  } catch {
    identity = crypto.createHash('sha256').update(content).digest('hex');
  }
  // V8 rejects data made under other flags (and a rejected entry is written again): node's
  // options are part of the key, so runs with and without, say, --cpu-prof do not take turns.
  const options = `${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}`;
  const key = crypto
    .createHash('sha256')
    .update(`${process.version}\0${process.arch}\0${options}\0${filename}\0${identity}`)
    .digest('hex');
  return path.join(cacheRoot(), 'v8', `${key}.bin`);
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** What Module.prototype._compile does, with the compiled code taken from and kept in the cache. */
function compileCached(module: CompilingModule, content: string, filename: string): unknown {
  const file = cacheFile(filename, content);
  const cachedData = readOrUndefined(file);
  const script = new vm.Script(Module.wrap(content), {
    filename,
    ...(cachedData ? { cachedData } : {}),
  });
  const run = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
  const dirname = path.dirname(filename);
  const result = run.call(
    module.exports,
    module.exports,
    createRequire(filename),
    module,
    filename,
    dirname,
  );
  if (!cachedData || script.cachedDataRejected) {
    storeCacheEntry(file, script.createCachedData());
    // Made again when the process is done, the data also holds every function the run
    // compiled (the type checker's), not only the module's top level. A process that ends
    // with process.exit() keeps the first.
    process.once('beforeExit', () => storeCacheEntry(file, script.createCachedData()));
  }
  return result;
}

/** Runs `load` (a require of CommonJS code) with the code cache for its big files. */
export function withCodeCache<T>(load: () => T): T {
  const proto = Module.prototype as unknown as CompilingModule;
  const original = proto._compile;
  proto._compile = function (this: CompilingModule, content: string, filename: string) {
    if (content.length < BIG_FILE) return original.call(this, content, filename);
    return compileCached(this, content, filename);
  };
  try {
    return load();
  } finally {
    proto._compile = original;
  }
}
