/**
 * The table `npm run bench` prints: each row is the HAL's figure, a reference measured in the
 * same run and their ratio (HAL ÷ reference). Figures, never verdicts: no row passes or fails.
 */

/** Every sample of each `BENCH name value unit` line seen, by name. */
export type Samples = Map<string, number[]>;

export function addBenchLines(samples: Samples, text: string): void {
  for (const m of text.matchAll(/^BENCH (\S+) (-?\d+(?:\.\d+)?) (\S+)/gm)) {
    const name = m[1] as string;
    const list = samples.get(name) ?? [];
    list.push(Number(m[2]));
    samples.set(name, list);
  }
}

export function median(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export interface Row {
  figure: string;
  hal: string;
  reference: string;
  ratio: string;
}

export interface Figure {
  value: number | undefined;
  unit: string;
  /** What the value is, printed after it (e.g. "raw BSD-socket client"). */
  what?: string;
}

function show(f: Figure): string {
  if (f.value === undefined) return 'not measured';
  const v = f.value >= 100 ? Math.round(f.value).toLocaleString('en-US') : f.value.toFixed(2);
  return `${f.what ? `${f.what} ` : ''}${v} ${f.unit}`;
}

export function row(figure: string, hal: Figure, reference: Figure | null): Row {
  const ratio =
    reference && hal.value !== undefined && reference.value !== undefined && reference.value > 0
      ? (hal.value / reference.value).toFixed(2)
      : '—';
  return { figure, hal: show(hal), reference: reference ? show(reference) : '—', ratio };
}

export function renderTable(rows: Row[]): string {
  const head: Row = {
    figure: 'figure',
    hal: 'HAL',
    reference: 'reference (same run)',
    ratio: 'ratio',
  };
  const all = [head, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((r) => r[k].length));
  const line = (r: Row) =>
    `| ${r.figure.padEnd(w('figure'))} | ${r.hal.padEnd(w('hal'))} | ${r.reference.padEnd(w('reference'))} | ${r.ratio.padEnd(w('ratio'))} |`;
  const rule = `| ${'-'.repeat(w('figure'))} | ${'-'.repeat(w('hal'))} | ${'-'.repeat(w('reference'))} | ${'-'.repeat(w('ratio'))} |`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}
