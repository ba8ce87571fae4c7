/** load stage for boards: type-check, evaluate, check rules, and hand back plain data. */
import fs from 'node:fs';
import path from 'node:path';
import type { BoardDescription } from '../describe/board.js';
import { SDK_DEFAULTS, type BoardModel } from '../model/board-model.js';
import { checkBoardRules } from './board-rules.js';
import { InputError, type Diagnostic } from './diagnostic.js';
import type { Evaluated } from './evaluate.js';
import { failures, settle, type Planned } from './batch.js';
import { loadCacheKey, readLoadCache, writeLoadCache } from './load-cache.js';

export interface LoadBoardOptions {
  /** Overrides `sources.mbedtlsDir` (the `--mbedtls-dir` flag). */
  mbedtlsDir?: string;
  lwipDir?: string;
}

/** The board must be an existing TypeScript file: say so before the type checker trips on it. */
function checkBoardPath(file: string): void {
  const fail = (message: string) => new InputError([{ file, line: 1, col: 1, message }]);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw fail('board file not found');
  }
  if (stat.isDirectory())
    throw fail('--board names a folder; this command takes one board file (.ts)');
  if (!/\.[cm]?ts$/.test(file) || /\.d\.[cm]?ts$/.test(file)) {
    throw fail("a board file is TypeScript (.ts): import { defineBoard } from 'qhal-gen'");
  }
}

function readRelative(boardFile: string, rel: string): string {
  return fs.readFileSync(path.resolve(path.dirname(boardFile), rel), 'utf8');
}

/** Default: one core write (rxBufferSize on lwip-raw, the 16-bit maximum on lwip-socket). */
function txQueueSize(b: BoardDescription): { txQueueSize?: number } {
  if (b.stack === 'posix') return {};
  return {
    txQueueSize: b.limits.txQueueSize ?? (b.stack === 'lwip-raw' ? b.limits.rxBufferSize : 65535),
  };
}

function toModel(b: BoardDescription, file: string, opts: LoadBoardOptions): BoardModel {
  const f = b.features;
  const dir = path.dirname(file);
  const resolveDir = (p?: string) => (p === undefined ? undefined : path.resolve(dir, p));
  return {
    file,
    name: b.name,
    target: b.target,
    stack: b.stack,
    os: b.os,
    features: {
      tcp: f.tcp,
      udp: f.udp,
      tls: f.tls,
      dtls: f.dtls,
      tcpServer: f.tcpServer !== false,
      tcpServerMaxClients: f.tcpServer === false ? 0 : f.tcpServer.maxClients,
      broadcast: f.broadcast,
      dns: f.dns !== false,
      dnsMaxAddresses: f.dns === false ? 0 : f.dns.maxAddresses,
      ipv6: f.ipv6,
    },
    tls:
      b.tls && (f.tls || f.dtls)
        ? {
            caFile: b.tls.caFile,
            caPem: readRelative(file, b.tls.caFile),
            ...(b.tls.clientCertFile !== undefined && b.tls.clientKeyFile !== undefined
              ? {
                  clientCertFile: b.tls.clientCertFile,
                  clientCertPem: readRelative(file, b.tls.clientCertFile),
                  clientKeyFile: b.tls.clientKeyFile,
                  clientKeyPem: readRelative(file, b.tls.clientKeyFile),
                }
              : {}),
            ...(b.tls.psk ? { pskHook: b.tls.psk.hook } : {}),
            verify: b.tls.verify ?? 'required',
            handshakeTimeoutMs: b.tls.handshakeTimeoutMs ?? 20000,
          }
        : null,
    limits: {
      maxSockets: b.limits.maxSockets,
      rxBufferSize: b.limits.rxBufferSize,
      ioTaskStackSize: b.limits.ioTaskStackSize,
      ioTaskPriority: b.limits.ioTaskPriority,
      connectTimeoutMs: b.limits.connectTimeoutMs ?? 20000,
      ...txQueueSize(b),
    },
    connect: b.connect ?? 'async',
    core: { version: b.core.version, rxPeerSize: b.core.rxPeerSize },
    sdk: {
      headers: b.sdk?.headers ?? [...SDK_DEFAULTS.headers],
      logFunction: b.sdk?.logFunction ?? SDK_DEFAULTS.logFunction,
      logModule: b.sdk?.logModule ?? SDK_DEFAULTS.logModule,
      malloc: b.sdk?.malloc ?? SDK_DEFAULTS.malloc,
      free: b.sdk?.free ?? SDK_DEFAULTS.free,
      fileNames: { ...(b.sdk?.fileNames ?? SDK_DEFAULTS.fileNames) },
      signals: b.sdk?.signals ?? SDK_DEFAULTS.signals,
    },
    entropy:
      b.entropy === undefined
        ? null
        : b.entropy === 'TEST-ONLY-NOT-RANDOM'
          ? 'test-only'
          : { hook: b.entropy.hook },
    sources: {
      ...((opts.mbedtlsDir ?? resolveDir(b.sources?.mbedtlsDir))
        ? { mbedtlsDir: opts.mbedtlsDir ?? resolveDir(b.sources?.mbedtlsDir) }
        : {}),
      ...((opts.lwipDir ?? resolveDir(b.sources?.lwipDir))
        ? { lwipDir: opts.lwipDir ?? resolveDir(b.sources?.lwipDir) }
        : {}),
    },
  };
}

export interface LoadedBoards {
  /** The boards that loaded, in the order given. */
  boards: BoardModel[];
  /** Everything wrong with the others, each located in its file. */
  diagnostics: Diagnostic[];
}

/** The board's model, or its rule violations located through the syntax tree. */
function fromEvaluated(e: Evaluated, file: string, key: string, opts: LoadBoardOptions) {
  const board = e.value as BoardDescription;
  const violations = checkBoardRules(board, file);
  if (violations.length) {
    const diags: Diagnostic[] = violations.map((v) => ({
      file,
      ...e.locate(v.path),
      message: v.message,
    }));
    throw new InputError(diags);
  }
  writeLoadCache(key, board);
  return toModel(board, file, opts);
}

/**
 * One board of a run: from the load cache when its text was checked before and its rules still
 * hold (a certificate file may have changed since), else a request for the compiler.
 */
export function planBoard(boardPath: string, opts: LoadBoardOptions = {}): Planned<BoardModel> {
  const file = path.resolve(boardPath);
  try {
    checkBoardPath(file);
  } catch (err) {
    if (err instanceof InputError) return { failed: err.diagnostics };
    throw err;
  }
  const text = fs.readFileSync(file, 'utf8');
  const key = loadCacheKey('board', file, text);
  const cached = readLoadCache(key) as BoardDescription | undefined;
  // A rule broken since is located by the full load.
  if (cached !== undefined && checkBoardRules(cached, file).length === 0) {
    return { cached: toModel(cached, file, opts) };
  }
  return {
    request: {
      file,
      text,
      what: 'board',
      define: 'defineBoard',
      use: (e) => fromEvaluated(e, file, key, opts),
    },
  };
}

/** Distinct board files, in the order given. */
export function distinctFiles(boardPaths: readonly string[]): string[] {
  return [...new Set(boardPaths.map((b) => path.resolve(b)))];
}

/** Loads board files (one run's worth), type-checking the ones not in the load cache together. */
export async function loadBoards(
  boardPaths: readonly string[],
  opts: LoadBoardOptions = {},
): Promise<LoadedBoards> {
  const results = await settle(distinctFiles(boardPaths).map((f) => planBoard(f, opts)));
  return {
    boards: results.flatMap((r) => (r.ok ? [r.value] : [])),
    diagnostics: failures(results),
  };
}

export async function loadBoard(
  boardPath: string,
  opts: LoadBoardOptions = {},
): Promise<BoardModel> {
  const { boards, diagnostics } = await loadBoards([boardPath], opts);
  if (diagnostics.length) throw new InputError(diagnostics);
  return boards[0] as BoardModel;
}
