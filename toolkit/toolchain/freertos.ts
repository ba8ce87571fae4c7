/**
 * FreeRTOS for lwip-socket boards with os 'freertos': qhal-gen does not download FreeRTOS, so
 * the user names a FreeRTOS-Kernel tree with `--freertos-dir`. This checks that tree for the
 * board's target and says exactly what is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BoardModel } from '../model/board-model.js';
import { ToolchainError } from './errors.js';
import type { Target } from './targets.js';

/** FreeRTOS-Kernel's GCC port folder for each MCU target. */
const PORTS: Record<string, string> = {
  'cortex-m3': 'portable/GCC/ARM_CM3',
  'mps2-an385': 'portable/GCC/ARM_CM3',
  'cortex-m4': 'portable/GCC/ARM_CM4F',
  'cortex-m33': 'portable/GCC/ARM_CM33_NTZ/non_secure',
};

export function freertosPortDir(target: Target): string {
  return PORTS[target.id] ?? 'portable/GCC/<your port>';
}

/** The files a FreeRTOS-Kernel tree must hold for this target. */
export function freertosRequiredFiles(target: Target): string[] {
  const port = freertosPortDir(target);
  return [
    'include/FreeRTOS.h',
    'include/task.h',
    'include/semphr.h',
    `${port}/port.c`,
    `${port}/portmacro.h`,
  ];
}

/** True when the board's HAL is built against FreeRTOS (it includes FreeRTOS.h). */
export function boardNeedsFreertos(board: BoardModel): boolean {
  return board.stack === 'lwip-socket' && board.os === 'freertos';
}

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
        `download FreeRTOS: pass --freertos-dir <dir>, ${wants}. ` +
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
