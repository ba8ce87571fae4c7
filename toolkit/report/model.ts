/**
 * What one `qhal-gen test` run found, per board: the shape the JUnit writer and the report
 * page read. Built from the suite's parsed output (run/conformance.ts) plus what the build and
 * the board say; nothing here runs anything.
 */
import type { CaseResult } from '../run/conformance.js';
import type { FreertosUsage } from '../run/freertos-usage.js';
import type { SizeRow } from '../toolchain/size.js';
import type { BenchFigure } from './bench.js';
import type { SecurityPosture } from './security.js';

export interface BoardSize {
  /** `qhal_socket` (the HAL), `qhal_board`, `mbedtls`, `lwip`, `freertos`. */
  name: string;
  text: number;
  data: number;
  bss: number;
}

export interface BoardRun {
  /** The board file's base name (the JUnit classname). */
  board: string;
  target?: string;
  stack?: string;
  os?: string;
  /** Set when the board never reached the suite (bad board, build failure, no emulator). */
  error?: string;
  cases: CaseResult[];
  /** Built, but the suite cannot run on the board's target: why (its one case is a named skip). */
  notRun?: string;
  /** The suite printed its closing `N passed, N failed` line. */
  complete: boolean;
  seconds: number;
  sizes: BoardSize[];
  /** FreeRTOS boards: stacks' high-water marks and the heap's low point, as measured. */
  freertos?: FreertosUsage;
  bench: BenchFigure[];
  security?: SecurityPosture;
  /** sha256 of the generator's inputs, as stamped into the board's generated files. */
  inputsHash?: string;
}

export function boardSizes(rows: readonly SizeRow[]): BoardSize[] {
  return rows.map(({ name, text, data, bss }) => ({ name, text, data, bss }));
}

export interface RunTotals {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/** Counts as a JUnit consumer sees them: a board that never ran is one error. */
export function totals(runs: readonly BoardRun[]): RunTotals {
  const t: RunTotals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const r of runs) {
    const c = boardTotals(r);
    t.tests += c.tests;
    t.failures += c.failures;
    t.errors += c.errors;
    t.skipped += c.skipped;
  }
  return t;
}

export function boardTotals(r: BoardRun): RunTotals {
  const errors = (r.error !== undefined ? 1 : 0) + (r.error === undefined && !r.complete ? 1 : 0);
  return {
    tests: r.cases.length + errors,
    failures: r.cases.filter((c) => c.status === 'fail').length,
    errors,
    skipped: r.cases.filter((c) => c.status === 'skip').length,
  };
}
