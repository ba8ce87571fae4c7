/** Input errors carry their place in the user's file, printed as `path:line:col: message`. */
import path from 'node:path';

export interface Diagnostic {
  /** Absolute path of the file at fault. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  message: string;
}

/** Shown relative to the working directory when the file is under it, as users typed it. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export function formatDiagnostic(d: Diagnostic, cwd?: string): string {
  return `${displayPath(d.file, cwd)}:${d.line}:${d.col}: ${d.message}`;
}

/** Bad input: the CLI prints every diagnostic and exits with code 2, writing nothing. */
export class InputError extends Error {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
    this.name = 'InputError';
    this.diagnostics = diagnostics;
  }
}
