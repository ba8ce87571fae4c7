import { defineBoard } from 'qhal-gen';

/**
 * lwIP's sockets API (NO_SYS=0) on Linux: the HAL talks to lwIP, not to the kernel's sockets.
 * lwIP runs as a library in the program (Debian's unix port: pthreads sys_arch, and its TAP
 * driver `tapif` for the wire), so the same HAL code an RTOS board runs is exercised on a PC.
 * The program calls tcpip_init() and adds a netif (tapif on a TAP device) before the first
 * Qhal_* call; see examples/apps/conformance/net-lwip.c.
 *
 * Every feature is on, IPv6 included (the program gives lwIP its IPv6 address).
 * TLS and DTLS run mbedtls over lwIP sockets and verify the server (CA below and host name).
 * The CA is a test CA shipped so the example builds as is; put your cloud's CA bundle there.
 */
export default defineBoard({
  name: 'linux-x86_64-lwip',
  target: 'x86_64-linux-musl',
  stack: 'lwip-socket',
  os: 'posix',
  features: {
    tcp: true,
    udp: true,
    tls: true,
    dtls: true,
    tcpServer: { maxClients: 4 },
    broadcast: true,
    // lwIP's resolver keeps one address per name.
    dns: { maxAddresses: 1 },
    ipv6: true,
  },
  tls: {
    caFile: 'certs/example-test-ca.pem',
    verify: 'required',
  },
  limits: {
    maxSockets: 16,
    rxBufferSize: 2048,
    ioTaskStackSize: 65536,
    ioTaskPriority: 1,
    connectTimeoutMs: 10000,
  },
  connect: 'async',
  core: { version: '2.10', rxPeerSize: false },
});
