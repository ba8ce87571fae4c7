/**
 * `qhal-gen ci`: the workflow for examples/boards read back with a YAML parser (one matrix
 * entry, so one job, per board file), both formats, deterministic output, --check on a stale
 * or missing file, and no overwriting of a file qhal-gen did not write.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { paths } from '../toolkit/load/toolkit-paths.js';
import { runCli } from './helpers/cli.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-ci-test-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

const boardNames = fs
  .readdirSync(paths.boards)
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .map((f) => path.basename(f, '.ts'));

/** Runs `qhal-gen ci` with the repository as the project root. */
async function ci(args: string[]) {
  const cwd = process.cwd();
  process.chdir(paths.root);
  try {
    return await runCli(['ci', '--boards', 'examples/boards', ...args]);
  } finally {
    process.chdir(cwd);
  }
}

interface GithubWorkflow {
  on: Record<string, unknown>;
  jobs: Record<
    string,
    {
      'runs-on': string;
      env: Record<string, string>;
      strategy: { matrix: { include: { board: string; file: string; freertos: string }[] } };
      steps: { uses?: string; run?: string; if?: string; with?: Record<string, unknown> }[];
    }
  >;
}

describe('qhal-gen ci', { timeout: 300_000 }, () => {
  const gh = path.join(work, 'gh.yml');
  const gl = path.join(work, 'gl.yml');

  it('github: one matrix job per board in examples/boards, each generate --check, build, test, upload', async () => {
    const r = await ci(['--out', gh]);
    assert.equal(r.code, 0, r.stderr);
    const wf = parse(fs.readFileSync(gh, 'utf8')) as GithubWorkflow;
    assert.deepEqual(Object.keys(wf.jobs), ['board']);
    const job = wf.jobs.board as GithubWorkflow['jobs'][string];
    const include = job.strategy.matrix.include;
    assert.deepEqual(
      include.map((e) => e.board),
      boardNames,
    );
    for (const e of include) {
      assert.ok(fs.existsSync(path.join(paths.root, e.file)), e.file);
      assert.equal(e.file, `examples/boards/${e.board}.ts`);
    }
    // FreeRTOS boards, and only they, get the FreeRTOS-Kernel tree.
    assert.deepEqual(
      include.filter((e) => e.freertos === '1').map((e) => e.board),
      boardNames.filter((n) => n.includes('freertos')),
    );
    const runs = job.steps.map((s) => s.run ?? '');
    const at = (re: RegExp) => runs.findIndex((x) => re.test(x));
    const gen = at(
      / generate --board "\$\{\{ matrix\.file \}\}" --out "qhal\/\$\{\{ matrix\.board \}\}" --check$/,
    );
    const build = at(/ build --board "\$\{\{ matrix\.file \}\}"/);
    const test = at(
      / test --board .* --junit "results\/\$\{\{ matrix\.board \}\}\/junit\.xml" --report /,
    );
    assert.ok(gen > 0 && build > gen && test > build, runs.join('\n'));
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    assert.equal(upload?.if, 'always()');
    assert.equal(upload?.with?.path, 'results/${{ matrix.board }}/');
  });

  it('gitlab: one parallel:matrix entry per board, JUnit report artifact', async () => {
    const r = await ci(['--format', 'gitlab', '--out', gl]);
    assert.equal(r.code, 0, r.stderr);
    const wf = parse(fs.readFileSync(gl, 'utf8')) as {
      'qhal-gen': {
        parallel: { matrix: { BOARD: string; BOARD_FILE: string }[] };
        script: string[];
        artifacts: { reports: { junit: string } };
      };
    };
    const job = wf['qhal-gen'];
    assert.deepEqual(
      job.parallel.matrix.map((e) => e.BOARD),
      boardNames,
    );
    assert.equal(job.script.length, 3);
    assert.match(job.script[0] as string, / generate .* --check$/);
    assert.equal(job.artifacts.reports.junit, 'results/$BOARD/junit.xml');
  });

  it('is deterministic, and --check tells a current file from a stale or missing one', async () => {
    const first = fs.readFileSync(gh, 'utf8');
    assert.equal((await ci(['--out', gh])).code, 0);
    assert.equal(fs.readFileSync(gh, 'utf8'), first);
    assert.equal((await ci(['--out', gh, '--check'])).code, 0);
    fs.writeFileSync(gh, first.replace('timeout-minutes: 60', 'timeout-minutes: 61'));
    const stale = await ci(['--out', gh, '--check']);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /out of date: run .* ci --boards examples\/boards --format github/);
    const missing = await ci(['--out', path.join(work, 'none.yml'), '--check']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /missing/);
    assert.ok(!fs.existsSync(path.join(work, 'none.yml')));
  });

  it('never replaces a file it did not write without --force', async () => {
    const mine = path.join(work, 'mine.yml');
    fs.writeFileSync(mine, 'name: hand written\n');
    const r = await ci(['--out', mine]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not written by qhal-gen: pass --force/);
    assert.equal(fs.readFileSync(mine, 'utf8'), 'name: hand written\n');
    assert.equal((await ci(['--out', mine, '--force'])).code, 0);
    assert.match(fs.readFileSync(mine, 'utf8'), /^# Generated by qhal-gen/);
  });

  it('a broken board is reported as file:line:col, exit 2, nothing written', async () => {
    const dir = path.join(work, 'boards');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'bad.ts'),
      "import { defineBoard } from 'qhal-gen';\nexport default defineBoard({ name: 'bad' });\n",
    );
    const out = path.join(work, 'bad.yml');
    const cwd = process.cwd();
    process.chdir(work);
    try {
      const r = await runCli(['ci', '--boards', 'boards', '--out', out]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /bad\.ts:2:\d+: /);
    } finally {
      process.chdir(cwd);
    }
    assert.ok(!fs.existsSync(out));
  });
});
