import { defineBoard } from 'qhal-gen';

/**
 * An MCU with no RTOS: the MPS2 AN385 (Cortex-M3) with its LAN9118 Ethernet controller, as
 * QEMU emulates it. lwIP runs with NO_SYS=1 on its raw/altcp API; the application's main
 * loop calls Qhal_lwipRawPoll(), which is the HAL's I/O context. Start-up, time base, the
 * LAN9118 driver are in targets/mps2-an385/; qhal-gen build generates lwipopts.h.
 *
 * TLS runs over lwIP's altcp_tls_mbedtls and verifies the server (CA below and host name).
 * DTLS 1.2 runs mbedtls over a raw UDP PCB; its handshake happens inside Qhal_udpSslInit
 * (bounded by the handshake time-out, lwIP kept running), as the core expects of that call.
 * Its pre-shared key comes from the firmware's qhal_test_psk() (declared in the generated
 * qhal_socket.h): the key is the device's secret, provisioned per device, so it belongs to
 * the application, not to the board support; examples/apps/conformance/record.c has one for tests.
 * Without `psk` DTLS would use certificates, verified like TLS.
 * The CA is a test CA shipped so the example builds as is; put your cloud's CA bundle there.
 * The AN385 has no RTC, so certificate validity dates are not checked. IPv6 is off to keep
 * the image small.
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
    dtls: true,
    tcpServer: { maxClients: 2 },
    broadcast: true,
    dns: { maxAddresses: 1 },
    ipv6: false,
  },
  tls: {
    caFile: 'certs/example-test-ca.pem',
    // The firmware's C function that hands DTLS its pre-shared key (see qhal_socket.h).
    psk: { hook: 'qhal_test_psk' },
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
