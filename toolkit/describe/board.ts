/**
 * The board description a firmware engineer writes: `import { defineBoard } from 'qhal-gen'`.
 * Every field is typed so an editor completes and checks it; the rules no type can express
 * (ranges, files that must exist, stack/OS/target fit) are checked by the loader.
 */

/** Targets shipped in `targets/`; any other id is accepted by the type and checked by the loader. */
export type KnownTargetId =
  | 'x86_64-linux-musl'
  | 'aarch64-linux-musl'
  | 'arm-linux-musleabihf'
  | 'riscv64-linux-musl'
  | 'cortex-m3'
  | 'cortex-m4'
  | 'cortex-m33'
  | 'mps2-an385'
  | 'mps2-an386';

// `string & {}` keeps the literal completions in editors while allowing user targets.
export type TargetId = KnownTargetId | (string & {});

/** Which network API the generated HAL calls. */
export type NetworkStack = 'posix' | 'lwip-socket' | 'lwip-raw';

/** What runs the HAL's I/O context. */
export type BoardOs = 'posix' | 'freertos' | 'baremetal';

export interface TcpServerFeature {
  /** Clients accepted at once by `Qhal_tcpServerInit`, 1..255 (the core passes a quint8_t). */
  maxClients: number;
}

export interface DnsFeature {
  /** Addresses `Qhal_dns2IPGet` may return at most (the core asks for up to `addrMax`). */
  maxAddresses: number;
}

export interface BoardFeatures {
  tcp: boolean;
  udp: boolean;
  tls: boolean;
  /** DTLS runs over UDP, so it needs `udp: true`. */
  dtls: boolean;
  /** `false` leaves `Qhal_tcpServerInit` out (it logs and fails). */
  tcpServer: TcpServerFeature | false;
  broadcast: boolean;
  dns: DnsFeature | false;
  ipv6: boolean;
}

/**
 * Peer verification policy. `required` is the default and the only secure choice; the other
 * value is deliberately long so that nobody turns verification off by accident.
 */
export type TlsVerifyPolicy = 'required' | 'none-INSECURE-accepts-any-server';

export interface TlsPskHook {
  /**
   * Name of a C function the board provides:
   * `qbool <hook>(const char *hostname, quint16_t port, qhal_psk_t *out)`.
   * It fills the key and identity for that peer and returns TRUE.
   */
  hook: string;
}

export interface TlsOptions {
  /** PEM CA bundle, relative to the board file; embedded in the generated C as an array. */
  caFile: string;
  /** Optional client certificate (PEM) for mutual TLS, relative to the board file. */
  clientCertFile?: string;
  /** Private key (PEM) of the client certificate; required with `clientCertFile`. */
  clientKeyFile?: string;
  /** Where DTLS gets its pre-shared key; without it DTLS uses certificates. */
  psk?: TlsPskHook;
  /** Default `required`: verify the chain against `caFile` and the server's host name. */
  verify?: TlsVerifyPolicy;
  /** TLS/DTLS handshake time-out in milliseconds (default 20000). */
  handshakeTimeoutMs?: number;
}

export interface BoardLimits {
  /** Size of the HAL's socket table (listening, client and accepted sockets together). */
  maxSockets: number;
  /** Bytes read per receive event; also the largest UDP datagram delivered. 256..65536. */
  rxBufferSize: number;
  /** Stack of the one I/O thread/task, in bytes. */
  ioTaskStackSize: number;
  /** Priority of the I/O task (RTOS priority; ignored by POSIX threads). */
  ioTaskPriority: number;
  /** Time the core waits for an asynchronous connect (`*connectTimeout`), ms. Default 20000. */
  connectTimeoutMs?: number;
  /**
   * lwIP stacks (lwip-raw, lwip-socket): bytes of each socket's static write queue, where a
   * write waits for what lwIP cannot take at once (no heap in steady state). It is also the
   * largest `Qhal_sockWrite` the HAL takes while no earlier write is pending
   * (`QHAL_MAX_WRITE`): the core sizes its packets by it. RAM: `maxSockets` queues of it
   * (lwip-socket adds two record headers each). Default: `rxBufferSize` on lwip-raw, 65535 on
   * lwip-socket; 256..65536 (lwip-socket: ..65535). Not for posix (the kernel's send buffer
   * is the queue).
   */
  txQueueSize?: number;
}

export interface CoreInterface {
  /** QuecThing core generation this HAL is built for, e.g. '2.10'. */
  version: string;
  /** Does `Quos_socketIORx` take `peerSize` after `peer`? (newer cores do). */
  rxPeerSize: boolean;
}

/** Names the generated C uses from the SDK; the defaults are the SDK's usual names. */
export interface SdkNames {
  /** Headers the generated C includes for types, logging and allocation. */
  headers?: string[];
  logFunction?: string;
  logModule?: string;
  malloc?: string;
  free?: string;
  /**
   * Names of the generated pair. Default `qhal_Socket.h` / `qhal_Socket.c`, the names the
   * public SDK's `driverLayer/` uses (its `Qhal_driver.h` includes `qhal_Socket.h`), so the
   * files replace the vendor's pair as they are; the vendor's document says `qhal_socket.h`.
   */
  fileNames?: { header: string; source: string };
  /**
   * Does the core have its signal queue, `Quos_signalSet` (`SDK_ENABLE_SIGNAL`, on in the
   * SDK)? Default true: a connect's result is then posted through it, so it runs on the
   * core's task after the core registered the channel. `false`: the HAL waits
   * `QHAL_CONN_RESULT_DELAY_MS` (100 ms) after Init instead, a guess. lwip-raw needs neither:
   * its results come from the application's loop, after Init returned.
   */
  signals?: boolean;
}

export interface SourceTrees {
  /** Use this mbedtls tree instead of the cached Debian source. */
  mbedtlsDir?: string;
  /** Use this lwIP tree instead of the cached Debian source. */
  lwipDir?: string;
}

/**
 * Where TLS gets its randomness on a board without an operating system's generator.
 * `{ hook }` names the board's C function `uint32_t <hook>(void)` that returns 32 bits from a
 * hardware source. The string value is for emulators and test benches only: it is not random,
 * and the generated HAL says so in its log at start-up.
 */
export type EntropySource = { hook: string } | 'TEST-ONLY-NOT-RANDOM';

export interface BoardDescription {
  name: string;
  target: TargetId;
  stack: NetworkStack;
  os: BoardOs;
  features: BoardFeatures;
  /** Required when `features.tls` or `features.dtls` is on. */
  tls?: TlsOptions;
  limits: BoardLimits;
  /** `async` (default): Init returns at once and the I/O context reports the result. */
  connect?: 'async' | 'sync';
  core: CoreInterface;
  sdk?: SdkNames;
  sources?: SourceTrees;
  /** Required for TLS/DTLS on MCU targets (Linux targets use the kernel's generator). */
  entropy?: EntropySource;
}

/** Identity function that gives a board file its types. */
export function defineBoard(board: BoardDescription): BoardDescription {
  return board;
}
