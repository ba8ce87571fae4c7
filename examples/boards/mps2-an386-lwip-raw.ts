import { defineBoard } from 'qhal-gen';

/**
 * The MPS2 AN386 (Cortex-M4F, hard-float ABI, LAN9118) as QEMU emulates it, with no RTOS:
 * lwIP's raw/altcp API (NO_SYS=1), polled by the application's loop through
 * Qhal_lwipRawPoll(). The target (targets/mps2-an386/target.json) is data only: the
 * cortex-m4 CPU part plus the AN385's memory map, start-up and LAN9118 driver, which the
 * AN386 shares. TLS verifies the server (the test CA below; put your cloud's CA bundle
 * there); DTLS takes its pre-shared key from the firmware's qhal_test_psk(). No RTC: no
 * certificate dates. No random number generator: QEMU tests only.
 */
export default defineBoard({
  name: 'mps2-an386-lwip-raw',
  target: 'mps2-an386',
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
  tls: { caFile: 'certs/example-test-ca.pem', psk: { hook: 'qhal_test_psk' }, verify: 'required' },
  limits: {
    maxSockets: 8,
    rxBufferSize: 1024,
    ioTaskStackSize: 2048,
    ioTaskPriority: 0,
    connectTimeoutMs: 10000,
  },
  connect: 'async',
  core: { version: '2.10', rxPeerSize: false },
  entropy: 'TEST-ONLY-NOT-RANDOM',
});
