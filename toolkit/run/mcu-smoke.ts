/**
 * Host side of examples/apps/mps2-smoke: a test PKI (openssl) and, in this process, a TCP
 * echo server (closes the connection after echoing a line "bye"), a UDP echo server, a
 * port nobody listens on, a port QEMU forwards to the guest's TCP server (7000) with a
 * client that retries until one exchange with it completes, and three TLS echo servers:
 * `tls` (server.pem: SAN 10.0.2.2, from the test CA), `tlsrogue` (same name, another CA)
 * and `tlsname` (SAN wrong.example, test CA). With `dtls: 'psk'`, the broker's native
 * mbedtls DTLS echo server (its own process, stopped by PID in close()) with a fresh
 * pre-shared key the firmware's PSK hook reads from its command line; with `dtls: 'cert'`,
 * three of them with the TLS servers' certificates (`dtls`, `dtlsrogue`, `dtlsname`).
 * All on 127.0.0.1, the guest's 10.0.2.2.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { startDtlsEcho, type DtlsEcho } from '../broker/dtls-echo.js';
import { ensureDtlsEcho } from '../broker/native.js';

export interface SmokePki {
  dir: string;
  /** The CA the firmware trusts (goes into the board's TLS configuration). */
  caCert: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** CA, rogue CA, and three server certificates (EC P-256) in `dir`; reused when present. */
export function makeSmokePki(dir: string): SmokePki {
  fs.mkdirSync(dir, { recursive: true });
  const caCert = path.join(dir, 'ca.pem');
  if (fs.existsSync(path.join(dir, 'wrong.pem'))) return { dir, caCert };
  const key = (name: string) =>
    openssl(
      [
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-out',
        `${name}.key`,
      ],
      dir,
    );
  const ca = (name: string, subject: string) => {
    key(name);
    openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        `${name}.key`,
        '-out',
        `${name}.pem`,
        '-days',
        '3650',
        '-subj',
        `/CN=${subject}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
  };
  const leaf = (name: string, caName: string, cn: string) => {
    key(name);
    openssl(
      ['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`],
      dir,
    );
    fs.writeFileSync(
      path.join(dir, `${name}.ext`),
      `subjectAltName=DNS:${cn}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${caName}.pem`,
        '-CAkey',
        `${caName}.key`,
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '365',
        '-extfile',
        `${name}.ext`,
      ],
      dir,
    );
  };
  ca('ca', 'qhal-gen mps2-smoke test CA');
  ca('rogueca', 'some other CA');
  // mbedtls matches the host name the firmware connects to ("10.0.2.2") against DNS names.
  leaf('server', 'ca', '10.0.2.2');
  leaf('rogue', 'rogueca', '10.0.2.2');
  leaf('wrong', 'ca', 'wrong.example');
  return { dir, caCert };
}

export interface SmokeServers {
  /**
   * The firmware's command line: `tcp=.. udp=.. closed=.. fwd=.. server=1 tls=.. tlsrogue=..
   * tlsname=..`, and with DTLS `dtls=<port> pskid=<identity> pskkey=<hex>` (PSK) or
   * `dtls=.. dtlsrogue=.. dtlsname=..` (certificates).
   */
  cmdline: string;
  /** The host port QEMU must forward to the guest's TCP port 7000. */
  fwdPort: number;
  /** True once the host client exchanged a line with the guest's server. */
  guestServerReached(): boolean;
  /** What the DTLS echo servers logged (handshake failures), '' without one. */
  dtlsLog(): string;
  close(): Promise<void>;
}

export interface SmokeServerOptions {
  /**
   * DTLS echo servers: `psk` (one, fresh key; for a board with a PSK hook) or `cert` (three,
   * with the TLS servers' certificates; needs `pkiDir`).
   */
  dtls?: 'psk' | 'cert';
}

const listen = (server: net.Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });

const closeServer = (server: net.Server): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

async function freePort(): Promise<number> {
  const probe = net.createServer();
  const port = await listen(probe);
  await closeServer(probe);
  return port;
}

/** Starts the servers; `pkiDir` (makeSmokePki) adds the TLS ones, `dtls` the DTLS one. */
export async function startSmokeServers(
  pkiDir?: string,
  opts: SmokeServerOptions = {},
): Promise<SmokeServers> {
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  };

  const tcp = net.createServer((sock) => {
    track(sock);
    let seen = '';
    sock.on('data', (d) => {
      sock.write(d);
      seen = (seen + d.toString('latin1')).slice(-16);
      if (seen.endsWith('bye\n')) sock.end();
    });
  });
  servers.push(tcp);
  const tcpPort = await listen(tcp);

  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
  const udpPort = udp.address().port;

  const closedPort = await freePort();
  const fwdPort = await freePort();

  let tlsPart = '';
  if (pkiDir !== undefined) {
    const tlsEcho = async (name: string): Promise<number> => {
      const server = tls.createServer(
        {
          key: fs.readFileSync(path.join(pkiDir, `${name}.key`)),
          cert: fs.readFileSync(path.join(pkiDir, `${name}.pem`)),
          minVersion: 'TLSv1.2',
          maxVersion: 'TLSv1.2',
        },
        (sock) => {
          track(sock);
          sock.on('data', (d) => sock.write(d));
        },
      );
      server.on('tlsClientError', () => {});
      servers.push(server);
      return listen(server);
    };
    tlsPart = ` tls=${await tlsEcho('server')} tlsrogue=${await tlsEcho('rogue')} tlsname=${await tlsEcho('wrong')}`;
  }

  const dtls: DtlsEcho[] = [];
  let dtlsPart = '';
  if (opts.dtls !== undefined) {
    try {
      const bin = await ensureDtlsEcho();
      if (opts.dtls === 'psk') {
        const psk = { identity: 'qhal-smoke-device', keyHex: randomBytes(16).toString('hex') };
        const d = await startDtlsEcho(
          bin,
          '127.0.0.1',
          { psk: psk.keyHex, identity: psk.identity },
          900,
        );
        dtls.push(d);
        dtlsPart = ` dtls=${d.port} pskid=${psk.identity} pskkey=${psk.keyHex}`;
      } else {
        if (pkiDir === undefined) throw new Error('DTLS with certificates needs the test PKI');
        for (const [key, name] of [
          ['dtls', 'server'],
          ['dtlsrogue', 'rogue'],
          ['dtlsname', 'wrong'],
        ] as const) {
          const d = await startDtlsEcho(
            bin,
            '127.0.0.1',
            { cert: path.join(pkiDir, `${name}.pem`), key: path.join(pkiDir, `${name}.key`) },
            900,
          );
          dtls.push(d);
          dtlsPart += ` ${key}=${d.port}`;
        }
      }
    } catch (err) {
      udp.close();
      await Promise.all([...servers.map(closeServer), ...dtls.map((d) => d.close())]);
      throw err;
    }
  }

  // Client of the guest's server: QEMU accepts on fwdPort at once and drops the connection
  // while the guest is not listening yet, so retry until one exchange completes.
  let serverDone = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const tryGuestServer = () => {
    if (serverDone || closed) return;
    const sock = net.connect(fwdPort, '127.0.0.1');
    track(sock);
    let got = '';
    sock.on('connect', () => sock.write('srv-hello\n'));
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (got === 'srv-hello\n') {
        serverDone = true;
        sock.end();
      }
    });
    sock.on('close', () => {
      if (!serverDone && !closed) retry = setTimeout(tryGuestServer, 300);
    });
  };
  retry = setTimeout(tryGuestServer, 300);

  return {
    cmdline: `tcp=${tcpPort} udp=${udpPort} closed=${closedPort} fwd=${fwdPort} server=1${tlsPart}${dtlsPart}`,
    fwdPort,
    guestServerReached: () => serverDone,
    dtlsLog: () => dtls.map((d) => d.log()).join(''),
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      for (const s of sockets) s.destroy();
      udp.close();
      // The DTLS echo servers are child processes: stopped by PID (SIGTERM, then SIGKILL).
      await Promise.all([...servers.map(closeServer), ...dtls.map((d) => d.close())]);
    },
  };
}
