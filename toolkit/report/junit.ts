/**
 * `qhal-gen test --junit FILE`: the run as JUnit XML (the format CI services and Zephyr's
 * twister use). One <testsuite> per board, one <testcase> per case with classname = board and
 * name = case; a skip carries its reason, a failure its reason and the callbacks the suite
 * recorded. A board that never reached the suite is one <testcase name="setup"> with an
 * <error>; a suite that died before its closing line adds <testcase name="suite"> with one.
 */
import type { CaseResult } from '../run/conformance.js';
import { boardTotals, totals, type BoardRun, type RunTotals } from './model.js';
import { xmlAttr, xmlText } from './xml.js';

const seconds = (ms: number | undefined): string => ((ms ?? 0) / 1000).toFixed(3);

function counts(t: RunTotals): string {
  return `tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}"`;
}

function testcase(board: string, c: CaseResult): string {
  const open = `<testcase classname="${xmlAttr(board)}" name="${xmlAttr(c.name)}" time="${seconds(c.ms)}"`;
  if (c.status === 'pass') return `${open}/>`;
  if (c.status === 'skip') {
    return `${open}><skipped message="${xmlAttr(c.reason ?? '')}"/></testcase>`;
  }
  const body = c.details.length > 0 ? c.details.join('\n') : (c.reason ?? '');
  return `${open}><failure type="conformance" message="${xmlAttr(c.reason ?? '')}">${xmlText(body)}</failure></testcase>`;
}

function errorCase(board: string, name: string, message: string): string {
  return `<testcase classname="${xmlAttr(board)}" name="${name}" time="0.000"><error type="${name}" message="${xmlAttr(message)}">${xmlText(message)}</error></testcase>`;
}

function properties(r: BoardRun): string[] {
  const props: [string, string | undefined][] = [
    ['target', r.target],
    ['stack', r.stack],
    ['os', r.os],
    ['inputsHash', r.inputsHash],
  ];
  const lines = props
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => `      <property name="${k}" value="${xmlAttr(v)}"/>`);
  return lines.length ? ['    <properties>', ...lines, '    </properties>'] : [];
}

export function renderJunit(runs: readonly BoardRun[], name = 'qhal-gen conformance'): string {
  const all = totals(runs);
  const time = runs.reduce((s, r) => s + r.seconds, 0).toFixed(3);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttr(name)}" ${counts(all)} time="${time}">`,
  ];
  for (const r of runs) {
    out.push(
      `  <testsuite name="${xmlAttr(r.board)}" ${counts(boardTotals(r))} time="${r.seconds.toFixed(3)}">`,
      ...properties(r),
    );
    for (const c of r.cases) out.push(`    ${testcase(r.board, c)}`);
    if (r.error !== undefined) out.push(`    ${errorCase(r.board, 'setup', r.error)}`);
    else if (!r.complete) {
      out.push(
        `    ${errorCase(r.board, 'suite', 'the suite ended without its closing line (crashed, hung or killed)')}`,
      );
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
