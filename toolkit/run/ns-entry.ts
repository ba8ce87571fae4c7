/**
 * Entry point run as PID 1 of the private namespaces (see namespace.ts): sets up the network,
 * starts the broker (DNS on 127.0.0.1:53), writes the suite's config, runs the suite command
 * and relays its output. Exit status: the suite's. Argument: one JSON object (NsJob).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker, suiteConfig, type Broker } from '../broker/index.js';
import { BLACKHOLE, setupNamespace } from './namespace.js';
import { eachLine, startGroup, type Started } from './process.js';

export interface NsJob {
  pkiDir: string;
  /** The suite command (qemu-<arch> and its args first when emulated); `--config FILE` is appended. */
  command: string[];
  lifetimeMs: number;
  dtls: boolean;
  extraConfig?: Record<string, string | number>;
}

async function main(): Promise<number> {
  const job = JSON.parse(process.argv[2] ?? '{}') as NsJob;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-ns-'));
  let broker: Broker | undefined;
  let suite: Started | undefined;
  const cleanup = async () => {
    await suite?.stop(1000);
    await broker?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  // The run stage holds our stdin: EOF means it is gone, and so is everything in here.
  process.stdin.on('end', () => {
    void cleanup().finally(() => process.exit(130));
  });
  process.stdin.resume();
  // PID 1 ignores signals it has no handler for.
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(sig, () => {
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    await setupNamespace(tmp);
    broker = await startBroker({
      pkiDir: job.pkiDir,
      dns: { port: 53, host: '127.0.0.1' },
      blackhole: BLACKHOLE,
      broadcastWorks: true,
      dtls: job.dtls,
      lifetimeMs: job.lifetimeMs,
    });
    const conf = path.join(tmp, 'suite.conf');
    fs.writeFileSync(conf, suiteConfig(broker.info, job.extraConfig));
    process.stdout.write(
      `# broker ready in a private network namespace (DNS 127.0.0.1:53, black hole ${BLACKHOLE.host})\n`,
    );
    const [cmd, ...args] = job.command;
    if (!cmd) throw new Error('no suite command');
    suite = startGroup(cmd, [...args, '--stdin-watch', '1', '--config', conf], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = eachLine(suite.child.stdout, (l) => process.stdout.write(`${l}\n`));
    const err = eachLine(suite.child.stderr, (l) => process.stderr.write(`${l}\n`));
    const { code, signal } = await suite.exited;
    await Promise.all([out, err]);
    if (code !== 0 && broker.dtlsLog())
      process.stderr.write(`# DTLS server log:\n${broker.dtlsLog()}`);
    if (signal) process.stdout.write(`# suite ended by ${signal}\n`);
    return code ?? 1;
  } catch (e) {
    process.stdout.write(`# namespace run failed: ${(e as Error).message}\n`);
    return 3;
  } finally {
    await cleanup();
  }
}

void main().then((code) => process.exit(code));
