/**
 * Third-party static libraries (mbedtls, lwIP) built once per (target, configuration,
 * source) and kept under `${cache}/builds/<target>/<hash>/`. A folder is complete when its
 * manifest.json exists; it is written last and atomically, after the archive has been renamed
 * into place, and it holds the sha256 of the archive and the headers, checked on every hit
 * (a changed byte is a miss: the library is rebuilt). One build per key at a time (a lock
 * folder beside it); whoever takes the lock removes what an interrupted build left.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createArchive } from './archive.js';
import { firstChangedFile, sha256OfFile, withLock, writeFileAtomic } from './cache-lock.js';
import { compileAll, compileCommand, type CompileCommand, type CompileJob } from './compile.js';
import { ToolchainError } from './errors.js';
import { buildsCacheDir } from './paths.js';
import type { ProgressSink } from './progress.js';
import type { Target } from './targets.js';

/** Bump when the way libraries are built changes, so old cache entries are not reused. */
const LIBRARY_BUILDER_VERSION = 1;

const MANIFEST = 'manifest.json';

export interface LibrarySpec {
  /** `mbedtls`, `lwip`. */
  name: string;
  /** Archive file name, e.g. `libmbedtls.a`. */
  archiveName: string;
  target: Target;
  /** Absolute paths of the C files to compile. */
  sources: string[];
  /** Root of the source tree (for object names and compile_commands). */
  sourceRoot: string;
  /** Identifies the exact source tree. */
  sourceHash: string;
  /** Generated headers put in `<build>/include/` (e.g. the mbedtls config, lwipopts.h). */
  configFiles: { name: string; content: string }[];
  /** Flags; the string `@CONFIG@` is replaced by the build's include folder. */
  flags: string[];
  /** Extra flags for single files, keyed by path relative to `sourceRoot` (after `flags`). */
  sourceFlags?: Record<string, string[]>;
  zigVersion: string;
  parallel?: number;
  onProgress?: ProgressSink;
  /** Show third-party compiler warnings (they never fail the build). */
  showWarnings?: boolean;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface LibraryManifest {
  name: string;
  target: string;
  key: string;
  archive: string;
  files: number;
  compileSeconds: number;
  compileCommands: CompileCommand[];
  /** sha256 of each file of the entry (archive, headers), relative to its folder. */
  sha256: Record<string, string>;
}

export interface LibraryResult {
  name: string;
  /** The archive in the cache. */
  archive: string;
  cache: 'hit' | 'miss';
  cacheDir: string;
  key: string;
  files: number;
  seconds: number;
  compileCommands: CompileCommand[];
  warnings: string[];
}

export function libraryKey(spec: LibrarySpec): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      v: LIBRARY_BUILDER_VERSION,
      name: spec.name,
      target: spec.target.id,
      zigTarget: spec.target.zigTarget,
      cpu: spec.target.cpuFlags,
      zig: spec.zigVersion,
      flags: spec.flags,
      ...(spec.sourceFlags ? { sourceFlags: spec.sourceFlags } : {}),
      config: spec.configFiles,
      source: spec.sourceHash,
      files: spec.sources.map((s) => path.relative(spec.sourceRoot, s)),
    }),
  );
  return h.digest('hex').slice(0, 24);
}

function objectName(sourceRoot: string, source: string): string {
  return path.relative(sourceRoot, source).replace(/\.c$/, '.o').replace(/[\\/]/g, '__');
}

/** The entry's manifest when every file it lists still has its recorded hash. */
function verifiedManifest(dir: string, log?: (line: string) => void): LibraryManifest | null {
  let m: LibraryManifest;
  try {
    m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as LibraryManifest;
  } catch {
    return null;
  }
  const changed = m.sha256 ? firstChangedFile(dir, m.sha256) : MANIFEST;
  if (changed === null) return m;
  log?.(`cache: ${path.join(dir, changed)} does not match its recorded sha256; rebuilding`);
  return null;
}

/** What an interrupted build leaves: object folders and temporary files. Lock held. */
function removeLeftovers(dir: string): void {
  for (const e of fs.readdirSync(dir)) {
    if (e.startsWith('obj-') || e.endsWith('.tmp')) {
      fs.rmSync(path.join(dir, e), { recursive: true, force: true });
    }
  }
}

export async function buildLibrary(spec: LibrarySpec): Promise<LibraryResult> {
  const key = libraryKey(spec);
  const dir = path.join(buildsCacheDir(spec.env), spec.target.id, `${spec.name}-${key}`);
  const started = Date.now();
  const hit = (m: LibraryManifest): LibraryResult => {
    spec.onProgress?.({ phase: spec.name, done: m.files, total: m.files, cached: true });
    return {
      name: spec.name,
      archive: path.join(dir, spec.archiveName),
      cache: 'hit',
      cacheDir: dir,
      key,
      files: m.files,
      seconds: (Date.now() - started) / 1000,
      compileCommands: m.compileCommands,
      warnings: [],
    };
  };
  const cached = verifiedManifest(dir, spec.log);
  if (cached) return hit(cached);
  fs.mkdirSync(dir, { recursive: true });
  return withLock(
    `${dir}.lock`,
    async () => {
      // Another build of this key may have finished while this one waited.
      const built = verifiedManifest(dir);
      if (built) return hit(built);
      fs.rmSync(path.join(dir, MANIFEST), { force: true });
      removeLeftovers(dir);
      return compileLibrary(spec, dir, key, started);
    },
    { onWait: () => spec.log?.(`cache: waiting for another build of ${spec.name} ${key}`) },
  );
}

async function compileLibrary(
  spec: LibrarySpec,
  dir: string,
  key: string,
  started: number,
): Promise<LibraryResult> {
  const manifestFile = path.join(dir, MANIFEST);
  const archive = path.join(dir, spec.archiveName);
  const include = path.join(dir, 'include');
  fs.mkdirSync(include, { recursive: true });
  for (const f of spec.configFiles) {
    const file = path.join(include, f.name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, f.content);
  }
  const objDir = fs.mkdtempSync(path.join(dir, 'obj-'));
  try {
    const flags = spec.flags.map((f) => f.replaceAll('@CONFIG@', include));
    const jobs: CompileJob[] = spec.sources.map((source) => {
      const extra = spec.sourceFlags?.[path.relative(spec.sourceRoot, source)] ?? [];
      const all = [...flags, ...extra];
      return {
        source,
        object: path.join(objDir, objectName(spec.sourceRoot, source)),
        flags: spec.showWarnings ? all : [...all, '-w'],
      };
    });
    const results = await compileAll(jobs, {
      parallel: spec.parallel,
      cwd: spec.sourceRoot,
      onDone: (done, total) => spec.onProgress?.({ phase: spec.name, done, total }),
    });
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) {
      const first = failed
        .slice(0, 3)
        .map((r) => r.stderr)
        .join('\n');
      throw new ToolchainError(
        `${spec.name}: ${failed.length} of ${jobs.length} files failed to compile for ${spec.target.id}:\n${first}`,
      );
    }
    const warnings = results.filter((r) => r.stderr !== '').map((r) => r.stderr);
    const tmpArchive = path.join(objDir, spec.archiveName);
    await createArchive(
      tmpArchive,
      jobs.map((j) => j.object),
    );
    fs.renameSync(tmpArchive, archive);
    const compileCommands = jobs.map((j) => compileCommand(j, spec.sourceRoot));
    const seconds = (Date.now() - started) / 1000;
    const manifest: LibraryManifest = {
      name: spec.name,
      target: spec.target.id,
      key,
      archive: spec.archiveName,
      files: jobs.length,
      compileSeconds: seconds,
      compileCommands,
      sha256: Object.fromEntries(
        [spec.archiveName, ...spec.configFiles.map((f) => path.join('include', f.name))].map(
          (rel) => [rel, sha256OfFile(path.join(dir, rel))],
        ),
      ),
    };
    writeFileAtomic(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
    return {
      name: spec.name,
      archive,
      cache: 'miss',
      cacheDir: dir,
      key,
      files: jobs.length,
      seconds,
      compileCommands,
      warnings,
    };
  } finally {
    fs.rmSync(objDir, { recursive: true, force: true });
  }
}
