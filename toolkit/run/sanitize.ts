/**
 * The conformance suite (or the receive-path fuzz driver) built natively with Debian's gcc
 * under AddressSanitizer + UndefinedBehaviorSanitizer, together with the generated POSIX HAL
 * and mbedtls compiled from the cached sources with the same sanitizers, then run against the
 * test broker exactly as `qhal-gen test` runs it (runConformance). zig's static musl build is
 * what ships; this build exists only to find memory and undefined-behaviour errors, which the
 * sanitizers need a dynamic glibc program for.
 *
 * The sanitized mbedtls is cached under `${cache}/builds/gcc-sanitize/mbedtls-<key>/`, keyed
 * by the compiler, flags, configuration header and source hash; it is built in a staging
 * folder and renamed into place, so a half-built library is never used.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPki, type Pki } from '../broker/pki.js';
import { generateBoard } from '../generate/index.js';
import { loadBoard, loadHal } from '../load/index.js';
import type { BoardModel } from '../model/board-model.js';
import { planBoard } from '../model/plan.js';
import { generateMbedtlsConfig, MBEDTLS_CONFIG_FILE_NAME } from '../toolchain/mbedtls-config.js';
import { buildsCacheDir, toolkitPaths } from '../toolchain/paths.js';
import { runPool, runProcess } from '../toolchain/proc.js';
import { resolveSource } from '../toolchain/sources.js';
import { getTarget } from '../toolchain/targets.js';
import { boardForBroker } from './index.js';
import { runConformance, type ConformanceResult } from './conformance.js';
import { SUITE_DIR, SUITE_SOURCES, suiteDefines } from './suite-build.js';

/** Bump when the way the sanitized mbedtls is built changes. */
const BUILDER_VERSION = 2;

export const SANITIZE_DIR = path.join(toolkitPaths.root, 'examples', 'apps', 'sanitize');
/** Upstream reports we cannot fix here, each with the reason (UBSan's suppressions format). */
export const UBSAN_SUPPRESSIONS = path.join(SANITIZE_DIR, 'ubsan.supp');

/** Recovery off: the first report ends the program, so it cannot be missed or scroll away. */
export const SANITIZE_FLAGS = [
  '-fsanitize=address,undefined',
  '-fno-omit-frame-pointer',
  '-fno-sanitize-recover=undefined',
  '-g',
  '-O1',
];

/** Lines a sanitizer prints when it finds something (a test counts them: it wants 0). */
export const SANITIZER_REPORT_RE =
  /runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer|SUMMARY: (Address|UndefinedBehavior)Sanitizer/;

export type SanitizedProgram = 'conformance' | 'fuzz';

/**
 * The one upstream report ubsan.supp suppresses is in this file: only here is that check
 * recoverable (UBSan ignores suppressions for checks that abort), so nothing else can hide.
 */
const RECOVERABLE = { 'x509_crt.c': ['-fsanitize-recover=nonnull-attribute'] } as Record<
  string,
  string[]
>;

export interface SanitizedMbedtls {
  archive: string;
  include: string;
  cache: 'hit' | 'miss';
}

async function gcc(args: string[], what: string): Promise<void> {
  const r = await runProcess('gcc', args);
  if (r.code !== 0 || r.stderr.trim() !== '')
    throw new Error(`gcc: ${what} failed (warnings are errors):\n${r.stderr.trim()}`);
}

/** libmbedtls.a for this configuration, compiled by gcc with the sanitizers (cached). */
async function sanitizedMbedtls(
  libraryHeader: string,
  env: NodeJS.ProcessEnv,
): Promise<SanitizedMbedtls> {
  const src = await resolveSource('mbedtls', { env });
  const version = (await runProcess('gcc', ['--version'])).stdout.split('\n')[0] ?? '';
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        v: BUILDER_VERSION,
        version,
        SANITIZE_FLAGS,
        RECOVERABLE,
        libraryHeader,
        s: src.hash,
      }),
    )
    .digest('hex')
    .slice(0, 24);
  const parent = path.join(buildsCacheDir(env), 'gcc-sanitize');
  const dir = path.join(parent, `mbedtls-${key}`);
  const archive = path.join(dir, 'libmbedtls.a');
  const result = { archive, include: path.join(src.root, 'include') };
  if (fs.existsSync(archive)) return { ...result, cache: 'hit' };
  fs.mkdirSync(parent, { recursive: true });
  const stage = fs.mkdtempSync(path.join(parent, `.stage-mbedtls-${key}-`));
  try {
    fs.writeFileSync(path.join(stage, MBEDTLS_CONFIG_FILE_NAME), libraryHeader);
    const libDir = path.join(src.root, 'library');
    const sources = fs
      .readdirSync(libDir)
      .filter((f) => f.endsWith('.c'))
      .sort();
    const flags = [
      ...SANITIZE_FLAGS,
      '-std=c99',
      '-w',
      '-I',
      stage,
      '-I',
      result.include,
      `-DMBEDTLS_CONFIG_FILE="${MBEDTLS_CONFIG_FILE_NAME}"`,
    ];
    await runPool(sources, Math.max(1, os.availableParallelism()), (f) =>
      gcc(
        [
          ...flags,
          ...(RECOVERABLE[f] ?? []),
          '-c',
          path.join(libDir, f),
          '-o',
          path.join(stage, f.replace(/\.c$/, '.o')),
        ],
        f,
      ),
    );
    const objects = sources.map((f) => path.join(stage, f.replace(/\.c$/, '.o')));
    const ar = await runProcess('ar', ['rcs', path.join(stage, 'libmbedtls.a'), ...objects]);
    if (ar.code !== 0) throw new Error(`ar libmbedtls.a failed:\n${ar.stderr.trim()}`);
    for (const o of objects) fs.rmSync(o);
    // Another build of the same key may have won the race: keep its folder, drop ours.
    try {
      fs.renameSync(stage, dir);
    } catch (err) {
      if (!fs.existsSync(archive)) throw err;
    }
    return { ...result, cache: 'miss' };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

export interface SanitizedBuild {
  board: BoardModel;
  pki: Pki;
  binary: string;
  /** The generated HAL and its mbedtls configuration header. */
  halDir: string;
  mbedtls: SanitizedMbedtls;
  seconds: number;
}

/** gcc with the sanitizers, their default options and the HAL's mbedtls; warnings are errors. */
export async function linkSanitized(o: {
  halDir: string;
  mbedtls: SanitizedMbedtls;
  sources: string[];
  flags?: string[];
  out: string;
}): Promise<string> {
  await gcc(
    [
      ...SANITIZE_FLAGS,
      '-std=c99',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-I',
      o.halDir,
      '-I',
      toolkitPaths.sdkShim,
      '-I',
      o.mbedtls.include,
      `-DMBEDTLS_CONFIG_FILE="${MBEDTLS_CONFIG_FILE_NAME}"`,
      `-DSANITIZE_UBSAN_SUPPRESSIONS="${UBSAN_SUPPRESSIONS}"`,
      ...(o.flags ?? []),
      ...o.sources,
      path.join(SANITIZE_DIR, 'options.c'),
      o.mbedtls.archive,
      '-lpthread',
      '-o',
      o.out,
    ],
    `building ${path.basename(o.out)} with the sanitizers`,
  );
  return o.out;
}

/** PKI, HAL generation and the sanitized build of `program` in `workDir`. */
export async function buildSanitized(o: {
  board: string;
  workDir: string;
  program: SanitizedProgram;
  clientCert?: boolean;
  env?: NodeJS.ProcessEnv;
}): Promise<SanitizedBuild> {
  const started = Date.now();
  const env = o.env ?? process.env;
  const workDir = path.resolve(o.workDir);
  fs.mkdirSync(workDir, { recursive: true });
  const pki = await createPki(path.join(workDir, 'pki'));
  const loaded = await loadBoard(o.board);
  const board = boardForBroker(loaded, pki, o.clientCert ? { clientCert: true } : {});
  const plan = planBoard(board);
  if (board.stack !== 'posix' || plan.decisions.qemu.mode !== 'native')
    throw new Error(`the sanitizer build is for native POSIX boards; ${loaded.name} is not one`);
  const { hal, source } = await loadHal();
  const halDir = path.join(workDir, 'hal');
  fs.mkdirSync(halDir, { recursive: true });
  // The HAL pair and (TLS boards) qhal_mbedtls_config.h, as `generate` writes them; the
  // programs link mbedtls whatever the board, so a board without TLS gets its config too.
  const generated = generateBoard(board, hal, source, plan).files;
  for (const f of generated) fs.writeFileSync(path.join(halDir, f.name), f.content);
  const cfg = plan.mbedtls ?? generateMbedtlsConfig(board, plan.target);
  if (!plan.mbedtls) fs.writeFileSync(path.join(halDir, MBEDTLS_CONFIG_FILE_NAME), cfg.header);
  const mbedtls = await sanitizedMbedtls(cfg.header, env);
  const appSources =
    o.program === 'conformance'
      ? [...SUITE_SOURCES, 'port-posix.c', 'net-kernel.c'].map((f) => path.join(SUITE_DIR, f))
      : [...SUITE_SOURCES.filter((f) => f !== 'cases.c'), 'port-posix.c', 'net-kernel.c']
          .map((f) => path.join(SUITE_DIR, f))
          .concat(path.join(SANITIZE_DIR, 'fuzz.c'));
  const binary = await linkSanitized({
    halDir,
    mbedtls,
    sources: [
      ...appSources,
      ...generated.filter((f) => f.name.endsWith('.c')).map((f) => path.join(halDir, f.name)),
    ],
    flags: ['-I', SUITE_DIR, ...suiteDefines(plan)],
    out: path.join(workDir, o.program),
  });
  return {
    board,
    pki,
    binary,
    halDir,
    mbedtls,
    seconds: (Date.now() - started) / 1000,
  };
}

export interface SanitizedRun extends ConformanceResult {
  build: SanitizedBuild;
  /** Every line a sanitizer printed that reports an error (stdout and stderr). */
  reports: string[];
}

/** Builds and runs `program` against the broker; the caller checks reports and the summary. */
export async function runSanitized(o: {
  board: string;
  workDir: string;
  program: SanitizedProgram;
  clientCert?: boolean;
  log?: (line: string) => void;
  timeoutMs?: number;
  config?: Record<string, string>;
}): Promise<SanitizedRun> {
  const build = await buildSanitized(o);
  const reports: string[] = [];
  const result = await runConformance({
    suiteBinary: build.binary,
    target: getTarget(build.board.target),
    network: 'kernel',
    pkiDir: build.pki.dir,
    log: (line) => {
      if (SANITIZER_REPORT_RE.test(line)) reports.push(line);
      o.log?.(line);
    },
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.config ? { config: o.config } : {}),
  });
  return { ...result, build, reports };
}
