/**
 * lwIP 2.1 configuration for a board: a generated `lwipopts.h` (and, for NO_SYS=1 MCU targets,
 * an `arch/cc.h`), the list of lwIP files to compile, and the include flags. Linux targets
 * (lwip-socket, NO_SYS=0) use the unix port Debian's `port` patch adds (port/include,
 * port/sys_arch.c). MCU targets with lwip-socket (os 'freertos', NO_SYS=0) use qhal-gen's own
 * FreeRTOS port (targets/common/lwip-freertos: sys_arch.c, arch/cc.h, arch/sys_arch.h) and
 * lwIP's own socket types and heap. Other MCU boards build the raw API (NO_SYS=1); the
 * board's time base (`sys_now`) and NIC driver come at link time (for targets with board
 * support, from libqhal_board.a). lwip-raw boards get LWIP_ALTCP, and with TLS lwIP's
 * altcp_tls over mbedtls (LWIP_ALTCP_TLS_MBEDTLS, src/apps/altcp_tls, a bigger MEM_SIZE).
 * This is the one lwIP configuration: targets ship no lwipopts.h of their own.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BoardModel } from '../model/board-model.js';
import { fillConfigTemplate, type ConfigFile, type ConfigOption } from '../model/config-option.js';
import { ToolchainError } from './errors.js';
import { lwipFreertosPortDir } from './freertos.js';
import type { Target } from './targets.js';

export interface LwipConfig {
  /** lwipopts.h and, for bare-metal MCU boards, arch/cc.h (written by `generate`). */
  files: ConfigFile[];
  /** What lwipopts.h sets, in order, each with its reason. */
  options: ConfigOption[];
  notes: string[];
}

const flag = (v: boolean): string => (v ? '1' : '0');

export function generateLwipConfig(board: BoardModel, target: Target): LwipConfig {
  const f = board.features;
  const sockets = board.stack === 'lwip-socket';
  // lwip-socket on an MCU runs on FreeRTOS through qhal-gen's own sys_arch.
  const freertos = target.kind === 'mcu' && sockets;
  if (freertos && board.os !== 'freertos') {
    throw new ToolchainError(
      `lwip-socket on ${target.id} needs an RTOS: qhal-gen builds it with os 'freertos' only`,
    );
  }
  const raw = board.stack === 'lwip-raw';
  // The lwip-raw backend always needs TCP and UDP (its #error checks); lwip-socket always
  // needs UDP: its I/O task's wake-up socket.
  const tcp = f.tcp || f.tls || f.tcpServer || raw;
  const udp = f.udp || f.dtls || f.dns || sockets || raw;
  // lwip-raw with TLS: lwIP's altcp_tls over mbedtls (src/apps/altcp_tls).
  const altcpTls = raw && f.tls;
  const n = board.limits.maxSockets;
  const options: ConfigOption[] = [];
  const o = (name: string, value: string, why: string, guard?: string): void => {
    options.push({ name, value, why, ...(guard !== undefined ? { guard } : {}) });
  };
  o(
    'NO_SYS',
    sockets ? '0' : '1',
    sockets
      ? 'lwIP sockets need its tcpip thread and an OS layer'
      : 'raw API: no OS, lwIP runs from the application loop',
  );
  o('LWIP_SOCKET', flag(sockets), 'the BSD-style socket API, for the lwip-socket backend only');
  o('LWIP_NETCONN', flag(sockets), 'the socket API is built on netconns');
  o(
    'LWIP_COMPAT_SOCKETS',
    '0',
    'no socket()/connect() macros: they would clash with the system names',
  );
  o('LWIP_POSIX_SOCKETS_IO_NAMES', '0', 'no read()/write()/close() macros, for the same reason');
  o('LWIP_IPV4', '1', 'every board speaks IPv4');
  o('LWIP_IPV6', flag(f.ipv6), "the board's ipv6 feature");
  o('LWIP_TCP', flag(tcp), 'TCP, TLS or a TCP server (lwip-raw always: its #error checks)');
  o('LWIP_UDP', flag(udp), 'UDP, DTLS, DNS, lwip-raw, or the I/O wake-up datagram of lwip-socket');
  o('LWIP_DNS', flag(f.dns), "the board's dns feature");
  o('DNS_MAX_SERVERS', '2', 'a primary and a secondary server');
  o('IP_SOF_BROADCAST', flag(f.broadcast), "the board's broadcast feature (sending)");
  o('IP_SOF_BROADCAST_RECV', flag(f.broadcast), "the board's broadcast feature (receiving)");
  o('LWIP_ARP', '1', 'the boards are on Ethernet');
  o('LWIP_ETHERNET', '1', 'the boards are on Ethernet');
  o('LWIP_ICMP', '1', 'answers pings and reports unreachable ports');
  o('LWIP_RAW', '0', 'no raw IP PCBs: the HAL does not use them');
  o('LWIP_DHCP', '0', 'addresses are set by the application (QEMU user networking is static)');
  o('LWIP_STATS', '0', 'no counters: smaller image');
  // lwip-socket: the HAL wakes its I/O task with a datagram to 127.0.0.1 (lwIP has no pipe).
  o(
    'LWIP_NETIF_LOOPBACK',
    flag(sockets),
    'lwip-socket wakes its I/O task with a datagram to 127.0.0.1',
  );
  o('LWIP_HAVE_LOOPIF', flag(sockets), 'the loopback interface that datagram travels on');
  // Links the HAL closed keep their PCB in FIN_WAIT until the peer's FIN (lwIP reclaims only
  // TIME_WAIT/LAST_ACK/CLOSING ones): a fast close/open cycle against a slow peer otherwise
  // finds the pool empty (ENOBUFS at cycle 146-726 of 1,000 on FreeRTOS with n + 4).
  o(
    'MEMP_NUM_TCP_PCB',
    String(raw ? n + 2 : n + 16),
    'one per socket plus spares for links still closing (about 170 bytes each)',
  );
  o('MEMP_NUM_TCP_PCB_LISTEN', String(f.tcpServer ? 2 : 1), 'the TCP server listener');
  o('MEMP_NUM_UDP_PCB', String(n + 3), 'one per socket plus DNS and the wake-up pair');
  o('TCP_MSS', '1460', 'full Ethernet frames');
  // altcp_tls frees receive window only for records mbedtls has decrypted, and mbedtls
  // decrypts a record only once all of it is in.
  o(
    'TCP_WND',
    `(${altcpTls ? 12 : 4} * TCP_MSS)`,
    altcpTls
      ? 'must hold a whole 16 KiB TLS record, or a full-size record stalls the link'
      : 'four segments in flight',
  );
  o('TCP_SND_BUF', '(4 * TCP_MSS)', 'four segments queued per socket');
  o('TCP_SND_QUEUELEN', '16', 'segments TCP_SND_BUF may be split into');
  o('LWIP_TCP_KEEPALIVE', '1', 'the HAL turns keep-alive on for client links');
  o('SO_REUSE', '1', 'a closed server listens again while its clients are in TIME_WAIT');
  if (sockets) {
    o(
      'MEMP_NUM_NETCONN',
      String(n + 8),
      'one per socket, the wake-up pair, the application and links closing',
    );
    o('LWIP_SO_RCVTIMEO', '1', 'the I/O task waits with time-outs');
    o('LWIP_SO_SNDTIMEO', '1', 'writes never block the I/O task for good');
    o('LWIP_TCPIP_CORE_LOCKING', '1', 'the HAL calls lwIP under its core lock, without a message');
  }
  if (freertos) {
    o('SYS_LIGHTWEIGHT_PROT', '1', 'pools are shared between tasks');
    o(
      'LWIP_NETCONN_SEM_PER_THREAD',
      '1',
      'one semaphore per task, not one allocated per lwip_poll',
    );
    o('LWIP_SOCKET_SELECT', '0', 'the HAL uses poll(), not select()');
    o('LWIP_SOCKET_POLL', '1', 'the I/O task waits in lwip_poll()');
    o('LWIP_NETIF_API', '0', 'the board support adds its netif from the tcpip thread');
    o('MEM_LIBC_MALLOC', '0', "lwIP's own heap: picolibc's malloc is not lwIP's concern");
    o('MEMP_MEM_MALLOC', '0', "lwIP's own pools");
    o('MEM_ALIGNMENT', '4', '32-bit CPU');
    o('MEM_SIZE', '(32 * 1024)', "lwIP's heap for sockets' transmit data");
    o('MEMP_NUM_TCP_SEG', '32', 'enough segments for TCP_SND_BUF on several sockets');
    o('MEMP_NUM_PBUF', '32', 'references to data being sent');
    o('PBUF_POOL_SIZE', '24', 'receive buffers for a window of frames from the driver');
    o('MEMP_NUM_TCPIP_MSG_API', '16', 'calls queued to the tcpip thread');
    o('MEMP_NUM_TCPIP_MSG_INPKT', '16', 'frames queued to the tcpip thread');
    o(
      'MEMP_NUM_SYS_TIMEOUT',
      '(LWIP_NUM_SYS_TIMEOUT_INTERNAL + 2)',
      "lwIP's timers plus DNS and the HAL's",
    );
    o('DNS_TABLE_SIZE', '4', 'names resolved at once');
    o('DNS_MAX_NAME_LENGTH', '256', 'the longest host name the SDK passes');
    o('TCP_LISTEN_BACKLOG', '1', 'the listener limits pending connections');
    // Measured by the conformance suite on FreeRTOS (the tcpip thread's high-water mark):
    // 440 bytes used of 4096.
    o(
      'TCPIP_THREAD_STACKSIZE',
      '2048',
      'bytes (sys_arch converts to words): 440 used, 4.6x margin, no TLS',
    );
    o(
      'TCPIP_THREAD_PRIO',
      String(board.limits.ioTaskPriority + 1),
      "one above the HAL's I/O task, so lwIP serves it",
    );
    o('TCPIP_MBOX_SIZE', '16', 'FreeRTOS queues must have a size');
    o('DEFAULT_TCP_RECVMBOX_SIZE', '16', 'received segments queued per TCP netconn');
    o('DEFAULT_UDP_RECVMBOX_SIZE', '16', 'received datagrams queued per UDP netconn');
    o('DEFAULT_RAW_RECVMBOX_SIZE', '4', 'FreeRTOS queues must have a size (no raw netconns)');
    o('DEFAULT_ACCEPTMBOX_SIZE', '8', "connections queued for the server's accept");
  } else if (sockets) {
    // As Debian's unix port expects: the system's socket types, poll(), heap sockets.
    o(
      'LWIP_SOCKET_EXTERNAL_HEADERS',
      '1',
      "the system's socket types, as Debian's unix port expects",
    );
    o(
      'LWIP_SOCKET_EXTERNAL_HEADER_SOCKETS_H',
      '"posix/sockets.h"',
      "the unix port's socket header",
    );
    o('LWIP_SOCKET_EXTERNAL_HEADER_INET_H', '"posix/inet.h"', "the unix port's inet header");
    o('LWIP_SOCKET_OFFSET', '1', "lwIP's descriptors never collide with 0 (stdin)");
    o('LWIP_SOCKET_OPEN_COUNT', '1', 'sockets are counted so none is freed while in use');
    o('LWIP_SOCKET_SELECT', '0', 'the HAL uses poll(), not select()');
    o('LWIP_SOCKET_POLL', '1', 'the I/O task waits in lwip_poll()');
    o(
      '__SOCKADDR_COMMON_SIZE',
      '(sizeof(unsigned short int))',
      'posix/sockets.h (written for glibc) uses this glibc-internal size; musl lacks it',
      '!defined(__GLIBC__) && !defined(__SOCKADDR_COMMON_SIZE)',
    );
    o('LWIP_TIMEVAL_PRIVATE', '0', "the system's struct timeval");
    o('MEM_LIBC_MALLOC', '1', "the C library's heap: Linux has one");
    o('MEMP_MEM_MALLOC', '1', 'pools from the heap, sized on demand');
    o('TCPIP_THREAD_STACKSIZE', '16384', 'a comfortable pthread stack');
    o('TCPIP_THREAD_PRIO', String(board.limits.ioTaskPriority), "the HAL's I/O task priority");
    o('TCPIP_MBOX_SIZE', '32', 'calls and frames queued to the tcpip thread');
    o('DEFAULT_TCP_RECVMBOX_SIZE', '32', 'received segments queued per TCP netconn');
    o('DEFAULT_UDP_RECVMBOX_SIZE', '32', 'received datagrams queued per UDP netconn');
    o('DEFAULT_ACCEPTMBOX_SIZE', '8', "connections queued for the server's accept");
    o('MEM_ALIGNMENT', '8', '64-bit CPU', 'defined __LP64__');
    o('MEM_ALIGNMENT', '4', '32-bit CPU', '!defined __LP64__');
  } else {
    // NO_SYS=1: lwIP is entered only from the application's loop (Qhal_lwipRawPoll()).
    o(
      'SYS_LIGHTWEIGHT_PROT',
      '0',
      'lwIP runs only from Qhal_lwipRawPoll(), never from an interrupt',
    );
    o('MEMP_NUM_TCP_SEG', '32', "lwIP's default is too small for TCP_SND_BUF");
    o('MEMP_NUM_PBUF', '32', "lwIP's default is too small for TCP_SND_BUF");
    o('LWIP_TIMERS', '1', "Qhal_lwipRawPoll() runs lwIP's timers");
    o('LWIP_NETIF_API', '0', 'no tcpip thread to call');
    o('LWIP_NETIF_STATUS_CALLBACK', '0', 'the address is static');
    o('LWIP_NETIF_LINK_CALLBACK', '0', 'the link is up from start');
    o('LWIP_SINGLE_NETIF', '1', 'one Ethernet interface: smaller routing');
    o('LWIP_CALLBACK_API', '1', 'the raw API calls the HAL back');
    o('LWIP_ALTCP', flag(raw), 'the HAL talks to TCP and TLS through one altcp API');
    o('LWIP_ALTCP_TLS', flag(altcpTls), 'TLS over altcp, for the tls feature');
    o('LWIP_ALTCP_TLS_MBEDTLS', flag(altcpTls), "altcp's TLS is mbedtls");
    o(
      'MEMP_NUM_ALTCPCB',
      `((MEMP_NUM_TCP_PCB + MEMP_NUM_TCP_PCB_LISTEN) * ${altcpTls ? 2 : 1})`,
      altcpTls ? 'two altcp PCBs per TCP PCB: TLS wraps a TCP one' : 'one altcp PCB per TCP PCB',
    );
    o(
      'MEMP_NUM_SYS_TIMEOUT',
      '(LWIP_NUM_SYS_TIMEOUT_INTERNAL + 2)',
      "lwIP's timers plus DNS and the HAL's",
    );
    o('TCP_LISTEN_BACKLOG', '1', 'the listener limits pending connections');
    o('DNS_TABLE_SIZE', '4', 'names resolved at once');
    o('DNS_MAX_NAME_LENGTH', '256', 'the longest host name the SDK passes');
    o('MEM_ALIGNMENT', '4', '32-bit CPU');
    o(
      'MEM_SIZE',
      `(${altcpTls ? 48 : 16} * 1024)`,
      altcpTls
        ? "altcp_tls keeps its per-link state in lwIP's heap"
        : "lwIP's heap for transmit data",
    );
    o(
      'PBUF_POOL_SIZE',
      String(altcpTls ? 40 : 24),
      altcpTls
        ? 'a window of segments plus one decrypted record plus a burst from the driver'
        : 'receive buffers for a window of frames from the driver',
    );
  }
  const vars = { TARGET: target.id, STACK: board.stack, OS: board.os };
  const files: ConfigFile[] = [
    { name: 'lwipopts.h', content: fillConfigTemplate('lwipopts.h', vars, options) },
  ];
  const notes: string[] = [];
  if (sockets && target.kind === 'linux') {
    notes.push(
      'lwIP (Linux): unix port from Debian; no netdb.c (use netconn_gethostbyname), poll() not select()',
    );
  }
  if (freertos) {
    notes.push(
      "lwIP (FreeRTOS): qhal-gen's sys_arch (targets/common/lwip-freertos); the firmware or board support provides qhal_lwip_rand() and qhal_lwip_assert()",
    );
  } else if (target.kind === 'mcu') {
    files.push({ name: 'arch/cc.h', content: fillConfigTemplate('arch/cc.h', vars) });
    notes.push(
      'lwIP (MCU): the board provides sys_now(), qhal_lwip_rand() and qhal_lwip_assert() at link time',
    );
  }
  return { files, options, notes };
}

function cFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.c'))
    .sort()
    .map((f) => path.join(dir, f));
}

export function lwipSources(root: string, board: BoardModel, target: Target): string[] {
  const sockets = board.stack === 'lwip-socket';
  const files = [
    ...cFiles(path.join(root, 'src', 'core')),
    ...cFiles(path.join(root, 'src', 'core', 'ipv4')),
    ...(board.features.ipv6 ? cFiles(path.join(root, 'src', 'core', 'ipv6')) : []),
    path.join(root, 'src', 'netif', 'ethernet.c'),
    // netdb.c sets sin_len, which the system's sockaddr (external headers) lacks; the
    // HAL resolves names with netconn_gethostbyname() instead of lwip_getaddrinfo().
    ...(sockets
      ? cFiles(path.join(root, 'src', 'api')).filter(
          (f) => !(target.kind === 'linux' && f.endsWith('netdb.c')),
        )
      : []),
  ];
  if (board.stack === 'lwip-raw' && board.features.tls) {
    files.push(...cFiles(path.join(root, 'src', 'apps', 'altcp_tls')));
  }
  if (sockets && target.kind === 'linux') {
    // The unix port's OS layer, and its TAP driver (the program's netif: tapif_init).
    files.push(path.join(root, 'port', 'sys_arch.c'), path.join(root, 'port', 'netif', 'tapif.c'));
  }
  if (sockets && target.kind === 'mcu') {
    // qhal-gen's own OS layer for FreeRTOS (the firmware brings its netif driver).
    files.push(path.join(lwipFreertosPortDir(), 'sys_arch.c'));
  }
  return files;
}

/**
 * Include flags: the folder with the generated lwipopts.h first, then lwIP and its port. For
 * FreeRTOS (MCU lwip-socket) the caller adds FreeRTOS's own include flags after these.
 */
export function lwipFlags(
  root: string,
  board: BoardModel,
  target: Target,
  configDir: string,
): string[] {
  const flags = ['-I', configDir, '-I', path.join(root, 'src', 'include')];
  if (board.stack === 'lwip-socket' && target.kind === 'linux') {
    flags.push('-I', path.join(root, 'port', 'include'), '-D_GNU_SOURCE');
  }
  if (board.stack === 'lwip-socket' && target.kind === 'mcu') {
    flags.push('-I', path.join(lwipFreertosPortDir(), 'include'));
  }
  return flags;
}
