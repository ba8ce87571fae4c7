import { defineBoard } from 'qhal-gen';

/**
 * An MCU with no RTOS: the MPS2 AN385 (Cortex-M3) with its LAN9118 Ethernet controller, as
 * QEMU emulates it. lwIP runs with NO_SYS=1 on its raw/altcp API; the application's main
 * loop calls Qhal_lwipRawPoll(), which is the HAL's I/O context. Start-up, time base, the
 * LAN9118 driver are in targets/mps2-an385/; qhal-gen build generates lwipopts.h.
 *
 * TLS runs over lwIP's altcp_tls_mbedtls and verifies the server (CA below and host name).
 * The CA is a test CA shipped so the example builds as is; put your cloud's CA bundle there.
 * The AN385 has no RTC, so certificate validity dates are not checked. DTLS is not in the
 * lwip-raw backend yet; IPv6 is off to keep the image small.
 */
export default defineBoard({
  name: 'mps2-an385-lwip-raw',
  target: 'mps2-an385',
  stack: 'lwip-raw',
  os: 'baremetal',
  features: {
    tcp: true,
    udp: true,
    tls: true,
    dtls: false,
    tcpServer: { maxClients: 2 },
    broadcast: true,
    dns: { maxAddresses: 1 },
    ipv6: false,
  },
  tls: {
    caFile: 'certs/example-test-ca.pem',
    verify: 'required',
  },
  limits: {
    maxSockets: 8,
    rxBufferSize: 1024,
    // No I/O task on bare metal: the application's loop polls. Kept at the minimum.
    ioTaskStackSize: 2048,
    ioTaskPriority: 0,
    connectTimeoutMs: 10000,
  },
  connect: 'async',
  core: { version: '2.10', rxPeerSize: false },
  // The AN385 has no random number generator. This label lets the example (and QEMU tests)
  // build; a product names its hardware source instead: entropy: { hook: 'board_trng_read' }.
  entropy: 'TEST-ONLY-NOT-RANDOM',
});
