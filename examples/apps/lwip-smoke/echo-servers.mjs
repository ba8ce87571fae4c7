#!/usr/bin/env node
/**
 * Host side of lwip-smoke, run inside the test's network namespace: a TCP echo server and a
 * UDP echo server on the wildcard address (so the UDP one also gets broadcasts).
 *   node echo-servers.mjs --tcp <port> --udp <port> [--pki DIR --tls P --tlsrogue P --tlsname P --dtls P]
 * Both listen on IPv4 and (v6-only sockets, same ports) IPv6. TCP: echoes everything; after a line ending in "bye" it closes the connection; on a line
 * "dial <port>" it connects back to the sender at <port>, sends "srv-hello\n", waits for 10
 * bytes of echo and closes. UDP: answers every datagram to its sender.
 * With --pki: TLS 1.2 echo servers with DIR/server.{key,pem} (--tls), rogue.* (--tlsrogue) and
 * wrong.* (--tlsname). With --pki and --dtls P: `openssl s_server -dtls1_2` on P with
 * DIR/server.*; once a client's record holding "hello-dtls" arrives it sends "from-server\n"
 * back (s_server cannot echo DTLS itself). Needs openssl on PATH.
 * Prints "READY tcp=<port> udp=<port> tls=<n> [dtls=<port> dtlspid=<openssl's pid>]" when all
 * listen; exits (stopping openssl) on SIGTERM or stdin EOF.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    tcp: { type: 'string' },
    udp: { type: 'string' },
    pki: { type: 'string' },
    tls: { type: 'string' },
    tlsrogue: { type: 'string' },
    tlsname: { type: 'string' },
    dtls: { type: 'string' },
  },
});
const tcpPort = Number(values.tcp);
const udpPort = Number(values.udp);
if (!tcpPort || !udpPort) {
  console.error('usage: echo-servers.mjs --tcp <port> --udp <port>');
  process.exit(2);
}

function dialBack(host, port) {
  const s = net.connect({ host, port, timeout: 10000 });
  let got = 0;
  s.on('connect', () => s.write('srv-hello\n'));
  s.on('data', (d) => {
    got += d.length;
    if (got >= 10) s.end();
  });
  s.on('timeout', () => s.destroy());
  s.on('error', (e) => console.error(`dial-back ${host}:${port}: ${e.message}`));
}

const echoConnection = (sock) => {
  let tail = '';
  sock.on('data', (d) => {
    sock.write(d);
    tail = (tail + d.toString('latin1')).slice(-256);
    let nl;
    while ((nl = tail.indexOf('\n')) >= 0) {
      const line = tail.slice(0, nl);
      tail = tail.slice(nl + 1);
      const dial = /dial (\d+)$/.exec(line);
      if (dial) dialBack(sock.remoteAddress, Number(dial[1]));
      else if (line.endsWith('bye')) sock.end();
    }
  });
  sock.on('error', () => {});
};
const server = net.createServer(echoConnection);
// IPv6 too (separate v6-only sockets, so the IPv4 ones keep getting broadcasts), best effort:
// a host without IPv6 just has no IPv6 servers.
const server6 = net.createServer(echoConnection);
server6.on('error', (e) => console.error(`tcp6: ${e.message}`));

const udp = dgram.createSocket('udp4');
udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
const udp6 = dgram.createSocket({ type: 'udp6', ipv6Only: true });
udp6.on('message', (msg, rinfo) => udp6.send(msg, rinfo.port, rinfo.address));
udp6.on('error', (e) => console.error(`udp6: ${e.message}`));

const tlsServers = [];
if (values.pki) {
  for (const [name, port] of [
    ['server', values.tls],
    ['rogue', values.tlsrogue],
    ['wrong', values.tlsname],
  ]) {
    if (!port) continue;
    const srv = tls.createServer(
      {
        key: fs.readFileSync(path.join(values.pki, `${name}.key`)),
        cert: fs.readFileSync(path.join(values.pki, `${name}.pem`)),
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
      },
      (sock) => {
        sock.on('data', (d) => sock.write(d));
        sock.on('error', () => {});
      },
    );
    srv.on('tlsClientError', () => {});
    tlsServers.push([srv, Number(port)]);
  }
}

let dtlsServer;
if (values.pki && values.dtls) {
  dtlsServer = spawn(
    'openssl',
    [
      's_server',
      '-dtls1_2',
      '-accept',
      values.dtls,
      '-cert',
      path.join(values.pki, 'server.pem'),
      '-key',
      path.join(values.pki, 'server.key'),
      '-quiet',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let seen = '';
  dtlsServer.stdout.on('data', (d) => {
    seen = (seen + d.toString('latin1')).slice(-64);
    if (seen.includes('hello-dtls')) {
      seen = '';
      dtlsServer.stdin.write('from-server\n');
    }
  });
  dtlsServer.on('exit', (code) => {
    if (code !== null && code !== 0) console.error(`openssl s_server (DTLS) exited ${code}`);
  });
}

let ready = 0;
const want = 2 + tlsServers.length;
const up = () => {
  if (++ready === want) {
    const dtls = dtlsServer ? ` dtls=${values.dtls} dtlspid=${dtlsServer.pid}` : '';
    console.log(`READY tcp=${tcpPort} udp=${udpPort} tls=${tlsServers.length}${dtls}`);
  }
};
server.listen(tcpPort, '0.0.0.0', up);
udp.bind(udpPort, '0.0.0.0', up);
server6.listen({ port: tcpPort, host: '::', ipv6Only: true });
udp6.bind(udpPort, '::');
for (const [srv, port] of tlsServers) srv.listen(port, '0.0.0.0', up);

const stop = () => {
  dtlsServer?.kill();
  server.close();
  udp.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
