/**
 * `qhal-gen test --report DIR`: a real run (linux-x86_64 passing and skipping, a FreeRTOS board
 * that cannot run without its kernel tree) rendered by headless Chromium (Debian's chromium,
 * from ci/install-system-deps.sh): the DOM it builds shows the matrix, and its screenshot shows
 * the PASS, SKIP and FAIL cells in their colours. The page loads nothing from anywhere.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parseBench } from '../toolkit/report/bench.js';
import { renderReport } from '../toolkit/report/html.js';
import type { BoardRun } from '../toolkit/report/model.js';
import { paths } from '../toolkit/load/toolkit-paths.js';
import { runBin } from './helpers/cli.js';
import { countColour, decodePng } from './helpers/png.js';

const CHROMIUM = '/usr/bin/chromium';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-report-test-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** Headless Chromium with its network cut off: every host resolves to nothing. */
function chromium(args: string[], page: string): string {
  const profile = fs.mkdtempSync(path.join(work, 'profile-'));
  const r = spawnSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND',
      `--user-data-dir=${profile}`,
      ...args,
      `file://${page}`,
    ],
    { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  assert.equal(r.status, 0, `chromium: ${r.error?.message ?? ''}\n${r.stderr}`);
  return r.stdout;
}

/** The text of each <tr>, cells joined by ' | ', from the DOM Chromium built. */
function rows(dom: string): string[] {
  return [...dom.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...(m[1] as string).matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)]
      .map((c) =>
        (c[1] as string)
          .replace(/<small>/g, ' ')
          .replace(/<[^>]+>/g, '')
          .trim(),
      )
      .join(' | '),
  );
}

const PASS_BG: [number, number, number] = [0xc8, 0xf7, 0xd0];
const SKIP_BG: [number, number, number] = [0xe4, 0xe7, 0xeb];
const FAIL_BG: [number, number, number] = [0xff, 0xc9, 0xc4];

describe(
  'qhal-gen test --report',
  {
    timeout: 900_000,
    skip: fs.existsSync(CHROMIUM)
      ? false
      : `${CHROMIUM} is not installed (bash ci/install-system-deps.sh installs it)`,
  },
  () => {
    it('a real run renders in headless Chromium with the matrix visible', () => {
      const boards = path.join(work, 'boards');
      fs.mkdirSync(boards);
      fs.cpSync(path.join(paths.boards, 'certs'), path.join(boards, 'certs'), { recursive: true });
      for (const b of ['linux-x86_64', 'freertos-lwip-cortex-m4']) {
        fs.copyFileSync(path.join(paths.boards, `${b}.ts`), path.join(boards, `${b}.ts`));
      }
      const report = path.join(work, 'report');
      // No kernel tree even where CI exports one: the FreeRTOS board then cannot even be built,
      // so it is a board that did not run (its cell FAIL) and the run as a whole fails. (With
      // a kernel it is built and then "built, not run": folder-mode.test.ts.)
      const r = runBin(
        ['test', '--board', boards, '--only', 'dtls', '--report', report],
        undefined,
        {
          QHAL_FREERTOS_DIR: '',
        },
      );
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const page = path.join(report, 'index.html');
      const text = fs.readFileSync(page, 'utf8');
      assert.doesNotMatch(text, /<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import/i);

      const dom = chromium(['--dump-dom'], page);
      const shown = rows(dom);
      assert.ok(shown.includes('case | freertos-lwip-cortex-m4 | linux-x86_64'), shown.join('\n'));
      const total = shown.find((t) => t.startsWith('board total'));
      assert.match(total ?? '', /did not run .*freertos-lwip-cortex-m4/);
      // dtls.psk, dtls.psk-wrong-key-rejected and dtls.large-record-then-new-session pass;
      // the three certificate cases skip (the board uses a pre-shared key).
      assert.match(total ?? '', /\| 3 passed, 0 failed, 3 skipped$/);
      assert.match(
        shown.find((t) => t.startsWith('dtls.psk |')) ?? '',
        /^dtls\.psk \| not run \| PASS \d+ ms$/,
      );
      assert.ok(
        shown.includes('dtls.cert | not run | SKIP board uses a pre-shared key for DTLS'),
        shown.join('\n'),
      );
      // Sizes of the HAL and mbedtls, the posture, the hash the generator stamps.
      assert.ok(shown.some((t) => /^linux-x86_64 \| qhal_socket \| \d+ \| \d+ \| \d+$/.test(t)));
      assert.ok(shown.some((t) => /^linux-x86_64 \| mbedtls \| \d+ \| \d+ \| \d+$/.test(t)));
      assert.ok(
        shown.some((t) =>
          /^linux-x86_64 \| TLS 1\.2, DTLS 1\.2 \| required .*\| hook qhal_test_psk\(\)/.test(t),
        ),
      );
      assert.ok(
        shown.some((t) =>
          /^linux-x86_64 \| x86_64-linux-musl \| posix \| posix \| [0-9a-f]{64} \|/.test(t),
        ),
      );

      const png = path.join(work, 'shot.png');
      chromium([`--screenshot=${png}`, '--window-size=1280,1400'], page);
      const img = decodePng(fs.readFileSync(png));
      assert.deepEqual([img.width, img.height], [1280, 1400]);
      // Two PASS cells, one SKIP, one failed board: each colour covers at least a cell's area.
      assert.ok(countColour(img, PASS_BG) > 2 * 3000, `PASS pixels ${countColour(img, PASS_BG)}`);
      assert.ok(countColour(img, SKIP_BG) > 3000, `SKIP pixels ${countColour(img, SKIP_BG)}`);
      assert.ok(countColour(img, FAIL_BG) > 3000, `FAIL pixels ${countColour(img, FAIL_BG)}`);
    });

    it('failures show their recorded callbacks; text is escaped, not markup', () => {
      const runs: BoardRun[] = [
        {
          board: 'b<1>',
          complete: true,
          seconds: 1,
          sizes: [],
          bench: [{ name: 'tcp.connect', value: 100, unit: 'us', note: 'median of 20' }],
          cases: [
            {
              name: 'tls.valid',
              status: 'fail',
              ms: 5,
              reason: 'ConnResult <b>FALSE</b> & "more"',
              details: ['events (1):', '  conn h=0x1 result=0'],
            },
          ],
        },
      ];
      const page = path.join(work, 'synthetic.html');
      fs.writeFileSync(page, renderReport(runs));
      const dom = chromium(['--dump-dom'], page);
      assert.doesNotMatch(dom, /<b>FALSE<\/b>/);
      assert.match(dom, /ConnResult &lt;b&gt;FALSE&lt;\/b&gt; &amp; "more"/);
      assert.match(dom, /<pre>events \(1\):\n {2}conn h=0x1 result=0<\/pre>/);
      assert.ok(
        rows(dom).includes('b&lt;1&gt; | tcp.connect | 100 us | median of 20'),
        rows(dom).join('\n'),
      );
    });
  },
);

describe('benchmark lines', () => {
  it('are read as figures with their unit and how they were measured', () => {
    assert.deepEqual(
      parseBench([
        'BENCH tcp.connect 100231 us (median of 20; fastest 100105 us)',
        'BENCH tcp.echo-throughput 210916 KiB/s (4096 KiB out and back in 19420 us, writes of at most 4096 bytes)',
        'BENCH size.qhal_socket 16907 text (data 0, bss 12193: the HAL object)',
        'PASS tcp.echo (12 ms)',
        'BENCH broken',
      ]),
      [
        { name: 'tcp.connect', value: 100231, unit: 'us', note: 'median of 20; fastest 100105 us' },
        {
          name: 'tcp.echo-throughput',
          value: 210916,
          unit: 'KiB/s',
          note: '4096 KiB out and back in 19420 us, writes of at most 4096 bytes',
        },
        {
          name: 'size.qhal_socket',
          value: 16907,
          unit: 'text',
          note: 'data 0, bss 12193: the HAL object',
        },
      ],
    );
  });
});
