/** load stage for the HAL description: the same checks as boards, and the same load cache. */
import fs from 'node:fs';
import type { HalDescription } from '../describe/hal.js';
import { loadCacheKey, readLoadCache, writeLoadCache } from './load-cache.js';
import { paths } from './toolkit-paths.js';

export interface LoadedHal {
  hal: HalDescription;
  /** The description's source text, part of the generated files' input hash. */
  source: string;
}

let cached: (LoadedHal & { file: string }) | undefined;

export async function loadHal(file = paths.hal): Promise<LoadedHal> {
  const source = fs.readFileSync(file, 'utf8');
  // Loaded once per process (many boards, one HAL) unless the file changed.
  if (cached?.file === file && cached.source === source) return cached;
  const key = loadCacheKey('hal', file, source);
  let hal = readLoadCache(key) as HalDescription | undefined;
  if (hal === undefined) {
    // The compiler is loaded only for a HAL description not checked before.
    const { loadDescription } = await import('./evaluate.js');
    const text = { file, text: source };
    hal = loadDescription(text, 'HAL description', 'defineHal', (e) => e.value as HalDescription);
    writeLoadCache(key, hal);
  }
  cached = { file, hal, source };
  return cached;
}
