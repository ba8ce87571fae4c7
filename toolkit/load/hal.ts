/** load stage for the HAL description: the same checks as boards, and the same load cache. */
import fs from 'node:fs';
import type { HalDescription } from '../describe/hal.js';
import { settle, type Planned } from './batch.js';
import { InputError } from './diagnostic.js';
import { loadCacheKey, readLoadCache, writeLoadCache } from './load-cache.js';
import { paths } from './toolkit-paths.js';

export interface LoadedHal {
  hal: HalDescription;
  /** The description's source text, part of the generated files' input hash. */
  source: string;
}

let loaded: (LoadedHal & { file: string }) | undefined;

/** The HAL description: loaded once per process unless the file changed, else from the cache. */
export function planHal(file = paths.hal): Planned<LoadedHal> {
  const source = fs.readFileSync(file, 'utf8');
  if (loaded?.file === file && loaded.source === source) return { cached: loaded };
  const key = loadCacheKey('hal', file, source);
  const remember = (hal: HalDescription): LoadedHal => {
    loaded = { file, hal, source };
    return loaded;
  };
  const cached = readLoadCache(key) as HalDescription | undefined;
  if (cached !== undefined) return { cached: remember(cached) };
  return {
    request: {
      file,
      text: source,
      what: 'HAL description',
      define: 'defineHal',
      use: (e) => {
        writeLoadCache(key, e.value);
        return remember(e.value as HalDescription);
      },
    },
  };
}

export async function loadHal(file = paths.hal): Promise<LoadedHal> {
  const [r] = await settle([planHal(file)]);
  if (!r?.ok) throw new InputError(r?.diagnostics ?? []);
  return r.value;
}
