import { defineBoard } from 'qhal-gen';

/**
 * FreeRTOS with lwIP's sockets API (NO_SYS=0) on the MPS2 AN505 (Cortex-M33, ARMv8-M Mainline,
 * LAN9118) as QEMU emulates it. The CPU boots in the secure state and stays there: FreeRTOS's
 * ARM_CM33_NTZ/non_secure port built secure-only (configRUN_FREERTOS_SECURE_ONLY, no TrustZone
 * calls). The target (targets/mps2-an505/target.json) is data: the cortex-m33 CPU part, the
 * MPS2 start-up and LAN9118 driver with the AN505's addresses and clock, its memory map. The
 * kernel tree comes from --freertos-dir or QHAL_FREERTOS_DIR. No random number generator:
 * QEMU tests only.
 */
export default defineBoard({
  name: 'mps2-an505-freertos-lwip',
  target: 'mps2-an505',
  stack: 'lwip-socket',
  os: 'freertos',
  features: {
    tcp: true,
    udp: true,
    tls: false,
    dtls: false,
    tcpServer: false,
    broadcast: false,
    dns: { maxAddresses: 1 },
    ipv6: false,
  },
  limits: {
    maxSockets: 8,
    rxBufferSize: 1024,
    // Measured as on the AN385 (the suite's high-water mark): the I/O task used at most 720
    // bytes over every case; 2048 keeps a margin of 2.8x.
    ioTaskStackSize: 2048,
    ioTaskPriority: 3,
    connectTimeoutMs: 10000,
  },
  connect: 'async',
  core: { version: '2.10', rxPeerSize: false },
  entropy: 'TEST-ONLY-NOT-RANDOM',
});
