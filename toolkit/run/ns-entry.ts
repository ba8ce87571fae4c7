/**
 * Entry point run as PID 1 of the private namespaces (see namespace.ts): sets up the network
 * for the board's stack (SuiteNetwork), starts the broker where the HAL can reach it, gives
 * the suite its configuration (a file, or QEMU's -append for a firmware), runs it and relays
 * its output. Exit status: the suite's. Argument: one JSON object (NsJob).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker, suiteConfig, testZone, type Broker } from '../broker/index.js';
import type { BrokerOptions } from '../broker/broker.js';
import { freePort } from '../broker/servers.js';
import type { Target } from '../toolchain/targets.js';
import { qemuFirmwareCommand } from './mcu.js';
import {
  BLACKHOLE,
  LWIP_TAP,
  setupLwipTap,
  setupNamespace,
  SLIRP,
  type SuiteNetwork,
} from './namespace.js';
import { eachLine, startGroup, type Started } from './process.js';

export interface NsJob {
  pkiDir: string;
  /**
   * `kernel` / `lwip-tap`: the suite command (qemu-<arch> and its args first when emulated);
   * `--stdin-watch 1 --config FILE` is appended. `qemu-slirp`: [firmware ELF].
   */
  command: string[];
  /** `qemu-slirp`: the resolved target (its QEMU machine and NIC), as the plan holds it. */
  firmwareTarget?: Target;
  network?: SuiteNetwork;
  lifetimeMs: number;
  dtls: boolean;
  extraConfig?: Record<string, string | number>;
  /** The slow reader's pause (conformance.ts slowPauseFor); the broker's default if unset. */
  slowPauseMs?: number;
}

/** Where the broker listens and what the suite is told, per network. */
async function plan(network: SuiteNetwork): Promise<{
  broker: Partial<BrokerOptions>;
  config: Record<string, string | number>;
  env: NodeJS.ProcessEnv;
}> {
  if (network === 'lwip-tap') {
    const t = LWIP_TAP;
    await setupLwipTap();
    return {
      broker: {
        host: t.host,
        host6: t.host6,
        dns: { port: 53, host: t.host },
        zone: testZone(t.host, t.refuse, t.host6),
      },
      config: {
        'lwip-ip': t.stack,
        'lwip-mask': t.mask,
        'lwip-gw': t.host,
        'lwip-ip6': t.stack6,
        'dns-server': t.host,
        host6: t.host6,
        'hal-host': t.stack,
        // lwIP resolves "localhost" to its own loopback; the certificate also names *.qhal.test.
        'tls-name': 'broker.qhal.test',
        'zone-addr': t.host,
        'zone-refuse': t.refuse,
      },
      env: { ...process.env, PRECONFIGURED_TAPIF: t.dev },
    };
  }
  if (network === 'qemu-slirp') {
    const s = SLIRP;
    return {
      broker: {
        dns: { port: 53, host: '127.0.0.1' },
        zone: testZone(s.host, s.refuse, '::1'),
      },
      config: {
        host: s.host,
        'control-host': s.host,
        'dns-server': s.host,
        'hal-host': '127.0.0.1',
        'hal-tcp-port': s.guestTcpPort,
        'hal-udp-port': s.guestUdpPort,
        // slirp rewrites the source port of what it forwards to the guest.
        nat: 1,
        'zone-addr': s.host,
        'zone-refuse': s.refuse,
      },
      env: process.env,
    };
  }
  return { broker: {}, config: {}, env: process.env };
}

/**
 * QEMU's -append text: `--key value` pairs split on spaces by the firmware, so a value's
 * `%` and spaces are written %25 and %20 (port-mps2.c decodes them); an empty value is `%`.
 */
function appendLine(conf: string): string {
  return conf
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => {
      const i = l.indexOf('=');
      const v = l
        .slice(i + 1)
        .replace(/%/g, '%25')
        .replace(/ /g, '%20');
      return `--${l.slice(0, i)} ${v === '' ? '%' : v}`;
    })
    .join(' ');
}

async function main(): Promise<number> {
  const job = JSON.parse(process.argv[2] ?? '{}') as NsJob;
  const network = job.network ?? 'kernel';
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
    const p = await plan(network);
    broker = await startBroker({
      pkiDir: job.pkiDir,
      dns: { port: 53, host: '127.0.0.1' },
      blackhole: BLACKHOLE,
      broadcastWorks: true,
      dtls: job.dtls,
      lifetimeMs: job.lifetimeMs,
      ...(job.slowPauseMs !== undefined ? { slowPauseMs: job.slowPauseMs } : {}),
      ...p.broker,
    });
    // QEMU's forwarded ports are picked once the broker is listening: a port picked before
    // could go to one of the broker's listeners next, and QEMU could not set up its rule.
    const forwards =
      network === 'qemu-slirp'
        ? { tcp: await freePort('127.0.0.1', 'tcp'), udp: await freePort('127.0.0.1', 'udp') }
        : null;
    const fwdConfig: Record<string, number> = forwards
      ? { 'hal-tcp-fwd': forwards.tcp, 'hal-udp-fwd': forwards.udp }
      : {};
    const conf = path.join(tmp, 'suite.conf');
    const text = suiteConfig(broker.info, { ...p.config, ...fwdConfig, ...job.extraConfig });
    fs.writeFileSync(conf, text);
    const dns = broker.info.dns;
    process.stdout.write(
      `# broker ready in a private network namespace (${network}: broker ${broker.info.host}, DNS ${dns ? `${dns.host}:${dns.port}` : 'none'}, black hole ${BLACKHOLE.host})\n`,
    );
    let cmd: string | undefined;
    let args: string[];
    if (network === 'qemu-slirp') {
      const [elf] = job.command;
      const target = job.firmwareTarget;
      if (!target || !elf || !forwards) throw new Error('qemu-slirp needs a target and [elf]');
      const q = qemuFirmwareCommand(target, elf, {
        append: appendLine(text),
        hostForwards: [
          { hostPort: forwards.tcp, guestPort: SLIRP.guestTcpPort, protocol: 'tcp' },
          { hostPort: forwards.udp, guestPort: SLIRP.guestUdpPort, protocol: 'udp' },
        ],
      });
      cmd = q.command;
      args = q.args;
    } else {
      [cmd, ...args] = job.command;
      args = [...args, '--stdin-watch', '1', '--config', conf];
    }
    if (!cmd) throw new Error('no suite command');
    suite = startGroup(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: p.env });
    const out = eachLine(suite.child.stdout, (l) => process.stdout.write(`${l}\n`));
    // A firmware's console is semihosting, which QEMU writes to its stderr.
    const console = network === 'qemu-slirp' ? process.stdout : process.stderr;
    const err = eachLine(suite.child.stderr, (l) => console.write(`${l}\n`));
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
