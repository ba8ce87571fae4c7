/**
 * The questions of `qhal-gen init`, each also a flag. In a terminal a question without its
 * flag is asked (node:readline, with the default in brackets, asked again when the answer is
 * not valid); without one, a missing answer is an error naming its flag (exit 2).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { BoardOs, NetworkStack } from '../describe/board.js';
import { pemCertificateProblem } from '../load/pem.js';
import { getTarget, listTargets } from '../toolchain/targets.js';
import { UsageError } from './args.js';
import { FEATURES, type Feature, type InitAnswers } from './init-files.js';

export interface InitFlags {
  name?: string | undefined;
  target?: string | undefined;
  stack?: string | undefined;
  os?: string | undefined;
  features?: string | undefined;
  ca?: string | undefined;
  psk?: string | undefined;
  entropy?: string | undefined;
}

export interface Prompter {
  ask(question: string): Promise<string>;
  /** Why the last answer was not taken. */
  tell(line: string): void;
  close(): void;
}

export function readlinePrompter(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Prompter {
  const rl = createInterface({ input, output, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  return {
    async ask(question) {
      output.write(question);
      const next = await lines.next();
      if (next.done) throw new UsageError('init: input ended before every question was answered');
      return String(next.value);
    },
    tell: (line) => void output.write(`${line}\n`),
    close: () => rl.close(),
  };
}

interface Question<T> {
  flag: keyof InitFlags;
  text: string;
  /** Shown in brackets and taken for an empty answer; undefined: an answer is needed. */
  fallback?: string;
  /** The value, or throws Error with the reason it is not valid. */
  parse: (raw: string) => T;
}

const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function choice<V extends string>(what: string, allowed: readonly V[]) {
  return (raw: string): V => {
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new Error(`'${raw}' is not a ${what}; expected one of: ${allowed.join(', ')}`);
    }
    return raw as V;
  };
}

export async function gatherAnswers(
  flags: InitFlags,
  o: { dir: string; prompter: Prompter | null },
): Promise<InitAnswers> {
  const ask = async <T>(q: Question<T>): Promise<T> => {
    const given = flags[q.flag];
    const wrong = (reason: string) => new UsageError(`init: --${q.flag}: ${reason}`);
    if (given !== undefined) {
      try {
        return q.parse(given);
      } catch (err) {
        throw wrong((err as Error).message);
      }
    }
    if (!o.prompter) {
      throw new UsageError(`init: --${q.flag} is required when stdin is not a terminal: ${q.text}`);
    }
    // Bounded: a script feeding wrong answers ends instead of looping.
    for (let attempt = 0; attempt < 5; attempt++) {
      const shown = q.fallback !== undefined ? ` [${q.fallback}]` : '';
      const raw = (await o.prompter.ask(`${q.text}${shown}: `)).trim() || q.fallback || '';
      try {
        return q.parse(raw);
      } catch (err) {
        o.prompter.tell(`  ${(err as Error).message}`);
      }
    }
    throw wrong('no valid answer after 5 tries');
  };

  const name = await ask({
    flag: 'name',
    text: 'board name',
    fallback: path.basename(path.resolve(o.dir)).replace(/[^A-Za-z0-9._-]/g, '-'),
    parse: (raw) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(raw)) {
        throw new Error(
          `'${raw}' must be letters, digits, '.', '_' or '-' (it names the board file)`,
        );
      }
      return raw;
    },
  });
  const targets = listTargets();
  const ids = targets.map((t) => t.id);
  // The default is the target this machine runs natively (its qemu.mode in target.json).
  const native = targets.find((t) => t.qemu.mode === 'native') ?? targets[0];
  const target = getTarget(
    await ask({
      flag: 'target',
      text: `target CPU (${ids.join(', ')})`,
      ...(native ? { fallback: native.id } : {}),
      parse: choice('target', ids),
    }),
  );
  const stack: NetworkStack = await ask({
    flag: 'stack',
    text: `network stack (${target.stacks.join(', ')})`,
    fallback: target.combinations[0]?.stack ?? target.stacks[0] ?? 'posix',
    parse: choice(`stack of ${target.id}`, target.stacks),
  });
  const oses = target.combinations.filter((c) => c.stack === stack).map((c) => c.os);
  const os: BoardOs = await ask({
    flag: 'os',
    text: `OS (${oses.join(', ')})`,
    fallback: oses[0] ?? 'posix',
    parse: choice(`OS for ${stack} on ${target.id}`, oses),
  });
  const features = await ask({
    flag: 'features',
    text: `features, comma-separated (${FEATURES.join(', ')})`,
    fallback: 'tcp,udp,dns',
    parse: parseFeatures,
  });
  const tlsOn = features.includes('tls') || features.includes('dtls');
  const ca = tlsOn
    ? await ask({
        flag: 'ca',
        text: "your cloud's CA bundle (PEM file) for TLS",
        parse: (raw) => {
          const file = path.resolve(raw);
          if (!raw || !fs.existsSync(file)) throw new Error(`CA file '${raw}' not found`);
          const problem = pemCertificateProblem(fs.readFileSync(file, 'utf8'));
          if (problem) throw new Error(`${raw} ${problem}`);
          return file;
        },
      })
    : null;
  const identifier = (what: string) => (raw: string) => {
    if (raw && !C_IDENTIFIER.test(raw)) throw new Error(`${what} '${raw}' is not a C identifier`);
    return raw || null;
  };
  const psk = features.includes('dtls')
    ? await ask({
        flag: 'psk',
        text: 'DTLS pre-shared key hook, a C function of your firmware (empty: certificates)',
        fallback: '',
        parse: identifier('PSK hook'),
      })
    : null;
  const mcu = target.kind === 'mcu';
  const entropy =
    mcu && tlsOn
      ? await ask({
          flag: 'entropy',
          text: "TLS randomness: your hardware RNG's C function (or TEST-ONLY-NOT-RANDOM for emulators)",
          parse: (raw) => {
            if (raw === 'TEST-ONLY-NOT-RANDOM') return raw;
            const hook = identifier('entropy hook')(raw);
            if (!hook) throw new Error('an MCU needs an entropy source for TLS');
            return hook;
          },
        })
      : null;
  return { name, target: target.id, stack, os, features, ca, psk, entropy, mcu };
}

export function parseFeatures(raw: string): Feature[] {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const f of list) {
    if (!(FEATURES as readonly string[]).includes(f)) {
      throw new Error(`unknown feature '${f}'; expected some of: ${FEATURES.join(', ')}`);
    }
  }
  const has = (f: Feature) => list.includes(f);
  const needs: [Feature, Feature][] = [
    ['tls', 'tcp'],
    ['tcpServer', 'tcp'],
    ['dtls', 'udp'],
    ['broadcast', 'udp'],
  ];
  for (const [f, base] of needs) {
    if (has(f) && !has(base)) throw new Error(`${f} needs ${base}`);
  }
  if (!has('tcp') && !has('udp')) throw new Error('a board needs tcp or udp');
  // In the order the board file lists them, whatever order they were given in.
  return FEATURES.filter((f) => has(f));
}
