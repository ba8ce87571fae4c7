import { defineBoard } from 'qhal-gen';

/**
 * A Cortex-M4F MCU running FreeRTOS with lwIP's sockets API (NO_SYS=0). The HAL's I/O task
 * (and its resolver task, for asynchronous connects to names) are FreeRTOS tasks created with
 * xTaskCreate, with the stack size (bytes) and priority below; its mutexes are FreeRTOS
 * mutexes. lwIP runs on qhal-gen's own FreeRTOS sys_arch (targets/common/lwip-freertos: FreeRTOS
 * queues, semaphores, mutexes and tasks; its tcpip thread one priority above the HAL's I/O
 * task). The firmware calls tcpip_init() and brings its netif up before the core's first Qhal_*
 * call, and provides qhal_lwip_rand() and qhal_lwip_assert() (lwIP's LWIP_RAND and
 * LWIP_PLATFORM_ASSERT). qhal-gen's generated lwipopts.h sets LWIP_SOCKET_POLL,
 * LWIP_NETIF_LOOPBACK and LWIP_HAVE_LOOPIF (the HAL wakes its I/O task over 127.0.0.1) - the
 * generated qhal_socket.c checks these with #error.
 *
 * FreeRTOS is not something qhal-gen downloads: `qhal-gen build` needs --freertos-dir or QHAL_FREERTOS_DIR (a
 * FreeRTOS-Kernel tree with portable/GCC/ARM_CM4F and portable/MemMang/heap_4.c) and builds
 * libfreertos.a from it; FreeRTOSConfig.h is targets/common/freertos/ unless the build names
 * the application's with --freertos-config DIR. TLS verifies the server with the CA below (a
 * test CA shipped so the example builds as is; put your cloud's CA bundle there); its
 * randomness comes from the board's hardware RNG through board_trng_read().
 */
export default defineBoard({
  name: 'freertos-lwip-cortex-m4',
  target: 'cortex-m4',
  stack: 'lwip-socket',
  os: 'freertos',
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
    ioTaskStackSize: 4096,
    ioTaskPriority: 3,
    connectTimeoutMs: 10000,
  },
  connect: 'async',
  core: { version: '2.10', rxPeerSize: false },
  entropy: { hook: 'board_trng_read' },
});
