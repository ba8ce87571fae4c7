/**
 * mbedtls 2.28.3 and lwIP 2.1.3 from Debian's source packages, fetched once with
 * `apt-get source --download-only`, checked against pinned sha256 sums, unpacked with
 * `dpkg-source -x` (which applies Debian's patches, e.g. lwIP's `port` with the unix port)
 * into `${cache}/sources/<name>-<version>/`, and used offline from then on. A user's own
 * tree (`--mbedtls-dir`, `--lwip-dir`, or the board's `sources`) replaces the cache.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { withLock } from './cache-lock.js';
import { ToolchainError } from './errors.js';
import { sourcesCacheDir } from './paths.js';
import { runProcess } from './proc.js';

export type SourceName = 'mbedtls' | 'lwip';
export const SOURCE_NAMES: readonly SourceName[] = ['mbedtls', 'lwip'];

interface PinnedFile {
  file: string;
  sha256: string;
}

export interface SourceSpec {
  name: SourceName;
  /** Upstream version, used in the cache folder name. */
  version: string;
  /** Debian source package version. */
  debianVersion: string;
  /** What a user tree must report, e.g. `2.28.` */
  acceptedSeries: string;
  flag: string;
  boardField: string;
  dsc: PinnedFile;
  orig: PinnedFile;
  debian: PinnedFile;
  /**
   * sha256 over the unpacked tree's C files (hashTree): dpkg-source -x of the pinned files is
   * deterministic, so the cached tree is checked against this on every use.
   */
  treeSha256: string;
}

export const SOURCE_SPECS: Record<SourceName, SourceSpec> = {
  mbedtls: {
    name: 'mbedtls',
    version: '2.28.3',
    debianVersion: '2.28.3-1',
    acceptedSeries: '2.28',
    flag: '--mbedtls-dir',
    boardField: 'sources.mbedtlsDir',
    dsc: {
      file: 'mbedtls_2.28.3-1.dsc',
      sha256: 'a8bf91b5ffb40654efb0ebe0c962ac1e87b8eed5e104880982eaa70dd4bb33e3',
    },
    orig: {
      file: 'mbedtls_2.28.3.orig.tar.gz',
      sha256: '3b4953aa55a681e084d31892d9904cc5328d6b4958ea57b90ae4b4f94ae69a8d',
    },
    debian: {
      file: 'mbedtls_2.28.3-1.debian.tar.xz',
      sha256: '3e03c61f63c7bbcd0bf695b53e6663ab448cc2e15429cd67d0e4f32e699645a9',
    },
    treeSha256: '40c69e900084c0bfce35b589dea49c1f9567d33e1b3cc24b96236362d9055433',
  },
  lwip: {
    name: 'lwip',
    version: '2.1.3',
    debianVersion: '2.1.3+dfsg1-2',
    acceptedSeries: '2.1',
    flag: '--lwip-dir',
    boardField: 'sources.lwipDir',
    dsc: {
      file: 'lwip_2.1.3+dfsg1-2.dsc',
      sha256: '8d8f944db8e6d542fc2d6f01559078fb1b5dda71651c67ee5fa3571ed1342c50',
    },
    orig: {
      file: 'lwip_2.1.3+dfsg1.orig.tar.xz',
      sha256: '0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24',
    },
    debian: {
      file: 'lwip_2.1.3+dfsg1-2.debian.tar.xz',
      sha256: 'c5a48413d362cc757032cdd58f528f75eb64ee781ca46ca24f010b49b0e62a90',
    },
    treeSha256: 'efe34b19d238f4fee06ffe2df782057a30caceb805a81f41754e41b4fa1e7720',
  },
};

/** Written into an unpacked cache tree; its presence (and match) means "no network needed". */
export const MARKER_FILE = '.qhal-source.json';

export interface SourceMarker {
  name: SourceName;
  version: string;
  debianVersion: string;
  files: Record<string, string>;
}

function expectedMarker(spec: SourceSpec): SourceMarker {
  return {
    name: spec.name,
    version: spec.version,
    debianVersion: spec.debianVersion,
    files: {
      [spec.dsc.file]: spec.dsc.sha256,
      [spec.orig.file]: spec.orig.sha256,
      [spec.debian.file]: spec.debian.sha256,
    },
  };
}

export function cachedSourceDir(name: SourceName, env?: NodeJS.ProcessEnv): string {
  const spec = SOURCE_SPECS[name];
  return path.join(sourcesCacheDir(env), `${spec.name}-${spec.version}`);
}

function readMarker(dir: string): SourceMarker | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, MARKER_FILE), 'utf8')) as SourceMarker;
  } catch {
    return null;
  }
}

function markerMatches(dir: string, spec: SourceSpec): boolean {
  const m = readMarker(dir);
  return m !== null && JSON.stringify(m) === JSON.stringify(expectedMarker(spec));
}

/** The version a tree reports, or null when the identifying header is missing. */
export function detectVersion(name: SourceName, root: string): string | null {
  if (name === 'mbedtls') {
    const file = path.join(root, 'include', 'mbedtls', 'version.h');
    if (!fs.existsSync(file)) return null;
    const m = /#define\s+MBEDTLS_VERSION_STRING\s+"([0-9.]+)"/.exec(fs.readFileSync(file, 'utf8'));
    return m ? (m[1] as string) : null;
  }
  const file = path.join(root, 'src', 'include', 'lwip', 'init.h');
  if (!fs.existsSync(file)) return null;
  const text = fs.readFileSync(file, 'utf8');
  const part = (what: string): string | undefined =>
    new RegExp(`#define\\s+LWIP_VERSION_${what}\\s+(\\d+)`).exec(text)?.[1];
  const [major, minor, rev] = [part('MAJOR'), part('MINOR'), part('REVISION')];
  if (major === undefined || minor === undefined) return null;
  return `${major}.${minor}.${rev ?? '0'}`;
}

function versionFits(version: string, series: string): boolean {
  return version === series || version.startsWith(`${series}.`);
}

export interface ResolvedSource {
  name: SourceName;
  root: string;
  version: string;
  origin: 'cache' | 'user';
  /** Identifies the exact source for build caching: pinned checksums, or a content hash. */
  hash: string;
}

export interface EnsureSourceOptions {
  /** A user's tree instead of the cache. */
  dir?: string;
  /** How the user gave `dir`, for messages: `--mbedtls-dir` (default) or `board`. */
  from?: 'flag' | 'board';
  /** Fetch into the cache when missing (default true). */
  fetch?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Validates and describes a source tree; throws ToolchainError with the fix. */
export async function resolveSource(
  name: SourceName,
  opts: EnsureSourceOptions = {},
): Promise<ResolvedSource> {
  const spec = SOURCE_SPECS[name];
  if (opts.dir !== undefined) {
    const root = path.resolve(opts.dir);
    const origin = opts.from === 'board' ? `the board's ${spec.boardField}` : spec.flag;
    const fix =
      `Point ${opts.from === 'board' ? spec.boardField : spec.flag} at an ${name} ${spec.acceptedSeries} tree, ` +
      'or omit it and run: qhal-gen fetch-sources';
    const version = detectVersion(name, root);
    if (version === null) {
      throw new ToolchainError(`${name} source not found at ${root} (from ${origin}). ${fix}`);
    }
    if (!versionFits(version, spec.acceptedSeries)) {
      throw new ToolchainError(
        `${name} source at ${root} (from ${origin}) is version ${version}, not ${spec.acceptedSeries}.x. ${fix}`,
      );
    }
    return { name, root, version, origin: 'user', hash: await hashTree(name, root) };
  }
  const root = cachedSourceDir(name, opts.env);
  if (!markerMatches(root, spec)) {
    if (opts.fetch === false) {
      throw new ToolchainError(
        `${name} ${spec.version} is not in the cache (${root}). Run: qhal-gen fetch-sources ` +
          `(or point ${spec.flag} at an ${name} ${spec.acceptedSeries} tree)`,
      );
    }
    await fetchSource(name, { env: opts.env });
  }
  const version = detectVersion(name, root);
  if (version === null || !versionFits(version, spec.acceptedSeries)) {
    throw new ToolchainError(
      `${name} cache at ${root} is damaged (version ${version ?? 'unknown'}). ` +
        `Delete it and run: qhal-gen fetch-sources`,
    );
  }
  const tree = await hashTree(name, root);
  if (tree !== spec.treeSha256) {
    throw new ToolchainError(
      `${name} cache at ${root} does not match its pinned content (sha256 of its C files ` +
        `${tree}, expected ${spec.treeSha256}): a file was changed. Run: qhal-gen fetch-sources`,
    );
  }
  const hash = createHash('sha256')
    .update(JSON.stringify(expectedMarker(spec)))
    .digest('hex');
  return { name, root, version, origin: 'cache', hash };
}

/** The root of a usable source tree (the cache, fetched if needed, or the user's `dir`). */
export async function ensureSource(
  name: SourceName,
  opts: EnsureSourceOptions = {},
): Promise<string> {
  return (await resolveSource(name, opts)).root;
}

/** Content hash of the files a build reads from a user's tree. */
async function hashTree(name: SourceName, root: string): Promise<string> {
  const dirs = name === 'mbedtls' ? ['include', 'library'] : ['src', 'port', 'contrib'];
  const files: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.[ch]$/.test(e.name)) files.push(p);
    }
  };
  for (const d of dirs) walk(path.join(root, d));
  files.sort();
  const h = createHash('sha256');
  for (const f of files) {
    h.update(path.relative(root, f));
    h.update('\0');
    h.update(await fs.promises.readFile(f));
    h.update('\0');
  }
  return h.digest('hex');
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export interface FetchOptions {
  env?: NodeJS.ProcessEnv;
  /** Re-download and re-unpack even when the cache is valid. */
  force?: boolean;
  log?: (line: string) => void;
}

const INSTALL_HINT =
  'Run: bash ci/install-system-deps.sh (needs root: it installs dpkg-dev and enables deb-src)';

/** Downloads, checks and unpacks one source into the cache; no network when already there. */
export async function fetchSource(name: SourceName, opts: FetchOptions = {}): Promise<string> {
  const spec = SOURCE_SPECS[name];
  const final = cachedSourceDir(name, opts.env);
  const log = opts.log ?? (() => {});
  const intact = async () =>
    markerMatches(final, spec) && (await hashTree(name, final)) === spec.treeSha256;
  if (!opts.force && (await intact())) {
    log(`${name} ${spec.version}: cached at ${final}`);
    return final;
  }
  const parent = path.dirname(final);
  fs.mkdirSync(parent, { recursive: true });
  return withLock(path.join(parent, `.fetch-${name}.lock`), async () => {
    if (!opts.force && (await intact())) return final; // fetched by another process meanwhile
    // Lock held: staging folders of this source are from an interrupted fetch.
    for (const e of fs.readdirSync(parent)) {
      if (e.startsWith(`.fetch-${name}-`)) {
        fs.rmSync(path.join(parent, e), { recursive: true, force: true });
      }
    }
    return unpackSource(spec, final, opts);
  });
}

async function unpackSource(spec: SourceSpec, final: string, opts: FetchOptions): Promise<string> {
  const name = spec.name;
  const log = opts.log ?? (() => {});
  const tmp = fs.mkdtempSync(path.join(path.dirname(final), `.fetch-${name}-`));
  try {
    log(`${name} ${spec.version}: apt-get source --download-only ${name}=${spec.debianVersion}`);
    let r;
    try {
      r = await runProcess(
        'apt-get',
        ['source', '--download-only', `${name}=${spec.debianVersion}`],
        { cwd: tmp, env: opts.env },
      );
    } catch (e) {
      throw new ToolchainError(`cannot run apt-get (${(e as Error).message}). ${INSTALL_HINT}`);
    }
    if (r.code !== 0) {
      throw new ToolchainError(
        `apt-get source ${name}=${spec.debianVersion} failed:\n${r.stderr.trim()}\n${INSTALL_HINT}`,
      );
    }
    for (const pinned of [spec.dsc, spec.orig, spec.debian]) {
      const file = path.join(tmp, pinned.file);
      if (!fs.existsSync(file)) {
        throw new ToolchainError(
          `apt-get source ${name}=${spec.debianVersion} did not produce ${pinned.file}`,
        );
      }
      const got = sha256File(file);
      if (got !== pinned.sha256) {
        throw new ToolchainError(
          `checksum mismatch for ${pinned.file}: expected sha256 ${pinned.sha256}, got ${got}. ` +
            'Refusing to use it.',
        );
      }
    }
    log(`${name} ${spec.version}: sha256 verified; dpkg-source -x (applies Debian patches)`);
    const tree = path.join(tmp, 'tree');
    try {
      // Checksums are verified above against our pins; --no-check skips only the OpenPGP signature.
      r = await runProcess('dpkg-source', ['--no-check', '-x', spec.dsc.file, 'tree'], {
        cwd: tmp,
        env: opts.env,
      });
    } catch (e) {
      throw new ToolchainError(`cannot run dpkg-source (${(e as Error).message}). ${INSTALL_HINT}`);
    }
    if (r.code !== 0)
      throw new ToolchainError(`dpkg-source -x ${spec.dsc.file} failed:\n${r.stderr.trim()}`);
    const version = detectVersion(name, tree);
    if (version !== spec.version) {
      throw new ToolchainError(
        `${spec.dsc.file} unpacked to version ${version ?? 'unknown'}, expected ${spec.version}`,
      );
    }
    const content = await hashTree(name, tree);
    if (content !== spec.treeSha256) {
      throw new ToolchainError(
        `${spec.dsc.file} unpacked to C files with sha256 ${content}, expected ${spec.treeSha256}`,
      );
    }
    fs.writeFileSync(
      path.join(tree, MARKER_FILE),
      JSON.stringify(expectedMarker(spec), null, 2) + '\n',
    );
    fs.rmSync(final, { recursive: true, force: true });
    fs.renameSync(tree, final);
    log(`${name} ${spec.version}: unpacked to ${final}`);
    return final;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Both sources; returns their roots. */
export async function fetchSources(opts: FetchOptions = {}): Promise<Record<SourceName, string>> {
  const out = {} as Record<SourceName, string>;
  for (const name of SOURCE_NAMES) out[name] = await fetchSource(name, opts);
  return out;
}

/** For `doctor`: what the cache holds. */
export function cachedSourceStatus(
  name: SourceName,
  env?: NodeJS.ProcessEnv,
): { dir: string; version: string | null; valid: boolean } {
  const dir = cachedSourceDir(name, env);
  const valid = markerMatches(dir, SOURCE_SPECS[name]);
  return { dir, version: valid ? detectVersion(name, dir) : null, valid };
}
