/**
 * Linking a program for a target (used by tests and the run stage): Linux targets link
 * statically with zig's musl; MCU targets link with `zig ld.lld`, the target's own linker
 * script, picolibc's libc / libsemihost and zig's compiler-rt, and either picolibc's
 * crt0-semihost.o or, for targets with board support (`boardSources`), the start-up code
 * in the build's libqhal_board.a (which the caller passes in `inputs`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ToolchainError } from './errors.js';
import { buildsCacheDir } from './paths.js';
import { picolibcRoot, targetCompileFlags, type Target } from './targets.js';
import { runZig, zigVersion } from './zig.js';

/** zig's compiler-rt for an MCU target (`zig build-lib -fcompiler-rt`), cached per target. */
export async function compilerRt(target: Target, env?: NodeJS.ProcessEnv): Promise<string> {
  const dir = path.join(buildsCacheDir(env), target.id, `compiler-rt-${await zigVersion()}`);
  const lib = path.join(dir, 'libcompiler_rt.a');
  if (fs.existsSync(lib)) return lib;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
  try {
    const stub = path.join(tmp, 'stub.zig');
    fs.writeFileSync(stub, 'export fn qhal_compiler_rt_stub() void {}\n');
    const out = path.join(tmp, 'libcompiler_rt.a');
    const r = await runZig(
      [
        'build-lib',
        stub,
        '-target',
        target.zigTarget,
        ...target.cpuFlags,
        '-OReleaseSmall',
        '-fcompiler-rt',
        `-femit-bin=${out}`,
      ],
      { cwd: tmp },
    );
    if (r.code !== 0)
      throw new ToolchainError(
        `zig build-lib -fcompiler-rt for ${target.id} failed:\n${r.stderr.trim()}`,
      );
    fs.renameSync(out, lib);
    return lib;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export interface LinkOptions {
  target: Target;
  /** C sources compiled for the target first (e.g. a test main). */
  sources?: string[];
  /** Extra compile flags for `sources` (include folders, defines). */
  cflags?: string[];
  /** Objects and archives, in link order. */
  inputs: string[];
  out: string;
  env?: NodeJS.ProcessEnv;
}

export async function linkProgram(o: LinkOptions): Promise<string> {
  const t = o.target;
  const flags = await targetCompileFlags(t);
  const objects: string[] = [];
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  for (const src of o.sources ?? []) {
    const obj = `${o.out}.${path.basename(src, '.c')}.o`;
    const r = await runZig([
      'cc',
      ...flags,
      '-std=c99',
      '-Os',
      '-ffunction-sections',
      '-fdata-sections',
      ...(o.cflags ?? []),
      '-c',
      src,
      '-o',
      obj,
    ]);
    if (r.code !== 0)
      throw new ToolchainError(`compiling ${src} for ${t.id} failed:\n${r.stderr.trim()}`);
    objects.push(obj);
  }
  if (t.kind === 'linux') {
    const r = await runZig([
      'cc',
      '-target',
      t.zigTarget,
      ...t.cpuFlags,
      '-static',
      '-Wl,--gc-sections',
      ...objects,
      ...o.inputs,
      '-o',
      o.out,
    ]);
    if (r.code !== 0)
      throw new ToolchainError(`linking ${o.out} for ${t.id} failed:\n${r.stderr.trim()}`);
    return o.out;
  }
  const pc = t.picolibc;
  const root = await picolibcRoot(pc?.package);
  if (!pc || !root || !t.linkerScript) {
    throw new ToolchainError(
      `cannot link for ${t.id}: picolibc missing. Run: bash ci/install-system-deps.sh`,
    );
  }
  const lib = path.join(root, pc.lib);
  const rt = await compilerRt(t, o.env);
  // Board support brings its own start-up (vector table, _start); pull it from the archive.
  const startup = t.boardSources !== undefined ? ['-u', '_start'] : [path.join(lib, pc.crt0)];
  const script = path.join(t.dir, t.linkerScript);
  const r = await runZig([
    'ld.lld',
    // A board's script may INCLUDE shared parts named from its own folder.
    '-L',
    path.dirname(script),
    '-T',
    script,
    '--gc-sections',
    // No loader on bare metal: nothing is read-only after relocation (and TLS is initialised data).
    '-z',
    'norelro',
    ...startup,
    ...objects,
    '--start-group',
    ...o.inputs,
    path.join(lib, 'libc.a'),
    path.join(lib, 'libsemihost.a'),
    rt,
    '--end-group',
    '-o',
    o.out,
  ]);
  if (r.code !== 0)
    throw new ToolchainError(`linking ${o.out} for ${t.id} failed:\n${r.stderr.trim()}`);
  return o.out;
}

/** The command line that runs a linked program for the target (QEMU or natively). */
export function runCommand(t: Target, program: string): { command: string; args: string[] } {
  if (t.qemu.mode === 'native' || t.qemu.command === null) return { command: program, args: [] };
  if (t.qemu.mode === 'user') return { command: t.qemu.command, args: [...t.qemu.args, program] };
  return { command: t.qemu.command, args: [...t.qemu.args, '-kernel', program] };
}
