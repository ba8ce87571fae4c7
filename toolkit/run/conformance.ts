/**
 * The run stage: start the broker (inside private namespaces when possible), run the
 * conformance suite natively or under qemu-user, stream one line per case, and stop
 * everything by PID whatever happens.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker, suiteConfig, type Broker } from '../broker/index.js';
import type { Target } from '../toolchain/targets.js';
import { namespaceProblem, UNSHARE_ARGS, type SuiteNetwork } from './namespace.js';
import { parseFreertosUsage, type FreertosUsage } from './freertos-usage.js';
import { eachLine, startGroup, type Started } from './process.js';

export type CaseStatus = 'pass' | 'fail' | 'skip';

export interface CaseResult {
  name: string;
  status: CaseStatus;
  ms?: number;
  reason?: string;
  /** The recorded events and HAL log printed after a failure. */
  details: string[];
}

export interface ConformanceResult {
  cases: CaseResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** The suite's own closing line was seen (false: it crashed or was killed). */
  complete: boolean;
  exitCode: number | null;
  namespace: boolean;
  /** Why the namespace set-up was not used, when it was not. */
  namespaceNote?: string;
  emulator: string | null;
  seconds: number;
  /** Set when the board was built but the suite cannot run on its target (a named skip). */
  notRun?: string;
  /** FreeRTOS runs: each task's stack high-water mark and the heap's low point. */
  freertos?: FreertosUsage;
}

export interface RunConformanceOptions {
  /** The statically linked suite for the board's target. */
  suiteBinary: string;
  /**
   * The board's resolved target (toolkit/toolchain/targets.ts): native, qemu-user or
   * qemu-system. A firmware run hands it whole to the namespace's side, which looks nothing up.
   */
  target: Target;
  /** The HAL's network stack (namespace.ts); default `kernel`. The others need namespaces. */
  network?: SuiteNetwork;
  /** PKI made with createPki(); the HAL under test must embed its CA (and client cert). */
  pkiDir: string;
  /** 'auto' (default): namespaces when unshare works, else loopback only (some cases SKIP). */
  namespace?: 'auto' | 'on' | 'off';
  /** Called with every line worth showing (cases, failure details, notes). */
  log?: (line: string) => void;
  /** Whole-run bound (default 20 min). */
  timeoutMs?: number;
  /** Only cases whose name contains this. */
  only?: string;
  /** Extra configuration keys for the suite (e.g. bench=1: the benchmarks instead of the cases). */
  config?: Record<string, string>;
  dtls?: boolean;
}

/**
 * How long the broker's slow reader reads nothing on each connection (broker/faults.ts): long
 * enough for the HAL to fill the socket's buffers, so its writes meet EAGAIN and isSending.
 * A native run fills them in milliseconds; an emulated one (each write through QEMU) gets the
 * broker's default, as before. Three cases wait this out twice, so it is most of their time.
 */
export function slowPauseFor(target: Pick<Target, 'qemu'>): number | undefined {
  return target.qemu.mode === 'native' ? 500 : undefined;
}

const CASE_RE = /^(PASS|FAIL|SKIP) (\S+)(?:: (.*?))?(?: \((\d+) ms\))?$/;
const SUMMARY_RE = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/;

/** Parses the suite's output (exported for tests). */
export function parseSuiteOutput(
  lines: readonly string[],
): Pick<ConformanceResult, 'cases' | 'passed' | 'failed' | 'skipped' | 'complete'> {
  const cases: CaseResult[] = [];
  let summary: RegExpExecArray | null = null;
  for (const line of lines) {
    const m = CASE_RE.exec(line);
    if (m) {
      const c: CaseResult = {
        name: m[2] as string,
        status: (m[1] as string).toLowerCase() as CaseStatus,
        details: [],
      };
      if (m[3] !== undefined) c.reason = m[3];
      if (m[4] !== undefined) c.ms = Number(m[4]);
      cases.push(c);
      continue;
    }
    const s = SUMMARY_RE.exec(line);
    if (s) {
      summary = s;
      continue;
    }
    const last = cases[cases.length - 1];
    if (line.startsWith('  ') && last) last.details.push(line.slice(2));
  }
  const count = (st: CaseStatus) => cases.filter((c) => c.status === st).length;
  return {
    cases,
    passed: count('pass'),
    failed: count('fail') + (summary ? 0 : 1),
    skipped: count('skip'),
    complete: summary !== null,
  };
}

/** Node's name (`os.arch()`) for the CPU that starts a zig target triple. */
const NODE_ARCH: Record<string, string> = {
  x86_64: 'x64',
  aarch64: 'arm64',
  arm: 'arm',
  riscv64: 'riscv64',
};

/** The command that runs a binary for the target: itself, or qemu-<arch> with it. */
export function emulatorCommand(
  target: Pick<Target, 'id' | 'qemu' | 'zigTarget'>,
  binary: string,
): string[] {
  const q = target.qemu;
  if (q.mode === 'native') {
    // Native means "this CPU": the target's triple says which one, not its id.
    const cpu = target.zigTarget.split('-')[0] ?? '';
    if (os.arch() !== (NODE_ARCH[cpu] ?? cpu))
      throw new Error(`target ${target.id} runs natively only on ${cpu} hosts`);
    return [binary];
  }
  if (q.mode === 'user' && q.command) return [q.command, ...q.args, binary];
  throw new Error(
    `target ${target.id} has no user-mode emulator: the conformance suite needs a Linux target`,
  );
}

const here = path.dirname(fileURLToPath(import.meta.url));

export async function runConformance(opts: RunConformanceOptions): Promise<ConformanceResult> {
  const started = Date.now();
  const log = opts.log ?? ((l: string) => console.log(l));
  const timeoutMs = opts.timeoutMs ?? 20 * 60_000;
  const network = opts.network ?? 'kernel';
  const command =
    network === 'qemu-slirp'
      ? [path.resolve(opts.suiteBinary)]
      : emulatorCommand(opts.target, path.resolve(opts.suiteBinary));
  // `only` is configuration like the rest: the config file, or a firmware's command line.
  const extraConfig: Record<string, string> = {
    ...opts.config,
    ...(opts.only ? { only: opts.only } : {}),
  };
  const slowPauseMs = slowPauseFor(opts.target);
  const mode = opts.namespace ?? 'auto';
  let namespaceNote: string | undefined;
  let useNs = false;
  if (mode !== 'off') {
    const problem = await namespaceProblem();
    if (problem === null) useNs = true;
    else if (mode === 'on' || network !== 'kernel')
      throw new Error(
        `private namespaces unavailable (${problem})${network !== 'kernel' ? `: the ${network} run needs them` : ''}`,
      );
    else
      namespaceNote = `no private namespaces (${problem}): DNS names, black hole and broadcast cases SKIP`;
  } else if (network !== 'kernel') {
    throw new Error(`the ${network} run needs private namespaces: drop --namespace off`);
  } else namespaceNote = 'namespaces off: DNS names, black hole and broadcast cases SKIP';
  if (namespaceNote) log(`# ${namespaceNote}`);

  const lines: string[] = [];
  const onLine = (l: string) => {
    lines.push(l);
    log(l);
  };
  let broker: Broker | undefined;
  let proc: Started | undefined;
  let tmp: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  let onSignal: (() => void) | undefined;
  try {
    if (useNs) {
      const job = {
        pkiDir: path.resolve(opts.pkiDir),
        command,
        network,
        ...(network === 'qemu-slirp' ? { firmwareTarget: opts.target } : {}),
        extraConfig,
        lifetimeMs: timeoutMs + 60_000,
        dtls: opts.dtls !== false,
        ...(slowPauseMs !== undefined ? { slowPauseMs } : {}),
      };
      proc = startGroup(
        'unshare',
        [
          ...UNSHARE_ARGS,
          '--',
          process.execPath,
          path.join(here, 'ns-entry.js'),
          JSON.stringify(job),
        ],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
    } else {
      broker = await startBroker({
        pkiDir: opts.pkiDir,
        lifetimeMs: timeoutMs + 60_000,
        dtls: opts.dtls !== false,
        ...(slowPauseMs !== undefined ? { slowPauseMs } : {}),
      });
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-run-'));
      const conf = path.join(tmp, 'suite.conf');
      fs.writeFileSync(conf, suiteConfig(broker.info));
      const [cmd, ...args] = command;
      const extra = Object.entries(extraConfig).flatMap(([k, v]) => [`--${k}`, v]);
      proc = startGroup(
        cmd as string,
        [...args, ...extra, '--stdin-watch', '1', '--config', conf],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
    }
    const p = proc;
    // Our stdin pipe to the child stays open while we live: its EOF tells the child we died.
    p.child.stdin?.on('error', () => undefined);
    onSignal = () => {
      log('# interrupted: stopping the broker and the suite');
      void p.stop();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    timer = setTimeout(() => {
      timedOut = true;
      log(`# conformance run exceeded ${Math.round(timeoutMs / 1000)} s: stopping it`);
      void p.stop();
    }, timeoutMs);
    const out = eachLine(p.child.stdout, onLine);
    const err = eachLine(p.child.stderr, (l) => log(`# ${l}`));
    const { code, signal } = await p.exited;
    await Promise.all([out, err]);
    const parsed = parseSuiteOutput(lines);
    const freertos = parseFreertosUsage(lines);
    if (!parsed.complete) {
      log(
        `FAIL suite: ended without its summary (${timedOut ? 'timed out' : signal ? `signal ${signal}` : `exit ${code}`})`,
      );
    }
    return {
      ...parsed,
      ...(freertos ? { freertos } : {}),
      exitCode: code,
      namespace: useNs,
      ...(namespaceNote ? { namespaceNote } : {}),
      emulator:
        opts.target.qemu.mode === 'user' || opts.target.qemu.mode === 'system'
          ? (opts.target.qemu.command ?? null)
          : null,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    if (onSignal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (timer) clearTimeout(timer);
    await proc?.stop();
    await broker?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}
