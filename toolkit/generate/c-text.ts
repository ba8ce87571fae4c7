/** Small helpers that turn data into C text. */

/** A C string literal; the loader already refused quotes, backslashes and newlines. */
export function cString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * `static const unsigned char name[] = {...};` holding `text` and a final NUL: mbedtls's PEM
 * parsers want the terminator counted in the length they are given.
 */
export function cByteArray(name: string, text: string): string {
  const bytes = [...Buffer.from(text, 'utf8'), 0];
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    rows.push(
      '    ' +
        bytes
          .slice(i, i + 16)
          .map((b) => `0x${b.toString(16).padStart(2, '0')}`)
          .join(', ') +
        ',',
    );
  }
  return `static const unsigned char ${name}[] = {\n${rows.join('\n')}\n};`;
}

/** A block comment whose lines are `text` split on newlines. */
export function cComment(lines: string[], indent = ''): string {
  return [
    `${indent}/*`,
    ...lines.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)),
    `${indent} */`,
  ].join('\n');
}
