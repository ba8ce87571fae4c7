/** Compiles the conformance suite for a target, linked with a built HAL (qhal-gen build output). */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { toolkitPaths } from '../toolchain/paths.js';
import { targetCompileFlags, type Target } from '../toolchain/targets.js';
import { zigPath } from '../toolchain/zig.js';

const run = promisify(execFile);

export const SUITE_DIR = path.join(toolkitPaths.root, 'examples', 'apps', 'conformance');
export const SUITE_SOURCES = ['main.c', 'record.c', 'cases.c'];

export interface SuiteBuildOptions {
  target: Target;
  /** Folder with qhal_socket.h (and the HAL's mbedtls config). */
  halDir: string;
  /** libqhal_socket.a first, then its libraries (libmbedtls.a ...). */
  archives: string[];
  out: string;
}

export async function buildSuite(o: SuiteBuildOptions): Promise<string> {
  if (o.target.kind !== 'linux')
    throw new Error(`the conformance suite runs on Linux targets, not ${o.target.id}`);
  const flags = await targetCompileFlags(o.target);
  const args = [
    'cc',
    ...flags,
    '-std=c99',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-O1',
    '-g',
    '-I',
    o.halDir,
    '-I',
    toolkitPaths.sdkShim,
    ...SUITE_SOURCES.map((f) => path.join(SUITE_DIR, f)),
    ...o.archives,
    '-static',
    '-o',
    o.out,
  ];
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  try {
    await run(zigPath(), args, { timeout: 300_000, maxBuffer: 16 << 20 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`compiling the conformance suite failed:\n${e.stderr?.trim() || e.message}`);
  }
  return o.out;
}
