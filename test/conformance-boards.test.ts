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
import { paths } from '../toolkit/load/toolkit-paths.js';
import { testBoard } from '../toolkit/run/index.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-conformance-boards-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));

for (const name of ['linux-aarch64', 'linux-armhf', 'linux-riscv64']) {
  test(`conformance suite under QEMU: ${name} ends with 0 failed`, { timeout: 900_000 }, async () => {
    const lines: string[] = [];
    const r = await testBoard({
      board: path.join(paths.boards, `${name}.ts`),
      workDir: path.join(work, name),
      clientCert: true,
      log: (l) => lines.push(l),
    });
    const failed = r.cases.filter((c) => c.status === 'fail');
    assert.equal(r.complete, true, lines.join('\n'));
    assert.equal(r.failed, 0, failed.map((c) => `${c.name}: ${c.reason ?? ''}`).join('\n'));
    assert.ok(r.passed >= 25, `only ${r.passed} cases passed:\n${lines.join('\n')}`);
    const mutual = r.cases.find((c) => c.name === 'tls.mutual');
    assert.equal(mutual?.status, 'pass', 'mutual TLS must run and pass');
    console.log(`# ${name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
  });
}
