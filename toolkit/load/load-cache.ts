/**
 * The load cache: a description's checked value (after the syntax, static-evaluation and type
 * checks, which need the TypeScript compiler: most of a cold `generate`), stored under
 * `<qhal-gen cache>/load/` and keyed by the SHA-256 of the file's text and of everything the
 * checks depend on: the loader's own code, the 'qhal-gen' declarations a board is checked
 * against and the TypeScript version. A changed board, or a changed toolkit, is a new
 * key and is checked afresh. Only values that passed are stored; the board rules (which read
 * the certificate files) run on every load, cached or not. The cache is an optimisation only: a
 * file that cannot be read or written there is a miss, never an error.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { storeCacheEntry } from '../toolchain/cache-file.js';
import { cacheRoot } from '../toolchain/paths.js';
import { paths } from './toolkit-paths.js';

/** Bumped when the stored form changes. */
const FORMAT = 'qhal-gen load cache 1';

const LOAD_DIR = path.dirname(fileURLToPath(import.meta.url));

let toolkitDigest: string | undefined;

/** The loader's code, the declarations and the compiler version, as one digest per process. */
function toolkitIdentity(): string {
  if (toolkitDigest !== undefined) return toolkitDigest;
  const h = crypto.createHash('sha256').update(FORMAT);
  const describeDir = path.dirname(paths.describeTypes);
  const inputs = [
    ...fs
      .readdirSync(LOAD_DIR)
      .filter((f) => f.endsWith('.js'))
      .map((f) => path.join(LOAD_DIR, f)),
    ...fs
      .readdirSync(describeDir)
      .filter((f) => f.endsWith('.d.ts'))
      .map((f) => path.join(describeDir, f)),
    // Resolving (not loading) the compiler finds its package.json, which names its version.
    createRequire(import.meta.url).resolve('typescript/package.json'),
  ].sort();
  for (const f of inputs) h.update(`\0${path.basename(f)}\0`).update(fs.readFileSync(f));
  toolkitDigest = h.digest('hex');
  return toolkitDigest;
}

/** The key for `text` read from `file` as a `kind` (board, HAL) description. */
export function loadCacheKey(kind: string, file: string, text: string): string {
  return crypto
    .createHash('sha256')
    .update(`${toolkitIdentity()}\0${kind}\0${path.extname(file)}\0`)
    .update(text)
    .digest('hex');
}

function entryPath(key: string): string {
  return path.join(cacheRoot(), 'load', `${key}.v8`);
}

/** The stored value for `key`, or undefined when there is none (or it cannot be read). */
export function readLoadCache(key: string): unknown {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(entryPath(key));
  } catch {
    return undefined;
  }
  try {
    const entry = v8.deserialize(bytes) as { key?: unknown; value?: unknown };
    return entry.key === key ? entry.value : undefined;
  } catch {
    return undefined; // a torn or foreign file: checked afresh and stored again
  }
}

/** Stores `value` under `key`; written to a temporary name and renamed, so never half seen. */
export function writeLoadCache(key: string, value: unknown): void {
  storeCacheEntry(entryPath(key), v8.serialize({ key, value }));
}
