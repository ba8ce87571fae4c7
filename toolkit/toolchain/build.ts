/**
 * `qhal-gen build`: writes the generated HAL into outDir, compiles it with zig for the
 * board's target (warnings are errors), builds mbedtls (TLS/DTLS boards) and lwIP (lwIP
 * boards) as separate cached static libraries, and reports sizes.
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
import { resolveSource, type ResolvedSource } from './sources.js';
import { checkTargetFit, getTarget, targetCompileFlags, type Target } from './targets.js';
import { zigVersion } from './zig.js';

export interface GeneratedFile {
  name: string;
  content: string;
}

export interface BuildOptions {
  board: BoardModel;
  /** The generator's output (qhal_socket.c, qhal_socket.h, ...). */
  generated: GeneratedFile[];
  outDir: string;
  /** `--mbedtls-dir` (wins over the board's `sources.mbedtlsDir`). */
  mbedtlsDir?: string;
  /** `--lwip-dir` (wins over the board's `sources.lwipDir`). */
  lwipDir?: string;
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
  hal: { sources: string[]; archive: string; size: SizeRow };
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

  const libraries: { result: LibraryResult; source: ResolvedSource }[] = [];
  const halFlags = [
    ...targetFlags,
    ...COMMON_FLAGS,
    ...HAL_WARNING_FLAGS,
    '-I',
    outDir,
    '-I',
    toolkitPaths.sdkShim,
  ];

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
      sourceHash: lwip.hash,
      configFiles: cfg.files,
      flags: [...targetFlags, ...COMMON_FLAGS, ...lwipFlags(lwip.root, board, target, '@CONFIG@')],
      zigVersion: zig,
      parallel,
      onProgress: opts.onProgress,
      showWarnings: opts.verbose,
      env,
    });
    libraries.push({ result, source: lwip });
    halFlags.push(...lwipFlags(lwip.root, board, target, outDir));
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
  const sizes = [halSize, ...libSummaries.map((l) => l.size)];
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
    hal: { sources: halJobs.map((j) => j.source), archive: halArchive, size: halSize },
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
