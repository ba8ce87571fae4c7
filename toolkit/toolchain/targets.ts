/**
 * The targets in `targets/<id>/target.json`: compiler triple and flags, libc, ELF machine, QEMU
 * runner, FreeRTOS port, the conformance suite's platform file. A board target names the CPU
 * target it is built on with `"extends": "<id>"` and gives only what differs (its QEMU
 * machine and NIC, board support, platform files): a new QEMU board with a known CPU is a
 * data file and a board folder, no TypeScript.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ToolchainError } from './errors.js';
import { toolkitPaths } from './paths.js';
import { runProcess } from './proc.js';

export type TargetKind = 'linux' | 'mcu';
export type Stack = 'posix' | 'lwip-socket' | 'lwip-raw';
export type Os = 'posix' | 'freertos' | 'baremetal';

export interface TargetQemu {
  /** `native`: runs on the host; `user`: qemu-<arch>; `system`: a whole machine. */
  mode: 'native' | 'user' | 'system';
  command: string | null;
  args: string[];
  /** `system` mode: the QEMU model of the machine's Ethernet controller (`-nic user,model=`). */
  nic?: string;
}

export interface Target {
  id: string;
  description: string;
  kind: TargetKind;
  /** `zig cc -target` value. */
  zigTarget: string;
  cpuFlags: string[];
  float?: 'soft' | 'hard';
  libc: 'musl' | 'picolibc';
  /** Relative to picolibc's root (found with `dpkg -L picolibc-arm-none-eabi`). */
  picolibc?: { package: string; include: string; lib: string; crt0: string };
  elf: { machine: number; class: 32 | 64; armCpuArch?: number; armProfile?: string };
  qemu: TargetQemu;
  /** File in the target's folder (MCU targets). */
  linkerScript?: string;
  /**
   * Folder in the target's folder with the board support (start-up, NIC driver, entropy),
   * built by `qhal-gen build` into `libqhal_board.a`. Such a target's start-up replaces
   * picolibc's crt0 when linking.
   */
  boardSources?: string;
  /** FreeRTOS-Kernel's port folder for this CPU (`portable/GCC/ARM_CM3`). */
  freertosPort?: string;
  /** The port folder's C files built into libfreertos.a (default `port.c`). */
  freertosPortSources?: string[];
  /** The conformance suite's platform file per OS (examples/apps/conformance/port-*.c). */
  suitePlatform?: Partial<Record<Os, string>>;
  stacks: Stack[];
  oses: Os[];
  combinations: { stack: Stack; os: Os }[];
  /** Absolute folder of the target (set when loaded). */
  dir: string;
}

export function targetsDir(): string {
  return process.env.QHAL_TARGETS_DIR ?? toolkitPaths.targets;
}

function validate(raw: unknown, file: string): Omit<Target, 'dir'> {
  const t = raw as Partial<Target>;
  const problems: string[] = [];
  const need = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  need(typeof t.id === 'string', 'id (string)');
  need(t.kind === 'linux' || t.kind === 'mcu', 'kind ("linux" | "mcu")');
  need(typeof t.zigTarget === 'string', 'zigTarget (string)');
  need(Array.isArray(t.cpuFlags), 'cpuFlags (string[])');
  need(t.libc === 'musl' || t.libc === 'picolibc', 'libc ("musl" | "picolibc")');
  need(typeof t.elf?.machine === 'number', 'elf.machine (number)');
  need(typeof t.qemu?.mode === 'string', 'qemu.mode');
  need(
    Array.isArray(t.stacks) && Array.isArray(t.oses) && Array.isArray(t.combinations),
    'stacks, oses, combinations',
  );
  need(
    t.boardSources === undefined || typeof t.boardSources === 'string',
    'boardSources (string, optional)',
  );
  if (t.libc === 'picolibc')
    need(typeof t.picolibc?.lib === 'string', 'picolibc.{include,lib,crt0}');
  if (problems.length > 0)
    throw new ToolchainError(`${file}: missing or wrong fields: ${problems.join(', ')}`);
  return t as Omit<Target, 'dir'>;
}

type RawTarget = Record<string, unknown> & { extends?: unknown };

/** Fields naming a file in the target's folder: inherited ones stay in the parent's folder. */
const FILE_FIELDS = ['linkerScript', 'boardSources'] as const;

/**
 * The target's JSON with what it extends merged in: its own fields win, `qemu` is merged
 * field by field, and inherited file names are rewritten relative to the child's folder.
 */
function resolveRaw(
  id: string,
  raws: Map<string, { raw: RawTarget; file: string }>,
  seen: string[] = [],
): RawTarget {
  const own = raws.get(id);
  if (!own)
    throw new ToolchainError(`target "${seen[seen.length - 1]}" extends unknown target "${id}"`);
  const parentId = own.raw.extends;
  if (parentId === undefined) return own.raw;
  if (typeof parentId !== 'string')
    throw new ToolchainError(`${own.file}: "extends" must be a target id (string)`);
  if (seen.includes(id) || parentId === id)
    throw new ToolchainError(
      `${own.file}: "extends" makes a cycle (${[...seen, id, parentId].join(' -> ')})`,
    );
  const parent = resolveRaw(parentId, raws, [...seen, id]);
  const merged: RawTarget = { ...parent, ...own.raw };
  delete merged.extends;
  if (typeof parent.qemu === 'object' && typeof own.raw.qemu === 'object')
    merged.qemu = { ...parent.qemu, ...own.raw.qemu };
  for (const f of FILE_FIELDS) {
    if (own.raw[f] === undefined && typeof parent[f] === 'string') {
      merged[f] = path.relative(id, path.join(parentId, parent[f] as string)) || '.';
    }
  }
  return merged;
}

let cache: Map<string, Target> | undefined;
let cacheDir: string | undefined;

function load(): Map<string, Target> {
  const dir = targetsDir();
  if (cache && cacheDir === dir) return cache;
  const map = new Map<string, Target>();
  const raws = new Map<string, { raw: RawTarget; file: string }>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(dir).sort();
  } catch {
    throw new ToolchainError(`targets folder not found: ${dir}`);
  }
  for (const id of entries) {
    const file = path.join(dir, id, 'target.json');
    if (!fs.existsSync(file)) continue;
    try {
      raws.set(id, { raw: JSON.parse(fs.readFileSync(file, 'utf8')) as RawTarget, file });
    } catch (e) {
      throw new ToolchainError(`${file}: ${(e as Error).message}`);
    }
  }
  for (const [id, { file }] of raws) {
    const t = validate(resolveRaw(id, raws), file);
    if (t.id !== id)
      throw new ToolchainError(`${file}: id "${t.id}" does not match its folder "${id}"`);
    map.set(id, { ...t, dir: path.join(dir, id) });
  }
  cache = map;
  cacheDir = dir;
  return map;
}

/** All targets, sorted by id. */
export function listTargets(): Target[] {
  return [...load().values()];
}

/** The target, or a ToolchainError listing the known ones. */
export function getTarget(id: string): Target {
  const t = load().get(id);
  if (!t) {
    throw new ToolchainError(
      `unknown target "${id}". Known targets: ${[...load().keys()].join(', ')}`,
    );
  }
  return t;
}

/**
 * For the loader: null when the board's stack and OS run on the target, else the message
 * (unknown target, stack or OS the target lacks, or a stack/OS pair it does not support).
 */
export function checkTargetFit(targetId: string, stack: string, os: string): string | null {
  const t = load().get(targetId);
  if (!t) return `unknown target "${targetId}"; known targets: ${[...load().keys()].join(', ')}`;
  if (!t.stacks.includes(stack as Stack)) {
    return `target "${targetId}" does not support stack "${stack}" (supported: ${t.stacks.join(', ')})`;
  }
  if (!t.oses.includes(os as Os)) {
    return `target "${targetId}" does not support os "${os}" (supported: ${t.oses.join(', ')})`;
  }
  if (!t.combinations.some((c) => c.stack === stack && c.os === os)) {
    const pairs = t.combinations.map((c) => `${c.stack}+${c.os}`).join(', ');
    return `target "${targetId}" does not support stack "${stack}" with os "${os}" (supported: ${pairs})`;
  }
  return null;
}

const PICOLIBC_DEFAULT_ROOT = '/usr/lib/picolibc/arm-none-eabi';
let picolibcRootCache: string | null | undefined;

/** picolibc's root (the folder holding include/ and lib/), from `dpkg -L`, or null when not installed. */
export async function picolibcRoot(pkg = 'picolibc-arm-none-eabi'): Promise<string | null> {
  if (picolibcRootCache !== undefined) return picolibcRootCache;
  let root: string | null = null;
  try {
    const r = await runProcess('dpkg', ['-L', pkg]);
    if (r.code === 0) {
      const spec = r.stdout.split('\n').find((l) => l.endsWith('/picolibc.specs'));
      if (spec) root = path.dirname(spec.trim());
    }
  } catch {
    // no dpkg: try the Debian default below
  }
  if (root === null && fs.existsSync(path.join(PICOLIBC_DEFAULT_ROOT, 'include', 'picolibc.h'))) {
    root = PICOLIBC_DEFAULT_ROOT;
  }
  picolibcRootCache = root;
  return root;
}

/** Compiler flags every compile for this target gets (target triple, CPU, libc headers). */
export async function targetCompileFlags(t: Target): Promise<string[]> {
  const flags = ['-target', t.zigTarget, ...t.cpuFlags];
  if (t.libc === 'picolibc') {
    const pc = t.picolibc;
    const root = await picolibcRoot(pc?.package);
    if (!root || !pc) {
      throw new ToolchainError(
        `picolibc not found (target ${t.id} needs Debian's picolibc-arm-none-eabi). Run: bash ci/install-system-deps.sh`,
      );
    }
    flags.push('-isystem', path.join(root, pc.include));
  }
  return flags;
}
