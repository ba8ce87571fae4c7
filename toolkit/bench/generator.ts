/**
 * The generator as a user meets it: `qhal-gen generate` in a fresh Node process, for one
 * board and for many boards in one run, with `node -e 0` (what any Node process costs) as the
 * reference measured in the same run. Wall time, CPU time and peak RSS of each process.
 * Run on its own: `node dist/toolkit/bench/generator.js [--quick] [--boards N]`.
 *
 * Three states of the qhal-gen cache (its own folder under the work folder, never the user's):
 * - first run: the cache is empty (no load cache, no V8 code cache for the compiler);
 * - cold: a board whose text was never checked (the compiler runs), the code cache warm;
 * - board unchanged: the board's checked value is in the load cache (no compiler).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { paths } from '../load/toolkit-paths.js';
import { toolkitPaths } from '../toolchain/paths.js';
import { median, renderTable, row, type Row, type Samples } from './figures.js';

const BIN = path.join(toolkitPaths.root, 'bin', 'qhal-gen.js');
const PRELOAD = pathToFileURL(fileURLToPath(new URL('./rusage-preload.js', import.meta.url))).href;

export interface ProcessCost {
  wallMs: number;
  cpuMs: number;
  maxRssMiB: number;
}

/** Runs node with args (and extra env); its wall time, CPU time and peak RSS. */
export function measureNode(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd = toolkitPaths.root,
): Promise<ProcessCost> {
  const usageFile = path.join(
    os.tmpdir(),
    `qhal-bench-rusage-${process.pid}-${process.hrtime.bigint()}.json`,
  );
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, ...args], {
      cwd,
      env: { ...process.env, ...env, QHAL_BENCH_RUSAGE: usageFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) {
        reject(new Error(`node ${args.join(' ')} exited ${code}: ${err.trim()}`));
        return;
      }
      try {
        const u = JSON.parse(fs.readFileSync(usageFile, 'utf8')) as {
          cpuMs: number;
          maxRssKiB: number;
        };
        resolve({ wallMs, cpuMs: u.cpuMs, maxRssMiB: u.maxRssKiB / 1024 });
      } catch (e) {
        reject(e as Error);
      } finally {
        fs.rmSync(usageFile, { force: true });
      }
    });
  });
}

/** Runs node with args; resolves with the wall time in ms (rejects on a non-zero exit). */
export async function timeNode(args: string[], cwd = toolkitPaths.root): Promise<number> {
  return (await measureNode(args, {}, cwd)).wallMs;
}

export function generateArgs(board: string, out: string): string[] {
  return [BIN, 'generate', '--board', board, '--out', out];
}

export function qhalGenArgs(args: string[]): string[] {
  return [BIN, ...args];
}

/** The example boards (each a different target, stack and feature set). */
function exampleBoards(): string[] {
  return fs
    .readdirSync(paths.boards)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => path.join(paths.boards, f));
}

/**
 * A folder of n boards made from the example boards in turn, each under its own name
 * (`<example>-<i>`), with the certificates they name.
 */
export function manyBoards(dir: string, n: number): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(paths.boards, 'certs'), path.join(dir, 'certs'), { recursive: true });
  const examples = exampleBoards().map((f) => ({
    base: path.basename(f, '.ts'),
    text: fs.readFileSync(f, 'utf8'),
  }));
  for (let i = 0; i < n; i++) {
    const { base, text } = examples[i % examples.length] as { base: string; text: string };
    const name = `${base}-${String(i).padStart(3, '0')}`;
    fs.writeFileSync(
      path.join(dir, `${name}.ts`),
      text.replace(/name: '[^']*'/, `name: '${name}'`),
    );
  }
  return dir;
}

/** The linux-x86_64 example with a comment naming `tag`: a board text never checked before. */
function changedBoard(dir: string, tag: string): string {
  if (!fs.existsSync(path.join(dir, 'certs'))) {
    fs.cpSync(path.join(paths.boards, 'certs'), path.join(dir, 'certs'), { recursive: true });
  }
  const text = fs.readFileSync(path.join(paths.boards, 'linux-x86_64.ts'), 'utf8');
  const file = path.join(dir, `linux-x86_64-${tag}.ts`);
  fs.writeFileSync(file, `${text}// bench ${tag}\n`);
  return file;
}

export async function generatorFigures(
  work: string,
  reps: number,
  boards: number,
): Promise<Samples> {
  const s: Samples = new Map();
  const add = (k: string, c: ProcessCost) => {
    for (const [suffix, v] of [
      ['', c.wallMs],
      ['.cpu', c.cpuMs],
      ['.rss', c.maxRssMiB],
    ] as const) {
      s.set(k + suffix, [...(s.get(k + suffix) ?? []), v]);
    }
  };
  const cache = { QHAL_CACHE_DIR: path.join(work, 'cache') };
  const one = path.join(work, 'one');
  const out = path.join(work, 'out');
  // Warms the code cache, so "cold" below is a new board, not a new install.
  await measureNode(generateArgs(changedBoard(one, 'warm-up'), out), cache);
  // Interleaved, `reps` times: a bare Node start, a first run, a new board, then that board again.
  for (let i = 0; i < reps; i++) {
    add('node.start', await measureNode(['-e', '0']));
    const fresh = { QHAL_CACHE_DIR: path.join(work, `cache-first-${i}`) };
    add('generate.first', await measureNode(generateArgs(changedBoard(one, `f${i}`), out), fresh));
    const board = changedBoard(one, `r${i}`);
    add('generate.one', await measureNode(generateArgs(board, out), cache));
    add('generate.unchanged', await measureNode(generateArgs(board, out), cache));
  }
  const many = manyBoards(path.join(work, 'many'), boards);
  add('generate.many', await measureNode(generateArgs(many, path.join(work, 'many-out')), cache));
  add(
    'generate.many-again',
    await measureNode(generateArgs(many, path.join(work, 'many-out')), cache),
  );
  return s;
}

/** The generator's rows of the bench table. */
export function generatorRows(s: Samples, boards: number): Row[] {
  const m = (k: string) => median(s.get(k) ?? []);
  const node = (suffix: string, unit: string) => ({
    value: m(`node.start${suffix}`),
    unit,
    what: '`node -e 0`',
  });
  const per = (k: string, suffix: string, unit: string) => ({ value: m(k + suffix), unit });
  const costRows = (k: string, label: string) => [
    row(`${label} (wall)`, per(k, '', 'ms'), node('', 'ms')),
    row(`${label} (CPU)`, per(k, '.cpu', 'ms'), node('.cpu', 'ms')),
    row(`${label} (max RSS)`, per(k, '.rss', 'MiB'), node('.rss', 'MiB')),
  ];
  const times = (k: string) => {
    const v = m(k);
    return { value: v === undefined ? undefined : v * boards, unit: 'ms' };
  };
  return [
    ...costRows('generate.one', '`generate` one board, cold'),
    ...costRows('generate.unchanged', '`generate` one board, cold, board unchanged'),
    ...costRows('generate.first', '`generate` one board, first run (qhal-gen cache empty)'),
    row(`\`generate\` ${boards} boards in one run (wall)`, per('generate.many', '', 'ms'), {
      ...times('generate.one'),
      what: `${boards} × one cold run`,
    }),
    row(`\`generate\` ${boards} boards in one run (CPU)`, per('generate.many', '.cpu', 'ms'), {
      ...times('generate.one.cpu'),
      what: `${boards} × one cold run`,
    }),
    row(
      `\`generate\` ${boards} boards in one run, unchanged (wall)`,
      per('generate.many-again', '', 'ms'),
      { ...times('generate.unchanged'), what: `${boards} × one cold run, board unchanged` },
    ),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean' }, boards: { type: 'string' } },
  });
  const boards = Number(values.boards ?? (values.quick ? 10 : 100));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-bench-generator-'));
  try {
    const s = await generatorFigures(work, values.quick ? 1 : 5, boards);
    console.log(`# ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); medians`);
    console.log(renderTable(generatorRows(s, boards)));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`bench: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  });
}
