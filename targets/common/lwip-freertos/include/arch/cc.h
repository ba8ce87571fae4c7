/*
 * lwIP compiler/platform definitions for a Cortex-M build with zig (clang) and picolibc under
 * FreeRTOS (qhal-gen's own port; used instead of the arch/cc.h qhal-gen generates for NO_SYS=1).
 *
 * The firmware (or the target's board support) provides two functions at link time:
 *   uint32_t qhal_lwip_rand(void);                                  LWIP_RAND: ports, ISNs, DNS ids
 *   void qhal_lwip_assert(const char *msg, int line, const char *file);   failed LWIP_ASSERT
 */
#ifndef QHAL_LWIP_FREERTOS_CC_H
#define QHAL_LWIP_FREERTOS_CC_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

/* picolibc has struct timeval (sys/time.h) and errno; lwIP's sockets set errno through it.
 * Note: without per-task TLS, errno is one variable shared by every task. */
#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_NO_UNISTD_H 1
#define LWIP_ERRNO_STDINCLUDE 1

/* Cortex-M is little endian (lwIP's default BYTE_ORDER); swap with the compiler's builtins. */
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

/* Debian's lwIP source (its `port` patch) makes sockets.c set and read socket address lengths
 * through these macros, which the unix port defines for the system's socket types. Here the
 * socket types are lwIP's own, which have the BSD length fields. Upstream lwIP ignores them. */
#define IP4ADDR_SOCKADDR_SET_LEN(sin) (sin)->sin_len = sizeof(struct sockaddr_in)
#define IP6ADDR_SOCKADDR_SET_LEN(sin6) (sin6)->sin6_len = sizeof(struct sockaddr_in6)
#define IPADDR_SOCKADDR_GET_LEN(addr) (addr)->sa.sa_len

/* lwIP's inet.h defines INET6_ADDRSTRLEN only with IPv6 (and only when not defined yet); the
 * HAL sizes its address text buffers with it on every board (the core's buffers hold 46). */
#define INET6_ADDRSTRLEN 46

extern uint32_t qhal_lwip_rand(void);
#define LWIP_RAND() qhal_lwip_rand()

extern void qhal_lwip_assert(const char *msg, int line, const char *file);
#define LWIP_PLATFORM_ASSERT(x) qhal_lwip_assert((x), __LINE__, __FILE__)
/* Only used with LWIP_DEBUG (debug messages); goes to picolibc's stdout. */
#define LWIP_PLATFORM_DIAG(x)                                                                      \
    do                                                                                             \
    {                                                                                              \
        printf x;                                                                                  \
    } while (0)

#endif /* QHAL_LWIP_FREERTOS_CC_H */
