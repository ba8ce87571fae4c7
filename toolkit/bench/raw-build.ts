/**
 * Builds the reference clients (examples/apps/bench): the same zig, target flags and warning
 * and optimisation flags as the conformance suite that drives the HAL, linked with the very
 * mbedtls archive and configuration the HAL's build produced.
 */
import path from 'node:path';
import type { BuildSummary } from '../toolchain/build.js';
import { MBEDTLS_CONFIG_FILE_NAME } from '../toolchain/mbedtls-config.js';
import { toolkitPaths } from '../toolchain/paths.js';
import { targetCompileFlags, type Target } from '../toolchain/targets.js';
import { SUITE_CFLAGS, zigCc } from '../run/suite-build.js';

export const RAW_DIR = path.join(toolkitPaths.root, 'examples', 'apps', 'bench');
const RAW_SOURCES = ['raw-main.c', 'raw-tcp.c', 'raw-tls.c'];

export async function buildRawClients(o: {
  target: Target;
  build: BuildSummary;
  out: string;
}): Promise<string> {
  const mbedtls = o.build.libraries.find((l) => l.name === 'mbedtls');
  if (!mbedtls) throw new Error(`the build of ${o.build.board} has no mbedtls (TLS is off?)`);
  const args = [
    'cc',
    ...(await targetCompileFlags(o.target)),
    ...SUITE_CFLAGS,
    '-I',
    o.build.outDir,
    '-I',
    path.join(mbedtls.source.root, 'include'),
    `-DMBEDTLS_CONFIG_FILE="${MBEDTLS_CONFIG_FILE_NAME}"`,
    ...RAW_SOURCES.map((f) => path.join(RAW_DIR, f)),
    mbedtls.archive,
    '-static',
    '-o',
    o.out,
  ];
  await zigCc(args, 'the reference clients');
  return o.out;
}
