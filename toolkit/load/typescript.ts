/**
 * The TypeScript compiler, loaded with require(): importing its CommonJS bundle (9 MB) from
 * ESM makes Node run its export lexer over it. Only the loader's slow path (a description not
 * in the load cache) imports this module, and its compiled code comes from V8's code cache
 * (code-cache.ts). The compiler API is used directly: the ts-morph wrapper around it cost more
 * to load than the board took to check.
 */
import { createRequire } from 'node:module';
import type * as Ts from 'typescript';
import { withCodeCache } from './code-cache.js';

export const ts = withCodeCache(() => createRequire(import.meta.url)('typescript') as typeof Ts);
export type { Ts };

/** 1-based line and column of `pos` in `sf`: lines end at LF; a column counts from CR or LF. */
export function lineAndColumn(sf: Ts.SourceFile, pos: number): { line: number; column: number } {
  const text = sf.text;
  let line = 1;
  for (let i = 0; i < pos; i++) if (text.charCodeAt(i) === 10) line++;
  let start = pos;
  while (start > 0) {
    const c = text.charCodeAt(start - 1);
    if (c === 10 || c === 13) break;
    start--;
  }
  return { line, column: pos - start + 1 };
}

/** Where `node` starts, past its leading trivia (the source file itself: 0). */
export function startOf(node: Ts.Node): number {
  return ts.isSourceFile(node) ? 0 : node.getStart();
}

let kindNames: Map<Ts.SyntaxKind, string> | undefined;

/** The syntax kind's name (`IfStatement`), the first one declared for values with aliases. */
export function syntaxKindName(kind: Ts.SyntaxKind): string {
  if (!kindNames) {
    kindNames = new Map();
    for (const [name, value] of Object.entries(ts.SyntaxKind)) {
      if (typeof value === 'number' && !kindNames.has(value)) kindNames.set(value, name);
    }
  }
  return kindNames.get(kind) ?? String(kind);
}
