/** Where the toolkit's own files and the user's cache are. */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// This file compiles to dist/toolkit/toolchain/paths.js: the package root is three up.
const here = path.dirname(fileURLToPath(import.meta.url));
export const PACKAGE_ROOT = path.resolve(here, '..', '..', '..');

export const toolkitPaths = {
  root: PACKAGE_ROOT,
  targets: path.join(PACKAGE_ROOT, 'targets'),
  sdkShim: path.join(PACKAGE_ROOT, 'templates', 'common', 'sdk-shim'),
};

/** `${QHAL_CACHE_DIR:-~/.cache/qhal-gen}`. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.QHAL_CACHE_DIR;
  if (fromEnv && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return path.join(os.homedir(), '.cache', 'qhal-gen');
}

export function sourcesCacheDir(env?: NodeJS.ProcessEnv): string {
  return path.join(cacheRoot(env), 'sources');
}

export function buildsCacheDir(env?: NodeJS.ProcessEnv): string {
  return path.join(cacheRoot(env), 'builds');
}
