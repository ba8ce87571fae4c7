/**
 * What a board file may hold beyond literals (in-file consts, spreads, arithmetic, template
 * strings, `as const`) gives the same board as the plain literal, and a rule broken by a value
 * that came through a spread points into the constant it was written in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, loadBoard } from '../toolkit/load/index.js';
import { boardVariant, exampleBoardPath } from './helpers/boards.js';

test('consts, spreads, arithmetic and template strings evaluate like the literal board', async () => {
  const plain = await loadBoard(exampleBoardPath('linux-x86_64'));
  const file = boardVariant('linux-x86_64', [
    [
      'export default defineBoard({',
      "const KiB = 1024;\nconst arch = 'x86_64';\nconst common = { ioTaskPriority: 0, connectTimeoutMs: 10 * 1000 } as const;\n" +
        'const caps = [true, false] as const;\n\nexport default defineBoard({',
    ],
    ["name: 'linux-x86_64',", 'name: `linux-${arch}`,'],
    ['    maxSockets: 16,', '    ...common,\n    maxSockets: 2 ** 4,'],
    ['    rxBufferSize: 4096,', '    rxBufferSize: 4 * KiB,'],
    ['    ioTaskPriority: 0,\n    connectTimeoutMs: 10000,\n', ''],
    ['    ipv6: true,', '    ipv6: caps[0],'],
  ]);
  const varied = await loadBoard(file);
  assert.deepEqual({ ...varied, file: '' }, { ...plain, file: '' });
});

test('a value spread in from a const is located in that const', async () => {
  const file = boardVariant('linux-x86_64', [
    [
      'export default defineBoard({',
      'const big = { rxBufferSize: 1 << 20 };\n\nexport default defineBoard({',
    ],
    ['    rxBufferSize: 4096,', '    ...big,'],
  ]);
  await assert.rejects(loadBoard(file), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.deepEqual(
      e.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`),
      ['8:15: limits.rxBufferSize must be an integer from 256 to 65536 (got 1048576)'],
    );
    return true;
  });
});

test('a name that is not an in-file constant is a located error', async () => {
  const file = boardVariant('linux-x86_64', [["name: 'linux-x86_64',", 'name: `x${process}`,']]);
  await assert.rejects(
    loadBoard(file),
    /:\d+:\d+: 'process' is not a constant declared in this file$/,
  );
});
