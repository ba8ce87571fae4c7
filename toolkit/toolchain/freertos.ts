/**
 * FreeRTOS for lwip-socket boards with os 'freertos': qhal-gen does not download FreeRTOS, so
 * the user names a FreeRTOS-Kernel tree with `--freertos-dir`. This checks that tree for the
 * board's target and says exactly what is missing, finds FreeRTOSConfig.h (the user's with
 * `--freertos-config DIR`, else the one qhal-gen ships: `targets/<id>/freertos/` or, for the
 * ARMv7-M targets, `targets/common/freertos/`), and
 * lists what libfreertos.a is built from: the kernel, the target's GCC port, heap_4.c and
 * qhal-gen's picolibc locks (targets/common/lwip-freertos/, with lwIP's sys_arch).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BoardModel } from '../model/board-model.js';
import { needsFreertos } from '../model/decisions.js';
import { ToolchainError } from './errors.js';
import { toolkitPaths } from './paths.js';
import type { Target } from './targets.js';

/** FreeRTOS-Kernel's GCC port folder: the target's `freertosPort` (from its CPU part). */
export function freertosPortDir(target: Target): string {
  return target.freertosPort ?? 'portable/GCC/<your port>';
}

/** The port's C files (`freertosPortSources`: ARMv8-M ports add portasm.c to port.c). */
export function freertosPortSources(target: Target): string[] {
  return target.freertosPortSources ?? ['port.c'];
}

/** The files a FreeRTOS-Kernel tree must hold for this target. */
export function freertosRequiredFiles(target: Target): string[] {
  const port = freertosPortDir(target);
  return [
    'include/FreeRTOS.h',
    'include/task.h',
    'include/semphr.h',
    ...freertosPortSources(target).map((f) => `${port}/${f}`),
    `${port}/portmacro.h`,
    ...FREERTOS_KERNEL_SOURCES,
    FREERTOS_HEAP,
  ];
}

/** True when the board's HAL is built against FreeRTOS (it includes FreeRTOS.h). */
export const boardNeedsFreertos = needsFreertos;

/**
 * Throws a ToolchainError (exit 1) naming --freertos-dir and what it must contain when the
 * directory is missing or incomplete. Returns the absolute directory when it is complete.
 */
export function checkFreertosDir(
  board: BoardModel,
  target: Target,
  dir: string | undefined,
): string {
  const port = freertosPortDir(target);
  const wants =
    `a FreeRTOS-Kernel source tree (https://github.com/FreeRTOS/FreeRTOS-Kernel) with ` +
    `include/FreeRTOS.h and ${port} (port.c, portmacro.h) for ${target.id}`;
  if (dir === undefined || dir.trim() === '') {
    throw new ToolchainError(
      `board "${board.name}" runs lwip-socket on FreeRTOS (os: 'freertos') and qhal-gen does not ` +
        `download FreeRTOS: pass --freertos-dir <dir> or set QHAL_FREERTOS_DIR, ${wants}. ` +
        `The application supplies FreeRTOSConfig.h.`,
    );
  }
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new ToolchainError(`--freertos-dir ${root}: no such directory; it must be ${wants}`);
  }
  const missing = freertosRequiredFiles(target).filter((f) => !fs.existsSync(path.join(root, f)));
  if (missing.length > 0) {
    throw new ToolchainError(
      `--freertos-dir ${root} is not a FreeRTOS-Kernel tree for ${target.id}: missing ` +
        `${missing.join(', ')}; it must be ${wants}`,
    );
  }
  return root;
}

/** The FreeRTOS-Kernel files built into libfreertos.a (all but the port and the heap). */
export const FREERTOS_KERNEL_SOURCES = [
  'tasks.c',
  'queue.c',
  'list.c',
  'timers.c',
  'event_groups.c',
  'stream_buffer.c',
];

/**
 * The heap: heap_4.c, one static array of configTOTAL_HEAP_SIZE bytes, first fit, and
 * neighbouring free blocks merged again, so the tasks, queues and semaphores lwIP and the HAL
 * create and delete over time do not fragment it (heap_1 never frees, heap_2 does not merge,
 * heap_3 is the C library's malloc, heap_5 needs regions set up at run time).
 */
export const FREERTOS_HEAP = 'portable/MemMang/heap_4.c';

/** qhal-gen's own FreeRTOS support: lwIP's sys_arch and picolibc's locks. */
export function lwipFreertosPortDir(): string {
  return path.join(toolkitPaths.targets, 'common', 'lwip-freertos');
}

/**
 * The folder with the FreeRTOSConfig.h qhal-gen ships for the target, when it ships one: the
 * target's own `freertos/`, else the common one (targets/common/freertos) for the targets
 * whose FreeRTOS port is ARM_CM3, ARM_CM4F or ARM_CM33_NTZ (secure state only).
 */
export function defaultFreertosConfigDir(target: Target): string | undefined {
  const own = path.join(target.dir, 'freertos');
  if (fs.existsSync(path.join(own, 'FreeRTOSConfig.h'))) return own;
  const port = target.freertosPort;
  if (port === undefined || !/ARM_CM(3|4F|33_NTZ\/non_secure)$/.test(port)) return undefined;
  return path.join(toolkitPaths.targets, 'common', 'freertos');
}

export interface FreertosConfig {
  /** The folder holding FreeRTOSConfig.h (also on the include path, for what it includes). */
  dir: string;
  origin: 'user' | 'toolkit';
  content: string;
}

/** FreeRTOSConfig.h: `--freertos-config DIR` when given, else the target's default. */
export function resolveFreertosConfig(target: Target, dir: string | undefined): FreertosConfig {
  if (dir !== undefined) {
    const root = path.resolve(dir);
    const file = path.join(root, 'FreeRTOSConfig.h');
    if (!fs.existsSync(file)) {
      throw new ToolchainError(`--freertos-config ${root}: no FreeRTOSConfig.h in that folder`);
    }
    return { dir: root, origin: 'user', content: fs.readFileSync(file, 'utf8') };
  }
  const def = defaultFreertosConfigDir(target);
  if (def === undefined) {
    throw new ToolchainError(
      `qhal-gen ships no FreeRTOSConfig.h for target ${target.id}: pass --freertos-config <dir>, ` +
        `a folder with the application's FreeRTOSConfig.h`,
    );
  }
  const content = fs.readFileSync(path.join(def, 'FreeRTOSConfig.h'), 'utf8');
  return { dir: def, origin: 'toolkit', content };
}

/** The kernel's version from include/task.h (`tskKERNEL_VERSION_NUMBER "V10.6.2"`). */
export function freertosVersion(root: string): string {
  const task = fs.readFileSync(path.join(root, 'include', 'task.h'), 'utf8');
  const m = /#define\s+tskKERNEL_VERSION_NUMBER\s+"V?([^"]+)"/.exec(task);
  return m?.[1] ?? 'unknown';
}

/** C files of libfreertos.a: the kernel, the target's port, heap_4, picolibc's locks and the
 * default configASSERT target. */
export function freertosSources(root: string, target: Target): string[] {
  return [
    ...FREERTOS_KERNEL_SOURCES.map((f) => path.join(root, f)),
    ...freertosPortSources(target).map((f) => path.join(root, freertosPortDir(target), f)),
    path.join(root, FREERTOS_HEAP),
    path.join(lwipFreertosPortDir(), 'picolibc-locks.c'),
    path.join(lwipFreertosPortDir(), 'freertos-assert.c'),
  ];
}

/**
 * Include flags for anything that includes FreeRTOS.h (configDir holds FreeRTOSConfig.h). The
 * kernel's own headers are system headers (-isystem): the HAL and the board support are
 * compiled with -Werror, and a diagnostic inside a FreeRTOS release's headers is not theirs.
 */
export function freertosIncludeFlags(root: string, target: Target, configDir: string): string[] {
  return [
    '-I',
    configDir,
    '-isystem',
    path.join(root, 'include'),
    '-isystem',
    path.join(root, freertosPortDir(target)),
  ];
}

/** Content hash of what a FreeRTOS build reads from the tree (sources, headers, the port). */
export function hashFreertosTree(root: string, target: Target): string {
  const h = createHash('sha256');
  const headers = (dir: string): string[] =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.h'))
          .sort()
          .map((f) => path.join(dir, f))
      : [];
  const files = [
    ...freertosSources(root, target),
    ...headers(path.join(root, 'include')),
    ...headers(path.join(root, freertosPortDir(target))),
  ];
  for (const f of files) {
    h.update(path.relative(root, f));
    h.update('\0');
    h.update(fs.readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}

/** Content hash of qhal-gen's own port files (sys_arch, its headers, picolibc's locks). */
export function hashLwipFreertosPort(): string {
  const dir = lwipFreertosPortDir();
  const h = createHash('sha256');
  for (const rel of [
    'sys_arch.c',
    'picolibc-locks.c',
    'freertos-assert.c',
    path.join('include', 'arch', 'cc.h'),
    path.join('include', 'arch', 'sys_arch.h'),
  ]) {
    h.update(rel);
    h.update('\0');
    h.update(fs.readFileSync(path.join(dir, rel)));
    h.update('\0');
  }
  return h.digest('hex');
}
