/**
 * Board files that would write a file or start a process if they were run: each is refused
 * at the construct that would have run (exit 2), by `generate` and by `generate --check`, and
 * no marker file appears. The board is read from its syntax tree, never executed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../toolkit/load/toolkit-paths.js';
import { runBin, runCli } from './helpers/cli.js';

const DIR = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'malformed-hostile');
const MARKER = '/tmp/qhal-hostile-marker';
/** What `export * from 'file:///tmp/qhal-hostile-payload.mjs'` would load and run. */
const PAYLOAD = '/tmp/qhal-hostile-payload.mjs';

const EXPECTED: Record<string, string> = {
  'await-in-const': '4:17: a function call is not allowed in a board file',
  'export-from-file-url': '4:1: board files may not re-export from other modules',
  'getter-side-effect': '6:3: get accessor is not allowed in a board file',
  'iife-in-value': '4:9: a function call is not allowed in a board file',
  'import-child-process':
    "3:26: board files may import only from 'qhal-gen' (found 'node:child_process')",
  'top-level-await-import':
    "5:1: board files hold only imports from 'qhal-gen', consts, types and the default export (found expression statement)",
};

function markers(): string[] {
  return fs.readdirSync('/tmp').filter((f) => f.startsWith(path.basename(MARKER)));
}

function clearMarkers(): void {
  for (const f of markers()) fs.rmSync(path.join('/tmp', f), { force: true });
}

test('every hostile fixture has an expectation', () => {
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.ts'));
  assert.deepEqual(files.map((f) => f.replace(/\.ts$/, '')).sort(), Object.keys(EXPECTED).sort());
});

for (const [name, expected] of Object.entries(EXPECTED)) {
  test(`hostile board ${name}: refused where it would run, nothing written or spawned`, async () => {
    clearMarkers();
    fs.writeFileSync(
      PAYLOAD,
      `import { execSync } from 'node:child_process';\nexecSync('touch ${MARKER}-payload');\n`,
    );
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-hostile-'));
    const board = path.join(DIR, `${name}.ts`);
    const shown = path.relative(process.cwd(), board);
    for (const check of [[], ['--check']]) {
      const r = await runCli([
        'generate',
        '--board',
        board,
        '--out',
        path.join(out, 'D'),
        ...check,
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.startsWith(`${shown}:${expected}`), r.stderr);
    }
    assert.deepEqual(markers(), [], 'the board file ran');
    assert.deepEqual(fs.readdirSync(out), []);
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(PAYLOAD, { force: true });
  });
}

test('hostile board as the CLI runs it (child process): exit 2, no marker', () => {
  clearMarkers();
  const r = runBin([
    'generate',
    '--check',
    '--board',
    path.join(DIR, 'top-level-await-import.ts'),
    '--out',
    path.join(os.tmpdir(), 'qhal-hostile-none'),
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(markers(), []);
});
