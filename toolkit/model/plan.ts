/**
 * The plan: everything later stages need to know about a board, decided once. `planBoard`
 * resolves the board's target (its target.json chain), names the backend, takes every
 * derived decision (decisions.ts) and produces the lwIP and mbedtls option values with their
 * reasons and the configuration headers `generate` writes. `generate`, `build` and `run` read
 * the plan instead of deciding again from the board or looking the target id up.
 */
import { freertosPortDir, freertosPortSources } from '../toolchain/freertos.js';
import { generateLwipConfig, type LwipConfig } from '../toolchain/lwip-config.js';
import {
  generateMbedtlsConfig,
  MBEDTLS_CONFIG_FILE_NAME,
  type MbedtlsConfig,
} from '../toolchain/mbedtls-config.js';
import { checkTargetFit, getTarget, type Os, type Target } from '../toolchain/targets.js';
import { ToolchainError } from '../toolchain/errors.js';
import type { BoardModel } from './board-model.js';
import type { ConfigFile } from './config-option.js';
import {
  certDatesChecked,
  extraApi,
  lwipPeers,
  maxWrite,
  needsFreertos,
  needsLwip,
  needsMbedtls,
  pskHook,
} from './decisions.js';

/** How a conformance run reaches the HAL's network stack (toolkit/run/namespace.ts). */
export type NetworkMode = 'kernel' | 'lwip-tap' | 'qemu-slirp';

export interface BackendDescriptor {
  stack: BoardModel['stack'];
  /** QHAL_MAX_WRITE: the largest Qhal_sockWrite taken at once. */
  maxWrite: number;
  /** Functions beyond the SDK's nine the application calls (Qhal_lwipRawPoll). */
  extraApi: string[];
}

export interface PlanDecisions {
  asyncConnect: boolean;
  needsMbedtls: boolean;
  needsLwip: boolean;
  /** MBEDTLS_HAVE_TIME_DATE: certificate validity dates are checked. */
  certDatesChecked: boolean;
  /** DTLS pre-shared keys: the board's hook, or null (certificates). */
  pskSource: { hook: string } | null;
  /** lwIP's own peer layout (length byte, 8-bit family) reaches the core. */
  lwipPeers: boolean;
  /** FreeRTOS-Kernel port for the HAL's build, or null when the HAL does not use FreeRTOS. */
  freertos: { port: string; portSources: string[] } | null;
  qemu: {
    mode: Target['qemu']['mode'];
    command: string | null;
    /** `-M` of a system-mode target. */
    machine: string | null;
    nic: string | null;
  };
  /** The conformance suite's platform file (examples/apps/conformance/), or null. */
  suitePlatform: string | null;
  network: NetworkMode;
}

export interface BoardPlan {
  board: BoardModel;
  target: Target;
  backend: BackendDescriptor;
  decisions: PlanDecisions;
  lwip: LwipConfig | null;
  mbedtls: MbedtlsConfig | null;
  /** The configuration headers `generate` writes next to the HAL pair. */
  configFiles: ConfigFile[];
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

function suitePlatform(target: Target, os: Os): string | null {
  if (target.kind !== 'mcu') return 'port-posix.c';
  return target.suitePlatform?.[os] ?? null;
}

function networkMode(board: BoardModel, target: Target): NetworkMode {
  if (target.kind === 'mcu') return 'qemu-slirp';
  return board.stack === 'lwip-socket' ? 'lwip-tap' : 'kernel';
}

function machine(target: Target): string | null {
  const i = target.qemu.args.indexOf('-M');
  return target.qemu.mode === 'system' && i >= 0 ? (target.qemu.args[i + 1] ?? null) : null;
}

/**
 * The plan for a board (deterministic, frozen). Throws a ToolchainError when the board's
 * target is unknown or does not run its stack and OS.
 */
export function planBoard(model: BoardModel): BoardPlan {
  // Copies: the plan is frozen; neither the caller's board nor the loader's cached target is.
  const board = structuredClone(model);
  const fit = checkTargetFit(board.target, board.stack, board.os);
  if (fit !== null) throw new ToolchainError(fit);
  const target = structuredClone(getTarget(board.target));
  const hook = pskHook(board);
  const freertos = needsFreertos(board);
  const lwip = needsLwip(board) ? generateLwipConfig(board, target) : null;
  const mbedtls = needsMbedtls(board) ? generateMbedtlsConfig(board, target) : null;
  return deepFreeze({
    board,
    target,
    backend: { stack: board.stack, maxWrite: maxWrite(board), extraApi: extraApi(board) },
    decisions: {
      asyncConnect: board.connect === 'async',
      needsMbedtls: mbedtls !== null,
      needsLwip: lwip !== null,
      certDatesChecked: certDatesChecked(board, target),
      pskSource: hook === null ? null : { hook },
      lwipPeers: lwipPeers(board, target),
      freertos: freertos
        ? { port: freertosPortDir(target), portSources: freertosPortSources(target) }
        : null,
      qemu: {
        mode: target.qemu.mode,
        command: target.qemu.command,
        machine: machine(target),
        nic: target.qemu.nic ?? null,
      },
      suitePlatform: suitePlatform(target, board.os),
      network: networkMode(board, target),
    },
    lwip,
    mbedtls,
    configFiles: [
      ...(lwip?.files ?? []),
      ...(mbedtls ? [{ name: MBEDTLS_CONFIG_FILE_NAME, content: mbedtls.header }] : []),
    ],
  });
}
