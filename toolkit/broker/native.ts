/**
 * Host-native helper binaries of the broker (the DTLS echo server), built once with zig
 * from mbedtls sources and cached under <cache>/broker-native/<hash>/.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot, toolkitPaths } from '../toolchain/paths.js';
import { resolveSource } from '../toolchain/sources.js';
import { zigPath } from '../toolchain/zig.js';

const run = promisify(execFile);

export const DTLS_ECHO_SOURCE = path.join(
  toolkitPaths.root,
  'toolkit',
  'broker',
  'native',
  'dtls_echo_server.c',
);

/**
 * The mbedtls tree: `QHAL_BROKER_MBEDTLS_DIR`, else the toolchain's cached source (never
 * fetched from here), else /tmp/mbedtls-2.28.3.
 */
export async function mbedtlsRoot(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.QHAL_BROKER_MBEDTLS_DIR) return path.resolve(env.QHAL_BROKER_MBEDTLS_DIR);
  try {
    return (await resolveSource('mbedtls', { fetch: false, env })).root;
  } catch {
    const fallback = '/tmp/mbedtls-2.28.3';
    if (fs.existsSync(path.join(fallback, 'include', 'mbedtls', 'ssl.h'))) return fallback;
    throw new Error(
      'no mbedtls source for the DTLS echo server: run `qhal-gen fetch-sources` or set QHAL_BROKER_MBEDTLS_DIR',
    );
  }
}

let building: Promise<string> | undefined;

/** Path of the DTLS echo server binary, built on first use (about a minute), then cached. */
export function ensureDtlsEcho(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  building ??= (async () => {
    const root = await mbedtlsRoot(env);
    const src = fs.readFileSync(DTLS_ECHO_SOURCE);
    const hash = createHash('sha256').update(src).update(root).digest('hex').slice(0, 20);
    const dir = path.join(cacheRoot(env), 'broker-native', hash);
    const bin = path.join(dir, 'qhal-dtls-echo');
    if (fs.existsSync(bin)) return bin;
    fs.mkdirSync(dir, { recursive: true });
    const lib = path.join(root, 'library');
    const sources = fs
      .readdirSync(lib)
      .filter((f) => f.endsWith('.c'))
      .map((f) => path.join(lib, f));
    const tmp = `${bin}.tmp${process.pid}`;
    try {
      await run(
        zigPath(),
        [
          'cc',
          '-target',
          'x86_64-linux-musl',
          '-O2',
          '-w',
          '-I',
          path.join(root, 'include'),
          ...sources,
          DTLS_ECHO_SOURCE,
          '-o',
          tmp,
        ],
        { timeout: 600_000, maxBuffer: 16 << 20 },
      );
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(
        `building the DTLS echo server failed: ${e.stderr?.slice(-2000) || e.message}`,
      );
    }
    fs.renameSync(tmp, bin);
    return bin;
  })();
  building.catch(() => {
    building = undefined;
  });
  return building;
}
