/**
 * `qhal-gen test` in one call: a fresh test PKI, the board's HAL generated with the PKI's CA
 * (and client certificate when the board uses one) instead of the board's own, built,
 * the suite compiled against it, then runConformance().
 */
import fs from 'node:fs';
import path from 'node:path';
import { createPki, type Pki } from '../broker/pki.js';
import { generateBoard } from '../generate/index.js';
import { loadBoard, loadHal } from '../load/index.js';
import type { BoardModel } from '../model/board-model.js';
import { planBoard, type BoardPlan } from '../model/plan.js';
import { buildBoard, type BuildOptions, type BuildSummary } from '../toolchain/build.js';
import type { ProgressSink, StepRunner } from '../toolchain/progress.js';
import type { SizeRow } from '../toolchain/size.js';
import { listTargets, type Target } from '../toolchain/targets.js';
import {
  runConformance,
  type ConformanceResult,
  type RunConformanceOptions,
} from './conformance.js';
import { buildSuite } from './suite-build.js';

export {
  runConformance,
  parseSuiteOutput,
  emulatorCommand,
  type ConformanceResult,
  type CaseResult,
  type RunConformanceOptions,
} from './conformance.js';
export { buildSuite } from './suite-build.js';
export { parseFreertosUsage, type FreertosUsage } from './freertos-usage.js';
export { namespaceProblem } from './namespace.js';

function suiteRuns(target: Target, os: BoardModel['os']): boolean {
  if (target.kind !== 'mcu') return true;
  return target.qemu.mode === 'system' && !!target.qemu.nic && !!target.suitePlatform?.[os];
}

/**
 * Why the suite cannot run for this board (null when it can). A CPU part such as cortex-m4 is
 * what a product's own board file names: qhal-gen builds it (that is worth proving) but has no
 * emulated machine with its NIC and start-up to run the suite on, so the run says "built, not
 * run", a named skip, and points at the emulated boards with the same CPU.
 */
export function suiteNotRunReason(board: BoardModel, target: Target): string | null {
  if (suiteRuns(target, board.os)) return null;
  const same = listTargets()
    .filter((t) => t.zigTarget === target.zigTarget && t.cpuFlags.join() === target.cpuFlags.join())
    .filter((t) => suiteRuns(t, board.os))
    .map((t) => t.id);
  return (
    `built, not run: target ${target.id} has no QEMU machine the suite runs on (its target.json ` +
    `names no emulated NIC and platform file for os '${board.os}')` +
    (same.length ? `; the same CPU runs it as ${same.join(', ')}` : '')
  );
}

/** The board as tested: its TLS trust replaced by the broker's PKI. */
export function boardForBroker(
  board: BoardModel,
  pki: Pki,
  opts: { clientCert?: boolean } = {},
): BoardModel {
  if (!board.tls) return board;
  const read = (f: string) => fs.readFileSync(f, 'utf8');
  const tls = { ...board.tls, caFile: pki.caCert, caPem: read(pki.caCert) };
  if (board.tls.clientCertPem !== undefined || opts.clientCert) {
    Object.assign(tls, {
      clientCertFile: pki.clientCert,
      clientCertPem: read(pki.clientCert),
      clientKeyFile: pki.clientKey,
      clientKeyPem: read(pki.clientKey),
    });
  }
  return { ...board, tls };
}

export interface PreparedConformance {
  board: BoardModel;
  /** The plan of the board as tested (its CA replaced by the PKI's). */
  plan: BoardPlan;
  pki: Pki;
  build: BuildSummary;
  suiteBinary: string;
}

/** The HAL and its libraries built, the suite not: what a board without an emulator gets. */
export interface BuiltOnly {
  board: BoardModel;
  build: BuildSummary;
  notRun: string;
}

interface PrepareOptions {
  board: string | BoardModel;
  workDir: string;
  /** Give the HAL the broker's client certificate even if the board has none (exercises mutual TLS). */
  clientCert?: boolean;
  mbedtlsDir?: string;
  /** Build progress and the steps' lines (`qhal-gen test` shows them on stderr). */
  onProgress?: ProgressSink;
  step?: StepRunner;
  /** FreeRTOS boards: the kernel tree (default QHAL_FREERTOS_DIR) and FreeRTOSConfig.h's folder. */
  freertosDir?: string;
  freertosConfigDir?: string;
  /**
   * A QuecThing SDK tree: the HAL is also compiled against its headers (hal-sdk/), before the
   * suite runs on the shim build (the suite's core double stands in for the SDK's kernel).
   */
  sdkDir?: string;
  sdkFrom?: BuildOptions['sdkFrom'];
  sdkIncludeDirs?: string[];
  /** Build only the HAL when the suite cannot run for the board (else that is an error). */
  buildOnlyWhenNotRunnable?: boolean;
}

/** PKI, HAL build and suite build in `workDir` (pki/, hal/, conformance). */
export async function prepareConformance(
  o: PrepareOptions & { buildOnlyWhenNotRunnable?: false },
): Promise<PreparedConformance>;
export async function prepareConformance(
  o: PrepareOptions,
): Promise<PreparedConformance | BuiltOnly>;
export async function prepareConformance(
  o: PrepareOptions,
): Promise<PreparedConformance | BuiltOnly> {
  const step: StepRunner = o.step ?? ((_label, fn) => fn());
  const workDir = path.resolve(o.workDir);
  fs.mkdirSync(workDir, { recursive: true });
  const pki = await createPki(path.join(workDir, 'pki'));
  const loaded = typeof o.board === 'string' ? await loadBoard(o.board) : o.board;
  const board = boardForBroker(loaded, pki, o.clientCert ? { clientCert: true } : {});
  const { hal, source } = await loadHal();
  const plan = planBoard(board);
  const { target } = plan;
  const generated = generateBoard(board, hal, source, plan);
  if (o.sdkDir !== undefined) {
    const sdkDir = o.sdkDir;
    await step(`${board.name}: compiling the HAL against the SDK in ${sdkDir}`, () =>
      buildBoard({
        board,
        plan,
        generated: generated.files,
        outDir: path.join(workDir, 'hal-sdk'),
        sdkDir,
        ...(o.sdkFrom ? { sdkFrom: o.sdkFrom } : {}),
        sdkIncludeDirs: o.sdkIncludeDirs ?? [],
        ...(o.mbedtlsDir ? { mbedtlsDir: o.mbedtlsDir } : {}),
        ...(o.freertosDir ? { freertosDir: o.freertosDir } : {}),
        ...(o.freertosConfigDir ? { freertosConfigDir: o.freertosConfigDir } : {}),
      }),
    );
  }
  const build = await step(
    `${board.name}: building the HAL and its libraries for ${target.id}`,
    () =>
      buildBoard({
        board,
        plan,
        generated: generated.files,
        outDir: path.join(workDir, 'hal'),
        testHooks: true,
        ...(o.mbedtlsDir ? { mbedtlsDir: o.mbedtlsDir } : {}),
        ...(o.freertosDir ? { freertosDir: o.freertosDir } : {}),
        ...(o.freertosConfigDir ? { freertosConfigDir: o.freertosConfigDir } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      }),
  );
  const notRun = suiteNotRunReason(board, target);
  if (notRun !== null && o.buildOnlyWhenNotRunnable) return { board, build, notRun };
  const suiteBinary = await step(`${board.name}: building the conformance suite`, () =>
    buildSuite({
      plan,
      build,
      out: path.join(workDir, target.kind === 'mcu' ? 'conformance.elf' : 'conformance'),
    }),
  );
  return { board, plan, pki, build, suiteBinary };
}

/** Prepare, then run: the whole `qhal-gen test` for one board. */
export async function testBoard(o: {
  board: string | BoardModel;
  workDir: string;
  clientCert?: boolean;
  freertosDir?: string;
  freertosConfigDir?: string;
  sdkDir?: string;
  sdkFrom?: BuildOptions['sdkFrom'];
  sdkIncludeDirs?: string[];
  log?: (line: string) => void;
  namespace?: RunConformanceOptions['namespace'];
  only?: string;
  timeoutMs?: number;
  /** Extra configuration keys for the suite (bench=1 runs the benchmarks). */
  config?: Record<string, string>;
  onProgress?: ProgressSink;
  step?: StepRunner;
}): Promise<ConformanceResult & { halSize: SizeRow; sizes: SizeRow[] }> {
  const started = Date.now();
  const prepared = await prepareConformance({ ...o, buildOnlyWhenNotRunnable: true });
  const sizes = { halSize: prepared.build.hal.size, sizes: prepared.build.sizes };
  if ('notRun' in prepared) {
    // One named skip, so the summary, JUnit and the report count it as neither pass nor fail.
    o.log?.(`SKIP suite: ${prepared.notRun}`);
    o.log?.('0 passed, 0 failed, 1 skipped');
    return {
      cases: [{ name: 'suite', status: 'skip', reason: prepared.notRun, details: [] }],
      passed: 0,
      failed: 0,
      skipped: 1,
      complete: true,
      notRun: prepared.notRun,
      exitCode: null,
      namespace: false,
      emulator: null,
      seconds: (Date.now() - started) / 1000,
      ...sizes,
    };
  }
  const { target, decisions } = prepared.plan;
  const q = target.qemu;
  o.log?.(
    `# running the conformance suite ${q.mode === 'native' || !q.command ? 'natively' : `under ${q.command} (${q.mode} mode)`}: one line per case`,
  );
  const result = await runConformance({
    suiteBinary: prepared.suiteBinary,
    target,
    network: decisions.network,
    pkiDir: prepared.pki.dir,
    ...(o.log ? { log: o.log } : {}),
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...(o.only ? { only: o.only } : {}),
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.config ? { config: o.config } : {}),
  });
  return { ...result, ...sizes };
}
