/**
 * Gets a type-checked description file's value without running it (see static-eval.ts), holds
 * the value to its declared type, and keeps where each value was written for later rules.
 */
import { Node, type SourceFile } from 'ts-morph';
import { checkValueAgainstType } from './check-value.js';
import type { Diagnostic } from './diagnostic.js';
import { evaluateStatically, type Origins } from './static-eval.js';

export interface Evaluated {
  value: unknown;
  /** Position of the deepest property along `path` that the value has (the literal if none). */
  locate(path: readonly string[]): { line: number; col: number };
}

export type EvaluateResult =
  { ok: true; result: Evaluated } | { ok: false; diagnostics: Diagnostic[] };

function at(file: string, sf: SourceFile, node: Node, message: string): Diagnostic {
  const pos = Node.isSourceFile(node) ? 0 : node.getStart();
  const { line, column } = sf.getLineAndColumnAtPos(pos);
  return { file, line, col: column, message };
}

function locator(sf: SourceFile, value: unknown, origins: Origins): Evaluated['locate'] {
  return (path) => {
    let node: Node | undefined =
      typeof value === 'object' && value ? origins.get(value)?.self : undefined;
    let cur: unknown = value;
    for (const key of path) {
      if (cur === null || typeof cur !== 'object') break;
      const found = origins.get(cur)?.keys.get(key);
      if (!found) break;
      node = found;
      cur = (cur as Record<string, unknown>)[key];
    }
    const { line, column } = sf.getLineAndColumnAtPos(node ? node.getStart() : 0);
    return { line, col: column };
  };
}

/** `define` is the 'qhal-gen' function the default export must call: defineBoard or defineHal. */
export function evaluateDefaultExport(
  file: string,
  sf: SourceFile,
  what: string,
  define: string,
): EvaluateResult {
  const r = evaluateStatically(sf, what, define);
  if (!r.ok) {
    return { ok: false, diagnostics: r.errors.map((e) => at(file, sf, e.node, e.message)) };
  }
  const { value, origins, call } = r.result;
  const param = call.getExpression().getType().getCallSignatures()[0]?.getParameters()[0];
  const arg = call.getArguments()[0] ?? call;
  if (param) {
    const problems = checkValueAgainstType(
      value,
      param.getTypeAtLocation(call),
      origins,
      call,
      arg,
    );
    if (problems.length) {
      return { ok: false, diagnostics: problems.map((p) => at(file, sf, p.node, p.message)) };
    }
  }
  return { ok: true, result: { value, locate: locator(sf, value, origins) } };
}
