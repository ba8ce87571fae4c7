/**
 * `qhal-gen test --junit`: the writer against a JUnit reader (fast-xml-parser, validating),
 * and a real run of the suite on linux-x86_64 whose testcases must match its summary line.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderJunit } from '../toolkit/report/junit.js';
import type { BoardRun } from '../toolkit/report/model.js';
import { xmlAttr, xmlText } from '../toolkit/report/xml.js';
import { generateFor } from './helpers/boards.js';
import { runBin } from './helpers/cli.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-junit-test-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

interface JCase {
  '@_classname': string;
  '@_name': string;
  '@_time': string;
  skipped?: { '@_message': string };
  failure?: { '@_message': string; '#text'?: string };
  error?: { '@_message': string };
}
interface JSuite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  '@_skipped': string;
  testcase?: JCase[];
  properties?: { property: { '@_name': string; '@_value': string }[] };
}

/** Parses like a JUnit consumer: well-formedness checked first, then the tree. */
function readJunit(xml: string): JSuite[] {
  const valid = XMLValidator.validate(xml);
  assert.equal(valid, true, JSON.stringify(valid));
  const parser = new XMLParser({
    ignoreAttributes: false,
    parseAttributeValue: false,
    trimValues: false,
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  });
  const doc = parser.parse(xml) as { testsuites: { testsuite: JSuite[] } };
  return doc.testsuites.testsuite;
}

const nasty = 'a<b & "c" \'d\' ]]> \u0001 é 😀';

const RUNS: BoardRun[] = [
  {
    board: 'board-a',
    target: 'x86_64-linux-musl',
    complete: true,
    seconds: 2.5,
    sizes: [],
    bench: [],
    cases: [
      { name: 'tcp.echo', status: 'pass', ms: 12, details: [] },
      {
        name: 'tls.valid',
        status: 'fail',
        ms: 121,
        reason: `ConnResult FALSE ${nasty}`,
        details: ['events (1):', `  conn h=0x1 type=4 result=0 ${nasty}`],
      },
      { name: 'dtls.cert', status: 'skip', reason: 'board uses a pre-shared key', details: [] },
    ],
  },
  {
    board: 'board-b',
    error: 'zig: target not found',
    complete: false,
    seconds: 0.1,
    sizes: [],
    bench: [],
    cases: [],
  },
  {
    board: 'board-c',
    complete: false,
    seconds: 1,
    sizes: [],
    bench: [],
    cases: [{ name: 'tcp.echo', status: 'pass', ms: 3, details: [] }],
  },
];

describe('JUnit writer', () => {
  it('escapes markup and characters XML cannot carry', () => {
    assert.equal(xmlText('a<b>&c'), 'a&lt;b&gt;&amp;c');
    assert.equal(xmlAttr('"x"\n\'y\''), '&quot;x&quot;&#10;&apos;y&apos;');
    assert.equal(xmlText('nul\u0000 bell\u0007'), 'nul\\x00 bell\\x07');
    assert.equal(xmlText('keeps\ttab\nand é😀'), 'keeps\ttab\nand é😀');
  });

  it('one testcase per case and board; skip reason, failure callbacks, errors', () => {
    const suites = readJunit(renderJunit(RUNS));
    assert.deepEqual(
      suites.map((s) => [
        s['@_name'],
        s['@_tests'],
        s['@_failures'],
        s['@_errors'],
        s['@_skipped'],
      ]),
      [
        ['board-a', '3', '1', '0', '1'],
        ['board-b', '1', '0', '1', '0'],
        ['board-c', '2', '0', '1', '0'],
      ],
    );
    const a = suites[0]?.testcase ?? [];
    assert.deepEqual(
      a.map((c) => [c['@_classname'], c['@_name']]),
      [
        ['board-a', 'tcp.echo'],
        ['board-a', 'tls.valid'],
        ['board-a', 'dtls.cert'],
      ],
    );
    assert.equal(a[0]?.['@_time'], '0.012');
    const fail = a[1]?.failure;
    // The reader decodes the five XML entities itself: what it gives back must be the text.
    const shown = nasty.replace('\u0001', '\\x01');
    assert.equal(fail?.['@_message'], `ConnResult FALSE ${shown}`);
    assert.equal(fail?.['#text'], `events (1):\n  conn h=0x1 type=4 result=0 ${shown}`);
    assert.equal(a[2]?.skipped?.['@_message'], 'board uses a pre-shared key');
    assert.equal(suites[1]?.testcase?.[0]?.['@_name'], 'setup');
    assert.equal(suites[1]?.testcase?.[0]?.error?.['@_message'], 'zig: target not found');
    assert.equal(suites[2]?.testcase?.[1]?.['@_name'], 'suite');
  });
});

describe('qhal-gen test --junit on linux-x86_64 (--only dtls)', { timeout: 600_000 }, () => {
  it('writes one testcase per case, matching the suite summary line', async () => {
    const file = path.join(work, 'out', 'junit.xml');
    const r = runBin([
      'test',
      '--board',
      'examples/boards/linux-x86_64.ts',
      '--only',
      'dtls',
      '--junit',
      file,
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const summary = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m.exec(r.stdout);
    assert.ok(summary, r.stdout);
    const [passed, failed, skipped] = [summary[1], summary[2], summary[3] ?? '0'].map(Number);
    const suites = readJunit(fs.readFileSync(file, 'utf8'));
    assert.equal(suites.length, 1);
    const s = suites[0] as JSuite;
    const cases = s.testcase ?? [];
    assert.equal(cases.length, (passed as number) + (failed as number) + (skipped as number));
    assert.equal(Number(s['@_tests']), cases.length);
    assert.equal(cases.filter((c) => c.failure).length, failed);
    const skips = cases.filter((c) => c.skipped);
    assert.equal(skips.length, skipped);
    // The run's own lines name the same cases, in order, with the same skip reasons.
    const printed = [
      ...r.stdout.matchAll(/^(PASS|FAIL|SKIP) (\S+)(?:: (.*?))?(?: \(\d+ ms\))?$/gm),
    ];
    assert.deepEqual(
      cases.map((c) => c['@_name']),
      printed.map((m) => m[2]),
    );
    for (const c of skips) {
      const line = printed.find((m) => m[2] === c['@_name']);
      assert.equal(c.skipped?.['@_message'], line?.[3]);
    }
    assert.ok(cases.every((c) => c['@_classname'] === 'linux-x86_64'));
    assert.ok(cases.some((c) => c['@_name'] === 'dtls.psk'));
    const hash = s.properties?.property.find((p) => p['@_name'] === 'inputsHash')?.['@_value'];
    const generated = await generateFor('examples/boards/linux-x86_64.ts');
    assert.equal(hash, generated.inputsHash);
  });
});
