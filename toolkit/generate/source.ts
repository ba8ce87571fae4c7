/** Renders `qhal_socket.c`: a preamble of the board's values, then the resolved template. */
import path from 'node:path';
import type { BoardModel } from '../model/board-model.js';
import { needsMbedtls, pskHook } from '../model/decisions.js';
import { MBEDTLS_CONFIG_FILE_NAME } from '../toolchain/mbedtls-config.js';
import { banner, type GenerationMeta } from './banner.js';
import { cByteArray } from './c-text.js';

function preamble(board: BoardModel, headerName: string): string[] {
  const l = board.limits;
  const out: string[] = [];
  if (board.os === 'posix') {
    out.push(
      '/* Feature-test macros first: they must come before any system header. */',
      '#define _DEFAULT_SOURCE',
      '#define _POSIX_C_SOURCE 200809L',
      '',
    );
  }
  if (needsMbedtls(board)) {
    // generate writes this config beside the pair, so the set compiles as it is; a build that
    // names its own mbedtls config (-DMBEDTLS_CONFIG_FILE) keeps it.
    out.push(
      '/* The mbedtls configuration generate writes beside this file, unless the build names one. */',
      '#ifndef MBEDTLS_CONFIG_FILE',
      `#define MBEDTLS_CONFIG_FILE "${MBEDTLS_CONFIG_FILE_NAME}"`,
      '#endif',
      '',
    );
  }
  out.push(`#include "${headerName}"`, '');
  out.push(`/* Board "${board.name}": its limits and the SDK names it uses. */`);
  out.push(`#define QHAL_IO_STACK_SIZE ${l.ioTaskStackSize}`);
  out.push(`#define QHAL_IO_PRIORITY ${l.ioTaskPriority}`);
  out.push(`#define QHAL_HANDSHAKE_TIMEOUT_MS ${board.tls?.handshakeTimeoutMs ?? 20000}u`);
  out.push(
    `#define QHAL_LOG(level, ...) ${board.sdk.logFunction}(${board.sdk.logModule}, level, __VA_ARGS__)`,
  );
  out.push(`#define QHAL_MALLOC(size) ${board.sdk.malloc}(size)`);
  out.push(`#define QHAL_FREE(ptr) ${board.sdk.free}(ptr)`);
  const psk = pskHook(board);
  if (psk !== null) out.push(`#define QHAL_PSK_HOOK ${psk}`);
  out.push('');
  if (board.tls) {
    out.push(
      `/* Trusted CA bundle (${path.basename(board.tls.caFile)}), embedded: no file system needed. */`,
      cByteArray('qhal_tls_ca_pem', board.tls.caPem),
      '',
    );
    if (board.tls.clientCertPem !== undefined && board.tls.clientKeyPem !== undefined) {
      out.push(
        `/* Client certificate (${path.basename(board.tls.clientCertFile ?? '')}) for mutual TLS. */`,
        cByteArray('qhal_tls_client_cert_pem', board.tls.clientCertPem),
        '',
        `/* Its private key (${path.basename(board.tls.clientKeyFile ?? '')}). */`,
        cByteArray('qhal_tls_client_key_pem', board.tls.clientKeyPem),
        '',
      );
    }
  }
  return out;
}

export function renderSource(
  board: BoardModel,
  headerName: string,
  resolvedTemplate: string,
  meta: GenerationMeta,
): string {
  const text = [
    banner(
      board.sdk.fileNames.source,
      `QuecThing socket HAL, ${meta.backend} backend`,
      board,
      meta,
    ),
    '',
    ...preamble(board, headerName),
    resolvedTemplate.trim(),
    '',
  ].join('\n');
  return text.replace(/\n{3,}/g, '\n\n');
}
