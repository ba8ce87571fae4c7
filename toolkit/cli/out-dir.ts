/**
 * `--out` is checked before anything is generated, and a failure to write there is bad input
 * (exit 2) that names the flag, never a stack trace.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './args.js';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EEXIST: 'a file of that name is in the way',
  ENOTDIR: 'a file is in the way',
  EISDIR: 'a folder is in the way',
  ENOENT: 'cannot create a folder there',
};

/** The UsageError for a file-system error hit while writing to `--out value`. */
export function outDirError(value: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !REASONS[code]) return err as Error;
  return new UsageError(`--out '${value}': cannot write there: ${REASONS[code]} (${code})`);
}

/** The absolute output folder for `--out value`; the folder itself may not exist yet. */
export function resolveOutDir(value: string): string {
  if (value.trim() === '') throw new UsageError("--out must name a folder (got '')");
  const abs = path.resolve(value);
  // The nearest existing ancestor must be a folder (a file on the way is an error).
  for (let probe = abs; ; probe = path.dirname(probe)) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(probe);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && path.dirname(probe) !== probe) continue;
      throw outDirError(value, err);
    }
    if (!stat.isDirectory()) {
      throw new UsageError(
        probe === abs
          ? `--out '${value}' is a file, not a folder`
          : `--out '${value}': ${probe} is a file, not a folder`,
      );
    }
    return abs;
  }
}
