/** Renders the HAL's header (`qhal_Socket.h` by default) from the HAL description and the board's choices. */
import type { CParam, CoreCallback, HalDescription, HalFunction } from '../describe/hal.js';
import type { BoardModel } from '../model/board-model.js';
import { maxWrite, pskHook } from '../model/decisions.js';
import { banner, type GenerationMeta } from './banner.js';
import { cString } from './c-text.js';
import { wrapCall, wrapWords } from './c-wrap.js';

function paramText(p: CParam): string {
  return p.type.endsWith('*') ? `${p.type}${p.name}` : `${p.type} ${p.name}`;
}

export function prototype(returns: string, name: string, params: CParam[]): string {
  return wrapCall(`${returns} ${name}`, params.map(paramText), ';');
}

function docBlock(summary: string, params: CParam[], extra: string[]): string {
  const lines = ['/**', ...wrapWords(summary, 94).map((l) => ` * ${l}`)];
  if (params.length) lines.push(' *');
  for (const p of params) {
    const [first, ...rest] = wrapWords(`@param[${p.direction}] ${p.name} ${p.doc}`, 94);
    lines.push(` * ${first}`, ...rest.map((l) => ` *        ${l}`));
  }
  if (extra.length)
    lines.push(' *', ...extra.flatMap((e) => wrapWords(e, 94)).map((l) => ` * ${l}`));
  lines.push(' */');
  return lines.join('\n');
}

function featureOn(board: BoardModel, fn: HalFunction): boolean {
  return fn.feature === 'core' || board.features[fn.feature];
}

/** The callback variant this board's core uses (callbacks with one variant fit every core). */
export function callbackParams(cb: CoreCallback, rxPeerSize: boolean): CParam[] {
  const v = cb.variants.find((x) => x.rxPeerSize === rxPeerSize) ?? cb.variants[0];
  if (!v) throw new Error(`callback ${cb.name} has no signature`);
  return v.params;
}

const bit = (v: boolean) => (v ? 1 : 0);

export function renderHeader(hal: HalDescription, board: BoardModel, meta: GenerationMeta): string {
  const f = board.features;
  const file = board.sdk.fileNames.header;
  const guard = file.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const out: string[] = [];
  out.push(banner(file, 'QuecThing socket HAL interface', board, meta), '');
  out.push(`#ifndef ${guard}`, `#define ${guard}`, '');
  // Before the SDK's headers, so a core stand-in (templates/common/sdk-shim) declares the same
  // generation of Quos_socketIORx as the real core does and a mismatch fails to compile.
  out.push(
    '/* 1: this core generation passes peerSize to Quos_socketIORx. */',
    `#define QHAL_RX_PEER_SIZE ${bit(board.core.rxPeerSize)}`,
    '',
  );
  out.push(
    ...board.sdk.headers.map((h) => `#include "${h}"`),
    '',
    '#include <stddef.h>',
    '#include <stdint.h>',
    '',
  );
  out.push('#ifdef __cplusplus', 'extern "C" {', '#endif', '');

  out.push(
    '/* The board this HAL was generated for. */',
    `#define QHAL_BOARD_NAME ${cString(board.name)}`,
    '',
  );
  out.push(
    '/* What this build of the HAL provides (0 or 1), for code that adapts to the board. */',
  );
  const features: [string, boolean][] = [
    ['QHAL_FEATURE_TCP', f.tcp],
    ['QHAL_FEATURE_UDP', f.udp],
    ['QHAL_FEATURE_TLS', f.tls],
    ['QHAL_FEATURE_DTLS', f.dtls],
    ['QHAL_FEATURE_TCP_SERVER', f.tcpServer],
    ['QHAL_FEATURE_BROADCAST', f.broadcast],
    ['QHAL_FEATURE_DNS', f.dns],
    ['QHAL_FEATURE_IPV6', f.ipv6],
    ['QHAL_CONNECT_ASYNC', board.connect === 'async'],
    ['QHAL_CLIENT_CERT', board.tls?.clientCertPem !== undefined],
    ['QHAL_PSK', pskHook(board) !== null],
    ['QHAL_TLS_VERIFY_REQUIRED', board.tls === null || board.tls.verify === 'required'],
  ];
  out.push(...features.map(([n, v]) => `#define ${n} ${bit(v)}`));
  out.push(`#define QHAL_TCP_SERVER_MAX_CLIENTS ${f.tcpServerMaxClients}`);
  out.push(`#define QHAL_DNS_MAX_ADDRESSES ${f.dnsMaxAddresses}`);
  out.push(`#define QHAL_MAX_SOCKETS ${board.limits.maxSockets}`);
  out.push(`#define QHAL_CONNECT_TIMEOUT_MS ${board.limits.connectTimeoutMs}u`);
  // The lwIP stacks copy what lwIP cannot take at once into a static per-socket queue of this size.
  out.push(
    '/* Largest datagram delivered whole (a longer one is cut to it), and largest Qhal_sockWrite',
    ' * taken while no earlier write is pending (isSending): the core sizes its packets by them. */',
  );
  out.push(`#define QHAL_RX_BUFFER_SIZE ${board.limits.rxBufferSize}`);
  out.push(`#define QHAL_MAX_WRITE ${maxWrite(board)}u`);
  out.push('');

  for (const c of hal.constants) {
    out.push(`/* ${c.doc} */`, `#ifndef ${c.name}`, `#define ${c.name} ${c.value}`, '#endif', '');
  }

  out.push(
    "/* In the SDK the socket HAL's header declares these, under the guard __QHAL_SOCKET_H__",
    ' * (Qhal_driver.h includes it). This header takes that role and sets that guard, so the',
    " * vendor's header, if it is still on the include path, adds no second enum. Define",
    ' * QHAL_SDK_DEFINES_SOCKET_TYPES where another SDK header declares them. */',
  );
  out.push('#if !defined(QHAL_SDK_DEFINES_SOCKET_TYPES) && !defined(__QHAL_SOCKET_H__)');
  out.push('#define __QHAL_SOCKET_H__');
  for (const e of hal.enums) {
    out.push(`enum ${e.name}`, '{');
    // Trailing comments aligned in one column, as clang-format would.
    const width = Math.max(...e.members.map((m) => `${m.name} = ${m.value},`.length));
    for (const m of e.members) {
      out.push(`    ${`${m.name} = ${m.value},`.padEnd(width)} /* ${m.doc} */`);
    }
    out.push('};');
  }
  out.push('#endif', '');

  const hook = pskHook(board);
  if (hook !== null) {
    out.push(
      "/* DTLS pre-shared key for one peer, filled by the board's hook. */",
      'typedef struct',
      '{',
      '    quint8_t key[64];',
      '    size_t keyLen;',
      '    char identity[128];',
      '    size_t identityLen;',
      '} qhal_psk_t;',
      '',
      '/* Provided by the board: fills *out for hostname:port and returns TRUE, or FALSE. */',
      prototype('qbool', hook, [
        { name: 'hostname', type: 'const char *', direction: 'in', doc: '' },
        { name: 'port', type: 'quint16_t', direction: 'in', doc: '' },
        { name: 'out', type: 'qhal_psk_t *', direction: 'out', doc: '' },
      ]),
      '',
    );
  }

  for (const fn of hal.functions) {
    const state =
      fn.feature === 'core'
        ? []
        : [
            featureOn(board, fn)
              ? `Feature: ${fn.feature} (on for this board).`
              : `Feature: ${fn.feature} is off for this board: logs and returns ${fn.disabledReturn}.`,
          ];
    out.push(docBlock(fn.doc, fn.params, state), prototype(fn.returns, fn.name, fn.params), '');
  }

  if (board.stack === 'lwip-raw') {
    out.push(
      '/**',
      " * The HAL's I/O context on a board without threads (lwIP NO_SYS=1): the application's main",
      " * loop calls it often. It reads the NIC, runs lwIP's timers and delivers the Quos_* events.",
      ' */',
      'void Qhal_lwipRawPoll(void);',
      '',
    );
  }
  if (board.entropy === 'test-only') {
    out.push(
      '/* TEST ONLY: the board has no entropy source; TLS keys are predictable. Never ship this. */',
      '#define QHAL_ALLOW_TEST_ENTROPY 1',
      '',
    );
  } else if (board.entropy) {
    out.push(
      "/* The board's hardware entropy source: 32 random bits per call. */",
      `#define QHAL_BOARD_ENTROPY_FN ${board.entropy.hook}`,
      `uint32_t ${board.entropy.hook}(void);`,
      '',
    );
  }

  out.push("/* Implemented by the QuecThing core; called from the HAL's I/O context only. */", '');
  for (const cb of hal.callbacks) {
    const params = callbackParams(cb, board.core.rxPeerSize);
    out.push(docBlock(cb.doc, params, []), prototype(cb.returns, cb.name, params), '');
  }

  out.push('#ifdef __cplusplus', '}', '#endif', '', `#endif /* ${guard} */`, '');
  return out.join('\n');
}
