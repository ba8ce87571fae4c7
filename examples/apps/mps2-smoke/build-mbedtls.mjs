// Builds mbedtls 2.28 for a TLS board on its MCU target with the toolkit's own pieces
// (ensureSource'd Debian source, the board's generated qhal_mbedtls_config.h, the cached
// library build), for ci/mps2-smoke.sh. Prints three lines: the folder holding
// qhal_mbedtls_config.h, mbedtls's include folder, the archive.
//   node build-mbedtls.mjs <qhal-gen root> <board file> [parallel]
import path from 'node:path';

const [root, boardFile, parallelArg] = process.argv.slice(2);
const dist = (p) => import(path.join(root, 'dist', 'toolkit', p));
const { loadBoard } = await dist('load/index.js');
const { getTarget, targetCompileFlags } = await dist('toolchain/targets.js');
const { generateMbedtlsConfig, MBEDTLS_CONFIG_FILE_NAME } = await dist(
  'toolchain/mbedtls-config.js',
);
const { resolveSource } = await dist('toolchain/sources.js');
const { buildLibrary } = await dist('toolchain/library.js');
const { zigVersion } = await dist('toolchain/zig.js');
import fs from 'node:fs';

const board = await loadBoard(boardFile);
const target = getTarget(board.target);
const src = await resolveSource('mbedtls', {});
const cfg = generateMbedtlsConfig(board, target);
const libDir = path.join(src.root, 'library');
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
  sourceRoot: src.root,
  sourceHash: src.hash,
  configFiles: [{ name: MBEDTLS_CONFIG_FILE_NAME, content: cfg.libraryHeader }],
  flags: [
    ...(await targetCompileFlags(target)),
    '-std=c99',
    '-Os',
    '-ffunction-sections',
    '-fdata-sections',
    '-I',
    '@CONFIG@',
    '-I',
    path.join(src.root, 'include'),
    `-DMBEDTLS_CONFIG_FILE="${MBEDTLS_CONFIG_FILE_NAME}"`,
  ],
  zigVersion: await zigVersion(),
  parallel: Number(parallelArg ?? 2),
});
for (const n of cfg.notes) process.stderr.write(`mbedtls: ${n}\n`);
process.stdout.write(
  `${path.join(result.cacheDir, 'include')}\n${path.join(src.root, 'include')}\n${result.archive}\n`,
);
