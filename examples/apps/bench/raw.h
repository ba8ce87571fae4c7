/*
 * Reference clients for `npm run bench`: what the HAL's figures are compared with, written
 * the plain way (BSD sockets, plain mbedtls) and built with the same zig flags for the same
 * target. They repeat the HAL benchmarks of examples/apps/conformance/cases.c byte for byte
 * and print `BENCH raw.<name> value unit` lines.
 */
#ifndef QHAL_BENCH_RAW_H
#define QHAL_BENCH_RAW_H

#include <stddef.h>
#include <stdint.h>

/* A connected stream: plain TCP or TLS over it. Both calls are non-blocking: they return
 * the bytes moved, 0 when the call would block, -1 on an error or end of stream. */
typedef struct link
{
    int fd;
    long (*write)(struct link *l, const void *buf, size_t n);
    long (*read)(struct link *l, void *buf, size_t n);
    void *tls;
} link_t;

uint64_t raw_now_us(void);
/* A non-blocking TCP connection to host:port (blocking until connected); -1 on failure. */
int raw_connect(const char *host, int port);
/* A plain TCP link over fd. */
void raw_tcp_link(link_t *l, int fd);
/* TLS over fd: handshake with the CA in caFile, verifying the peer and the host name. */
int raw_tls_open(link_t *l, int fd, const char *caFile, const char *hostname);
void raw_tls_close(link_t *l);
/* Waits (bounded) until fd is readable (events POLLIN) or writable too (POLLOUT). */
void raw_wait(int fd, int forWrite);

#endif
