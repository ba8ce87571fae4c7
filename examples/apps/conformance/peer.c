/*
 * Peers (the `struct sockaddr` the HAL hands the core) read and written byte by byte, so the
 * same code serves the kernel's layout (16-bit family first) and lwIP's (length byte, then an
 * 8-bit family): SUITE_PEER_LWIP picks lwIP's. Port and address are in network order at the
 * same offsets in both; AF_INET is 2 and AF_INET6 10 in both.
 */
#include "conformance.h"

#include <stdio.h>
#include <string.h>

#define FAMILY_INET 2
#define FAMILY_INET6 10
#define LEN_IN 16
#define LEN_IN6 28

static int family(const quint8_t *p)
{
#if defined(SUITE_PEER_LWIP) && SUITE_PEER_LWIP
    return p[1];
#else
    uint16_t f;
    memcpy(&f, p, sizeof(f)); /* host order */
    return f;
#endif
}

size_t peer_len(const void *peer)
{
    if (peer == NULL) return 0;
    switch (family((const quint8_t *)peer))
    {
    case FAMILY_INET: return LEN_IN;
    case FAMILY_INET6: return LEN_IN6;
    default: return 0;
    }
}

int peer_port(const void *peer)
{
    const quint8_t *p = (const quint8_t *)peer;
    if (peer_len(peer) == 0) return -1;
    return (p[2] << 8) | p[3];
}

void peer_text(const void *peer, char *out, size_t outMax)
{
    const quint8_t *p = (const quint8_t *)peer;
    if (peer == NULL)
    {
        snprintf(out, outMax, "NULL");
        return;
    }
    switch (family(p))
    {
    case FAMILY_INET: snprintf(out, outMax, "%u.%u.%u.%u:%d", p[4], p[5], p[6], p[7], peer_port(peer)); break;
    case FAMILY_INET6:
    {
        /* Full form, no zero compression: for logs only. */
        char ip[48];
        size_t n = 0;
        int i;
        for (i = 0; i < 8 && n < sizeof(ip); i++)
            n += (size_t)snprintf(ip + n, sizeof(ip) - n, i ? ":%x" : "%x", (p[8 + 2 * i] << 8) | p[9 + 2 * i]);
        snprintf(out, outMax, "[%s]:%d", ip, peer_port(peer));
        break;
    }
    default: snprintf(out, outMax, "(family %d)", family(p)); break;
    }
}

size_t peer_make_ipv4(peer_buf_t *out, const char *ip, int port)
{
    unsigned a[4];
    char tail;
    quint8_t *p = out->bytes;
    int i;
    if (sscanf(ip, "%u.%u.%u.%u%c", &a[0], &a[1], &a[2], &a[3], &tail) != 4) return 0;
    for (i = 0; i < 4; i++)
        if (a[i] > 255) return 0;
    memset(out, 0, sizeof(*out));
#if defined(SUITE_PEER_LWIP) && SUITE_PEER_LWIP
    p[0] = LEN_IN;
    p[1] = FAMILY_INET;
#else
    {
        uint16_t f = FAMILY_INET;
        memcpy(p, &f, sizeof(f));
    }
#endif
    p[2] = (quint8_t)(port >> 8);
    p[3] = (quint8_t)port;
    for (i = 0; i < 4; i++) p[4 + i] = (quint8_t)a[i];
    return LEN_IN;
}
