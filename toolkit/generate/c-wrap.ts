/**
 * Line wrapping that matches the generated files' clang-format style (100 columns,
 * parameters packed and aligned after the open parenthesis), so output is formatted
 * without needing clang-format at generation time.
 */
export const COLUMN_LIMIT = 100;

/** `head(` + args joined by ', ' + `)tail`, wrapped and aligned after `(` when too long. */
export function wrapCall(head: string, args: string[], tail: string): string {
  const oneLine = `${head}(${args.join(', ')})${tail}`;
  if (oneLine.length <= COLUMN_LIMIT || args.length === 0) return oneLine;
  const indent = ' '.repeat(head.length + 1);
  const lines: string[] = [];
  let current = `${head}(`;
  args.forEach((arg, i) => {
    const piece = arg + (i === args.length - 1 ? `)${tail}` : ',');
    const sep = current.endsWith('(') ? '' : ' ';
    if ((current + sep + piece).length > COLUMN_LIMIT && !current.endsWith('(')) {
      lines.push(current);
      current = indent + piece;
    } else {
      current += sep + piece;
    }
  });
  lines.push(current);
  return lines.join('\n');
}

/** Word-wraps comment text so each ` * ` line stays within the limit. */
export function wrapWords(text: string, width: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && (line + ' ' + w).length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}
