/** Step lines of long steps: one line per step off a TTY, a live line on one, failures too. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStepReporter } from '../toolkit/toolchain/progress.js';

test('steps: one line per step when not a TTY, with its time; a failed step says so', async () => {
  let t = 0;
  const out: string[] = [];
  const step = createStepReporter({ write: (s: string) => out.push(s), isTTY: false }, {}, () => t);
  const v = await step('board: building', async () => {
    t = 2500;
    return 7;
  });
  assert.equal(v, 7);
  await assert.rejects(
    step('board: suite', async () => {
      t = 4000;
      throw new Error('zig failed');
    }),
    /zig failed/,
  );
  assert.deepEqual(out, ['board: building: done in 2.5 s\n', 'board: suite: failed after 1.5 s\n']);
});

test('steps: on a TTY the running step is shown, then replaced by its result', async () => {
  const out: string[] = [];
  const step = createStepReporter({ write: (s: string) => out.push(s), isTTY: true }, {}, () => 0);
  await step('x', async () => undefined);
  assert.deepEqual(out, ['\r\x1b[2Kx ...', '\r\x1b[2Kx: done in 0.0 s\n']);
});
