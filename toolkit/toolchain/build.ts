/**
 * `qhal-gen build`: writes the generated HAL into outDir, compiles it with zig for the
 * board's target (warnings are errors), builds mbedtls (TLS/DTLS boards), lwIP (lwIP boards)
 * and FreeRTOS (lwip-socket boards with os 'freertos', from the user's FreeRTOS-Kernel tree)
 * as separate cached static libraries, and reports sizes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BoardModel } from '../model/board-model.js';
import { planBoard, type BoardPlan } from '../model/plan.js';
import { createArchive } from './archive.js';
import {
  buildFreertos,
  buildLwip,
  buildMbedtls,
  COMMON_FLAGS,
  type BuiltLibrary,
  type FreertosBuild,
  type LibraryContext,
} from './build-libraries.js';
import {
  compileAll,
  compileCommand,
  defaultParallelism,
  type CompileCommand,
  type CompileJob,
} from './compile.js';
import { ToolchainError } from './errors.js';
import {
  checkFreertosDir,
  freertosPortDir,
  hashFreertosTree,
  resolveFreertosConfig,
} from './freertos.js';
import { lwipFlags } from './lwip-config.js';
import { MBEDTLS_CONFIG_FILE_NAME } from './mbedtls-config.js';
import { toolkitPaths } from './paths.js';
import type { ProgressSink } from './progress.js';
import { fileSize, formatSizeTable, type SizeRow } from './size.js';
import { checkSdkDir, checkSdkFits, sdkIncludeFlags, type SdkTree } from './sdk-tree.js';
import { resolveSource, type ResolvedSource } from './sources.js';
import { targetCompileFlags, type Target } from './targets.js';
import { zigVersion } from './zig.js';

export interface GeneratedFile {
  name: string;
  content: string;
}

export interface BuildOptions {
  board: BoardModel;
  /** The board's plan (default: planned here from `board`). */
  plan?: BoardPlan;
  /** The generator's output: the HAL pair and the config headers the plan names. */
  generated: GeneratedFile[];
  outDir: string;
  /** `--mbedtls-dir` (wins over the board's `sources.mbedtlsDir`). */
  mbedtlsDir?: string;
  /** `--lwip-dir` (wins over the board's `sources.lwipDir`). */
  lwipDir?: string;
  /** `--freertos-dir`: a FreeRTOS-Kernel tree (lwip-socket boards with os 'freertos'). */
  freertosDir?: string;
  /** `--freertos-config`: the folder with the application's FreeRTOSConfig.h (default: the target's). */
  freertosConfigDir?: string;
  /**
   * `--sdk-dir` (default QHAL_SDK_DIR): compile the HAL against this QuecThing SDK tree's
   * headers instead of the shim, the generated pair in place of the vendor's (sdk-tree.ts).
   */
  sdkDir?: string;
  /** Where sdkDir came from, for its messages. */
  sdkFrom?: SdkTree['from'];
  /** `--sdk-include`: folders with platform headers the SDK includes but does not ship. */
  sdkIncludeDirs?: string[];
  /** Compile the HAL with QHAL_TEST_HOOKS (Qhal_testSlotsInUse, for the suites). */
  testHooks?: boolean;
  /** Only affects what `runBuild` prints; the summary is always returned. */
  json?: boolean;
  onProgress?: ProgressSink;
  /** Show third-party (library) compiler warnings. */
  verbose?: boolean;
  parallel?: number;
  env?: NodeJS.ProcessEnv;
}

export interface LibrarySummary {
  name: string;
  version: string;
  source: { root: string; origin: 'cache' | 'user' };
  /** Copied into outDir. */
  archive: string;
  cache: 'hit' | 'miss';
  cacheDir: string;
  files: number;
  seconds: number;
  size: SizeRow;
}

export interface BuildSummary {
  board: string;
  target: string;
  zigTarget: string;
  zig: string;
  outDir: string;
  /** The SDK tree the HAL was compiled against, and the include flags it took (else the shim). */
  sdk?: { root: string; includeFlags: string[] };
  hal: { sources: string[]; archive: string; size: SizeRow };
  /** The target's board support (`targets/<id>/<boardSources>/*.c`), when it has one. */
  boardSupport?: { sources: string[]; archive: string; size: SizeRow };
  /**
   * FreeRTOS boards: the kernel tree, its port folder, where FreeRTOSConfig.h came from and
   * the include flags an application needs (FreeRTOS, its port, qhal-gen's lwIP port).
   */
  freertos?: {
    root: string;
    port: string;
    config: { dir: string; origin: 'user' | 'toolkit' };
    includeFlags: string[];
  };
  libraries: LibrarySummary[];
  /** `hit` when every library came from the cache, `miss` when any was compiled, `none` without libraries. */
  cache: 'hit' | 'miss' | 'none';
  sizes: SizeRow[];
  compileCommands: string;
  notes: string[];
  seconds: number;
}

const HAL_WARNING_FLAGS = ['-Wall', '-Wextra', '-Werror'];

/** `-DQHAL_SOCKET_HEADER="name"` for code that includes the generated header by its name. */
export function halHeaderDefine(generated: GeneratedFile[]): string[] {
  const header = generated.find((f) => f.name.endsWith('.h') && /socket/i.test(f.name));
  return header ? [`-DQHAL_SOCKET_HEADER="${header.name}"`] : [];
}

function sourceDirFor(
  cliDir: string | undefined,
  boardDir: string | undefined,
  board: BoardModel,
): { dir?: string; from?: 'flag' | 'board' } {
  if (cliDir !== undefined) return { dir: cliDir, from: 'flag' };
  if (boardDir !== undefined) {
    return { dir: path.resolve(path.dirname(board.file), boardDir), from: 'board' };
  }
  return {};
}

interface Inputs {
  mbedtls?: ResolvedSource;
  lwip?: ResolvedSource;
  freertos?: FreertosBuild;
}

/**
 * The trees the plan needs (the user's FreeRTOS kernel, mbedtls, lwIP), resolved before
 * anything is written so a bad folder fails first; notes for flags the board has no use for.
 */
async function resolveInputs(
  plan: BoardPlan,
  opts: BuildOptions,
  env: NodeJS.ProcessEnv,
  notes: string[],
): Promise<Inputs> {
  const { board, target, decisions } = plan;
  const inputs: Inputs = {};
  const unused = "ignored: only lwip-socket boards with os 'freertos' use FreeRTOS";
  if (decisions.freertos) {
    // The flag wins; QHAL_FREERTOS_DIR names a kernel tree for every build (CI, the tests).
    const root = checkFreertosDir(board, target, opts.freertosDir ?? env.QHAL_FREERTOS_DIR);
    const config = resolveFreertosConfig(target, opts.freertosConfigDir);
    inputs.freertos = { root, config, hash: hashFreertosTree(root, target) };
  } else {
    if (opts.freertosDir !== undefined) notes.push(`--freertos-dir ${unused}`);
    if (opts.freertosConfigDir !== undefined) notes.push(`--freertos-config ${unused}`);
  }
  if (decisions.needsMbedtls) {
    inputs.mbedtls = await resolveSource('mbedtls', {
      ...sourceDirFor(opts.mbedtlsDir, board.sources.mbedtlsDir, board),
      env,
    });
  } else if (opts.mbedtlsDir !== undefined) {
    notes.push('--mbedtls-dir ignored: the board uses neither TLS nor DTLS');
  }
  if (decisions.needsLwip) {
    inputs.lwip = await resolveSource('lwip', {
      ...sourceDirFor(opts.lwipDir, board.sources.lwipDir, board),
      env,
    });
  } else if (opts.lwipDir !== undefined) {
    notes.push('--lwip-dir ignored: the board uses the POSIX stack');
  }
  return inputs;
}

/** The generated file of that name; the plan's config headers must be among them. */
function generatedConfig(plan: BoardPlan, generated: GeneratedFile[], name: string): GeneratedFile {
  const f = generated.find((g) => g.name === name);
  if (!f)
    throw new ToolchainError(
      `the generated files lack ${name}, which board "${plan.board.name}" needs: run qhal-gen generate for it`,
    );
  return f;
}

/** Compiles C files with flags that must give no diagnostic at all, then archives them. */
async function compileOwnCode(
  what: string,
  sources: string[],
  objDir: string,
  flags: string[],
  archive: string,
  o: { parallel: number; cwd: string; onProgress?: ProgressSink; phase: 'hal' | 'board' },
): Promise<CompileJob[]> {
  fs.mkdirSync(objDir, { recursive: true });
  const jobs: CompileJob[] = sources.map((source) => ({
    source,
    object: path.join(objDir, path.basename(source).replace(/\.c$/, '.o')),
    flags,
  }));
  const results = await compileAll(jobs, {
    parallel: o.parallel,
    cwd: o.cwd,
    onDone: (done, total) => o.onProgress?.({ phase: o.phase, done, total }),
  });
  const bad = results.filter((r) => !r.ok || r.stderr !== '');
  if (bad.length > 0) {
    throw new ToolchainError(
      `${what} (warnings are errors):\n` + bad.map((r) => r.stderr).join('\n'),
    );
  }
  await createArchive(
    archive,
    jobs.map((j) => j.object),
  );
  return jobs;
}

/** The target's board support folder and its C files (start-up, NIC driver, entropy). */
function boardSupportSources(target: Target): { dir: string; sources: string[] } | undefined {
  if (target.boardSources === undefined) return undefined;
  const dir = path.join(target.dir, target.boardSources);
  const sources = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.c'))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
  if (sources.length === 0)
    throw new ToolchainError(`${dir}: target ${target.id} names board sources, found no .c file`);
  return { dir, sources };
}

function librarySummary(l: BuiltLibrary, outDir: string, verbose?: boolean): LibrarySummary {
  const { result, source } = l;
  const dest = path.join(outDir, path.basename(result.archive));
  fs.copyFileSync(result.archive, dest);
  if (verbose) for (const w of result.warnings) process.stderr.write(`${w}\n`);
  return {
    name: result.name,
    version: source.version,
    source: { root: source.root, origin: source.origin },
    archive: dest,
    cache: result.cache,
    cacheDir: result.cacheDir,
    files: result.files,
    seconds: result.seconds,
    size: { name: result.name, file: dest, ...fileSize(dest) },
  };
}

export async function buildBoard(opts: BuildOptions): Promise<BuildSummary> {
  const started = Date.now();
  const plan = opts.plan ?? planBoard(opts.board);
  const { board, target, decisions } = plan;
  const env = opts.env ?? process.env;
  const outDir = path.resolve(opts.outDir);
  const parallel = opts.parallel ?? defaultParallelism();
  const notes: string[] = [];
  const halC = opts.generated.filter((f) => f.name.endsWith('.c'));
  if (halC.length === 0)
    throw new ToolchainError('nothing to build: the generated files hold no .c file');
  // Checked before anything is written. QHAL_SDK_DIR is read by the commands (sdkDirFlag),
  // not here, so the suites' own builds always use the shim.
  const sdk =
    opts.sdkDir !== undefined ? checkSdkDir(opts.sdkDir, opts.sdkFrom ?? '--sdk-dir') : undefined;
  if (sdk) checkSdkFits(sdk, board.core.rxPeerSize);
  if (sdk === undefined && (opts.sdkIncludeDirs ?? []).length > 0)
    throw new ToolchainError('--sdk-include needs --sdk-dir (or QHAL_SDK_DIR)', 2);
  const inputs = await resolveInputs(plan, opts, env, notes);
  const lwipConfig = plan.lwip?.files.map((f) => generatedConfig(plan, opts.generated, f.name));
  const mbedtlsConfig = plan.mbedtls
    ? generatedConfig(plan, opts.generated, MBEDTLS_CONFIG_FILE_NAME)
    : undefined;

  const ctx: LibraryContext = {
    plan,
    targetFlags: await targetCompileFlags(target),
    zig: await zigVersion(),
    parallel,
    env,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.verbose !== undefined ? { verbose: opts.verbose } : {}),
  };
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of opts.generated) {
    fs.mkdirSync(path.dirname(path.join(outDir, f.name)), { recursive: true });
    fs.writeFileSync(path.join(outDir, f.name), f.content);
  }
  // The generated pair in place of the vendor's: the header by its board name, not the
  // first .h (generate also writes lwipopts.h, arch/cc.h and the mbedtls config).
  const sdkFlags = sdk
    ? sdkIncludeFlags({
        sdk,
        outDir,
        overlayDir: path.join(outDir, 'sdk-driverLayer'),
        header: board.sdk.fileNames.header,
        extraIncludes: opts.sdkIncludeDirs ?? [],
      })
    : undefined;
  if (sdk) notes.push(`HAL compiled against the QuecThing SDK in ${sdk.root} (${sdk.from})`);
  const halFlags = [
    ...ctx.targetFlags,
    ...COMMON_FLAGS,
    ...HAL_WARNING_FLAGS,
    ...(sdkFlags ?? ['-I', outDir, '-I', toolkitPaths.sdkShim]),
    ...(opts.testHooks ? ['-DQHAL_TEST_HOOKS=1'] : []),
  ];
  const libraries: BuiltLibrary[] = [];

  // FreeRTOS first: lwIP's sys_arch and the HAL include its headers and FreeRTOSConfig.h (a
  // copy goes next to the HAL, in outDir; the config's own folder stays on the path too).
  let freertos: (FreertosBuild & { flags: string[] }) | undefined;
  let freertosSummary: BuildSummary['freertos'];
  if (inputs.freertos) {
    const fr = inputs.freertos;
    fs.writeFileSync(path.join(outDir, 'FreeRTOSConfig.h'), fr.config.content);
    const built = await buildFreertos(ctx, fr);
    notes.push(
      `FreeRTOS: ${target.id} port ${decisions.freertos?.port ?? ''}, heap_4.c, FreeRTOSConfig.h from ` +
        (fr.config.origin === 'user' ? fr.config.dir : `qhal-gen (${fr.config.dir})`),
    );
    libraries.push(built.lib);
    halFlags.push(...built.flags);
    freertos = { ...fr, flags: built.flags };
    freertosSummary = {
      root: fr.root,
      port: path.join(fr.root, freertosPortDir(target)),
      config: { dir: fr.config.dir, origin: fr.config.origin },
      includeFlags: [],
    };
  }

  let lwipMbedtls: { flags: string[]; config: GeneratedFile } | undefined;
  if (inputs.mbedtls && mbedtlsConfig && plan.mbedtls) {
    notes.push(...plan.mbedtls.notes);
    const built = await buildMbedtls(ctx, inputs.mbedtls, mbedtlsConfig);
    libraries.push(built.lib);
    halFlags.push(...built.flags);
    // lwip-raw with TLS: lwIP's altcp_tls_mbedtls.c is compiled against the same mbedtls.
    if (board.stack === 'lwip-raw' && board.features.tls)
      lwipMbedtls = { flags: built.flags, config: mbedtlsConfig };
  }

  if (inputs.lwip && lwipConfig && plan.lwip) {
    const lwip = inputs.lwip;
    notes.push(...plan.lwip.notes);
    libraries.push(
      await buildLwip(ctx, lwip, lwipConfig, {
        ...(lwipMbedtls ? { mbedtls: lwipMbedtls } : {}),
        ...(freertos ? { freertos } : {}),
      }),
    );
    const flags = lwipFlags(lwip.root, board, target, outDir);
    halFlags.push(...flags);
    // What an application compiled against this build needs beyond outDir and lwIP.
    if (freertosSummary && freertos)
      freertosSummary.includeFlags = [...flags.slice(4), ...freertos.flags];
  }

  // The HAL itself: never cached (it is small), and any diagnostic fails the build.
  const objDir = path.join(outDir, 'obj');
  fs.rmSync(objDir, { recursive: true, force: true });
  const halArchive = path.join(outDir, 'libqhal_socket.a');
  const own = {
    parallel,
    cwd: outDir,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  };
  const halJobs = await compileOwnCode(
    `the generated HAL does not compile cleanly for ${target.id}`,
    halC.map((f) => path.join(outDir, f.name)),
    objDir,
    halFlags,
    halArchive,
    { ...own, phase: 'hal' },
  );

  // The target's board support (start-up, NIC driver, entropy): our own code, so warnings
  // are errors too. It includes the generated header (entropy macros; its name is a board
  // option, passed as QHAL_SOCKET_HEADER) and lwipopts.h from outDir.
  let boardLib: BuildSummary['boardSupport'];
  const support = boardSupportSources(target);
  if (support) {
    const archive = path.join(outDir, 'libqhal_board.a');
    const jobs = await compileOwnCode(
      `the board support in ${support.dir} does not compile cleanly for ${board.name}`,
      support.sources,
      path.join(objDir, 'board'),
      // Under FreeRTOS the start-up hands SVC, PendSV and SysTick to the kernel's port.
      [
        ...halFlags,
        '-I',
        support.dir,
        ...halHeaderDefine(opts.generated),
        ...(freertos ? ['-DQHAL_BOARD_FREERTOS=1'] : []),
      ],
      archive,
      { ...own, phase: 'board' },
    );
    boardLib = {
      sources: support.sources,
      archive,
      size: { name: 'qhal_board', file: archive, ...fileSize(archive) },
    };
    halJobs.push(...jobs);
  }

  // Libraries next to the HAL, so a link needs only outDir.
  const libSummaries = libraries.map((l) => librarySummary(l, outDir, opts.verbose));
  const commands: CompileCommand[] = [
    ...halJobs.map((j) => compileCommand(j, outDir)),
    ...libraries.flatMap((l) => l.result.compileCommands),
  ];
  const compileCommands = path.join(outDir, 'compile_commands.json');
  fs.writeFileSync(compileCommands, JSON.stringify(commands, null, 2) + '\n');

  const halSize: SizeRow = { name: 'qhal_socket', file: halArchive, ...fileSize(halArchive) };
  const sizes = [halSize, ...(boardLib ? [boardLib.size] : []), ...libSummaries.map((l) => l.size)];
  fs.writeFileSync(
    path.join(outDir, 'size.json'),
    JSON.stringify({ board: board.name, target: target.id, sizes }, null, 2) + '\n',
  );

  const cache =
    libSummaries.length === 0
      ? 'none'
      : libSummaries.every((l) => l.cache === 'hit')
        ? 'hit'
        : 'miss';
  return {
    board: board.name,
    target: target.id,
    zigTarget: target.zigTarget,
    zig: ctx.zig,
    outDir,
    ...(sdk && sdkFlags ? { sdk: { root: sdk.root, includeFlags: sdkFlags } } : {}),
    hal: {
      sources: halC.map((f) => path.join(outDir, f.name)),
      archive: halArchive,
      size: halSize,
    },
    ...(boardLib ? { boardSupport: boardLib } : {}),
    ...(freertosSummary ? { freertos: freertosSummary } : {}),
    libraries: libSummaries,
    cache,
    sizes,
    compileCommands,
    notes,
    seconds: (Date.now() - started) / 1000,
  };
}

/** The human summary `qhal-gen build` prints. */
export function formatBuildSummary(s: BuildSummary): string {
  const libs = s.libraries.map(
    (l) =>
      `${l.name} ${l.version} (${l.cache === 'hit' ? 'cached' : `built, ${l.files} files in ${l.seconds.toFixed(1)}s`})`,
  );
  return [
    `built ${s.board} for ${s.target} with zig ${s.zig} in ${s.seconds.toFixed(1)}s${libs.length ? `; ${libs.join(', ')}` : ''}`,
    '',
    formatSizeTable(s.sizes),
    '',
    `output: ${s.outDir}`,
  ].join('\n');
}
