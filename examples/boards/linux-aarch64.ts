import { defineBoard } from 'qhal-gen';

/**
 * A Linux module or gateway on aarch64: BSD sockets, one I/O thread, every feature on.
 * The CA below is a test CA shipped so the example builds as is; put your cloud's CA bundle
 * there for a product.
 */
export default defineBoard({
  name: 'linux-aarch64',
  target: 'aarch64-linux-musl',
  stack: 'posix',
  os: 'posix',
  features: {
    tcp: true,
    udp: true,
    tls: true,
    dtls: true,
    tcpServer: { maxClients: 4 },
    broadcast: true,
    dns: { maxAddresses: 3 },
    ipv6: true,
  },
  tls: {
    caFile: 'certs/example-test-ca.pem',
    // The board's C function that hands DTLS its pre-shared key (see qhal_socket.h).
    psk: { hook: 'qhal_test_psk' },
    verify: 'required',
  },
  limits: {
    maxSockets: 16,
    rxBufferSize: 4096,
    ioTaskStackSize: 65536,
    ioTaskPriority: 0,
    connectTimeoutMs: 10000,
  },
  connect: 'async',
  core: { version: '2.13', rxPeerSize: true },
});
