/**
 * The conformance suite on the three example boards that run under qemu-user (aarch64,
 * armhf, riscv64): each must complete with no failed case. linux-x86_64 (native) and the
 * suite's own ability to fail are covered by conformance.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runExampleBoardSuite } from './helpers/board-suite.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-conformance-boards-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));

for (const name of ['linux-aarch64', 'linux-armhf', 'linux-riscv64']) {
  test(
    `conformance suite under QEMU: ${name} ends with 0 failed`,
    { timeout: 900_000 },
    async () => {
      const { r, lines } = await runExampleBoardSuite(name, work);
      assert.ok(r.passed >= 25, `only ${r.passed} cases passed:\n${lines.join('\n')}`);
    },
  );
}
