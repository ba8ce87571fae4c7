/**
 * One write into a cache: to a temporary name, then renamed, so a reader sees the old entry or
 * the new, never a part. A cache is an optimisation, so a failed store is only a later miss.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Stores `data` at `file`, or from the file `from` when `data` is `{ copyOf }`. */
export function storeCacheEntry(
  file: string,
  data: string | Uint8Array | { copyOf: string },
): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (typeof data === 'object' && 'copyOf' in data) fs.copyFileSync(data.copyOf, tmp);
    else fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // nothing was written (rmSync's force does not cover a path through a plain file)
    }
  }
}
