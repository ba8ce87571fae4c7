/**
 * The rules that turn a board and its target into decisions, each written once. The plan
 * (plan.ts) records their results; the config producers and the stages read the plan, and
 * the few producers that tests call with a bare board and target call these same rules.
 */
import type { Target } from '../toolchain/targets.js';
import type { BoardModel } from './board-model.js';

/** DTLS pre-shared keys come from the board's hook; TLS never uses them (the loader says so). */
export function pskHook(board: BoardModel): string | null {
  const hook = board.tls?.pskHook;
  return board.features.dtls && hook !== undefined && hook !== '' ? hook : null;
}

export function needsMbedtls(board: BoardModel): boolean {
  return board.features.tls || board.features.dtls;
}

export function needsLwip(board: BoardModel): boolean {
  return board.stack === 'lwip-socket' || board.stack === 'lwip-raw';
}

/** The HAL includes FreeRTOS.h only for lwip-socket on FreeRTOS (lwip-raw keeps its own loop). */
export function needsFreertos(board: BoardModel): boolean {
  return board.stack === 'lwip-socket' && board.os === 'freertos';
}

/**
 * Certificate validity dates need a calendar clock (MBEDTLS_HAVE_TIME_DATE): Linux targets
 * have one; the MCU targets have no RTC, so mbedtls is built without it.
 */
export function certDatesChecked(board: BoardModel, target: Target): boolean {
  return needsMbedtls(board) && calendarClock(target);
}

/** mbedtls gets MBEDTLS_HAVE_TIME and MBEDTLS_HAVE_TIME_DATE where the target has a clock. */
export function calendarClock(target: Target): boolean {
  return target.kind !== 'mcu';
}

/**
 * Largest Qhal_sockWrite taken at once: lwip-raw queues what lwIP cannot take into a static
 * per-socket buffer of rxBufferSize; the socket backends hand the kernel up to 64 KiB.
 */
export function maxWrite(board: BoardModel): number {
  // lwIP stacks: the board's write queue (limits.txQueueSize, defaulted by the loader) holds
  // one such write; posix queues in the kernel's send buffer.
  return board.limits.txQueueSize ?? 65535;
}

/** API beyond the nine SDK entry points that the application must call. */
export function extraApi(board: BoardModel): string[] {
  // NO_SYS=1: no I/O task; the application's main loop drives lwIP and the HAL.
  return board.stack === 'lwip-raw' ? ['Qhal_lwipRawPoll'] : [];
}

/**
 * lwIP hands the core its own peers (length byte, 8-bit family) with lwip-raw and with lwIP's
 * socket types on an MCU; lwip-socket on Linux uses the system's struct sockaddr.
 */
export function lwipPeers(board: BoardModel, target: Target): boolean {
  return board.stack === 'lwip-raw' || (board.stack === 'lwip-socket' && target.kind === 'mcu');
}
