/**
 * The toolchain's CLI commands, for `toolkit/cli`: each takes the arguments after the
 * command name and returns the exit code (0 ok, 1 failure; bad flags throw UsageError → 2;
 * ToolchainError carries exitCode 1).
 */
import { UsageError, parseFlags } from '../cli/args.js';
import { resolveOutDir } from '../cli/out-dir.js';
import { generateBoard } from '../generate/index.js';
import { loadBoard, loadHal } from '../load/index.js';
import { buildBoard, formatBuildSummary } from './build.js';
import { formatDoctor, runDoctorChecks } from './doctor.js';
import { createProgressReporter } from './progress.js';
import { sdkDirFlag } from './sdk-tree.js';
import { fetchSources } from './sources.js';

/**
 * `qhal-gen build --board FILE [--out DIR] [--mbedtls-dir DIR] [--lwip-dir DIR]
 * [--freertos-dir DIR] [--freertos-config DIR] [--sdk-dir DIR] [--sdk-include DIR]... [--json]
 * [--verbose]`
 */
export async function runBuild(argv: string[]): Promise<number> {
  const v = parseFlags('build', argv, {
    board: { type: 'string' },
    out: { type: 'string' },
    'mbedtls-dir': { type: 'string' },
    'lwip-dir': { type: 'string' },
    'freertos-dir': { type: 'string' },
    'freertos-config': { type: 'string' },
    'sdk-dir': { type: 'string' },
    'sdk-include': { type: 'string', multiple: true },
    json: { type: 'boolean' },
    verbose: { type: 'boolean' },
  });
  if (!v.board) throw new UsageError('build: --board <file> is required');
  const outDir = resolveOutDir(v.out ?? 'qhal-out');
  const board = await loadBoard(v.board);
  const { hal, source } = await loadHal();
  const generated = generateBoard(board, hal, source);
  const summary = await buildBoard({
    board,
    generated: generated.files,
    outDir,
    mbedtlsDir: v['mbedtls-dir'],
    lwipDir: v['lwip-dir'],
    freertosDir: v['freertos-dir'],
    freertosConfigDir: v['freertos-config'],
    ...sdkDirFlag(v['sdk-dir']),
    sdkIncludeDirs: v['sdk-include'] ?? [],
    json: v.json ?? false,
    verbose: v.verbose ?? false,
    onProgress: createProgressReporter(process.stderr),
  });
  if (v.json) console.log(JSON.stringify(summary, null, 2));
  else console.log(formatBuildSummary(summary));
  return 0;
}

/** `qhal-gen doctor [--json]`: 0 when everything is present, else 1. */
export async function runDoctor(argv: string[]): Promise<number> {
  const v = parseFlags('doctor', argv, { json: { type: 'boolean' } });
  const checks = await runDoctorChecks();
  if (v.json) console.log(JSON.stringify({ ok: checks.every((c) => c.ok), checks }, null, 2));
  else console.log(formatDoctor(checks));
  return checks.every((c) => c.ok) ? 0 : 1;
}

/** `qhal-gen fetch-sources [--force]`: no network when the cache already holds both. */
export async function runFetchSources(argv: string[]): Promise<number> {
  const v = parseFlags('fetch-sources', argv, { force: { type: 'boolean' } });
  const roots = await fetchSources({
    force: v.force ?? false,
    log: (l) => console.error(`qhal-gen: ${l}`),
  });
  for (const [name, root] of Object.entries(roots)) console.log(`${name}: ${root}`);
  return 0;
}
