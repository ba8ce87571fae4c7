/** Flag parsing shared by every command: a bad flag says what was expected, exit code 2. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends Options>(
  command: string,
  argv: string[],
  options: T,
): ReturnType<typeof parseArgs<{ options: T; allowPositionals: false; strict: true }>>['values'] {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    const expected = Object.entries(options)
      .map(([name, o]) => (o.type === 'string' ? `--${name} <value>` : `--${name}`))
      .join(' ');
    const reason = (err as Error).message.replace(/\. To specify a positional.*$/s, '');
    throw new UsageError(`${command}: ${reason}\nexpected: qhal-gen ${command} ${expected}`);
  }
}

export function oneOf<V extends string>(flag: string, value: string, allowed: readonly V[]): V {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(
      `--${flag} '${value}' is not valid; expected one of: ${allowed.join(', ')}`,
    );
  }
  return value as V;
}
