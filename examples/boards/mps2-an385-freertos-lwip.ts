import { defineBoard } from 'qhal-gen';

/**
 * FreeRTOS with lwIP's sockets API (NO_SYS=0) on the MPS2 AN385 (Cortex-M3, LAN9118) as QEMU
 * emulates it. The HAL's I/O task (and its resolver task, for asynchronous connects to names)
 * are FreeRTOS tasks with the stack size (bytes) and priority below; lwIP runs on qhal-gen's
 * own FreeRTOS sys_arch (targets/common/lwip-freertos); the board support's start-up
 * (targets/mps2-an385/board/startup.c) hands SVCall, PendSV and SysTick to FreeRTOS's
 * Cortex-M3 port; FreeRTOSConfig.h is targets/common/freertos/ unless the build names its own
 * with --freertos-config DIR.
 *
 * FreeRTOS is not something qhal-gen downloads: `qhal-gen build` and `qhal-gen test` need
 * --freertos-dir or QHAL_FREERTOS_DIR (a FreeRTOS-Kernel tree with portable/GCC/ARM_CM3 and
 * portable/MemMang/heap_4.c). The application calls tcpip_init(), adds the LAN9118 netif and
 * polls it from a task of its own (the conformance suite's port-freertos.c shows how). No TLS:
 * the AN385 image stays small.
 */
export default defineBoard({
  name: 'mps2-an385-freertos-lwip',
  target: 'mps2-an385',
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
    // case; 2048 keeps a margin of 2.8x.
    ioTaskStackSize: 2048,
    ioTaskPriority: 3,
    connectTimeoutMs: 10000,
  },
  connect: 'async',
  core: { version: '2.10', rxPeerSize: false },
  // The AN385 has no random number generator (lwIP's ports and ISNs): QEMU tests only.
  entropy: 'TEST-ONLY-NOT-RANDOM',
});
