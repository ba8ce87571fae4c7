/** Writes what `qhal-gen test --junit FILE --report DIR` asked for; returns the files written. */
import fs from 'node:fs';
import path from 'node:path';
import { renderReport } from './html.js';
import { renderJunit } from './junit.js';
import type { BoardRun } from './model.js';

export function writeResults(
  runs: readonly BoardRun[],
  o: { junit?: string | undefined; report?: string | undefined },
): string[] {
  const written: string[] = [];
  const put = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    written.push(file);
  };
  if (o.junit !== undefined) put(path.resolve(o.junit), renderJunit(runs));
  if (o.report !== undefined) {
    put(path.join(path.resolve(o.report), 'index.html'), renderReport(runs));
    put(path.join(path.resolve(o.report), 'results.json'), `${JSON.stringify(runs, null, 2)}\n`);
  }
  return written;
}
