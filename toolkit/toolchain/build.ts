/**
 * `qhal-gen build`: writes the generated HAL into outDir, compiles it with zig for the
 * board's target (warnings are errors), builds mbedtls (TLS/DTLS boards), lwIP (lwIP boards)
 * and FreeRTOS (lwip-socket boards with os 'freertos', from the user's FreeRTOS-Kernel tree)
 * as separate cached static libraries, and reports sizes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BoardModel } from '../model/board-model.js';
import { createArchive } from './archive.js';
import {
  compileAll,
  compileCommand,
  defaultParallelism,
  type CompileCommand,
  type CompileJob,
} from './compile.js';
import { ToolchainError } from './errors.js';
import {
  boardNeedsFreertos,
  checkFreertosDir,
  freertosIncludeFlags,
  freertosPortDir,
  freertosSources,
  freertosVersion,
  hashFreertosTree,
  hashLwipFreertosPort,
  resolveFreertosConfig,
  type FreertosConfig,
} from './freertos.js';
import { buildLibrary, type LibraryResult } from './library.js';
import { generateLwipConfig, lwipFlags, lwipSources } from './lwip-config.js';
import {
  boardNeedsMbedtls,
  generateMbedtlsConfig,
  MBEDTLS_CONFIG_FILE_NAME,
} from './mbedtls-config.js';
import { toolkitPaths } from './paths.js';
import type { ProgressSink } from './progress.js';
import { fileSize, formatSizeTable, type SizeRow } from './size.js';
import { checkSdkDir, sdkIncludeFlags, type SdkTree } from './sdk-tree.js';
import { resolveSource, type ResolvedSource } from './sources.js';
import { checkTargetFit, getTarget, targetCompileFlags, type Target } from './targets.js';
import { zigVersion } from './zig.js';

export interface GeneratedFile {
  name: string;
  content: string;
}

export interface BuildOptions {
  board: BoardModel;
  /** The generator's output (qhal_Socket.c, qhal_Socket.h, ...). */
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
const COMMON_FLAGS = ['-std=c99', '-Os', '-ffunction-sections', '-fdata-sections'];

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

export async function buildBoard(opts: BuildOptions): Promise<BuildSummary> {
  const started = Date.now();
  const { board } = opts;
  const env = opts.env ?? process.env;
  const fit = checkTargetFit(board.target, board.stack, board.os);
  if (fit !== null) throw new ToolchainError(fit);
  const target: Target = getTarget(board.target);
  const outDir = path.resolve(opts.outDir);
  const parallel = opts.parallel ?? defaultParallelism();
  const notes: string[] = [];
  // Checked before anything is written. QHAL_SDK_DIR is read by the commands (sdkDirFlag),
  // not here, so the suites' own builds always use the shim.
  const sdk =
    opts.sdkDir !== undefined ? checkSdkDir(opts.sdkDir, opts.sdkFrom ?? '--sdk-dir') : undefined;
  if (sdk === undefined && (opts.sdkIncludeDirs ?? []).length > 0)
    throw new ToolchainError('--sdk-include needs --sdk-dir (or QHAL_SDK_DIR)', 2);
  // FreeRTOS: the user's kernel tree, and FreeRTOSConfig.h (theirs or the target's default).
  let freertos: { root: string; config: FreertosConfig; hash: string } | undefined;
  if (boardNeedsFreertos(board)) {
    // The flag wins; QHAL_FREERTOS_DIR names a kernel tree for every build (CI, the tests).
    const root = checkFreertosDir(board, target, opts.freertosDir ?? env.QHAL_FREERTOS_DIR);
    const config = resolveFreertosConfig(target, opts.freertosConfigDir);
    freertos = { root, config, hash: hashFreertosTree(root, target) };
  } else {
    if (opts.freertosDir !== undefined)
      notes.push("--freertos-dir ignored: only lwip-socket boards with os 'freertos' use FreeRTOS");
    if (opts.freertosConfigDir !== undefined)
      notes.push(
        "--freertos-config ignored: only lwip-socket boards with os 'freertos' use FreeRTOS",
      );
  }

  const halC = opts.generated.filter((f) => f.name.endsWith('.c'));
  if (halC.length === 0)
    throw new ToolchainError('nothing to build: the generated files hold no .c file');

  // Resolve sources first, so a bad --mbedtls-dir fails before anything is written.
  const needMbedtls = boardNeedsMbedtls(board);
  const needLwip = board.stack === 'lwip-socket' || board.stack === 'lwip-raw';
  let mbedtls: ResolvedSource | undefined;
  let lwip: ResolvedSource | undefined;
  if (needMbedtls) {
    mbedtls = await resolveSource('mbedtls', {
      ...sourceDirFor(opts.mbedtlsDir, board.sources.mbedtlsDir, board),
      env,
    });
  } else if (opts.mbedtlsDir !== undefined) {
    notes.push('--mbedtls-dir ignored: the board uses neither TLS nor DTLS');
  }
  if (needLwip) {
    lwip = await resolveSource('lwip', {
      ...sourceDirFor(opts.lwipDir, board.sources.lwipDir, board),
      env,
    });
  } else if (opts.lwipDir !== undefined) {
    notes.push('--lwip-dir ignored: the board uses the POSIX stack');
  }

  const zig = await zigVersion();
  const targetFlags = await targetCompileFlags(target);
  const mbedtlsCfg = mbedtls ? generateMbedtlsConfig(board, target) : undefined;
  const lwipCfg = lwip ? generateLwipConfig(board, target) : undefined;

  fs.mkdirSync(outDir, { recursive: true });
  for (const f of opts.generated) fs.writeFileSync(path.join(outDir, f.name), f.content);
  const header =
    opts.generated.find((f) => f.name.endsWith('.h'))?.name ?? board.sdk.fileNames.header;
  const sdkFlags = sdk
    ? sdkIncludeFlags({
        sdk,
        outDir,
        overlayDir: path.join(outDir, 'sdk-driverLayer'),
        header,
        extraIncludes: opts.sdkIncludeDirs ?? [],
      })
    : undefined;
  if (sdk) notes.push(`HAL compiled against the QuecThing SDK in ${sdk.root} (${sdk.from})`);

  const libraries: {
    result: LibraryResult;
    source: Pick<ResolvedSource, 'root' | 'version' | 'origin'>;
  }[] = [];
  const halFlags = [
    ...targetFlags,
    ...COMMON_FLAGS,
    ...HAL_WARNING_FLAGS,
    ...(sdkFlags ?? ['-I', outDir, '-I', toolkitPaths.sdkShim]),
    ...(opts.testHooks ? ['-DQHAL_TEST_HOOKS=1'] : []),
  ];

  // FreeRTOS first: lwIP's sys_arch and the HAL include its headers and FreeRTOSConfig.h (a
  // copy goes next to the HAL, in outDir; the config's own folder stays on the path too).
  let freertosFlags: string[] = [];
  let freertosSummary: BuildSummary['freertos'];
  if (freertos) {
    const fr = freertos;
    const configFile = { name: 'FreeRTOSConfig.h', content: fr.config.content };
    fs.writeFileSync(path.join(outDir, configFile.name), configFile.content);
    freertosFlags = freertosIncludeFlags(fr.root, target, fr.config.dir);
    notes.push(
      `FreeRTOS: ${target.id} port ${freertosPortDir(target)}, heap_4.c, FreeRTOSConfig.h from ` +
        (fr.config.origin === 'user' ? fr.config.dir : `qhal-gen (${fr.config.dir})`),
    );
    const result = await buildLibrary({
      name: 'freertos',
      archiveName: 'libfreertos.a',
      target,
      sources: freertosSources(fr.root, target),
      sourceRoot: fr.root,
      sourceHash: `${fr.hash}:${hashLwipFreertosPort()}`,
      configFiles: [configFile],
      flags: [...targetFlags, ...COMMON_FLAGS, '-I', '@CONFIG@', ...freertosFlags],
      zigVersion: zig,
      parallel,
      onProgress: opts.onProgress,
      showWarnings: opts.verbose,
      env,
    });
    libraries.push({
      result,
      source: { root: fr.root, version: freertosVersion(fr.root), origin: 'user' },
    });
    halFlags.push(...freertosFlags);
    freertosSummary = {
      root: fr.root,
      port: path.join(fr.root, freertosPortDir(target)),
      config: { dir: fr.config.dir, origin: fr.config.origin },
      includeFlags: [],
    };
  }

  // lwip-raw with TLS: lwIP's altcp_tls_mbedtls.c is compiled against the same mbedtls.
  let lwipMbedtls: { flags: string[]; configFile: { name: string; content: string } } | undefined;
  if (mbedtls && mbedtlsCfg) {
    const cfg = mbedtlsCfg;
    notes.push(...cfg.notes);
    fs.writeFileSync(path.join(outDir, MBEDTLS_CONFIG_FILE_NAME), cfg.header);
    const define = `-DMBEDTLS_CONFIG_FILE="${MBEDTLS_CONFIG_FILE_NAME}"`;
    const libDir = path.join(mbedtls.root, 'library');
    const sources = fs
      .readdirSync(libDir)
      .filter((f) => f.endsWith('.c'))
      .sort()
      .map((f) => path.join(libDir, f));
    const result = await buildLibrary({
      name: 'mbedtls',
      archiveName: 'libmbedtls.a',
      target,
      sources,
      sourceRoot: mbedtls.root,
      sourceHash: mbedtls.hash,
      configFiles: [{ name: MBEDTLS_CONFIG_FILE_NAME, content: cfg.libraryHeader }],
      flags: [
        ...targetFlags,
        ...COMMON_FLAGS,
        '-I',
        '@CONFIG@',
        '-I',
        path.join(mbedtls.root, 'include'),
        define,
      ],
      zigVersion: zig,
      parallel,
      onProgress: opts.onProgress,
      showWarnings: opts.verbose,
      env,
    });
    libraries.push({ result, source: mbedtls });
    halFlags.push('-I', path.join(mbedtls.root, 'include'), define);
    if (board.stack === 'lwip-raw' && board.features.tls) {
      lwipMbedtls = {
        flags: ['-I', path.join(mbedtls.root, 'include'), define],
        configFile: { name: MBEDTLS_CONFIG_FILE_NAME, content: cfg.libraryHeader },
      };
    }
  }

  if (lwip && lwipCfg) {
    const cfg = lwipCfg;
    notes.push(...cfg.notes);
    for (const f of cfg.files) {
      const file = path.join(outDir, f.name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, f.content);
    }
    const result = await buildLibrary({
      name: 'lwip',
      archiveName: 'liblwip.a',
      target,
      sources: lwipSources(lwip.root, board, target),
      sourceRoot: lwip.root,
      // qhal-gen's FreeRTOS sys_arch is compiled into liblwip.a: its content is part of the key.
      sourceHash: freertos ? `${lwip.hash}:${hashLwipFreertosPort()}:${freertos.hash}` : lwip.hash,
      configFiles: [
        ...cfg.files,
        ...(lwipMbedtls ? [lwipMbedtls.configFile] : []),
        ...(freertos ? [{ name: 'FreeRTOSConfig.h', content: freertos.config.content }] : []),
      ],
      flags: [
        ...targetFlags,
        ...COMMON_FLAGS,
        ...lwipFlags(lwip.root, board, target, '@CONFIG@'),
        ...(lwipMbedtls?.flags ?? []),
        ...freertosFlags,
      ],
      // lwIP 2.1.3 takes MBEDTLS_ERR_NET_* from mbedtls/net.h, which is empty with
      // MBEDTLS_DEPRECATED_REMOVED (our config); net_sockets.h has them without MBEDTLS_NET_C.
      ...(lwipMbedtls
        ? {
            sourceFlags: {
              [path.join('src', 'apps', 'altcp_tls', 'altcp_tls_mbedtls.c')]: [
                '-include',
                'mbedtls/net_sockets.h',
              ],
            },
          }
        : {}),
      zigVersion: zig,
      parallel,
      onProgress: opts.onProgress,
      showWarnings: opts.verbose,
      env,
    });
    libraries.push({ result, source: lwip });
    halFlags.push(...lwipFlags(lwip.root, board, target, outDir));
    if (freertosSummary) {
      // What an application compiled against this build needs beyond outDir and lwIP.
      freertosSummary.includeFlags = [
        ...lwipFlags(lwip.root, board, target, outDir).slice(4),
        ...freertosFlags,
      ];
    }
  }

  // The HAL itself: never cached (it is small), and any diagnostic fails the build.
  const objDir = path.join(outDir, 'obj');
  fs.rmSync(objDir, { recursive: true, force: true });
  fs.mkdirSync(objDir, { recursive: true });
  const halJobs: CompileJob[] = halC.map((f) => ({
    source: path.join(outDir, f.name),
    object: path.join(objDir, f.name.replace(/\.c$/, '.o')),
    flags: halFlags,
  }));
  const halResults = await compileAll(halJobs, {
    parallel,
    cwd: outDir,
    onDone: (done, total) => opts.onProgress?.({ phase: 'hal', done, total }),
  });
  const bad = halResults.filter((r) => !r.ok || r.stderr !== '');
  if (bad.length > 0) {
    throw new ToolchainError(
      `the generated HAL does not compile cleanly for ${target.id} (warnings are errors):\n` +
        bad.map((r) => r.stderr).join('\n'),
    );
  }
  const halArchive = path.join(outDir, 'libqhal_socket.a');
  await createArchive(
    halArchive,
    halJobs.map((j) => j.object),
  );

  // The target's board support (start-up, NIC driver, entropy): our own code, so warnings
  // are errors too. It includes the generated header (entropy macros; its name is a board
  // option, passed as QHAL_SOCKET_HEADER) and lwipopts.h from outDir.
  let boardLib: BuildSummary['boardSupport'];
  if (target.boardSources !== undefined) {
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
    const boardObjDir = path.join(objDir, 'board');
    fs.mkdirSync(boardObjDir, { recursive: true });
    const boardJobs: CompileJob[] = sources.map((source) => ({
      source,
      object: path.join(boardObjDir, path.basename(source).replace(/\.c$/, '.o')),
      // Under FreeRTOS the start-up hands SVC, PendSV and SysTick to the kernel's port.
      flags: [
        ...halFlags,
        '-I',
        dir,
        ...halHeaderDefine(opts.generated),
        ...(freertos ? ['-DQHAL_BOARD_FREERTOS=1'] : []),
      ],
    }));
    const boardResults = await compileAll(boardJobs, {
      parallel,
      cwd: outDir,
      onDone: (done, total) => opts.onProgress?.({ phase: 'board', done, total }),
    });
    const badBoard = boardResults.filter((r) => !r.ok || r.stderr !== '');
    if (badBoard.length > 0) {
      throw new ToolchainError(
        `the board support in ${dir} does not compile cleanly for ${board.name} (warnings are errors):\n` +
          badBoard.map((r) => r.stderr).join('\n'),
      );
    }
    const archive = path.join(outDir, 'libqhal_board.a');
    await createArchive(
      archive,
      boardJobs.map((j) => j.object),
    );
    boardLib = {
      sources,
      archive,
      size: { name: 'qhal_board', file: archive, ...fileSize(archive) },
    };
    halJobs.push(...boardJobs);
  }

  // Libraries next to the HAL, so a link needs only outDir.
  const libSummaries: LibrarySummary[] = [];
  for (const { result, source } of libraries) {
    const dest = path.join(outDir, path.basename(result.archive));
    fs.copyFileSync(result.archive, dest);
    libSummaries.push({
      name: result.name,
      version: source.version,
      source: { root: source.root, origin: source.origin },
      archive: dest,
      cache: result.cache,
      cacheDir: result.cacheDir,
      files: result.files,
      seconds: result.seconds,
      size: { name: result.name, file: dest, ...fileSize(dest) },
    });
    if (opts.verbose) for (const w of result.warnings) process.stderr.write(`${w}\n`);
  }

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
    zig,
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
