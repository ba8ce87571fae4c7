/*
 * A bounded fuzz driver for the HAL's receive paths as a hostile peer feeds them, run under
 * AddressSanitizer + UBSan (toolkit/run/sanitize.ts). It replaces the conformance cases
 * (cases.c) and reuses the rest of the suite: the runner (main.c), the core double that
 * flags every callback for an unknown or closed handle (record.c) and the platform.
 *
 * Inputs are pseudo-random from a fixed seed (configuration keys fuzz-seed, fuzz-udp,
 * fuzz-tcp, fuzz-tls), so a failure replays exactly:
 * - fuzz.udp-datagrams: datagrams of 0 .. QHAL_RX_BUFFER_SIZE + 100 random bytes at a bound
 *   UDP socket; every non-empty one must arrive once, truncated to the receive buffer;
 * - fuzz.tcp-partial-frames: streams to the HAL's TCP server, split at random points into
 *   segments (TCP_NODELAY) and ended by FIN, by RST or by the core's close; the bytes must
 *   arrive whole and in order (a prefix of them after RST), with one link-down per link.
 * - fuzz.tls-records: TLS links to the broker's echo through a man in the middle that, at a
 *   random offset of the server's bytes (handshake or records), flips a byte, cuts the stream
 *   or injects random bytes; whatever the HAL delivers must be a prefix of what was sent.
 * All end with descriptors and HAL allocations back where they started.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include "cases.h"
#include "conformance.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WAIT_MS 8000
#define CAP SUITE_RX_CAP

static quint8_t g_sent[CAP];
static quint8_t g_got[CAP];
static quint32_t g_rng;

static quint32_t rnd(void)
{
    /* xorshift32: small, fixed, the same on every libc. */
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return g_rng;
}

static quint32_t rnd_below(quint32_t n)
{
    return n ? rnd() % n : 0;
}

static void rnd_fill(quint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) p[i] = (quint8_t)rnd();
}

static int harness_socket(int type, int port, struct sockaddr_in *to)
{
    int fd = socket(AF_INET, type, 0);
    memset(to, 0, sizeof(*to));
    to->sin_family = AF_INET;
    to->sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, "127.0.0.1", &to->sin_addr);
    return fd;
}

static pointer_t open_udp_bound(int *lport)
{
    char reachHost[64];
    int reachPort;
    quint8_t type = 0xff;
    pointer_t h;
    *lport = port_local_port(0, reachHost, sizeof(reachHost), &reachPort);
    if (*lport <= 0) return SOCKET_FD_INVALID;
    rec_opening();
    h = Qhal_udpInit(&type, (quint16_t)*lport, NULL, 0, NULL);
    rec_opened(h);
    return h;
}

/* Descriptors and HAL allocations at rest, once the HAL's I/O context (its own wake-up
 * descriptors) exists: one UDP socket opened and closed first. */
static void baseline(long *fds, long *live)
{
    int lport;
    pointer_t h = open_udp_bound(&lport);
    if (h != SOCKET_FD_INVALID) suite_close(h, SOCKET_TYPE_UDP);
    sleep_ms(20);
    *fds = open_fd_count();
    *live = shim_live_allocations();
}

static int fuzz_udp(void)
{
    const int total = cfg_int("fuzz-udp", 2000);
    int lport, fd, i, nonEmpty = 0, r = CASE_PASS, full = 0;
    size_t expectLen = 0;
    long fds0, live0;
    struct sockaddr_in to;
    pointer_t h;
    quint8_t dgram[QHAL_RX_BUFFER_SIZE + 100];
    if (!QHAL_FEATURE_UDP) return case_skip("board has no udp");
    baseline(&fds0, &live0);
    g_rng = (quint32_t)cfg_int("fuzz-seed", 20261201) | 1u;
    h = open_udp_bound(&lport);
    if (h == SOCKET_FD_INVALID) return case_fail("Qhal_udpInit(bind only) failed");
    fd = harness_socket(SOCK_DGRAM, lport, &to);
    for (i = 0; i < total && r == CASE_PASS && fd >= 0; i++)
    {
        /* Every size class: empty, tiny, around the receive buffer, beyond it. */
        size_t n = rnd_below(4) == 0 ? rnd_below(8) : rnd_below(QHAL_RX_BUFFER_SIZE + 101);
        size_t kept = n < QHAL_RX_BUFFER_SIZE ? n : QHAL_RX_BUFFER_SIZE;
        rnd_fill(dgram, n);
        if (sendto(fd, dgram, n, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)n)
            r = case_fail("harness sendto of %lu bytes failed", (unsigned long)n);
        if (n > 0) nonEmpty++;
        /* The recorder keeps the first SUITE_RX_CAP bytes: compare those, without gaps. */
        if (n > 0 && !full && expectLen + kept > CAP) full = 1;
        if (n > 0 && !full)
        {
            memcpy(g_sent + expectLen, dgram, kept);
            expectLen += kept;
        }
        /* Paced in small batches, so the kernel's receive queue never drops one. */
        if (r == CASE_PASS && (i % 16 == 15 || i == total - 1) && !wait_count(h, EV_RX, nonEmpty, WAIT_MS))
            r = case_fail("after %d datagrams (%d non-empty): %d delivered", i + 1, nonEmpty, rec_count(h, EV_RX));
    }
    if (fd < 0) r = case_fail("harness socket failed");
    if (r == CASE_PASS)
    {
        sleep_ms(50);
        if (rec_count(h, EV_RX) != nonEmpty)
            r = case_fail("%d datagrams delivered, %d non-empty sent", rec_count(h, EV_RX), nonEmpty);
        else if (rec_count(h, EV_DOWN) != 0)
            r = case_fail("a UDP socket reported link-down");
        else if (rec_rx(h, g_got, sizeof(g_got)) < expectLen || memcmp(g_got, g_sent, expectLen) != 0)
            r = case_fail("datagram bytes differ from what was sent (first %lu bytes compared)", (unsigned long)expectLen);
    }
    if (fd >= 0) close(fd);
    suite_close(h, SOCKET_TYPE_UDP);
    sleep_ms(50);
    if (r == CASE_PASS && (open_fd_count() != fds0 || shim_live_allocations() != live0))
        r = case_fail("after close: %d descriptors (was %ld), %ld HAL allocations (was %ld)", open_fd_count(), fds0,
                      shim_live_allocations(), live0);
    if (r == CASE_PASS) printf("# fuzz.udp-datagrams: %d datagrams (%d non-empty), seed %d\n", total, nonEmpty,
                               cfg_int("fuzz-seed", 20261201));
    return r;
}

/* Sends n bytes of g_sent in random segments; returns how many segments. */
static int send_split(int fd, size_t n)
{
    size_t off = 0;
    int one = 1, segments = 0;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    while (off < n)
    {
        size_t chunk = 1 + rnd_below(rnd_below(4) == 0 ? 8u : 1500u);
        if (chunk > n - off) chunk = n - off;
        if (send(fd, g_sent + off, chunk, MSG_NOSIGNAL) != (ssize_t)chunk) return -1;
        off += chunk;
        segments++;
        if (rnd_below(8) == 0) sleep_ms(1);
    }
    return segments;
}

/* One hostile client: connect, stream, end; checks what the core saw. */
static int tcp_one(pointer_t l, int lport, int index, int *segments)
{
    struct sockaddr_in to;
    pointer_t clients[16], c;
    int fd = harness_socket(SOCK_STREAM, lport, &to), n, mode = (int)rnd_below(3), r = CASE_PASS;
    size_t len = rnd_below(3u * QHAL_RX_BUFFER_SIZE + 101u), got;
    if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0)
    {
        if (fd >= 0) close(fd);
        return case_fail("client %d: harness connect failed", index);
    }
    if (!wait_count(l, EV_ACCEPT, index + 1, WAIT_MS))
    {
        close(fd);
        return case_fail("client %d: not handed to the core", index);
    }
    n = rec_accepted(l, clients, 16);
    c = clients[n - 1];
    rec_opened(c);
    rnd_fill(g_sent, len);
    n = send_split(fd, len);
    if (n < 0) r = case_fail("client %d: harness send failed", index);
    else *segments += n;
    if (r == CASE_PASS && mode == 1)
    {
        /* RST: whatever arrived must be a prefix of the stream, then one link-down. */
        struct linger lg = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        close(fd);
        fd = -1;
        if (!wait_count(c, EV_DOWN, 1, WAIT_MS)) r = case_fail("client %d: no link-down after RST", index);
        got = rec_rx(c, g_got, sizeof(g_got));
        if (r == CASE_PASS && (got > len || memcmp(g_got, g_sent, got) != 0))
            r = case_fail("client %d: %lu bytes before RST are not a prefix of the %lu sent", index, (unsigned long)got,
                          (unsigned long)len);
    }
    else if (r == CASE_PASS)
    {
        if (len && !wait_rx(c, len, WAIT_MS))
            r = case_fail("client %d: %lu of %lu bytes arrived", index, (unsigned long)rec_rx(c, NULL, 0),
                          (unsigned long)len);
        got = rec_rx(c, g_got, sizeof(g_got));
        if (r == CASE_PASS && (got != len || memcmp(g_got, g_sent, len) != 0))
            r = case_fail("client %d: stream of %lu bytes arrived changed (%lu bytes)", index, (unsigned long)len,
                          (unsigned long)got);
        if (mode == 0)
        {
            /* FIN: one link-down. */
            shutdown(fd, SHUT_WR);
            if (r == CASE_PASS && !wait_count(c, EV_DOWN, 1, WAIT_MS))
                r = case_fail("client %d: no link-down after FIN", index);
        }
        else if (r == CASE_PASS && rec_count(c, EV_DOWN) != 0)
            r = case_fail("client %d: link-down while the peer was still open", index);
    }
    suite_close(c, SOCKET_TYPE_TCP_CLI);
    if (fd >= 0 && mode == 2 && r == CASE_PASS)
    {
        /* The core's close: the peer sees the end of the stream. */
        struct pollfd p;
        char b[16];
        p.fd = fd;
        p.events = POLLIN;
        if (poll(&p, 1, WAIT_MS) != 1 || recv(fd, b, sizeof(b), 0) != 0)
            r = case_fail("client %d: the peer did not see the HAL close", index);
    }
    if (fd >= 0) close(fd);
    return r;
}

static int fuzz_tcp(void)
{
    const int total = cfg_int("fuzz-tcp", 200), perListener = 12;
    int r = CASE_PASS, i = 0, segments = 0, lport, reachPort;
    long fds0, live0;
    char reachHost[64];
    if (!QHAL_FEATURE_TCP_SERVER) return case_skip("board has no tcpServer");
    baseline(&fds0, &live0);
    g_rng = ((quint32_t)cfg_int("fuzz-seed", 20261201) * 2654435761u) | 1u;
    while (i < total && r == CASE_PASS)
    {
        /* A fresh listener now and then: the recorder keeps 16 accepted handles per listener. */
        quint8_t type = 0xff;
        pointer_t l;
        int j;
        lport = port_local_port(1, reachHost, sizeof(reachHost), &reachPort);
        if (lport <= 0) return case_fail("could not find a free TCP port");
        rec_opening();
        l = Qhal_tcpServerInit(&type, (quint16_t)lport, 1);
        rec_opened(l);
        if (l == SOCKET_FD_INVALID) return case_fail("Qhal_tcpServerInit(port %d) failed", lport);
        for (j = 0; j < perListener && i < total && r == CASE_PASS; j++, i++) r = tcp_one(l, lport, j, &segments);
        suite_close(l, type);
    }
    sleep_ms(50);
    if (r == CASE_PASS && (open_fd_count() != fds0 || shim_live_allocations() != live0))
        r = case_fail("after close: %d descriptors (was %ld), %ld HAL allocations (was %ld)", open_fd_count(), fds0,
                      shim_live_allocations(), live0);
    if (r == CASE_PASS) printf("# fuzz.tcp-partial-frames: %d streams in %d segments, seed %d\n", total, segments,
                               cfg_int("fuzz-seed", 20261201));
    return r;
}

/* ---- TLS records: a man in the middle between the HAL and the broker's TLS echo ---- */

enum { MITM_FLIP, MITM_CUT, MITM_INJECT, MITM_MODES };

typedef struct
{
    int listenFd, upstreamPort, mode;
    size_t at; /* offset in the server-to-HAL stream where the mutation happens */
    quint8_t flip, junk[300];
    size_t junkLen;
} mitm_t;

static int send_all(int fd, const quint8_t *p, size_t n)
{
    return n == 0 || send(fd, p, n, MSG_NOSIGNAL) == (ssize_t)n;
}

static void *mitm(void *arg)
{
    mitm_t *m = (mitm_t *)arg;
    struct pollfd p[2];
    struct sockaddr_in to;
    quint8_t buf[2048];
    size_t down = 0;
    int a = -1, b = -1, open = 1;
    p[0].fd = m->listenFd;
    p[0].events = POLLIN;
    if (poll(p, 1, WAIT_MS) == 1) a = accept(m->listenFd, NULL, NULL);
    b = a >= 0 ? harness_socket(SOCK_STREAM, m->upstreamPort, &to) : -1;
    if (b < 0 || connect(b, (struct sockaddr *)&to, sizeof(to)) != 0) open = 0;
    while (open)
    {
        ssize_t n;
        p[0].fd = a;
        p[1].fd = b;
        p[0].events = p[1].events = POLLIN;
        /* Idle: a peer waiting for the rest of a record it will never get. */
        if (poll(p, 2, 1000) <= 0) break;
        if (p[0].revents)
        {
            n = recv(a, buf, sizeof(buf), 0);
            if (n <= 0 || !send_all(b, buf, (size_t)n)) break;
        }
        if (p[1].revents)
        {
            size_t k;
            n = recv(b, buf, sizeof(buf), 0);
            if (n <= 0) break;
            k = m->at >= down && m->at < down + (size_t)n ? m->at - down : (size_t)n;
            down += (size_t)n;
            if (k == (size_t)n)
                open = send_all(a, buf, (size_t)n);
            else if (m->mode == MITM_FLIP)
            {
                buf[k] ^= m->flip;
                open = send_all(a, buf, (size_t)n);
            }
            else if (m->mode == MITM_CUT)
            {
                send_all(a, buf, k);
                open = 0;
            }
            else
                open = send_all(a, buf, k) && send_all(a, m->junk, m->junkLen) && send_all(a, buf + k, (size_t)n - k);
        }
    }
    if (a >= 0) close(a);
    if (b >= 0) close(b);
    return NULL;
}

static int listen_local(int *port)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    int fd = harness_socket(SOCK_STREAM, 0, &a);
    if (fd < 0) return -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0)
    {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* One link through the man in the middle; counts links up and echoes delivered whole. */
static int tls_one(int index, int *up, int *whole)
{
    mitm_t m;
    pthread_t th;
    quint8_t type = 0xff;
    quint32_t ct = 0;
    pointer_t h;
    int port, r = CASE_PASS, result;
    const size_t n = 1500;
    memset(&m, 0, sizeof(m));
    m.mode = (int)rnd_below(MITM_MODES);
    m.at = rnd_below(4000);
    m.flip = (quint8_t)(1u + rnd_below(255));
    m.junkLen = 1 + rnd_below(sizeof(m.junk));
    rnd_fill(m.junk, m.junkLen);
    /* Now and then a well-formed record header, so the junk is parsed as a record. */
    if (rnd_below(2) == 0 && m.junkLen >= 5)
    {
        m.junk[0] = (quint8_t)(20 + rnd_below(4));
        m.junk[1] = 3;
        m.junk[2] = 3;
    }
    m.upstreamPort = cfg_int("tls-valid", 0);
    m.listenFd = listen_local(&port);
    if (m.listenFd < 0) return case_fail("link %d: harness listen failed", index);
    if (pthread_create(&th, NULL, mitm, &m) != 0)
    {
        close(m.listenFd);
        return case_fail("link %d: pthread_create failed", index);
    }
    rnd_fill(g_sent, n);
    rec_opening();
    h = Qhal_tcpSslClientInit(&type, "localhost", (quint16_t)port, &ct);
    rec_opened(h);
    result = h == SOCKET_FD_INVALID ? 0 : ct == 0 ? 1 : wait_conn(h, (int)ct + 3000);
    if (result == 1)
    {
        uint64_t deadline = now_ms() + 3000;
        size_t got;
        (*up)++;
        if (suite_write(h, type, NULL, g_sent, (quint16_t)n, NULL))
            while (now_ms() < deadline && rec_rx(h, NULL, 0) < n && rec_count(h, EV_DOWN) == 0) sleep_ms(10);
        got = rec_rx(h, g_got, sizeof(g_got));
        if (got == n) (*whole)++;
        /* TLS protects the bytes: a mutated record must never reach the core. */
        if (got > n || memcmp(g_got, g_sent, got) != 0)
            r = case_fail("link %d (mode %d at %lu): the HAL delivered %lu bytes that differ from those sent", index,
                          m.mode, (unsigned long)m.at, (unsigned long)got);
    }
    if (h != SOCKET_FD_INVALID) suite_close(h, type);
    pthread_join(th, NULL);
    close(m.listenFd);
    return r;
}

static int fuzz_tls(void)
{
    const int total = cfg_int("fuzz-tls", 100);
    int r = CASE_PASS, i, up = 0, whole = 0;
    long fds0, live0;
    if (!QHAL_FEATURE_TLS) return case_skip("board has no tls");
    baseline(&fds0, &live0);
    g_rng = ((quint32_t)cfg_int("fuzz-seed", 20261201) * 40503u) | 1u;
    for (i = 0; i < total && r == CASE_PASS; i++) r = tls_one(i, &up, &whole);
    sleep_ms(50);
    if (r == CASE_PASS && (open_fd_count() != fds0 || shim_live_allocations() != live0))
        r = case_fail("after close: %d descriptors (was %ld), %ld HAL allocations (was %ld)", open_fd_count(), fds0,
                      shim_live_allocations(), live0);
    if (r == CASE_PASS)
        printf("# fuzz.tls-records: %d links (%d up, %d echoed whole), seed %d\n", total, up, whole,
               cfg_int("fuzz-seed", 20261201));
    return r;
}

const case_t g_cases[] = {
    {"fuzz.udp-datagrams", fuzz_udp},
    {"fuzz.tcp-partial-frames", fuzz_tcp},
    {"fuzz.tls-records", fuzz_tls},
    {NULL, NULL},
};

const case_t g_bench[] = {{NULL, NULL}};
