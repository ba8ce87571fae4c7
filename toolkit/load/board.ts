/** load stage for boards: type-check, evaluate, check rules, and hand back plain data. */
import fs from 'node:fs';
import path from 'node:path';
import type { BoardDescription } from '../describe/board.js';
import { SDK_DEFAULTS, type BoardModel } from '../model/board-model.js';
import { checkBoardRules } from './board-rules.js';
import { InputError, type Diagnostic } from './diagnostic.js';
import type { Evaluated } from './evaluate.js';
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

interface Pending {
  file: string;
  text: string;
  key: string;
}

/** The board's model, or its rule violations located through the syntax tree. */
function fromEvaluated(evaluated: Evaluated, p: Pending, opts: LoadBoardOptions): BoardModel {
  const board = evaluated.value as BoardDescription;
  const violations = checkBoardRules(board, p.file);
  if (violations.length) {
    const diags: Diagnostic[] = violations.map((v) => ({
      file: p.file,
      ...evaluated.locate(v.path),
      message: v.message,
    }));
    throw new InputError(diags);
  }
  writeLoadCache(p.key, board);
  return toModel(board, p.file, opts);
}

/**
 * Loads board files (one run's worth). A board in the load cache whose rules still hold needs
 * no compiler; the rest are type-checked as one batch, with the TypeScript compiler loaded
 * only then.
 */
export async function loadBoards(
  boardPaths: readonly string[],
  opts: LoadBoardOptions = {},
): Promise<LoadedBoards> {
  const found = new Map<string, BoardModel>();
  const errors = new Map<string, Diagnostic[]>();
  const misses: Pending[] = [];
  const files = [...new Set(boardPaths.map((b) => path.resolve(b)))];
  for (const file of files) {
    try {
      checkBoardPath(file);
      const text = fs.readFileSync(file, 'utf8');
      const key = loadCacheKey('board', file, text);
      const cached = readLoadCache(key) as BoardDescription | undefined;
      // A rule broken since (a certificate file changed) is located by the full load.
      if (cached !== undefined && checkBoardRules(cached, file).length === 0) {
        found.set(file, toModel(cached, file, opts));
      } else misses.push({ file, text, key });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      errors.set(file, err.diagnostics);
    }
  }
  if (misses.length) {
    const { loadDescriptions } = await import('./evaluate.js');
    const results = loadDescriptions(misses, 'board', 'defineBoard', (e, i) =>
      fromEvaluated(e, misses[i] as Pending, opts),
    );
    for (const [i, r] of results.entries()) {
      const { file } = misses[i] as Pending;
      if (r.ok) found.set(file, r.value);
      else errors.set(file, r.diagnostics);
    }
  }
  return {
    boards: files.flatMap((f) => found.get(f) ?? []),
    diagnostics: files.flatMap((f) => errors.get(f) ?? []),
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
