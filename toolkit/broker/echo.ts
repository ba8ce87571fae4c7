/** TCP, TLS and UDP echo servers. */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { bindUdp, closeServer, closeUdp, listen, track, type Closable } from './servers.js';

export interface TcpServerHandle extends Closable {
  port: number;
}

export async function startTcpEcho(host: string): Promise<TcpServerHandle> {
  const server = net.createServer((s) => s.pipe(s));
  const sockets = track(server);
  const port = await listen(server, host);
  return { port, close: () => closeServer(server, sockets) };
}

export interface TlsEchoOptions {
  cert: Buffer;
  key: Buffer;
  /** CA for client certificates: set for the mutual-TLS port. */
  clientCa?: Buffer;
  /**
   * Bytes (0x00, 0x01, ... mod 256) written in one write as soon as the handshake is done,
   * before echoing. 16384 makes one TLS record as large as TLS allows: a client whose
   * receive window cannot hold a whole record never gets it.
   */
  firstWrite?: number;
}

export async function startTlsEcho(host: string, o: TlsEchoOptions): Promise<TcpServerHandle> {
  const options: tls.TlsOptions = { cert: o.cert, key: o.key, minVersion: 'TLSv1.2' };
  if (o.clientCa)
    Object.assign(options, { ca: o.clientCa, requestCert: true, rejectUnauthorized: true });
  const first = Buffer.alloc(o.firstWrite ?? 0);
  for (let i = 0; i < first.length; i++) first[i] = i & 0xff;
  const server = tls.createServer(options, (s) => {
    if (first.length > 0) s.write(first);
    s.pipe(s);
  });
  server.on('tlsClientError', () => undefined);
  const sockets = new Set<net.Socket>();
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  });
  const port = await listen(server, host);
  return { port, close: () => closeServer(server, sockets) };
}

export interface UdpHandle extends Closable {
  port: number;
}

export async function startUdpEcho(host: string): Promise<UdpHandle> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  sock.on('message', (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address));
  sock.on('error', () => undefined);
  const port = await bindUdp(sock, host);
  return { port, close: () => closeUdp(sock) };
}
