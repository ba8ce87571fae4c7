/** The suite's benchmark lines (`BENCH name value unit (note)`), as figures for the report. */

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const BENCH_RE = /^BENCH (\S+) (-?\d+(?:\.\d+)?) (\S+)(?: \((.*)\))?$/;

export function parseBench(lines: readonly string[]): BenchFigure[] {
  const out: BenchFigure[] = [];
  for (const line of lines) {
    const m = BENCH_RE.exec(line);
    if (!m) continue;
    const f: BenchFigure = { name: m[1] as string, value: Number(m[2]), unit: m[3] as string };
    if (m[4] !== undefined) f.note = m[4];
    out.push(f);
  }
  return out;
}
