/**
 * One example board through testBoard() (what `qhal-gen test --board` does), with the
 * broker's client certificate so mutual TLS runs, and the checks every board must meet:
 * the suite completed, no case failed, mutual TLS passed.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { paths } from '../../toolkit/load/toolkit-paths.js';
import { testBoard, type ConformanceResult } from '../../toolkit/run/index.js';

export async function runExampleBoardSuite(
  name: string,
  workDir: string,
): Promise<{ r: ConformanceResult; lines: string[] }> {
  const lines: string[] = [];
  const r = await testBoard({
    board: path.join(paths.boards, `${name}.ts`),
    workDir: path.join(workDir, name),
    clientCert: true,
    log: (l) => lines.push(l),
  });
  const failed = r.cases.filter((c) => c.status === 'fail');
  assert.equal(r.complete, true, lines.join('\n'));
  assert.equal(r.failed, 0, failed.map((c) => `${c.name}: ${c.reason ?? ''}`).join('\n'));
  const mutual = r.cases.find((c) => c.name === 'tls.mutual');
  assert.equal(mutual?.status, 'pass', 'mutual TLS must run and pass');
  console.log(`# ${name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
  return { r, lines };
}
