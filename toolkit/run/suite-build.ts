/**
 * Compiles the conformance suite (examples/apps/conformance) for a board, linked with its
 * built HAL (qhal-gen build output). The cases, the recorder and the runner are the same on
 * every board; what differs is the platform file and, on Linux, the stack under the HAL:
 * - posix:        port-posix.c + net-kernel.c, a static Linux program;
 * - lwip-socket:  port-posix.c + net-lwip.c (lwIP's unix port on a TAP device), the same
 *                 program with liblwip.a;
 * - MCU targets:  the platform file the plan takes from the target (`suitePlatform` in
 *                 its target.json: port-mps2.c on bare metal, one loop; port-freertos.c on
 *                 FreeRTOS, the cases in a task) and args-semihost.c, a firmware ELF for
 *                 qemu-system-arm, linked like any application with the board support
 *                 (toolkit/run/mcu.ts).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BoardPlan } from '../model/plan.js';
import type { BuildSummary } from '../toolchain/build.js';
import { lwipFlags } from '../toolchain/lwip-config.js';
import { compileCached } from '../toolchain/object-cache.js';
import { toolkitPaths } from '../toolchain/paths.js';
import { targetCompileFlags } from '../toolchain/targets.js';
import { zigPath } from '../toolchain/zig.js';
import { linkFirmware } from './mcu.js';

const run = promisify(execFile);

export const SUITE_DIR = path.join(toolkitPaths.root, 'examples', 'apps', 'conformance');
/** The platform-independent part of the suite. */
export const SUITE_SOURCES = ['main.c', 'record.c', 'cases.c', 'peer.c'];

/** How a Linux suite program is compiled (the bench's reference clients use the same). */
export const SUITE_CFLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O1', '-g'];

export interface SuiteBuildOptions {
  /** The board's plan: its target, platform file and derived decisions. */
  plan: BoardPlan;
  /** What buildBoard returned for the board (its outDir holds the HAL, its headers, archives). */
  build: BuildSummary;
  out: string;
}

/** -D flags the cases need that the HAL's header does not carry. */
export function suiteDefines(plan: BoardPlan): string[] {
  const { board, decisions } = plan;
  // The header's name is a board option (sdk.fileNames); the suite includes whatever it is.
  const defs = [`-DQHAL_SOCKET_HEADER="${board.sdk.fileNames.header}"`];
  // The HAL is built with its test hooks for the suites (prepareConformance): the suite
  // checks its slots in use after every case.
  defs.push('-DQHAL_TEST_HOOKS=1');
  if (decisions.lwipPeers) defs.push('-DSUITE_PEER_LWIP=1');
  // FreeRTOS: the I/O task's configured stack, so the run reports its high-water mark against it.
  if (board.os === 'freertos') defs.push(`-DSUITE_IO_STACK_SIZE=${board.limits.ioTaskStackSize}`);
  // Certificate validity dates are checked only when mbedtls has a calendar clock.
  if (decisions.needsMbedtls)
    defs.push(`-DSUITE_CERT_DATES_CHECKED=${decisions.certDatesChecked ? 1 : 0}`);
  return defs;
}

export async function buildSuite(o: SuiteBuildOptions): Promise<string> {
  const { board, target, decisions } = o.plan;
  const sources = (files: string[]) => files.map((f) => path.join(SUITE_DIR, f));
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  const platform = decisions.suitePlatform;
  if (platform === null)
    throw new Error(
      `target ${target.id} names no conformance platform file for os '${board.os}' (suitePlatform in its target.json), so ${board.name} cannot run the suite`,
    );
  if (target.kind === 'mcu') {
    return linkFirmware({
      target,
      build: o.build,
      appSources: sources([...SUITE_SOURCES, platform, 'args-semihost.c']),
      // Room for the largest echo case on a 4 MiB RAM.
      cflags: [...suiteDefines(o.plan), '-DSUITE_RX_CAP=(160 * 1024)', '-O1'],
      elf: o.out,
    });
  }
  const flags = await targetCompileFlags(target);
  const lwip = o.build.libraries.find((l) => l.name === 'lwip');
  const stackFiles = decisions.network === 'lwip-tap' ? ['net-lwip.c'] : ['net-kernel.c'];
  if (decisions.needsLwip && !lwip) throw new Error(`the build of ${board.name} has no liblwip.a`);
  // Each source on its own, compiled in the build folder and naming it '.', so the flags are
  // the same on every run (the folder is a new temporary one each time) and an unchanged
  // source comes from the object cache; the ones that do compile use every core.
  const compileFlags = [
    ...flags,
    ...SUITE_CFLAGS,
    '-I',
    '.',
    '-I',
    toolkitPaths.sdkShim,
    ...(lwip ? lwipFlags(lwip.source.root, board, target, '.') : []),
    ...suiteDefines(o.plan),
  ];
  const objDir = `${o.out}.obj`;
  fs.mkdirSync(objDir, { recursive: true });
  const jobs = sources([...SUITE_SOURCES, platform, ...stackFiles]).map((source) => ({
    source,
    object: path.join(objDir, `${path.basename(source, '.c')}.o`),
    flags: compileFlags,
  }));
  const { failure } = await compileCached(jobs, o.build.outDir);
  if (failure) {
    throw new Error(
      `compiling the conformance suite (${path.basename(failure.job.source)}) failed:\n${failure.stderr}`,
    );
  }
  await zigCc(
    [
      'cc',
      ...flags,
      ...jobs.map((j) => j.object),
      o.build.hal.archive,
      ...o.build.libraries.map((l) => l.archive),
      '-static',
      '-o',
      o.out,
    ],
    'the conformance suite',
  );
  return o.out;
}

/** `zig <args>` (a Linux program's compile and link); a failure carries the compiler's words. */
export async function zigCc(args: string[], what: string): Promise<void> {
  try {
    await run(zigPath(), args, { timeout: 300_000, maxBuffer: 16 << 20 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`compiling ${what} failed:\n${e.stderr?.trim() || e.message}`);
  }
}
