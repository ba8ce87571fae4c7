/**
 * How a failed command ends: its message on stderr (located diagnostics as `file:line:col:
 * message`) and, with --json, the same errors as JSON on stdout so CI can read them. The exit
 * code is the same either way: 2 bad input, 1 failure.
 */
import { GenerateError } from '../generate/index.js';
import { TemplateError } from '../generate/template.js';
import { InputError, formatDiagnostic } from '../load/index.js';
import { UsageError } from './args.js';

export interface JsonError {
  /** input: the board (located); usage: a flag; failure: a later stage; internal: a bug. */
  kind: 'input' | 'usage' | 'failure' | 'internal';
  file: string | null;
  line: number | null;
  column: number | null;
  message: string;
}

interface Classified {
  code: number;
  lines: string[];
  errors: JsonError[];
}

function unlocated(kind: JsonError['kind'], message: string): JsonError {
  return { kind, file: null, line: null, column: null, message };
}

function classify(err: unknown): Classified {
  if (err instanceof InputError) {
    return {
      code: 2,
      lines: err.diagnostics.map((d) => formatDiagnostic(d)),
      errors: err.diagnostics.map((d) => ({
        kind: 'input',
        file: d.file,
        line: d.line,
        column: d.col,
        message: d.message,
      })),
    };
  }
  const e = err as Error & { exitCode?: number };
  if (err instanceof UsageError) {
    return { code: 2, lines: [`qhal-gen: ${e.message}`], errors: [unlocated('usage', e.message)] };
  }
  if (
    err instanceof GenerateError ||
    err instanceof TemplateError ||
    typeof e.exitCode === 'number'
  ) {
    const code = typeof e.exitCode === 'number' ? e.exitCode : 1;
    return {
      code,
      lines: [`qhal-gen: ${e.message}`],
      errors: [unlocated(code === 2 ? 'usage' : 'failure', e.message)],
    };
  }
  const message = e instanceof Error ? e.message : String(err);
  return {
    code: 1,
    lines: [`qhal-gen: internal error: ${(e instanceof Error && e.stack) || message}`],
    errors: [unlocated('internal', message)],
  };
}

/** Prints `err` and returns the exit code. */
export function reportError(err: unknown, json: boolean): number {
  const c = classify(err);
  for (const l of c.lines) console.error(l);
  if (json) console.log(JSON.stringify({ ok: false, exitCode: c.code, errors: c.errors }, null, 2));
  return c.code;
}
