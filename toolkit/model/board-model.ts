/**
 * The board as plain, fully-defaulted data: what `load` hands to `generate`, `build` and
 * `run`. Nothing here refers to TypeScript source; file contents are already read.
 */
import type { BoardOs, NetworkStack, TlsVerifyPolicy } from '../describe/board.js';

export interface TlsModel {
  caFile: string;
  caPem: string;
  clientCertFile?: string;
  clientCertPem?: string;
  clientKeyFile?: string;
  clientKeyPem?: string;
  pskHook?: string;
  verify: TlsVerifyPolicy;
  handshakeTimeoutMs: number;
}

export interface BoardModel {
  /** Absolute path of the board file. */
  file: string;
  name: string;
  target: string;
  stack: NetworkStack;
  os: BoardOs;
  features: {
    tcp: boolean;
    udp: boolean;
    tls: boolean;
    dtls: boolean;
    tcpServer: boolean;
    tcpServerMaxClients: number;
    broadcast: boolean;
    dns: boolean;
    dnsMaxAddresses: number;
    ipv6: boolean;
  };
  tls: TlsModel | null;
  limits: {
    maxSockets: number;
    rxBufferSize: number;
    ioTaskStackSize: number;
    ioTaskPriority: number;
    connectTimeoutMs: number;
    /** lwIP stacks: each socket's write queue and largest write (QHAL_MAX_WRITE); absent on posix. */
    txQueueSize?: number;
  };
  connect: 'async' | 'sync';
  core: { version: string; rxPeerSize: boolean };
  sdk: {
    headers: string[];
    logFunction: string;
    logModule: string;
    malloc: string;
    free: string;
    fileNames: { header: string; source: string };
    signals: boolean;
  };
  sources: { mbedtlsDir?: string; lwipDir?: string };
  /** MCU TLS randomness: the board's hook, the labelled test-only source, or none (Linux). */
  entropy: { hook: string } | 'test-only' | null;
}

export const SDK_DEFAULTS = {
  headers: ['Quos_kernel.h'],
  logFunction: 'Quos_logPrintf',
  logModule: 'HAL_SOCK',
  malloc: 'HAL_MALLOC',
  free: 'HAL_FREE',
  fileNames: { header: 'qhal_Socket.h', source: 'qhal_Socket.c' },
  signals: true,
} as const;
