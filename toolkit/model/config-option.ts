/**
 * One option of a generated configuration header (lwipopts.h, the mbedtls config), with the
 * one-line reason it has this value, and the renderer that fills a readable skeleton from
 * templates/config/ with them. The output is clang-format clean in the templates' style.
 */
import fs from 'node:fs';
import path from 'node:path';
import { paths } from '../load/toolkit-paths.js';

export interface ConfigOption {
  name: string;
  /** Omitted: the macro is only defined (mbedtls's switches). */
  value?: string;
  why: string;
  /** A preprocessor condition the definition sits under (`defined __LP64__`). */
  guard?: string;
}

export interface ConfigFile {
  /** Relative to the output folder (`arch/cc.h`). */
  name: string;
  content: string;
}

const COLUMNS = 100;

/** `/* why *\/`, wrapped at word boundaries to the column limit as clang-format keeps it. */
function comment(why: string): string[] {
  if (why.length + 6 <= COLUMNS) return [`/* ${why} */`];
  const lines: string[] = [];
  let line = '';
  for (const word of why.split(' ')) {
    if (line !== '' && 3 + line.length + 1 + word.length > COLUMNS - 3) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map(
    (l, i) => (i === 0 ? `/* ${l}` : ` * ${l}`) + (i === lines.length - 1 ? ' */' : ''),
  );
}

/**
 * A `#define` too long for one line: one list item per line, backslashes in the last column,
 * kept out of clang-format's reach (it would pack the items, which hides the order).
 */
function define(name: string, value: string | undefined): string[] {
  const one = value === undefined ? `#define ${name}` : `#define ${name} ${value}`;
  if (one.length <= COLUMNS || value === undefined) return [one];
  const parts = value.split(', ');
  const lines = [`#define ${name}`];
  parts.forEach((p, i) => lines.push(`    ${p}${i < parts.length - 1 ? ',' : ''}`));
  return [
    '/* clang-format off */',
    ...lines.map((l, i) => (i < lines.length - 1 ? `${l.padEnd(COLUMNS - 1)}\\` : l)),
    '/* clang-format on */',
  ];
}

export function renderOptions(options: readonly ConfigOption[]): string {
  const out: string[] = [];
  for (const o of options) {
    out.push(...comment(o.why));
    if (o.guard !== undefined) out.push(`#if ${o.guard}`);
    out.push(...define(o.name, o.value));
    if (o.guard !== undefined) out.push('#endif');
  }
  return out.join('\n');
}

export const CONFIG_TEMPLATES = path.join(paths.templates, 'config');

/** Fills templates/config/<name>.in: `@OPTIONS@` (a line of its own) and `@KEY@` values. */
export function fillConfigTemplate(
  name: string,
  vars: Record<string, string>,
  options: readonly ConfigOption[] = [],
): string {
  let text = fs.readFileSync(path.join(CONFIG_TEMPLATES, `${name}.in`), 'utf8');
  text = text.replace(/^@OPTIONS@$/m, () => renderOptions(options));
  return text.replace(/@([A-Z]+)@/g, (m, key: string) => vars[key] ?? m);
}
