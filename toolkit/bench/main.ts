/**
 * `npm run bench` (node dist/toolkit/bench/main.js [--quick] [--sockets-only] [--work DIR]): every figure of
 * issue 13's table with the HAL's value, a reference measured in the same run and the ratio
 * HAL ÷ reference. Figures, never verdicts. `--quick` is the smoke run the tests use: small
 * counts, one repetition, 20 idle links, 10 boards, and no `qhal-gen test` run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { paths } from '../load/toolkit-paths.js';
import { median, renderTable, row, type Row, type Samples } from './figures.js';
import { generatorFigures, generatorRows, qhalGenArgs, timeNode } from './generator.js';
import { socketFigures } from './sockets.js';

const KIB_S_TO_MIB_S = 1 / 1024;

function tableRows(
  s: Samples,
  o: { idle: number; boards: number; suite: number | undefined; suiteWhat: string },
): Row[] {
  const m = (k: string, scale = 1): number | undefined => {
    const v = median(s.get(k) ?? []);
    return v === undefined ? undefined : v * scale;
  };
  const rate = (k: string) => ({ value: m(k, KIB_S_TO_MIB_S), unit: 'MiB/s' });
  const us = (k: string) => ({ value: m(k), unit: 'µs' });
  const idle = `tcp.rtt-${o.idle}`;
  const grow = (a: string, b: string) => {
    const x = m(a);
    const y = m(b);
    return x !== undefined && y !== undefined && y > 0 ? x / y : undefined;
  };
  return [
    row('TCP echo, 1 KiB writes', rate('tcp.echo-1k'), {
      ...rate('raw.tcp.echo-1k'),
      what: 'raw BSD-socket client',
    }),
    row('TCP echo, 64 KiB writes', rate('tcp.echo-64k'), {
      ...rate('raw.tcp.echo-64k'),
      what: 'raw client',
    }),
    row('TLS echo, 1 KiB writes', rate('tls.echo-1k'), {
      ...rate('raw.tls.echo-1k'),
      what: 'plain mbedtls client',
    }),
    row('TLS echo, 64 KiB writes', rate('tls.echo-64k'), {
      ...rate('raw.tls.echo-64k'),
      what: 'plain mbedtls client',
    }),
    row('round trip, 1 socket', us('tcp.rtt-1'), { ...us('raw.tcp.rtt-1'), what: 'raw' }),
    row(`round trip, ${o.idle.toLocaleString('en-US')} idle sockets open`, us(idle), {
      ...us(`raw.${idle}`),
      what: 'raw',
    }),
    row(
      `round trip growth, ${o.idle.toLocaleString('en-US')} open ÷ 1 socket`,
      { value: grow(idle, 'tcp.rtt-1'), unit: '×' },
      { value: grow(`raw.${idle}`, 'raw.tcp.rtt-1'), unit: '×', what: 'raw' },
    ),
    row(`CPU per round trip, ${o.idle.toLocaleString('en-US')} open`, us(`${idle}-cpu`), {
      ...us(`raw.${idle}-cpu`),
      what: 'raw',
    }),
    row('connect (Init to ConnResult)', us('tcp.connect'), {
      ...us('raw.tcp.connect'),
      what: 'raw connect',
    }),
    ...generatorRows(s, o.boards),
    row(
      `\`qhal-gen test\` linux-x86_64 (wall${o.suiteWhat})`,
      { value: o.suite, unit: 'ms' },
      null,
    ),
  ];
}

export async function runBench(o: {
  quick: boolean;
  /** Only the socket figures (e.g. to compare two mbedtls configurations). */
  socketsOnly?: boolean;
  work: string;
  log: (l: string) => void;
}): Promise<Row[]> {
  const idle = o.quick ? 20 : 1000;
  const boards = o.quick ? 10 : 100;
  const reps = o.quick ? 1 : 5;
  const samples = await socketFigures({
    workDir: path.join(o.work, 'sockets'),
    reps,
    idle,
    tcpRounds: o.quick ? 4 : 64,
    tlsRounds: o.quick ? 2 : 16,
    log: o.log,
  });
  if (o.socketsOnly) return tableRows(samples, { idle, boards, suite: undefined, suiteWhat: '' });
  o.log('# generator');
  for (const [k, v] of await generatorFigures(
    path.join(o.work, 'generate'),
    o.quick ? 1 : 3,
    boards,
  ))
    samples.set(k, v);
  // The whole suite is the slowest figure (over a minute): the smoke run leaves it out.
  let suite: number | undefined;
  if (!o.quick) {
    o.log('# qhal-gen test linux-x86_64');
    suite = await timeNode(
      qhalGenArgs(['test', '--board', path.join(paths.boards, 'linux-x86_64.ts')]),
    );
  }
  return tableRows(samples, {
    idle,
    boards,
    suite,
    suiteWhat: o.quick ? ', not run with --quick' : '',
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      'sockets-only': { type: 'boolean' },
      work: { type: 'string' },
    },
  });
  const keep = values.work !== undefined;
  const work = keep
    ? path.resolve(values.work as string)
    : fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-bench-'));
  try {
    const rows = await runBench({
      quick: values.quick ?? false,
      socketsOnly: values['sockets-only'] ?? false,
      work,
      log: (l) => console.log(l),
    });
    console.log(
      `\n# ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); ratio = HAL ÷ reference; medians`,
    );
    console.log(renderTable(rows));
    return 0;
  } finally {
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
