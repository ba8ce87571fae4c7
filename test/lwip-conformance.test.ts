/**
 * The conformance suite (examples/apps/conformance, the same cases as the POSIX boards) on
 * the two lwIP backends, through testBoard() exactly as `qhal-gen test --board` runs it:
 * - mps2-an385-lwip-raw: a firmware on qemu-system-arm -M mps2-an385 (Cortex-M3, LAN9118,
 *   QEMU user-mode networking, broker reached at 10.0.2.2), and mps2-an386-lwip-raw, the same
 *   on -M mps2-an386 (Cortex-M4F, hard float);
 * - linux-x86_64-lwip: lwIP's unix port on a TAP device in the run's own namespace.
 * Each must end complete with 0 failed; every skip must carry its reason and be one this
 * board is known not to support (a new skip is a regression, not a pass). With the broker's
 * client certificate, mutual TLS runs on both.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { namespaceProblem } from '../toolkit/run/index.js';
import { runExampleBoardSuite } from './helpers/board-suite.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-lwip-conformance-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));

/** Cases each board cannot run, and a word its reason must contain. */
const MPS2_LWIP_RAW_SKIPS: Record<string, RegExp> = {
  'tcp.dns-fallback-next-address': /one address per name/,
  'tcp.ipv6': /ipv6 is off/,
  'tls.expired-rejected': /no calendar clock/,
  'dtls.cert': /pre-shared key/,
  'dtls.cert-untrusted-rejected': /pre-shared key/,
  'dtls.cert-wrong-host-rejected': /pre-shared key/,
  'udp.ipv6': /ipv6 is off/,
  'lifecycle.close-from-another-task-during-flood': /no second task/,
  'lifecycle.tls-close-from-another-task-during-flood': /no second task/,
};
const EXPECTED_SKIPS: Record<string, Record<string, RegExp>> = {
  'mps2-an385-lwip-raw': MPS2_LWIP_RAW_SKIPS,
  // The AN386 (Cortex-M4F, hard float) is the AN385's board on another CPU: the same skips.
  'mps2-an386-lwip-raw': MPS2_LWIP_RAW_SKIPS,
  'linux-x86_64-lwip': {
    'tcp.dns-fallback-next-address': /one address per name/,
    'dtls.psk': /no PSK hook/,
    'dtls.psk-wrong-key-rejected': /no PSK hook/,
  },
};

const reason = await namespaceProblem();

for (const [name, skips] of Object.entries(EXPECTED_SKIPS)) {
  test(
    `conformance suite on ${name}: N passed, 0 failed, only the named skips`,
    { timeout: 900_000, skip: reason ? `needs private namespaces: ${reason}` : false },
    async () => {
      const { r, lines } = await runExampleBoardSuite(name, work);
      for (const c of r.cases.filter((x) => x.status === 'skip')) {
        const why = skips[c.name];
        assert.ok(why, `unexpected skip ${c.name}: ${c.reason ?? '(no reason)'}`);
        assert.match(c.reason ?? '', why, `${c.name} skipped for another reason`);
      }
      assert.equal(r.cases.length, r.passed + r.skipped, 'every case is a pass or a named skip');
      assert.ok(r.passed >= 20, `only ${r.passed} cases passed:\n${lines.join('\n')}`);
    },
  );
}
