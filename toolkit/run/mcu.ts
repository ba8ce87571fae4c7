/**
 * Running a firmware on an MCU target (qemu-system-arm): links an application's C sources
 * with what `qhal-gen build` left in its output folder (libqhal_socket.a, the target's
 * libqhal_board.a with start-up, NIC driver and entropy, liblwip.a, libmbedtls.a) plus
 * picolibc and zig's compiler-rt through linkProgram, boots it with the target's QEMU
 * arguments, semihosting and QEMU user-mode networking (the guest's 10.0.2.2 is the host's
 * 127.0.0.1; `hostForwards` let the host reach the guest's servers), streams its output,
 * stops QEMU by PID whatever happens, and returns the firmware's `N passed, N failed`.
 *
 * The application and its command line (semihosting SYS_GET_CMDLINE, QEMU's `-append`)
 * are parameters: the conformance suite's firmware (suite-build.ts links it, ns-entry.ts
 * runs it).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BuildSummary } from '../toolchain/build.js';
import { ToolchainError } from '../toolchain/errors.js';
import { linkProgram, runCommand } from '../toolchain/link.js';
import { toolkitPaths } from '../toolchain/paths.js';
import { getTarget, type Target } from '../toolchain/targets.js';
import { eachLine, startGroup } from './process.js';

export interface HostForward {
  /** Port on the host's 127.0.0.1. */
  hostPort: number;
  /** Port of the guest (10.0.2.15) the connection is forwarded to. */
  guestPort: number;
  protocol?: 'tcp' | 'udp';
}

export interface McuFirmwareOptions {
  /** What buildBoard returned for the board (its outDir holds the archives and headers). */
  build: BuildSummary;
  /** The application's C files (compiled with -Wall -Wextra -Werror). */
  appSources: string[];
  /** Extra compile flags for the application (include folders, defines). */
  cflags?: string[];
  /** The firmware's command line (QEMU `-append`, read with semihosting). */
  append?: string;
  /** QEMU user-mode networking `hostfwd` rules. */
  hostForwards?: HostForward[];
  /** Where the ELF goes; default `<outDir>/firmware.elf`. */
  elf?: string;
  /** QEMU is stopped after this long (default 120 s). */
  timeoutMs?: number;
  /** Every output line of QEMU (stdout and stderr), as it comes. */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface McuFirmwareResult {
  elf: string;
  /** The QEMU command line that ran. */
  command: string[];
  /** QEMU's exit status (the firmware's semihosting exit status); null when killed. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** From the last `N passed, N failed` line; null without one. */
  passed: number | null;
  failed: number | null;
  summary: string | null;
  /** All output lines. */
  output: string[];
  /** The elapsed seconds of the QEMU run. */
  seconds: number;
}

const SUMMARY = /^(\d+) passed, (\d+) failed$/;

/** The archives a firmware links with, from a build of a board for an MCU target. */
export function firmwareArchives(build: BuildSummary): string[] {
  return [
    build.hal.archive,
    ...(build.boardSupport ? [build.boardSupport.archive] : []),
    ...build.libraries.map((l) => l.archive),
  ];
}

/** Include flags an application needs to use the HAL, lwIP, mbedtls and the board support. */
export function firmwareCflags(build: BuildSummary, target: Target): string[] {
  const flags = ['-I', build.outDir, '-I', toolkitPaths.sdkShim];
  if (target.boardSources !== undefined)
    flags.push('-I', path.join(target.dir, target.boardSources));
  for (const lib of build.libraries) {
    if (lib.name === 'lwip') flags.push('-I', path.join(lib.source.root, 'src', 'include'));
    // FreeRTOS boards: the kernel's headers, its port, FreeRTOSConfig.h, qhal-gen's lwIP port.
    if (lib.name === 'freertos' && build.freertos) flags.push(...build.freertos.includeFlags);
    if (lib.name === 'mbedtls') {
      flags.push(
        '-I',
        path.join(lib.source.root, 'include'),
        '-DMBEDTLS_CONFIG_FILE="qhal_mbedtls_config.h"',
      );
    }
  }
  return flags;
}

/** QEMU's arguments for the firmware: the target's, networking, the ELF, the command line. */
export function qemuFirmwareCommand(
  target: Target,
  elf: string,
  o: { append?: string; hostForwards?: HostForward[] } = {},
): { command: string; args: string[] } {
  if (target.kind !== 'mcu' || target.qemu.mode !== 'system') {
    throw new ToolchainError(`${target.id} is not an MCU target run by qemu-system`);
  }
  const base = runCommand(target, elf);
  const fwd = (o.hostForwards ?? []).map(
    (f) => `,hostfwd=${f.protocol ?? 'tcp'}:127.0.0.1:${f.hostPort}-10.0.2.15:${f.guestPort}`,
  );
  // The machine's NIC (the target's qemu.nic, e.g. the MPS2's LAN9118) takes the first -nic;
  // output is semihosting only.
  const nic = target.qemu.nic;
  if (nic === undefined)
    throw new ToolchainError(`${target.id} names no QEMU NIC model (qemu.nic in its target.json)`);
  const args = [
    ...base.args,
    '-monitor',
    'none',
    '-serial',
    'none',
    '-nic',
    `user,model=${nic},net=10.0.2.0/24${fwd.join('')}`,
  ];
  if (o.append !== undefined) args.push('-append', o.append);
  return { command: base.command, args };
}

/** Links the application with the build's archives into an ELF for the board's target. */
export async function linkFirmware(
  o: Pick<McuFirmwareOptions, 'build' | 'appSources' | 'cflags' | 'elf' | 'env'> & {
    /** The plan's target (default: looked up by the build's target id). */
    target?: Target;
  },
): Promise<string> {
  const target = o.target ?? getTarget(o.build.target);
  if (target.kind !== 'mcu') throw new ToolchainError(`${target.id} is not an MCU target`);
  const elf = path.resolve(o.elf ?? path.join(o.build.outDir, 'firmware.elf'));
  fs.rmSync(elf, { force: true });
  return linkProgram({
    target,
    sources: o.appSources,
    cflags: [
      '-g',
      '-Wall',
      '-Wextra',
      '-Werror',
      ...firmwareCflags(o.build, target),
      ...(o.cflags ?? []),
    ],
    inputs: firmwareArchives(o.build),
    out: elf,
    ...(o.env ? { env: o.env } : {}),
  });
}

/** Runs an already linked ELF under QEMU (semihosting, user-mode networking); stops it by PID. */
export async function runFirmwareElf(
  target: Target,
  elf: string,
  o: Omit<McuFirmwareOptions, 'build' | 'appSources' | 'cflags' | 'elf'> = {},
): Promise<McuFirmwareResult> {
  const { command, args } = qemuFirmwareCommand(target, elf, o);
  const output: string[] = [];
  const started = Date.now();
  const p = startGroup(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(o.env ? { env: o.env } : {}),
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void p.stop();
  }, o.timeoutMs ?? 120_000);
  const onLine = (line: string) => {
    output.push(line);
    o.log?.(line);
  };
  // Stopped by its PID (its own process group) whatever happens to this process too.
  const onExit = () => {
    if (p.child.pid !== undefined) {
      try {
        process.kill(-p.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', onExit);
  let st: { code: number | null; signal: NodeJS.Signals | null };
  try {
    const [exit] = await Promise.all([
      p.exited,
      eachLine(p.child.stdout, onLine),
      eachLine(p.child.stderr, onLine),
    ]);
    st = exit;
  } finally {
    clearTimeout(timer);
    await p.stop();
    process.removeListener('exit', onExit);
  }
  const summary =
    [...output]
      .reverse()
      .find((l) => SUMMARY.test(l.trim()))
      ?.trim() ?? null;
  const m = summary ? SUMMARY.exec(summary) : null;
  return {
    elf,
    command: [command, ...args],
    exitCode: timedOut ? null : st.code,
    signal: st.signal,
    timedOut,
    passed: m ? Number(m[1]) : null,
    failed: m ? Number(m[2]) : null,
    summary,
    output,
    seconds: (Date.now() - started) / 1000,
  };
}
