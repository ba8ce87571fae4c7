/**
 * Cache integrity helpers: a lock per cache key (so two builds of one key compile once and
 * never write the same folder), atomic small-file writes, and content hashes checked on use.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ToolchainError } from './errors.js';

interface LockOwner {
  pid: number;
  host: string;
}

/** A lock without an owner file this old is left from a crash between mkdir and write. */
const ORPHAN_MS = 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock's holder is gone (a killed build): the lock may be taken over. */
function stale(lockDir: string): boolean {
  try {
    const owner = JSON.parse(
      fs.readFileSync(path.join(lockDir, 'owner.json'), 'utf8'),
    ) as LockOwner;
    return owner.host === os.hostname() && !alive(owner.pid);
  } catch {
    try {
      return Date.now() - fs.statSync(lockDir).mtimeMs > ORPHAN_MS;
    } catch {
      return false; // released meanwhile
    }
  }
}

export interface LockOptions {
  timeoutMs?: number;
  /** Called once when another build holds the lock. */
  onWait?: () => void;
}

/** Runs `fn` holding the lock folder `lockDir` (created atomically by mkdir). */
export async function withLock<T>(
  lockDir: string,
  fn: () => Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60 * 60_000);
  let waited = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (stale(lockDir)) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new ToolchainError(
        `timed out waiting for ${lockDir}: another build holds it (delete the folder if none runs)`,
      );
    }
    if (!waited) opts.onWait?.();
    waited = true;
    await new Promise((r) => setTimeout(r, 100));
  }
  fs.writeFileSync(
    path.join(lockDir, 'owner.json'),
    JSON.stringify({ pid: process.pid, host: os.hostname() } satisfies LockOwner),
  );
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Writes `file` so a reader sees the old content or the new, never a part. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

export function sha256OfFile(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The first of `files` (relative to `dir`) whose sha256 differs or that is missing, or null. */
export function firstChangedFile(dir: string, files: Record<string, string>): string | null {
  for (const [rel, sum] of Object.entries(files)) {
    try {
      if (sha256OfFile(path.join(dir, rel)) !== sum) return rel;
    } catch {
      return rel;
    }
  }
  return null;
}
