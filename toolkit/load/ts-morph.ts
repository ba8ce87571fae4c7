/**
 * ts-morph, loaded with require(): importing its CommonJS bundle from ESM makes Node run its
 * export lexer over the bundled TypeScript compiler (9 MB), 0.17 s of every cold `generate`.
 * Only the loader's slow path (a description not in the load cache) imports this module,
 * and its compiled code comes from V8's code cache (code-cache.ts).
 */
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';
import { withCodeCache } from './code-cache.js';

const tsMorph = withCodeCache(() => createRequire(import.meta.url)('ts-morph') as typeof TsMorph);

export const { Node, Project, SyntaxKind, ts } = tsMorph;
export type Node<T extends TsMorph.ts.Node = TsMorph.ts.Node> = TsMorph.Node<T>;
export type SyntaxKind = TsMorph.SyntaxKind;
export type Project = TsMorph.Project;
export type { CallExpression, SourceFile, Type } from 'ts-morph';
