/**
 * The generated POSIX HAL under AddressSanitizer + UBSan (gcc, toolkit/run/sanitize.ts): the
 * whole conformance suite and the receive-path fuzz driver against the broker, each with 0
 * sanitizer reports and 0 failed cases. First, proof that a report is seen at all.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runProcess } from '../toolkit/toolchain/proc.js';
import {
  buildSanitized,
  linkSanitized,
  runSanitized,
  SANITIZE_DIR,
  SANITIZE_FLAGS,
  SANITIZER_REPORT_RE,
  UBSAN_SUPPRESSIONS,
  type SanitizedBuild,
  type SanitizedRun,
} from '../toolkit/run/sanitize.js';

const BOARD = path.resolve('examples/boards/linux-x86_64.ts');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-sanitize-test-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));
/** The fuzz driver's build: its HAL folder and sanitized mbedtls serve the MD5 check too. */
let fuzzBuild: SanitizedBuild | undefined;

async function openssl(args: string[]): Promise<void> {
  const r = await runProcess('openssl', args, { cwd: work });
  assert.equal(r.code, 0, r.stderr);
}

function verdict(r: SanitizedRun): string {
  const failed = r.cases.filter((c) => c.status === 'fail');
  return [
    ...r.reports,
    ...failed.map((c) => `${c.name}: ${c.reason ?? ''}\n  ${c.details.join('\n  ')}`),
  ].join('\n');
}

describe('sanitizer reports are seen', () => {
  const bugs: Record<string, string> = {
    'heap overflow':
      'int main(void) { volatile char *p = malloc(4); p[4] = 1; free((void *)p); return 0; }',
    'signed overflow':
      'int main(int c, char **v) { int x = INT_MAX - 1 + c; (void)v; return x + 1 > 0; }',
  };
  for (const [name, body] of Object.entries(bugs)) {
    it(`a ${name} ends the program with a report`, async () => {
      const src = path.join(work, `${name.replace(' ', '-')}.c`);
      const bin = src.replace(/\.c$/, '');
      fs.writeFileSync(src, `#include <limits.h>\n#include <stdlib.h>\n${body}\n`);
      const cc = await runProcess('gcc', [
        ...SANITIZE_FLAGS,
        `-DSANITIZE_UBSAN_SUPPRESSIONS="${UBSAN_SUPPRESSIONS}"`,
        src,
        path.join(SANITIZE_DIR, 'options.c'),
        '-o',
        bin,
      ]);
      assert.equal(cc.code, 0, cc.stderr);
      const run = await runProcess(bin, ['x']);
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, SANITIZER_REPORT_RE);
    });
  }
});

describe('the POSIX HAL under ASan + UBSan (linux-x86_64, gcc)', { timeout: 900_000 }, () => {
  it('passes the conformance suite with 0 sanitizer reports', { timeout: 600_000 }, async () => {
    const r = await runSanitized({
      board: BOARD,
      workDir: path.join(work, 'conformance'),
      program: 'conformance',
      clientCert: true,
      log: () => undefined,
    });
    assert.deepEqual(r.reports, [], verdict(r));
    assert.ok(r.complete, 'the suite printed its summary line');
    assert.equal(r.failed, 0, verdict(r));
    assert.ok(r.passed >= 20, `${r.passed} cases passed`);
  });

  it('survives the receive-path fuzz driver with 0 reports', { timeout: 300_000 }, async () => {
    const lines: string[] = [];
    const r = await runSanitized({
      board: BOARD,
      workDir: path.join(work, 'fuzz'),
      program: 'fuzz',
      log: (l) => lines.push(l),
    });
    fuzzBuild = r.build;
    assert.deepEqual(r.reports, [], verdict(r));
    assert.ok(r.complete, 'the driver printed its summary line');
    assert.equal(r.failed, 0, verdict(r));
    assert.deepEqual(
      r.cases.map((c) => [c.name, c.status]),
      [
        ['fuzz.udp-datagrams', 'pass'],
        ['fuzz.tcp-partial-frames', 'pass'],
        ['fuzz.tls-records', 'pass'],
      ],
    );
    // The iteration counts are fixed: a driver that quietly did less would show here.
    assert.ok(
      lines.includes('# fuzz.udp-datagrams: 2000 datagrams (1943 non-empty), seed 20261201'),
    );
    assert.ok(
      lines.some((l) => /^# fuzz\.tcp-partial-frames: 200 streams in \d+ segments/.test(l)),
    );
    // Some links echo whole (mutation past the echo), the others are cut or garbled.
    const tls = lines
      .map((l) => /^# fuzz\.tls-records: 100 links \((\d+) up, (\d+) echoed whole\)/.exec(l))
      .find((m) => m !== null);
    assert.ok(tls, lines.join('\n'));
    assert.ok(Number(tls[2]) > 0 && Number(tls[2]) < 100, tls[0]);
  });

  it("meets upstream mbedtls's own report on an MD5-signed leaf: suppressed exactly, leaf rejected", async () => {
    const build =
      fuzzBuild ??
      (await buildSanitized({ board: BOARD, workDir: path.join(work, 'md5'), program: 'fuzz' }));
    const bin = await linkSanitized({
      halDir: build.halDir,
      mbedtls: build.mbedtls,
      sources: [path.join(SANITIZE_DIR, 'md5-leaf.c')],
      out: path.join(work, 'md5-leaf'),
    });
    const rsa = ['-newkey', 'rsa:2048', '-nodes', '-days', '30'];
    await openssl([
      'req',
      '-x509',
      ...rsa,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-subj',
      '/CN=md5-ca',
    ]);
    await openssl([
      'req',
      ...rsa,
      '-keyout',
      'leaf.key',
      '-out',
      'leaf.csr',
      '-subj',
      '/CN=localhost',
    ]);
    for (const md of ['md5', 'sha256'])
      await openssl([
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-set_serial',
        '1',
        '-days',
        '30',
        `-${md}`,
        '-out',
        `leaf-${md}.pem`,
      ]);
    const verify = (md: string, env?: NodeJS.ProcessEnv) =>
      runProcess(bin, ['ca.pem', `leaf-${md}.pem`, 'localhost'], {
        cwd: work,
        ...(env ? { env } : {}),
      });
    // The same chain signed with SHA-256 verifies: the program checks what it claims to.
    const good = await verify('sha256');
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /^parse 0 verify 0 flags 0$/m);
    // MD5: the leaf does not parse (MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG + OID_NOT_FOUND), the
    // verification fails (MBEDTLS_ERR_X509_CERT_VERIFY_FAILED), and nothing is reported ...
    const md5 = await verify('md5');
    assert.equal(md5.code, 0, md5.stderr);
    assert.doesNotMatch(md5.stderr, SANITIZER_REPORT_RE);
    assert.match(md5.stdout, /^parse -9774 verify -9984 flags [0-9a-f]+$/m);
    // ... but only because of ubsan.supp: without it, the upstream report in x509_crt.c.
    const bare = await verify('md5', { ...process.env, UBSAN_OPTIONS: 'suppressions=/dev/null' });
    assert.match(
      bare.stderr,
      /x509_crt\.c:\d+:\d+: runtime error: null pointer passed as argument/,
    );
  });
});
