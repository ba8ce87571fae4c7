/**
 * `qhal-gen test --report DIR`: one static page (DIR/index.html) for the run. Everything is
 * inline (CSS in a <style>, no script, no image, no URL), so it opens from a CI artifact
 * with no network: the conformance matrix (boards × cases), sizes, FreeRTOS stacks and heap
 * as measured, benchmark figures, the security posture and the inputs' hash per board.
 */
import type { CaseResult } from '../run/conformance.js';
import { margin, type FreertosUsage } from '../run/freertos-usage.js';
import { TOOL_VERSION } from '../version.js';
import { boardTotals, totals, type BoardRun } from './model.js';

export function html(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
table{border-collapse:collapse;margin:4px 0}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.pass{background:#c8f7d0;color:#0b5d1e;font-weight:600}
td.fail{background:#ffc9c4;color:#8a1010;font-weight:600}
td.skip{background:#e4e7eb;color:#424a53}
td.none{color:#8c959f}
td small{display:block;font-weight:400;max-width:22em}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:8px;overflow:auto;font-size:12px}
code{font-size:12px}.bad{color:#8a1010;font-weight:600}`;

function cell(c: CaseResult | undefined): string {
  if (!c) return '<td class="none">not run</td>';
  const why = c.reason ? `<small>${html(c.reason)}</small>` : '';
  const ms = c.ms !== undefined ? `<small>${c.ms} ms</small>` : '';
  if (c.status === 'pass') return `<td class="pass">PASS${ms}</td>`;
  if (c.status === 'skip') return `<td class="skip">SKIP${why}</td>`;
  return `<td class="fail">FAIL${why}</td>`;
}

function table(head: string[], rows: string[][]): string {
  return [
    '<table>',
    `<tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>`,
    ...rows.map((r) => `<tr>${r.join('')}</tr>`),
    '</table>',
  ].join('\n');
}

const td = (s: string | number, cls = ''): string =>
  `<td${cls ? ` class="${cls}"` : ''}>${html(String(s))}</td>`;

function matrix(runs: readonly BoardRun[]): string {
  // Cases in the order the suite ran them, across boards (a case only some boards ran too).
  const names: string[] = [];
  // A board that was built but not run has its reason in the total row, not a row of its own.
  for (const r of runs.filter((x) => x.notRun === undefined))
    for (const c of r.cases) if (!names.includes(c.name)) names.push(c.name);
  const head = ['case', ...runs.map((r) => html(r.board))];
  const rows = names.map((n) => [
    `<th>${html(n)}</th>`,
    ...runs.map((r) => cell(r.cases.find((c) => c.name === n))),
  ]);
  const status = runs.map((r) => {
    const t = boardTotals(r);
    if (r.error !== undefined)
      return `<td class="fail">did not run<small>${html(r.error)}</small></td>`;
    if (r.notRun !== undefined)
      return `<td class="skip">built, not run<small>${html(r.notRun)}</small></td>`;
    const text = `${t.tests - t.errors - t.failures - t.skipped} passed, ${t.failures} failed, ${t.skipped} skipped`;
    return r.complete
      ? td(text)
      : `<td class="fail">${html(text)}<small>suite ended without its closing line</small></td>`;
  });
  return table(head, [['<th>board total</th>', ...status], ...rows]);
}

function failures(runs: readonly BoardRun[]): string {
  const parts: string[] = [];
  for (const r of runs) {
    for (const c of r.cases.filter((x) => x.status === 'fail')) {
      parts.push(
        `<h3>${html(r.board)}: ${html(c.name)}</h3>`,
        `<p class="bad">${html(c.reason ?? '')}</p>`,
        `<pre>${html(c.details.join('\n') || '(nothing recorded)')}</pre>`,
      );
    }
  }
  return parts.length ? `<h2>Failures, with the recorded callbacks</h2>\n${parts.join('\n')}` : '';
}

function sizes(runs: readonly BoardRun[]): string {
  const rows = runs.flatMap((r) =>
    r.sizes.map((s) => [
      td(r.board),
      td(s.name),
      td(s.text, 'num'),
      td(s.data, 'num'),
      td(s.bss, 'num'),
    ]),
  );
  if (!rows.length) return '<p>No build sizes (no board was built).</p>';
  return table(['board', 'library', 'text', 'data', 'bss'], rows);
}

/** FreeRTOS runs: how deep each task's stack went and the heap's low point (sizes come from these). */
function freertosUsage(runs: readonly BoardRun[]): string {
  const measured = runs.filter((r) => r.freertos !== undefined);
  if (!measured.length) return '';
  const rows = measured.flatMap((r) => {
    const u = r.freertos as FreertosUsage;
    const heap = u.heap ? [{ task: 'heap (heap_4)', size: u.heap.total, used: u.heap.used }] : [];
    return [...u.stacks, ...heap].map((s) => [
      td(r.board),
      td(s.task),
      td(s.size, 'num'),
      td(s.used, 'num'),
      td(margin(s.size, s.used), 'num'),
    ]);
  });
  return `<h2>FreeRTOS stacks and heap (measured, bytes)</h2>
<p>Deepest use over the whole run: each task's stack high-water mark (uxTaskGetStackHighWaterMark) and the heap's minimum-ever free space (xPortGetMinimumEverFreeHeapSize).</p>
${table(['board', 'task', 'given', 'most used', 'margin'], rows)}`;
}

function bench(runs: readonly BoardRun[]): string {
  const rows = runs.flatMap((r) =>
    r.bench.map((b) => [
      td(r.board),
      td(b.name),
      td(`${b.value} ${b.unit}`, 'num'),
      td(b.note ?? ''),
    ]),
  );
  if (!rows.length)
    return '<p>No benchmark figures in this run (<code>qhal-gen test --bench</code> prints them).</p>';
  return table(['board', 'figure', 'value', 'how measured'], rows);
}

function security(runs: readonly BoardRun[]): string {
  const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');
  const rows = runs.map((r) => {
    const s = r.security;
    if (!s)
      return [td(r.board), td('board did not load', 'bad'), td(''), td(''), td(''), td(''), td('')];
    if (!s.tls && !s.dtls)
      return [td(r.board), td('no TLS or DTLS'), td(''), td(''), td(''), td(''), td(s.entropy)];
    const verify =
      s.verify === 'required' ? td('required (chain and host name)') : td(s.verify ?? '', 'bad');
    return [
      td(r.board),
      td(list(s.versions)),
      verify,
      td(`${list(s.keyExchanges)} with ${list(s.ciphers)}`),
      td(s.psk ? `hook ${s.psk}()` : 'no (certificates)'),
      td(
        `${s.clientCertificate ? 'client certificate; ' : ''}${s.certificateDates ? 'dates checked' : 'dates not checked (no calendar clock)'}`,
      ),
      td(s.entropy),
    ];
  });
  return table(
    ['board', 'versions', 'verify', 'cipher suites', 'DTLS PSK', 'certificates', 'entropy'],
    rows,
  );
}

function about(runs: readonly BoardRun[]): string {
  return table(
    ['board', 'target', 'stack', 'os', 'inputs sha256', 'seconds'],
    runs.map((r) => [
      td(r.board),
      td(r.target ?? '?'),
      td(r.stack ?? '?'),
      td(r.os ?? '?'),
      `<td><code>${html(r.inputsHash ?? '?')}</code></td>`,
      td(r.seconds.toFixed(1), 'num'),
    ]),
  );
}

export function renderReport(runs: readonly BoardRun[]): string {
  const t = totals(runs);
  const passed = t.tests - t.failures - t.errors - t.skipped;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>qhal-gen conformance report</title>
<style>${CSS}
</style>
</head>
<body>
<h1>qhal-gen ${html(TOOL_VERSION)} conformance report</h1>
<p id="summary">${runs.length} board${runs.length === 1 ? '' : 's'}: ${passed} passed, ${t.failures} failed, ${t.skipped} skipped${t.errors ? `, ${t.errors} error${t.errors === 1 ? '' : 's'}` : ''}</p>
<h2>Conformance matrix</h2>
${matrix(runs)}
${failures(runs)}
<h2>Boards and inputs</h2>
${about(runs)}
<h2>Sizes (bytes)</h2>
${sizes(runs)}
${freertosUsage(runs)}
<h2>Benchmarks</h2>
${bench(runs)}
<h2>Security posture</h2>
${security(runs)}
</body>
</html>
`;
}
