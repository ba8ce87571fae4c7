// With a PKI folder argument (ci/mps2-smoke.sh makes it with openssl) it also runs three
// TLS echo servers: tls= (server.pem: CN/SAN 10.0.2.2, from the test CA), tlsrogue=
// (rogue.pem: same name, another CA) and tlsname= (wrong.pem: CN wrong.example, test CA).
// Host side of mps2-smoke: a TCP echo server (closes the connection after echoing a line
// "bye"), a UDP echo server, and a port nobody listens on, all on 127.0.0.1 (the guest's
// 10.0.2.2 through QEMU user-mode networking). Prints one line:
//   tcp=<port> udp=<port> closed=<port>
// and runs until stdin closes or it gets SIGTERM.
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { setTimeout } from 'node:timers';

const listen = (server) =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

const tcp = net.createServer((sock) => {
  let seen = '';
  sock.on('data', (d) => {
    sock.write(d);
    seen = (seen + d.toString('latin1')).slice(-16);
    if (seen.endsWith('bye\n')) sock.end();
  });
  sock.on('error', () => {});
});
const tcpPort = await listen(tcp);

const udp = dgram.createSocket('udp4');
udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
await new Promise((resolve) => udp.bind(0, '127.0.0.1', resolve));
const udpPort = udp.address().port;

// Free ports: bind, read the number, close. One stays closed; QEMU forwards the other
// (hostfwd) to the guest's TCP server on port 7000.
const freePort = async () => {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
};
const closedPort = await freePort();
const fwdPort = await freePort();

let tlsPorts = '';
const pki = process.argv[2];
if (pki) {
  const tlsEcho = async (name) => {
    const server = tls.createServer(
      {
        key: fs.readFileSync(path.join(pki, `${name}.key`)),
        cert: fs.readFileSync(path.join(pki, `${name}.pem`)),
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
      },
      (sock) => {
        sock.on('data', (d) => sock.write(d));
        sock.on('error', () => {});
      },
    );
    server.on('tlsClientError', () => {});
    return listen(server);
  };
  tlsPorts = ` tls=${await tlsEcho('server')} tlsrogue=${await tlsEcho('rogue')} tlsname=${await tlsEcho('wrong')}`;
}

process.stdout.write(
  `tcp=${tcpPort} udp=${udpPort} closed=${closedPort} fwd=${fwdPort} server=1${tlsPorts}\n`,
);

// Client of the guest's server: QEMU accepts on fwdPort at once and drops the connection
// while the guest is not listening yet, so retry until one exchange completes.
let serverDone = false;
const tryGuestServer = () => {
  if (serverDone) return;
  const sock = net.connect(fwdPort, '127.0.0.1');
  let got = '';
  sock.on('connect', () => sock.write('srv-hello\n'));
  sock.on('data', (d) => {
    got += d.toString('latin1');
    if (got === 'srv-hello\n') {
      serverDone = true;
      sock.end();
    }
  });
  sock.on('error', () => {});
  sock.on('close', () => {
    if (!serverDone) setTimeout(tryGuestServer, 300);
  });
};
setTimeout(tryGuestServer, 300);
const stop = () => {
  tcp.close();
  udp.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
