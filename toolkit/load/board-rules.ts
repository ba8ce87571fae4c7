/**
 * The rules no TypeScript type can express. Each broken rule names the property path it is
 * about; the loader turns that path into a line and column in the board file.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BoardDescription } from '../describe/board.js';
import { checkTargetFit, getTarget, listTargets } from '../toolchain/targets.js';
import { unsupportedCertificates } from '../toolchain/mbedtls-config.js';
import { keyMismatchProblem, pemCertificateProblem, pemKeyProblem } from './pem.js';

export interface RuleViolation {
  path: string[];
  message: string;
}

export const LIMITS = {
  rxBufferSize: { min: 256, max: 65536 },
  maxSockets: { min: 1, max: 1024 },
  maxClients: { min: 1, max: 255 },
  maxAddresses: { min: 1, max: 16 },
  ioTaskStackSize: { min: 2048, max: 16 * 1024 * 1024 },
  ioTaskPriority: { min: 0, max: 255 },
  connectTimeoutMs: { min: 1000, max: 300000 },
  txQueueSize: { min: 256, max: 65536 },
  handshakeTimeoutMs: { min: 1000, max: 300000 },
} as const;

/** Larger than any real CA bundle (Mozilla's is ~220 KiB); the file is embedded in the C. */
export const MAX_PEM_FILE_BYTES = 1024 * 1024;

const C_IDENTIFIER_SYNTAX = /^[A-Za-z_][A-Za-z0-9_]*$/;
// C99 and C11 keywords: a name the generated C declares or calls cannot be one of them.
const C_KEYWORDS = new Set(
  (
    'auto break case char const continue default do double else enum extern float for goto if ' +
    'inline int long register restrict return short signed sizeof static struct switch typedef ' +
    'union unsigned void volatile while _Alignas _Alignof _Atomic _Bool _Complex _Generic ' +
    '_Imaginary _Noreturn _Static_assert _Thread_local'
  ).split(' '),
);
/** Why `value` cannot name a C function or macro, or null when it can. */
function cNameProblem(label: string, value: string): string | null {
  if (!C_IDENTIFIER_SYNTAX.test(value)) return `${label} must be a C identifier (got '${value}')`;
  if (C_KEYWORDS.has(value)) return `${label}: '${value}' is a C keyword, not a name`;
  return null;
}

function cName(out: RuleViolation[], p: string[], value: string): void {
  const message = cNameProblem(p.join('.'), value);
  if (message) out.push({ path: p, message });
}
const HEADER_NAME = /^[A-Za-z0-9_./-]+\.h$/;
/** A file name without a folder, e.g. `qhal_Socket.c`. */
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function range(
  out: RuleViolation[],
  p: string[],
  value: number,
  bounds: { min: number; max: number },
): void {
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    out.push({
      path: p,
      message: `${p.join('.')} must be an integer from ${bounds.min} to ${bounds.max} (got ${value})`,
    });
  }
}

/** The write queue exists on the lwIP stacks only; lwip-socket's writes are at most 65535 bytes. */
function checkTxQueueSize(out: RuleViolation[], stack: string, value: number): void {
  const p = ['limits', 'txQueueSize'];
  if (stack === 'posix') {
    out.push({
      path: p,
      message:
        "limits.txQueueSize is for the lwIP stacks: on posix the kernel's send buffer queues writes",
    });
    return;
  }
  const max = stack === 'lwip-socket' ? 65535 : LIMITS.txQueueSize.max;
  range(out, p, value, { min: LIMITS.txQueueSize.min, max });
}

/** Reads and checks one PEM file named by the board; returns its text when it is usable. */
function checkPemFile(
  out: RuleViolation[],
  p: string[],
  boardDir: string,
  rel: string,
  kind: 'cert' | 'key',
): string | undefined {
  const abs = path.resolve(boardDir, rel);
  const fail = (message: string): undefined => {
    out.push({ path: p, message: `${p.join('.')}: ${message}` });
    return undefined;
  };
  let text: string;
  try {
    const size = fs.statSync(abs).size;
    if (size > MAX_PEM_FILE_BYTES) {
      return fail(`${rel} is ${size} bytes; at most ${MAX_PEM_FILE_BYTES} (1 MiB) is embedded`);
    }
    text = fs.readFileSync(abs, 'utf8');
  } catch {
    return fail(`file not found: ${rel} (relative to the board file)`);
  }
  const problem = kind === 'cert' ? pemCertificateProblem(text) : pemKeyProblem(text);
  if (problem) return fail(`${rel} ${problem}`);
  if (kind === 'cert') {
    const unsupported = unsupportedCertificates(text);
    if (unsupported.length) {
      return fail(`${rel}: the generated mbedtls cannot verify with ${unsupported.join('; ')}`);
    }
  }
  return text;
}

export function checkBoardRules(board: BoardDescription, boardFile: string): RuleViolation[] {
  const out: RuleViolation[] = [];
  const f = board.features;
  const boardDir = path.dirname(boardFile);

  if (!board.name.trim() || /["\\\n\r*/]/.test(board.name)) {
    out.push({
      path: ['name'],
      message: 'name must be non-empty and free of quotes, backslashes, newlines and */',
    });
  }
  const known = listTargets().map((t) => t.id);
  if (!known.includes(board.target)) {
    out.push({
      path: ['target'],
      message: `unknown target '${board.target}'; expected one of: ${known.join(', ')}`,
    });
  } else {
    const misfit = checkTargetFit(board.target, board.stack, board.os);
    if (misfit) out.push({ path: ['stack'], message: misfit });
  }

  if (f.dtls && !f.udp) out.push({ path: ['features', 'dtls'], message: 'dtls needs udp: true' });
  if (f.tls && !f.tcp) out.push({ path: ['features', 'tls'], message: 'tls needs tcp: true' });
  if (f.broadcast && !f.udp) {
    out.push({ path: ['features', 'broadcast'], message: 'broadcast needs udp: true' });
  }
  if (f.tcpServer && !f.tcp) {
    out.push({ path: ['features', 'tcpServer'], message: 'tcpServer needs tcp: true' });
  }
  if (f.tcpServer) {
    range(out, ['features', 'tcpServer', 'maxClients'], f.tcpServer.maxClients, LIMITS.maxClients);
  }
  if (f.dns) {
    range(out, ['features', 'dns', 'maxAddresses'], f.dns.maxAddresses, LIMITS.maxAddresses);
    // lwIP's resolver keeps one address per name (dns_gethostbyname, lwip_getaddrinfo).
    if (board.stack !== 'posix' && f.dns.maxAddresses > 1) {
      out.push({
        path: ['features', 'dns', 'maxAddresses'],
        message: `features.dns.maxAddresses: lwIP's resolver returns one address per name; ${board.stack} needs 1, not ${f.dns.maxAddresses}`,
      });
    }
  }

  const l = board.limits;
  range(out, ['limits', 'rxBufferSize'], l.rxBufferSize, LIMITS.rxBufferSize);
  range(out, ['limits', 'maxSockets'], l.maxSockets, LIMITS.maxSockets);
  range(out, ['limits', 'ioTaskStackSize'], l.ioTaskStackSize, LIMITS.ioTaskStackSize);
  range(out, ['limits', 'ioTaskPriority'], l.ioTaskPriority, LIMITS.ioTaskPriority);
  if (l.connectTimeoutMs !== undefined) {
    range(out, ['limits', 'connectTimeoutMs'], l.connectTimeoutMs, LIMITS.connectTimeoutMs);
  }
  if (l.txQueueSize !== undefined) checkTxQueueSize(out, board.stack, l.txQueueSize);
  if (f.tcpServer && l.maxSockets === 1) {
    out.push({
      path: ['limits', 'maxSockets'],
      message: 'limits.maxSockets must leave room for the listening socket and a client (>= 2)',
    });
  }

  if (!board.core.version.trim()) {
    out.push({ path: ['core', 'version'], message: 'core.version must not be empty' });
  }

  if ((f.tls || f.dtls) && !board.tls) {
    out.push({
      path: ['tls'],
      message: 'tls options (caFile) are required when tls or dtls is on',
    });
  }
  if (board.tls) {
    const t = board.tls;
    checkPemFile(out, ['tls', 'caFile'], boardDir, t.caFile, 'cert');
    if (t.clientCertFile !== undefined && t.clientKeyFile === undefined) {
      out.push({ path: ['tls', 'clientCertFile'], message: 'clientCertFile needs clientKeyFile' });
    }
    if (t.clientKeyFile !== undefined && t.clientCertFile === undefined) {
      out.push({ path: ['tls', 'clientKeyFile'], message: 'clientKeyFile needs clientCertFile' });
    }
    const cert =
      t.clientCertFile === undefined
        ? undefined
        : checkPemFile(out, ['tls', 'clientCertFile'], boardDir, t.clientCertFile, 'cert');
    const key =
      t.clientKeyFile === undefined
        ? undefined
        : checkPemFile(out, ['tls', 'clientKeyFile'], boardDir, t.clientKeyFile, 'key');
    const mismatch = cert && key ? keyMismatchProblem(cert, key) : null;
    if (mismatch) {
      out.push({
        path: ['tls', 'clientKeyFile'],
        message: `tls.clientKeyFile: ${t.clientKeyFile} ${mismatch}`,
      });
    }
    if (t.psk) cName(out, ['tls', 'psk', 'hook'], t.psk.hook);
    if (t.psk && !f.dtls) {
      out.push({ path: ['tls', 'psk'], message: 'tls.psk is only used by DTLS: turn dtls on' });
    }
    if (t.handshakeTimeoutMs !== undefined) {
      range(out, ['tls', 'handshakeTimeoutMs'], t.handshakeTimeoutMs, LIMITS.handshakeTimeoutMs);
    }
  }

  const mcu = known.includes(board.target) && getTarget(board.target).kind === 'mcu';
  if (mcu && (f.tls || f.dtls) && board.entropy === undefined) {
    out.push({
      path: ['features', f.tls ? 'tls' : 'dtls'],
      message:
        "TLS on an MCU needs an entropy source: entropy: { hook: 'your_rng_fn' } " +
        "(or 'TEST-ONLY-NOT-RANDOM' for emulators and test benches)",
    });
  }
  if (board.entropy !== undefined && typeof board.entropy === 'object') {
    cName(out, ['entropy', 'hook'], board.entropy.hook);
  }

  const sdk = board.sdk ?? {};
  for (const key of ['logFunction', 'logModule', 'malloc', 'free'] as const) {
    const v = sdk[key];
    if (v !== undefined) cName(out, ['sdk', key], v);
  }
  for (const h of sdk.headers ?? []) {
    if (!HEADER_NAME.test(h)) {
      out.push({ path: ['sdk', 'headers'], message: `sdk.headers: '${h}' is not a header name` });
    }
  }
  if (sdk.fileNames) {
    const { header, source } = sdk.fileNames;
    if (!FILE_NAME.test(header) || !header.endsWith('.h')) {
      out.push({
        path: ['sdk', 'fileNames', 'header'],
        message: `sdk.fileNames.header: '${header}' must be a plain file name ending in .h`,
      });
    }
    if (!FILE_NAME.test(source) || !source.endsWith('.c')) {
      out.push({
        path: ['sdk', 'fileNames', 'source'],
        message: `sdk.fileNames.source: '${source}' must be a plain file name ending in .c`,
      });
    }
  }
  return out;
}
