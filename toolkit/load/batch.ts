/**
 * A run's descriptions, each found in the load cache or to be loaded: the ones to load go to
 * the compiler together (one Program for every board and the HAL description), and the
 * compiler is loaded only when there is one.
 */
import type { Diagnostic } from './diagnostic.js';
import type { DescriptionRequest, Loaded } from './evaluate.js';

export type Planned<R> =
  { cached: R } | { request: DescriptionRequest<R> } | { failed: Diagnostic[] };

export async function settle<R>(planned: readonly Planned<R>[]): Promise<Loaded<R>[]> {
  const requests = planned.flatMap((p) => ('request' in p ? [p.request] : []));
  const loaded = requests.length ? (await import('./evaluate.js')).loadDescriptions(requests) : [];
  let next = 0;
  return planned.map((p) => {
    if ('cached' in p) return { ok: true, value: p.cached };
    if ('failed' in p) return { ok: false, diagnostics: p.failed };
    return loaded[next++] as Loaded<R>;
  });
}

/** The diagnostics of every entry that failed, in order. */
export function failures(results: readonly Loaded<unknown>[]): Diagnostic[] {
  return results.flatMap((r) => (r.ok ? [] : r.diagnostics));
}
