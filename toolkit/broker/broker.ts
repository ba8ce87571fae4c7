/**
 * The test broker: every server the conformance suite talks to, on free ports of one host
 * (127.0.0.1 by default), reported in `broker.info`. `stop()` ends them all; every server
 * also ends by itself after `lifetimeMs`.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startControl } from './control.js';
import { startDns, TEST_ZONE, type Zone } from './dns.js';
import { startDtlsEcho, type DtlsEcho } from './dtls-echo.js';
import { startTcpEcho, startTlsEcho, startUdpEcho } from './echo.js';
import { startFaults } from './faults.js';
import { startMqtt } from './mqtt.js';
import { ensureDtlsEcho } from './native.js';
import { createPki, pkiComplete, pkiPaths, type Pki } from './pki.js';
import type { Closable } from './servers.js';

export interface BrokerOptions {
  /** Address every server listens on (default 127.0.0.1). */
  host?: string;
  /** Address of the IPv6 TCP echo (default ::1). */
  host6?: string;
  /** What the DNS responder answers (default TEST_ZONE: the loopback addresses). */
  zone?: Zone;
  /** Use (or create) the PKI here and keep it; default: a fresh temp dir removed by stop(). */
  pkiDir?: string;
  /** DNS responder: false for none; `port` 53 inside a private network namespace. */
  dns?: false | { port?: number; host?: string };
  /** Start the DTLS echo servers (builds the native helper on first use). Default true. */
  dtls?: boolean;
  /** Every server stops by itself after this long (default 30 min). */
  lifetimeMs?: number;
  /** An address:port where SYNs go unanswered, when the caller set one up (namespace). */
  blackhole?: { host: string; port: number } | null;
  /** Where the broadcast recorder binds (default 0.0.0.0). */
  broadcastHost?: string;
  /** Whether limited broadcasts reach the recorder (true only in the namespace set-up). */
  broadcastWorks?: boolean;
  closeAfterBytes?: number;
  slowPauseMs?: number;
}

export interface BrokerInfo {
  host: string;
  tcpEcho: number;
  /** TCP echo on ::1, or null when IPv6 loopback is unavailable. */
  tcpEcho6: number | null;
  udpEcho: number;
  /** UDP echo on the IPv6 address, or null like tcpEcho6. */
  udpEcho6: number | null;
  tls: {
    valid: number;
    wrongHost: number;
    expired: number;
    untrusted: number;
    mutual: number;
    /** Sends one full-size (16 KiB) TLS record after the handshake, then echoes. */
    fullRecord: number;
  };
  mqtt: { tcp: number; tls: number };
  /** DTLS echoes: PSK, and with the TLS servers' certificates (good, untrusted CA, wrong name). */
  dtls: { psk: number; cert: number; untrusted: number; wrongHost: number } | null;
  psk: { identity: string; keyHex: string };
  dns: { host: string; port: number } | null;
  control: number;
  broadcast: { port: number; works: boolean };
  faults: {
    reset: number;
    closeAfter: number;
    closeAfterBytes: number;
    slow: number;
    slowPauseMs: number;
    refuse: number;
  };
  blackhole: { host: string; port: number } | null;
  pki: Pki;
  /** PIDs of the helper processes the broker started (DTLS echo servers). */
  pids: number[];
}

export interface Broker {
  info: BrokerInfo;
  /** stderr of the DTLS helpers, for diagnostics. */
  dtlsLog(): string;
  stop(): Promise<void>;
}

export async function startBroker(opts: BrokerOptions = {}): Promise<Broker> {
  const host = opts.host ?? '127.0.0.1';
  const lifetimeMs = opts.lifetimeMs ?? 30 * 60_000;
  const closers: Closable[] = [];
  let tempPki: string | undefined;
  let stopped = false;
  let lifetimeTimer: NodeJS.Timeout | undefined;
  const dtlsServers: DtlsEcho[] = [];

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (lifetimeTimer) clearTimeout(lifetimeTimer);
    await Promise.allSettled(closers.reverse().map((c) => c.close()));
    if (tempPki) fs.rmSync(tempPki, { recursive: true, force: true });
  };

  try {
    let pki: Pki;
    if (opts.pkiDir && pkiComplete(opts.pkiDir)) pki = pkiPaths(path.resolve(opts.pkiDir));
    else if (opts.pkiDir) pki = await createPki(path.resolve(opts.pkiDir));
    else {
      tempPki = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-broker-pki-'));
      pki = await createPki(tempPki);
    }
    const read = (f: string) => fs.readFileSync(f);
    const serverCert = read(pki.serverCert);
    const serverKey = read(pki.serverKey);

    const add = <T extends Closable>(c: T): T => {
      closers.push(c);
      return c;
    };
    const [tcpEcho, udpEcho, valid, wrongHost, expired, untrusted, mutual, full, mqtt, faults] =
      await Promise.all([
        startTcpEcho(host).then(add),
        startUdpEcho(host).then(add),
        startTlsEcho(host, { cert: serverCert, key: serverKey }).then(add),
        startTlsEcho(host, { cert: read(pki.wrongHostCert), key: read(pki.wrongHostKey) }).then(
          add,
        ),
        startTlsEcho(host, { cert: read(pki.expiredCert), key: read(pki.expiredKey) }).then(add),
        startTlsEcho(host, { cert: read(pki.untrustedCert), key: read(pki.untrustedKey) }).then(
          add,
        ),
        startTlsEcho(host, { cert: serverCert, key: serverKey, clientCa: read(pki.caCert) }).then(
          add,
        ),
        startTlsEcho(host, { cert: serverCert, key: serverKey, firstWrite: 16384 }).then(add),
        startMqtt(host, serverCert, serverKey).then(add),
        startFaults(host, opts.closeAfterBytes, opts.slowPauseMs).then(add),
      ]);
    let tcpEcho6: number | null = null;
    let udpEcho6: number | null = null;
    try {
      tcpEcho6 = add(await startTcpEcho(opts.host6 ?? '::1')).port;
      udpEcho6 = add(await startUdpEcho(opts.host6 ?? '::1')).port;
    } catch {
      // No IPv6 here: the IPv6 cases skip, saying the broker has no IPv6 echo.
    }
    const control = add(
      await startControl({
        host,
        broadcastHost: opts.broadcastHost ?? '0.0.0.0',
        slowBytes: () => faults.slowBytes(),
        slowHash: () => faults.slowHash(),
        slowLatestBytes: () => faults.slowLatestBytes(),
      }),
    );
    let dns: BrokerInfo['dns'] = null;
    if (opts.dns !== false) {
      const d = add(
        await startDns(opts.dns?.host ?? host, opts.dns?.port ?? 0, opts.zone ?? TEST_ZONE),
      );
      dns = { host: d.host, port: d.port };
    }
    const psk = { identity: 'qhal-test-device', keyHex: randomBytes(16).toString('hex') };
    let dtls: BrokerInfo['dtls'] = null;
    if (opts.dtls !== false) {
      const bin = await ensureDtlsEcho();
      const lifeS = lifetimeMs / 1000 + 5;
      const cert = (c: string, k: string) =>
        startDtlsEcho(bin, host, { cert: c, key: k }, lifeS).then(add);
      const [p, c, u, w] = await Promise.all([
        startDtlsEcho(bin, host, { psk: psk.keyHex, identity: psk.identity }, lifeS).then(add),
        cert(pki.serverCert, pki.serverKey),
        cert(pki.untrustedCert, pki.untrustedKey),
        cert(pki.wrongHostCert, pki.wrongHostKey),
      ]);
      dtlsServers.push(p, c, u, w);
      dtls = { psk: p.port, cert: c.port, untrusted: u.port, wrongHost: w.port };
    }
    lifetimeTimer = setTimeout(() => void stop(), lifetimeMs);
    lifetimeTimer.unref();
    const info: BrokerInfo = {
      host,
      tcpEcho: tcpEcho.port,
      tcpEcho6,
      udpEcho: udpEcho.port,
      udpEcho6,
      tls: {
        valid: valid.port,
        wrongHost: wrongHost.port,
        expired: expired.port,
        untrusted: untrusted.port,
        mutual: mutual.port,
        fullRecord: full.port,
      },
      mqtt: { tcp: mqtt.tcp, tls: mqtt.tls },
      dtls,
      psk,
      dns,
      control: control.port,
      broadcast: { port: control.broadcastPort, works: opts.broadcastWorks ?? false },
      faults: {
        reset: faults.reset,
        closeAfter: faults.closeAfter,
        closeAfterBytes: faults.closeAfterBytes,
        slow: faults.slow,
        slowPauseMs: faults.slowPauseMs,
        refuse: faults.refuse,
      },
      blackhole: opts.blackhole ?? null,
      pki,
      pids: dtlsServers.map((d) => d.pid),
    };
    return { info, stop, dtlsLog: () => dtlsServers.map((d) => d.log()).join('') };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The suite's configuration file (key=value lines) for a running broker. `dnsNames` says
 * whether the test names (one.qhal.test, ...) resolve for the suite (namespace runs only).
 */
export function suiteConfig(info: BrokerInfo, extra: Record<string, string | number> = {}): string {
  const kv: Record<string, string | number> = {
    host: info.host,
    'tcp-echo': info.tcpEcho,
    'tcp-echo6': info.tcpEcho6 ?? 0,
    'udp-echo': info.udpEcho,
    'udp-echo6': info.udpEcho6 ?? 0,
    'tls-valid': info.tls.valid,
    'tls-wrong-host': info.tls.wrongHost,
    'tls-expired': info.tls.expired,
    'tls-untrusted': info.tls.untrusted,
    'tls-mutual': info.tls.mutual,
    'tls-full-record': info.tls.fullRecord,
    'mqtt-tcp': info.mqtt.tcp,
    'mqtt-tls': info.mqtt.tls,
    'dtls-psk': info.dtls?.psk ?? 0,
    'dtls-cert': info.dtls?.cert ?? 0,
    'dtls-untrusted': info.dtls?.untrusted ?? 0,
    'dtls-wrong-host': info.dtls?.wrongHost ?? 0,
    'psk-identity': info.psk.identity,
    'psk-key': info.psk.keyHex,
    control: info.control,
    broadcast: info.broadcast.works ? info.broadcast.port : 0,
    reset: info.faults.reset,
    'close-after': info.faults.closeAfter,
    'close-after-bytes': info.faults.closeAfterBytes,
    slow: info.faults.slow,
    refuse: info.faults.refuse,
    'blackhole-host': info.blackhole?.host ?? '',
    'blackhole-port': info.blackhole?.port ?? 0,
    'dns-names': info.dns && info.dns.port === 53 ? 1 : 0,
    ...extra,
  };
  return `${Object.entries(kv)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

function usageError(msg: string): number {
  console.error(`qhal-gen broker: ${msg}`);
  console.error(
    'usage: qhal-gen broker [--host 127.0.0.1] [--pki-dir DIR] [--dns-port N | --no-dns] [--no-dtls] [--duration SECONDS]',
  );
  return 2;
}

/** `qhal-gen broker`: starts the broker, prints its info as JSON, runs until a signal or --duration. */
export async function runBrokerCommand(argv: string[]): Promise<number> {
  const opts: BrokerOptions = {};
  let duration: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    const need = () => {
      if (v === undefined) throw new Error(`${a} needs a value`);
      i += 1;
      return v;
    };
    try {
      if (a === '--host') opts.host = need();
      else if (a === '--pki-dir') opts.pkiDir = need();
      else if (a === '--dns-port') opts.dns = { port: Number(need()) };
      else if (a === '--no-dns') opts.dns = false;
      else if (a === '--no-dtls') opts.dtls = false;
      else if (a === '--duration') {
        duration = Number(need());
        if (!(duration > 0)) return usageError('--duration needs a positive number of seconds');
      } else return usageError(`unknown option '${a}'`);
    } catch (err) {
      return usageError((err as Error).message);
    }
  }
  if (duration !== undefined) opts.lifetimeMs = duration * 1000 + 1000;
  const broker = await startBroker(opts);
  console.log(JSON.stringify(broker.info, null, 2));
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (duration !== undefined) setTimeout(done, duration * 1000);
  });
  await broker.stop();
  return 0;
}
