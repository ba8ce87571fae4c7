/**
 * Gets a description file's value without running it (see static-eval.ts), type-checks it,
 * holds the value to its declared type, and keeps where each value was written for later
 * rules. Order of the checks: syntax, then "is it data", then types: a statement that would
 * run is reported as such, not as the type errors of the trimmed library it was checked with.
 */
import { lineAndColumn, startOf, type Ts } from './typescript.js';
import { checkValueAgainstType } from './check-value.js';
import { InputError, type Diagnostic } from './diagnostic.js';
import { evaluateStatically, type Origins } from './static-eval.js';
import { typecheckFiles, type CheckedFile, type SourceText } from './typecheck.js';

export interface Evaluated {
  value: unknown;
  /** Position of the deepest property along `path` that the value has (the literal if none). */
  locate(path: readonly string[]): { line: number; col: number };
}

export type EvaluateResult =
  { ok: true; result: Evaluated } | { ok: false; diagnostics: Diagnostic[] };

function at(file: string, sf: Ts.SourceFile, node: Ts.Node, message: string): Diagnostic {
  const { line, column } = lineAndColumn(sf, startOf(node));
  return { file, line, col: column, message };
}

function locator(sf: Ts.SourceFile, value: unknown, origins: Origins): Evaluated['locate'] {
  return (path) => {
    let node: Ts.Node | undefined =
      typeof value === 'object' && value ? origins.get(value)?.self : undefined;
    let cur: unknown = value;
    for (const key of path) {
      if (cur === null || typeof cur !== 'object') break;
      const found = origins.get(cur)?.keys.get(key);
      if (!found) break;
      node = found;
      cur = (cur as Record<string, unknown>)[key];
    }
    const { line, column } = lineAndColumn(sf, node ? node.getStart() : 0);
    return { line, col: column };
  };
}

export type Loaded<R> = { ok: true; value: R } | { ok: false; diagnostics: Diagnostic[] };

/** A description file to load: `define` is the 'qhal-gen' function its default export calls. */
export interface DescriptionRequest<R> extends SourceText {
  /** What the file is, for messages: "board", "HAL description". */
  what: string;
  define: string;
  /** Runs while the syntax tree is alive (a rule's location needs it); may throw InputError. */
  use(e: Evaluated): R;
}

function loadChecked<R>(req: DescriptionRequest<R>, checked: CheckedFile): R {
  const { file } = req;
  const { sourceFile: sf, checker } = checked;
  if (checked.syntaxErrors.length) throw new InputError(checked.syntaxErrors);
  const r = evaluateStatically(sf, req.what, req.define);
  if (!r.ok) throw new InputError(r.errors.map((e) => at(file, sf, e.node, e.message)));
  const typeErrors = checked.typeErrors();
  if (typeErrors.length) throw new InputError(typeErrors);
  const { value, origins, call } = r.result;
  const callee = checker.getTypeAtLocation(call.expression);
  const param = callee.getCallSignatures()[0]?.getParameters()[0];
  if (param) {
    const problems = checkValueAgainstType(
      checker,
      value,
      checker.getTypeOfSymbolAtLocation(param, call),
      origins,
      call,
      call.arguments[0] ?? call,
    );
    if (problems.length) throw new InputError(problems.map((p) => at(file, sf, p.node, p.message)));
  }
  return req.use({ value, locate: locator(sf, value, origins) });
}

/**
 * Loads description files (distinct paths; boards and the HAL description alike): each gets
 * its value or its located errors. The files are type-checked as one batch, one Program and one
 * type checker.
 */
export function loadDescriptions<R>(requests: readonly DescriptionRequest<R>[]): Loaded<R>[] {
  const checked = typecheckFiles(requests);
  return requests.map((req, i) => {
    try {
      return { ok: true, value: loadChecked(req, checked[i] as CheckedFile) };
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      return { ok: false, diagnostics: err.diagnostics };
    }
  });
}
