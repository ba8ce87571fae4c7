import { defineBoard } from 'qhal-gen';

/**
 * FreeRTOS with lwIP's sockets API (NO_SYS=0) on the MPS2 AN386 (Cortex-M4F, hard-float ABI,
 * LAN9118) as QEMU emulates it: FreeRTOS's ARM_CM4F port (from the cortex-m4 CPU part of
 * targets/mps2-an386/target.json), which saves the FPU context of the tasks that use it. The
 * HAL's I/O task runs with the stack (bytes) and priority below; lwIP runs on qhal-gen's
 * FreeRTOS sys_arch; FreeRTOSConfig.h is targets/common/freertos/ unless --freertos-config
 * names another. The kernel tree comes from --freertos-dir or QHAL_FREERTOS_DIR. No TLS:
 * TLS on FreeRTOS is shown by freertos-lwip-cortex-m4. No random number generator: QEMU tests
 * only.
 */
export default defineBoard({
  name: 'mps2-an386-freertos-lwip',
  target: 'mps2-an386',
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
    // Sized from the suite's measurement (port-freertos.c prints each task's high-water mark,
    // `qhal-gen test` and its report show it): the I/O task used at most 720 bytes over every
    // case, as on the AN385; 2048 keeps a margin of 2.8x.
    ioTaskStackSize: 2048,
    ioTaskPriority: 3,
    connectTimeoutMs: 10000,
  },
  connect: 'async',
  core: { version: '2.10', rxPeerSize: false },
  entropy: 'TEST-ONLY-NOT-RANDOM',
});
