/*
 * lwip-smoke: a Linux program that runs lwIP 2.1.3 (NO_SYS=0, Debian's unix port: pthreads
 * sys_arch and the TAP driver tapif) and exercises the generated lwip-socket HAL through it.
 * The HAL only ever talks to lwIP; lwIP talks to the wire through a TAP device, so every
 * packet goes through lwIP's own TCP/IP stack.
 *
 * It plays the QuecThing core: it implements Quos_socketIORx, Quos_socketIOConnResult and
 * Quos_socketIOTxCb (called from the HAL's I/O task, so the recorded state is guarded by a
 * mutex) and calls the Qhal_* functions from its main thread. Prints PASS/FAIL lines and
 * "N passed, N failed"; the exit status is 0 only when nothing failed.
 *
 * Arguments (all required except where noted):
 *   ip=<lwIP's address>  peer=<host address on the TAP link>  mask=<netmask>
 *   tcp=<echo port>  udp=<echo port>  closed=<port nobody listens on>
 *   server=<port the HAL's TCP server listens on> (optional)
 *   tls=<port> tlsrogue=<port> tlsname=<port> (TLS boards: TLS echo servers whose certificate
 *     is good / from another CA / for another name)
 *   ip6=<lwIP's IPv6 address> peer6=<the host's> (IPv6 boards)
 *   dtls=<port> (DTLS boards: an `openssl s_server -dtls1_2` the caller drives, see test_dtls)
 * The TAP device must exist and be up; tapif opens the one named by PRECONFIGURED_TAPIF.
 * The host's TCP echo server echoes everything, closes after a line "bye", and on a line
 * "dial <port>" connects back to the sender's address at <port>, sends "srv-hello\n", reads
 * the echo and closes. The UDP echo server (bound to the wildcard address, so it also gets
 * broadcasts) answers every datagram to its sender.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "qhal_Socket.h"
#include "qhal_shim_signal.h"

#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/ip6_addr.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "netif/tapif.h"

/* ------------------------------------------------------------ the SDK shim's hooks */

static pthread_mutex_t g_allocLock = PTHREAD_MUTEX_INITIALIZER;
static long g_mallocs;
static long g_frees;

void qhal_shim_log(const char *module, int level, const char *fmt, ...)
{
    char line[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    printf("  [%s/%d] %s\n", module, level, line);
    fflush(stdout);
}

void *qhal_shim_malloc(size_t size)
{
    void *p = malloc(size);
    if (p != NULL) {
        pthread_mutex_lock(&g_allocLock);
        g_mallocs++;
        pthread_mutex_unlock(&g_allocLock);
    }
    return p;
}

void qhal_shim_free(void *ptr)
{
    if (ptr != NULL) {
        pthread_mutex_lock(&g_allocLock);
        g_frees++;
        pthread_mutex_unlock(&g_allocLock);
    }
    free(ptr);
}

/* ------------------------------------------------------------ the "core" */

#define RX_MAX 200000

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;

/* Callbacks for a handle the "core" was not watching (never reset). */
static int g_foreign;

static struct
{
    pointer_t handle;
    int connResults;
    qbool connResult;
    int txCbs;
    int downs;
    int dataAfterDown;
    size_t rxLen;
    quint8_t rx[RX_MAX];
    int udpFamily;
    quint16_t udpPort;
    int udpDatagrams;
    /* TCP server: the listening handle, and the client it handed over */
    pointer_t listener;
    pointer_t client;
    int handoffs;
    int handoffType;
    int handoffFamily;
    int clientDowns;
    size_t clientRxLen;
    quint8_t clientRx[256];
} g;

void Quos_socketIORx(pointer_t sockFd, quint8_t type, const void *peer, quint8_t *buf,
                     quint32_t bufLen)
{
    pthread_mutex_lock(&g_lock);
    if (g.listener != 0 && sockFd == g.listener) {
        /* Hand-off: buf holds the new client's handle. */
        g.handoffs++;
        g.handoffType = type;
        g.handoffFamily = peer != NULL ? ((const struct sockaddr *)peer)->sa_family : -1;
        if (bufLen == sizeof(pointer_t)) memcpy(&g.client, buf, sizeof(pointer_t));
    } else if (g.client != 0 && sockFd == g.client) {
        if (bufLen == 0) {
            g.clientDowns++;
        } else {
            size_t n = bufLen;
            if (n > sizeof g.clientRx - g.clientRxLen) n = sizeof g.clientRx - g.clientRxLen;
            memcpy(&g.clientRx[g.clientRxLen], buf, n);
            g.clientRxLen += n;
        }
    } else if (sockFd != g.handle) {
        g_foreign++;
    } else if (bufLen == 0) {
        g.downs++;
    } else {
        if (g.downs > 0) g.dataAfterDown++;
        if (peer != NULL) {
            const struct sockaddr *sa = peer;
            g.udpFamily = sa->sa_family;
            if (sa->sa_family == AF_INET6)
                g.udpPort = ntohs(((const struct sockaddr_in6 *)peer)->sin6_port);
            else
                g.udpPort = ntohs(((const struct sockaddr_in *)peer)->sin_port);
            g.udpDatagrams++;
        }
        size_t n = bufLen;
        if (n > RX_MAX - g.rxLen) n = RX_MAX - g.rxLen;
        memcpy(&g.rx[g.rxLen], buf, n);
        g.rxLen += n;
    }
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_lock);
}

void Quos_socketIOConnResult(pointer_t sockFd, quint8_t type, qbool result)
{
    (void)type;
    pthread_mutex_lock(&g_lock);
    if (sockFd == g.handle) {
        g.connResults++;
        g.connResult = result;
    } else {
        g_foreign++;
    }
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_lock);
}

void Quos_socketIOTxCb(pointer_t sockFd, quint8_t type)
{
    (void)type;
    pthread_mutex_lock(&g_lock);
    if (sockFd == g.handle) g.txCbs++;
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_lock);
}

static void reset_core(pointer_t h)
{
    pthread_mutex_lock(&g_lock);
    memset(&g, 0, sizeof g);
    g.handle = h;
    pthread_mutex_unlock(&g_lock);
}

/* ------------------------------------------------------------ test plumbing */

static int g_passed;
static int g_failed;

static void check(int ok, const char *what)
{
    if (ok) {
        g_passed++;
        printf("PASS %s\n", what);
    } else {
        g_failed++;
        printf("FAIL %s\n", what);
    }
    fflush(stdout);
}

static unsigned long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long)ts.tv_sec * 1000ul + (unsigned long)ts.tv_nsec / 1000000ul;
}

enum { W_CONN, W_RX, W_DOWN, W_TXCB, W_HANDOFF, W_CLIENT_RX, W_CLIENT_DOWN };

static int reached(int what, size_t n)
{
    switch (what) {
    case W_CONN: return g.connResults >= (int)n;
    case W_RX: return g.rxLen >= n;
    case W_DOWN: return g.downs >= (int)n;
    case W_TXCB: return g.txCbs >= (int)n;
    case W_HANDOFF: return g.handoffs >= (int)n;
    case W_CLIENT_RX: return g.clientRxLen >= n;
    case W_CLIENT_DOWN: return g.clientDowns >= (int)n;
    default: return 0;
    }
}

/* Waits (bounded) until the recorded state reaches n; 1 when it did. */
static int wait_for(int what, size_t n, unsigned long timeout_ms)
{
    unsigned long end = now_ms() + timeout_ms;
    int ok;
    pthread_mutex_lock(&g_lock);
    while (!(ok = reached(what, n)) && now_ms() < end) {
        struct timespec ts;
        if (qhal_shim_signal_pending()) {
            /* This is the core's task: it runs what the HAL posted (Quos_signalSet). */
            pthread_mutex_unlock(&g_lock);
            (void)qhal_shim_signal_run();
            pthread_mutex_lock(&g_lock);
            continue;
        }
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 20 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g_cond, &g_lock, &ts);
    }
    pthread_mutex_unlock(&g_lock);
    return ok;
}

static void settle(unsigned long ms)
{
    usleep((useconds_t)ms * 1000u);
}

static const char *arg_str(int argc, char **argv, const char *key)
{
    size_t k = strlen(key);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], key, k) == 0 && argv[i][k] == '=') return argv[i] + k + 1;
    return NULL;
}

static unsigned arg_port(int argc, char **argv, const char *key)
{
    const char *v = arg_str(argc, argv, key);
    return v != NULL ? (unsigned)strtoul(v, NULL, 10) : 0u;
}

static const char *g_peer; /* the host's address on the TAP link */

/* After a client Init: 1 when the link is up. Async boards: ConnResult TRUE exactly once.
 * Sync boards: the Init returned a handle with *connectTimeout 0, and no ConnResult comes. */
static int link_up(pointer_t h, quint32_t timeout)
{
    if (h == SOCKET_FD_INVALID) return 0;
#if QHAL_CONNECT_ASYNC
    wait_for(W_CONN, 1, timeout + 2000);
    settle(100);
    return g.connResults == 1 && g.connResult == TRUE;
#else
    settle(100);
    return timeout == 0 && g.connResults == 0;
#endif
}

/* After a client Init that must fail: async, ConnResult FALSE once and nothing else; sync,
 * SOCKET_FD_INVALID at once. */
static int link_refused(pointer_t h, quint32_t timeout)
{
#if QHAL_CONNECT_ASYNC
    if (h == SOCKET_FD_INVALID) return 0;
    wait_for(W_CONN, 1, timeout + 2000);
    settle(100);
    return g.connResults == 1 && g.connResult == FALSE && g.downs == 0 && g.rxLen == 0;
#else
    (void)timeout;
    settle(100);
    return h == SOCKET_FD_INVALID && g.connResults == 0;
#endif
}

#if QHAL_CONNECT_ASYNC
#define EXPECT_TIMEOUT QHAL_CONNECT_TIMEOUT_MS
#define CONNECT_MODE "async"
#else
#define EXPECT_TIMEOUT 0u
#define CONNECT_MODE "sync"
#endif

/* ------------------------------------------------------------ the tests */

static void test_dns(void)
{
    quint8_t a0[46], a1[46], a2[46];
    quint8_t *addrs[3] = {a0, a1, a2};
    quint32_t n = Qhal_dns2IPGet(g_peer, addrs, 3);
    check(n == 1 && strcmp((char *)a0, g_peer) == 0, "dns2IPGet on a literal address");
    unsigned long start = now_ms();
    n = Qhal_dns2IPGet("qhal-smoke.invalid", addrs, 3);
    check(n == 0 && now_ms() - start <= 30000, "dns2IPGet of a name that cannot resolve: 0, bounded");
    n = Qhal_dns2IPGet(NULL, addrs, 3);
    check(n == 0, "dns2IPGet(NULL) fails cleanly");
}

static void test_tcp_echo(unsigned port)
{
    quint8_t type = 0xff;
    quint32_t timeout = 0;
    reset_core(0);
    pthread_mutex_lock(&g_lock); /* no callback may slip in before the handle is known */
    pointer_t h = Qhal_tcpClientInit(&type, g_peer, (quint16_t)port, &timeout);
    g.handle = h;
    pthread_mutex_unlock(&g_lock);
    check(h != SOCKET_FD_INVALID && type == SOCKET_TYPE_TCP_CLI && timeout == EXPECT_TIMEOUT,
          "tcpClientInit returns a handle, connectTimeout as the connect mode says (" CONNECT_MODE ")");
    if (h == SOCKET_FD_INVALID) return;
    check(link_up(h, timeout), "connect: link up (async: ConnResult TRUE once; sync: at return)");

    qbool sending = TRUE;
    qbool ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"hello", 5, &sending);
    check(ok == TRUE && sending == FALSE, "write 'hello' taken at once");
    check(wait_for(W_RX, 5, 5000) && g.rxLen == 5 && memcmp(g.rx, "hello", 5) == 0,
          "echo 'hello' received");

    /* Far more than lwIP's send buffer (4 * 1460): the rest is queued, then Quos_socketIOTxCb. */
    static quint8_t big[60000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (quint8_t)('a' + (i * 7) % 26);
    pthread_mutex_lock(&g_lock);
    g.rxLen = 0;
    pthread_mutex_unlock(&g_lock);
    sending = FALSE;
    ok = Qhal_sockWrite(h, type, NULL, big, (quint16_t)sizeof big, &sending);
    check(ok == TRUE && sending == TRUE, "60000-byte write: part queued (isSending TRUE)");
    int got = wait_for(W_RX, sizeof big, 15000);
    wait_for(W_TXCB, 1, 2000);
    check(g.txCbs == 1, "queued write drained: Quos_socketIOTxCb once");
    check(got && g.rxLen == sizeof big && memcmp(g.rx, big, sizeof big) == 0,
          "60000-byte echo received intact, in order");

    /* The server echoes "bye" and closes: data first, then one link-down. */
    pthread_mutex_lock(&g_lock);
    g.rxLen = 0;
    pthread_mutex_unlock(&g_lock);
    ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"bye\n", 4, NULL);
    check(ok == TRUE, "write 'bye'");
    wait_for(W_DOWN, 1, 5000);
    settle(200); /* nothing more may arrive */
    check(g.rxLen == 4 && memcmp(g.rx, "bye\n", 4) == 0 && g.downs == 1 && g.dataAfterDown == 0,
          "peer close: echo, then Quos_socketIORx(len 0) exactly once");
    ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"x", 1, NULL);
    check(ok == FALSE, "write on a link that is down fails");
    Qhal_sockClose(h, type);
    ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"x", 1, NULL);
    check(ok == FALSE, "write after close fails (unknown handle)");
    Qhal_sockClose(h, type); /* closing twice is harmless */
}

/* Closed by the core while the link is up: no callback afterwards, nothing leaks. */
static void test_tcp_close_while_up(unsigned port)
{
    quint8_t type = 0;
    quint32_t timeout = 0;
    reset_core(0);
    pthread_mutex_lock(&g_lock);
    pointer_t h = Qhal_tcpClientInit(&type, g_peer, (quint16_t)port, &timeout);
    g.handle = h;
    pthread_mutex_unlock(&g_lock);
    if (h == SOCKET_FD_INVALID) {
        check(0, "second connect: handle");
        return;
    }
    int up = link_up(h, timeout);
    qbool ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"x", 1, NULL);
    Qhal_sockClose(h, type);
    settle(300);
    check(up && ok == TRUE && g.downs == 0,
          "close by the core while up: no link-down reported");
}

static void test_tcp_refused(unsigned port)
{
    quint8_t type = 0;
    quint32_t timeout = 0;
    reset_core(0);
    pthread_mutex_lock(&g_lock);
    pointer_t h = Qhal_tcpClientInit(&type, g_peer, (quint16_t)port, &timeout);
    g.handle = h;
    pthread_mutex_unlock(&g_lock);
    check(link_refused(h, timeout),
          "connect to a closed port fails (async: ConnResult FALSE once; sync: no handle)");
    if (h != SOCKET_FD_INVALID) Qhal_sockClose(h, type);
}

static void test_bad_args(void)
{
    quint8_t type = 0;
    quint32_t timeout = 1;
    check(Qhal_tcpClientInit(&type, NULL, 80, &timeout) == SOCKET_FD_INVALID,
          "tcpClientInit(NULL host) fails now");
    check(Qhal_sockWrite((pointer_t)12345, SOCKET_TYPE_TCP_CLI, NULL, (const quint8_t *)"x", 1,
                         NULL) == FALSE,
          "write on a made-up handle fails");
    Qhal_sockClose((pointer_t)12345, SOCKET_TYPE_TCP_CLI);
}

static void test_udp_echo(unsigned port)
{
    quint8_t type = 0;
    void *peer = NULL;
    reset_core(0);
    pthread_mutex_lock(&g_lock);
    pointer_t h = Qhal_udpInit(&type, 0, g_peer, (quint16_t)port, &peer);
    g.handle = h;
    pthread_mutex_unlock(&g_lock);
    check(h != SOCKET_FD_INVALID && type == SOCKET_TYPE_UDP && peer != NULL &&
              ((struct sockaddr *)peer)->sa_family == AF_INET,
          "udpInit with a peer (peer block allocated, AF_INET)");
    if (h == SOCKET_FD_INVALID) return;
    qbool ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"ping", 4, NULL);
    int got = wait_for(W_RX, 4, 3000);
    check(ok && got && g.rxLen == 4 && memcmp(g.rx, "ping", 4) == 0 && g.udpFamily == AF_INET &&
              g.udpPort == port,
          "udp echo to the default peer, sender address given");
    pthread_mutex_lock(&g_lock);
    g.rxLen = 0;
    pthread_mutex_unlock(&g_lock);
    ok = peer != NULL ? Qhal_sockWrite(h, type, peer, (const quint8_t *)"pong", 4, NULL) : FALSE;
    got = wait_for(W_RX, 4, 3000);
    check(ok && got && memcmp(g.rx, "pong", 4) == 0, "udp echo to an explicit peer");
    pthread_mutex_lock(&g_lock);
    g.rxLen = 0;
    pthread_mutex_unlock(&g_lock);
    ok = Qhal_sockUdpBroadCastLAN(h, (quint16_t)port, (quint8_t *)"hi all", 6);
    got = wait_for(W_RX, 6, 3000);
    check(ok == TRUE && got && memcmp(g.rx, "hi all", 6) == 0,
          "broadcast to 255.255.255.255 sent and answered by the host");
    Qhal_sockClose(h, type);
    qhal_shim_free(peer); /* the core owns the peer block */

    /* LAN discovery shape: local port only, no default peer; replies need an explicit peer. */
    reset_core(0);
    peer = (void *)1;
    pthread_mutex_lock(&g_lock);
    h = Qhal_udpInit(&type, 47000, NULL, 0, &peer);
    g.handle = h;
    pthread_mutex_unlock(&g_lock);
    check(h != SOCKET_FD_INVALID && peer == NULL, "udpInit(l_port, NULL host): bound, no peer");
    if (h != SOCKET_FD_INVALID) {
        struct sockaddr_in to;
        memset(&to, 0, sizeof to);
        to.sin_family = AF_INET;
        to.sin_port = htons((uint16_t)port);
        inet_pton(AF_INET, g_peer, &to.sin_addr);
        ok = Qhal_sockWrite(h, type, &to, (const quint8_t *)"lan", 3, NULL);
        got = wait_for(W_RX, 3, 3000);
        check(ok && got && memcmp(g.rx, "lan", 3) == 0 && g.udpPort == port,
              "bound-only socket: write to an explicit peer, reply received");
        Qhal_sockClose(h, type);
    }
}

#if QHAL_FEATURE_TLS
/* TLS to the host: good = the certificate must be accepted (then echo, small and large), else
 * the connect must be refused (ConnResult FALSE once, nothing delivered). */
static void test_tls(unsigned port, int good, const char *what)
{
    quint8_t type = 0;
    quint32_t timeout = 0;
    reset_core(0);
    pthread_mutex_lock(&g_lock);
    pointer_t h = Qhal_tcpSslClientInit(&type, g_peer, (quint16_t)port, &timeout);
    g.handle = h;
    pthread_mutex_unlock(&g_lock);
    if (!good) {
        check(type == SOCKET_TYPE_TCP_SSL_CLI && link_refused(h, timeout), what);
        if (h != SOCKET_FD_INVALID) Qhal_sockClose(h, type);
        return;
    }
    int up = type == SOCKET_TYPE_TCP_SSL_CLI && timeout == EXPECT_TIMEOUT && link_up(h, timeout);
    qbool ok = up ? Qhal_sockWrite(h, type, NULL, (const quint8_t *)"hello-tls", 9, NULL) : FALSE;
    int got = ok ? wait_for(W_RX, 9, 5000) : 0;
    check(up && ok && got && g.rxLen == 9 && memcmp(g.rx, "hello-tls", 9) == 0, what);
    if (up) {
        static quint8_t big[40000];
        qbool sending = FALSE;
        for (size_t i = 0; i < sizeof big; i++) big[i] = (quint8_t)('A' + (i * 11) % 26);
        pthread_mutex_lock(&g_lock);
        g.rxLen = 0;
        pthread_mutex_unlock(&g_lock);
        ok = Qhal_sockWrite(h, type, NULL, big, (quint16_t)sizeof big, &sending);
        got = wait_for(W_RX, sizeof big, 15000);
        if (sending) wait_for(W_TXCB, 1, 2000);
        check(ok && got && g.rxLen == sizeof big && memcmp(g.rx, big, sizeof big) == 0 &&
                  g.txCbs == (sending ? 1 : 0),
              "TLS: 40000-byte write echoed intact (TxCb once if it was queued)");
    }
    if (h != SOCKET_FD_INVALID) Qhal_sockClose(h, type);
    settle(50);
}
#endif

#if QHAL_FEATURE_DTLS
/* DTLS to the host's `openssl s_server -dtls1_2` (the test drives it): Qhal_udpSslInit runs
 * the verified handshake before it returns; our datagram reaches the server; the server's
 * line (the test types "from-server" into it once it has seen ours) reaches us. */
static void test_dtls(unsigned port)
{
    quint8_t type = 0;
    reset_core(0);
    pthread_mutex_lock(&g_lock);
    pointer_t h = Qhal_udpSslInit(&type, 0, g_peer, (quint16_t)port);
    g.handle = h;
    pthread_mutex_unlock(&g_lock);
    check(h != SOCKET_FD_INVALID && type == SOCKET_TYPE_UDP_SSL_CLI,
          "DTLS: udpSslInit returns with the verified handshake done");
    if (h == SOCKET_FD_INVALID) return;
    qbool ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"hello-dtls\n", 11, NULL);
    check(ok == TRUE, "DTLS: write 'hello-dtls'");
    int got = wait_for(W_RX, 12, 15000);
    check(got && memcmp(g.rx, "from-server\n", 12) == 0, "DTLS: the server's record received");
    Qhal_sockClose(h, type);
    settle(50);
}
#endif

#if QHAL_FEATURE_IPV6
/* IPv6 over the same TAP link: lwIP at ip6=, the host at peer6= (the host's servers listen on
 * IPv6 too). */
static void test_ipv6(const char *peer6, unsigned tcpPort, unsigned udpPort)
{
    quint8_t a0[46], a1[46], a2[46];
    quint8_t *addrs[3] = {a0, a1, a2};
    quint32_t n = Qhal_dns2IPGet(peer6, addrs, 3);
    check(n == 1 && strcasecmp((char *)a0, peer6) == 0, "IPv6: dns2IPGet on a literal address");

    quint8_t type = 0;
    quint32_t timeout = 0;
    reset_core(0);
    pthread_mutex_lock(&g_lock);
    pointer_t h = Qhal_tcpClientInit(&type, peer6, (quint16_t)tcpPort, &timeout);
    g.handle = h;
    pthread_mutex_unlock(&g_lock);
    int up = link_up(h, timeout);
    qbool ok = up ? Qhal_sockWrite(h, type, NULL, (const quint8_t *)"hello6", 6, NULL) : FALSE;
    int got = ok ? wait_for(W_RX, 6, 5000) : 0;
    check(up && ok && got && memcmp(g.rx, "hello6", 6) == 0, "IPv6: TCP connect and echo");
    if (h != SOCKET_FD_INVALID) Qhal_sockClose(h, type);

    void *peer = NULL;
    reset_core(0);
    pthread_mutex_lock(&g_lock);
    h = Qhal_udpInit(&type, 0, peer6, (quint16_t)udpPort, &peer);
    g.handle = h;
    pthread_mutex_unlock(&g_lock);
    ok = h != SOCKET_FD_INVALID && peer != NULL &&
         ((struct sockaddr *)peer)->sa_family == AF_INET6;
    ok = ok && Qhal_sockWrite(h, type, NULL, (const quint8_t *)"ping6", 5, NULL);
    got = ok ? wait_for(W_RX, 5, 3000) : 0;
    check(ok && got && memcmp(g.rx, "ping6", 5) == 0 && g.udpFamily == AF_INET6 &&
              g.udpPort == udpPort,
          "IPv6: UDP echo, AF_INET6 peer block and sender address");
    if (h != SOCKET_FD_INVALID) Qhal_sockClose(h, type);
    qhal_shim_free(peer);
}
#endif

/* The HAL listens; the host's echo server dials back, sends "srv-hello\n", reads the echo,
 * closes. */
static void test_tcp_server(unsigned echoPort, unsigned serverPort)
{
    quint8_t type = 0;
    quint32_t timeout = 0;
    reset_core(0);
    pthread_mutex_lock(&g_lock);
    pointer_t l = Qhal_tcpServerInit(&type, (quint16_t)serverPort, 1);
    g.listener = l;
    pthread_mutex_unlock(&g_lock);
    check(l != SOCKET_FD_INVALID && type == SOCKET_TYPE_TCP_LISTEN, "tcpServerInit listens");
    if (l == SOCKET_FD_INVALID) return;

    /* Ask the host to dial in, over a client connection of our own. */
    quint8_t ctype = 0;
    pthread_mutex_lock(&g_lock);
    pointer_t c = Qhal_tcpClientInit(&ctype, g_peer, (quint16_t)echoPort, &timeout);
    g.handle = c;
    pthread_mutex_unlock(&g_lock);
    if (!link_up(c, timeout)) {
        check(0, "control connection to the host");
        Qhal_sockClose(l, SOCKET_TYPE_TCP_LISTEN);
        return;
    }
    char cmd[32];
    int len = snprintf(cmd, sizeof cmd, "dial %u\n", serverPort);
    Qhal_sockWrite(c, ctype, NULL, (const quint8_t *)cmd, (quint16_t)len, NULL);

    wait_for(W_HANDOFF, 1, 10000);
    check(g.handoffs == 1 && g.handoffType == SOCKET_TYPE_TCP_LISTEN &&
              (g.handoffFamily == AF_INET || (QHAL_FEATURE_IPV6 && g.handoffFamily == AF_INET6)) &&
              g.client != 0 && g.client != SOCKET_FD_INVALID,
          "accepted client handed over once (listen handle, peer, client handle)");
    if (g.handoffs == 0) {
        Qhal_sockClose(c, ctype);
        Qhal_sockClose(l, SOCKET_TYPE_TCP_LISTEN);
        return;
    }
    int got = wait_for(W_CLIENT_RX, 10, 5000);
    check(got && memcmp(g.clientRx, "srv-hello\n", 10) == 0,
          "data from the accepted client under its own handle");
    qbool ok = Qhal_sockWrite(g.client, SOCKET_TYPE_TCP_CLI, NULL, g.clientRx, 10, NULL);
    check(ok == TRUE, "reply on the accepted client's handle");
    wait_for(W_CLIENT_DOWN, 1, 5000);
    settle(200);
    check(g.clientDowns == 1, "client disconnect reported once on its own handle");
    Qhal_sockClose(g.client, SOCKET_TYPE_TCP_CLI);
    Qhal_sockClose(c, ctype);
    Qhal_sockClose(l, SOCKET_TYPE_TCP_LISTEN);
}

/* ------------------------------------------------------------ lwIP bring-up */

static sys_sem_t g_tcpipReady;

static void tcpip_ready(void *arg)
{
    (void)arg;
    sys_sem_signal(&g_tcpipReady);
}

static void *watchdog(void *arg)
{
    unsigned secs = *(unsigned *)arg;
    sleep(secs);
    printf("FAIL watchdog: still running after %u s\n%d passed, %d failed\n", secs, g_passed,
           g_failed + 1);
    fflush(stdout);
    _exit(3);
    return NULL;
}

int main(int argc, char **argv)
{
    static struct netif netif;
    static unsigned watchdogSecs = 90;
    const char *ipText = arg_str(argc, argv, "ip");
    const char *maskText = arg_str(argc, argv, "mask");
    unsigned tcpPort = arg_port(argc, argv, "tcp");
    unsigned udpPort = arg_port(argc, argv, "udp");
    unsigned closedPort = arg_port(argc, argv, "closed");
    unsigned serverPort = arg_port(argc, argv, "server");
    ip4_addr_t ip, mask, gw;
    pthread_t wd;

    g_peer = arg_str(argc, argv, "peer");
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (ipText == NULL || maskText == NULL || g_peer == NULL || tcpPort == 0 || udpPort == 0 ||
        closedPort == 0 || !ip4addr_aton(ipText, &ip) || !ip4addr_aton(maskText, &mask) ||
        !ip4addr_aton(g_peer, &gw)) {
        fprintf(stderr, "usage: %s ip=A mask=M peer=A tcp=P udp=P closed=P [server=P]\n", argv[0]);
        return 2;
    }
    if (getenv("PRECONFIGURED_TAPIF") == NULL) {
        fprintf(stderr, "set PRECONFIGURED_TAPIF to the TAP device's name\n");
        return 2;
    }
    pthread_create(&wd, NULL, watchdog, &watchdogSecs);
    pthread_detach(wd);

    printf("lwip-smoke: lwIP %s, %s/%s via %s (%s)\n", LWIP_VERSION_STRING, ipText, maskText, g_peer, getenv("PRECONFIGURED_TAPIF"));
    if (sys_sem_new(&g_tcpipReady, 0) != ERR_OK) return 2;
    tcpip_init(tcpip_ready, NULL);
    sys_arch_sem_wait(&g_tcpipReady, 0);

    LOCK_TCPIP_CORE();
    struct netif *up = netif_add(&netif, &ip, &mask, &gw, NULL, tapif_init, tcpip_input);
    if (up != NULL) {
        netif_set_default(&netif);
        netif_set_up(&netif);
    }
    UNLOCK_TCPIP_CORE();
    check(up != NULL, "tapif netif added to lwIP");
#if QHAL_FEATURE_IPV6
    const char *ip6Text = arg_str(argc, argv, "ip6");
    const char *peer6 = arg_str(argc, argv, "peer6");
    if (up != NULL && ip6Text != NULL && peer6 != NULL) {
        ip6_addr_t a6;
        s8_t idx = -1;
        int ready = 0;
        LOCK_TCPIP_CORE();
        netif_create_ip6_linklocal_address(&netif, 1);
        if (ip6addr_aton(ip6Text, &a6)) netif_add_ip6_address(&netif, &a6, &idx);
        UNLOCK_TCPIP_CORE();
        /* Duplicate address detection runs first; wait (bounded) until the address is usable. */
        for (int i = 0; i < 100 && idx >= 0 && !ready; i++) {
            settle(50);
            LOCK_TCPIP_CORE();
            ready = ip6_addr_ispreferred(netif_ip6_addr_state(&netif, idx));
            UNLOCK_TCPIP_CORE();
        }
        check(ready, "IPv6 address preferred after duplicate address detection");
    }
#endif
    if (up == NULL) {
        printf("%d passed, %d failed\n", g_passed, g_failed);
        return 1;
    }

    test_bad_args();
    test_dns();
    test_tcp_echo(tcpPort);
    test_tcp_close_while_up(tcpPort);
    test_tcp_refused(closedPort);
    test_udp_echo(udpPort);
    if (serverPort != 0) test_tcp_server(tcpPort, serverPort);
#if QHAL_FEATURE_IPV6
    {
        const char *peer6 = arg_str(argc, argv, "peer6");
        check(peer6 != NULL, "IPv6 addresses given (IPv6 board)");
        if (peer6 != NULL) test_ipv6(peer6, tcpPort, udpPort);
    }
#endif
#if QHAL_FEATURE_DTLS
    {
        unsigned dtlsPort = arg_port(argc, argv, "dtls");
        check(dtlsPort != 0, "DTLS port given (DTLS board)");
        if (dtlsPort != 0) test_dtls(dtlsPort);
    }
#endif
#if QHAL_FEATURE_TLS
    {
        unsigned tlsPort = arg_port(argc, argv, "tls");
        unsigned roguePort = arg_port(argc, argv, "tlsrogue");
        unsigned namePort = arg_port(argc, argv, "tlsname");
        check(tlsPort != 0 && roguePort != 0 && namePort != 0, "TLS ports given (TLS board)");
        if (tlsPort != 0) test_tls(tlsPort, 1, "TLS: server verified, echo over TLS");
        if (roguePort != 0) test_tls(roguePort, 0, "TLS: server from an untrusted CA refused");
        if (namePort != 0) test_tls(namePort, 0, "TLS: certificate for another name refused");
    }
#endif

    settle(300); /* closed slots are released on the I/O task's next pass */
    pthread_mutex_lock(&g_allocLock);
    long outstanding = g_mallocs - g_frees;
    pthread_mutex_unlock(&g_allocLock);
    check(outstanding == 0, "every HAL_MALLOC freed");
    if (outstanding != 0) printf("  (%ld blocks outstanding)\n", outstanding);
    check(g_foreign == 0, "no callback for a handle the core did not expect");

    printf("%d passed, %d failed\n", g_passed, g_failed);
    fflush(stdout);
    /* lwIP's threads never end; leave without waiting for them. */
    _exit(g_failed == 0 ? 0 : 1);
}
