/**
 * `npm run bench` smoke run (--quick): every row of the table is printed with the HAL's
 * figure, the reference measured in the same run and a ratio. Values are never judged here:
 * speed is what the bench reports, not what a test asserts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../toolkit/load/toolkit-paths.js';

const ROWS = [
  'TCP echo, 1 KiB writes',
  'TCP echo, 64 KiB writes',
  'TLS echo, 1 KiB writes',
  'TLS echo, 64 KiB writes',
  'round trip, 1 socket',
  'round trip, 20 idle sockets open',
  'round trip growth, 20 open ÷ 1 socket',
  'CPU per round trip, 20 open',
  'connect (Init to ConnResult)',
  '`generate` one board, cold (wall)',
  '`generate` 10 boards in one run (wall)',
];

test(
  'npm run bench --quick prints every figure with its reference and ratio',
  { timeout: 900_000 },
  () => {
    const r = spawnSync(
      process.execPath,
      [path.join(PACKAGE_ROOT, 'dist', 'toolkit', 'bench', 'main.js'), '--quick'],
      {
        encoding: 'utf8',
        timeout: 880_000,
      },
    );
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const cells = new Map(
      r.stdout
        .split('\n')
        .filter((l) => l.startsWith('| '))
        .map((l) =>
          l
            .split('|')
            .map((c) => c.trim())
            .slice(1, -1),
        )
        .map((c) => [c[0] as string, c.slice(1)]),
    );
    assert.deepEqual(cells.get('figure'), ['HAL', 'reference (same run)', 'ratio']);
    for (const name of ROWS) {
      const row = cells.get(name);
      assert.ok(row, `row "${name}" printed:\n${r.stdout}`);
      const [hal, ref, ratio] = row;
      assert.match(hal ?? '', /^[\d,.]+ \S+$/, `${name}: the HAL's figure`);
      assert.match(ref ?? '', /[\d,.]+ \S+$/, `${name}: the reference`);
      assert.match(ratio ?? '', /^\d+\.\d\d$/, `${name}: the ratio`);
    }
    assert.ok(
      [...cells.keys()].some((k) => k.startsWith('`qhal-gen test` linux-x86_64')),
      'the qhal-gen test row is printed (not run with --quick)',
    );
  },
);
