/*
 * mps2-smoke: a bare-metal app for QEMU mps2-an385 that brings lwIP up over the LAN9118
 * (static 10.0.2.15/24, gateway 10.0.2.2: QEMU user-mode networking) and exercises the
 * generated lwip-raw HAL against echo servers on the host (10.0.2.2 is the host's
 * 127.0.0.1). Its loop plays the QuecThing core: it implements Quos_socketIORx,
 * Quos_socketIOConnResult and Quos_socketIOTxCb and drives the HAL through
 * Qhal_lwipRawPoll(). Prints PASS/FAIL lines and "N passed, N failed"; the exit status
 * (semihosting) is the number of failures.
 *
 * Ports come from the semihosting command line (QEMU -append):
 *   tcp=<echo port> udp=<echo port> closed=<port nobody listens on>
 * or, when absent, from -DQHAL_SMOKE_TCP_PORT / -DQHAL_SMOKE_UDP_PORT / -DQHAL_SMOKE_CLOSED_PORT.
 * The TCP echo server must close the connection after echoing a line "bye".
 * Optional: server=1 (TCP server test), tls= tlsrogue= tlsname= (TLS echo servers), and
 *   dtls=<DTLS echo port> pskid=<identity> pskkey=<hex key>
 * for a DTLS echo server with that pre-shared key; the board's PSK hook (qhal_test_psk,
 * below) hands the HAL that key, or a corrupted one for the wrong-key check.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qhal_Socket.h"

#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "mps2_an385.h"
#include "netif/ethernet.h"

#ifndef QHAL_SMOKE_TCP_PORT
#define QHAL_SMOKE_TCP_PORT 0
#endif
#ifndef QHAL_SMOKE_UDP_PORT
#define QHAL_SMOKE_UDP_PORT 0
#endif
#ifndef QHAL_SMOKE_CLOSED_PORT
#define QHAL_SMOKE_CLOSED_PORT 0
#endif

/* ------------------------------------------------------------ the SDK shim's hooks */

static int g_mallocs;
static int g_frees;

void qhal_shim_log(const char *module, int level, const char *fmt, ...)
{
    char line[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    qhal_mps2_printf("  [%s/%d] %s\n", module, level, line);
}

void *qhal_shim_malloc(size_t size)
{
    void *p = malloc(size);
    if (p != NULL) g_mallocs++;
    return p;
}

void qhal_shim_free(void *ptr)
{
    if (ptr != NULL) g_frees++;
    free(ptr);
}

/* ------------------------------------------------------------ the "core" */

#define RX_MAX 8192

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
    /* TCP server: the listening handle, and the client it handed over */
    pointer_t listener;
    pointer_t client;
    int handoffs;
    int handoffType;
    int handoffFamily;
} g;

void Quos_socketIORx(pointer_t sockFd, quint8_t type, const void *peer, quint8_t *buf,
                     quint32_t bufLen)
{
    if (g.listener != 0 && sockFd == g.listener) {
        /* Hand-off: buf holds the new client's handle. */
        g.handoffs++;
        g.handoffType = type;
        g.handoffFamily = peer != NULL ? ((const quint8_t *)peer)[1] : -1;
        if (bufLen == sizeof(pointer_t)) memcpy(&g.client, buf, sizeof(pointer_t));
        g.handle = g.client; /* its data may follow in the same poll */
        return;
    }
    if (sockFd != g.handle) {
        qhal_mps2_printf("  unexpected Rx on another handle\n");
        return;
    }
    if (bufLen == 0) {
        g.downs++;
        return;
    }
    if (g.downs > 0) g.dataAfterDown++;
    if (peer != NULL) {
        const quint8_t *sa = (const quint8_t *)peer; /* lwIP layout: len, family, port */
        g.udpFamily = sa[1];
        g.udpPort = (quint16_t)((sa[2] << 8) | sa[3]);
    }
    size_t n = bufLen;
    if (n > RX_MAX - g.rxLen) n = RX_MAX - g.rxLen;
    memcpy(&g.rx[g.rxLen], buf, n);
    g.rxLen += n;
}

void Quos_socketIOConnResult(pointer_t sockFd, quint8_t type, qbool result)
{
    (void)type;
    if (sockFd != g.handle) return;
    g.connResults++;
    g.connResult = result;
}

void Quos_socketIOTxCb(pointer_t sockFd, quint8_t type)
{
    (void)type;
    if (sockFd == g.handle) g.txCbs++;
}

static void reset_core(pointer_t h)
{
    memset(&g, 0, sizeof g);
    g.handle = h;
}

/* ------------------------------------------------------------ test plumbing */

static int g_passed;
static int g_failed;

static void check(int ok, const char *what)
{
    if (ok) {
        g_passed++;
        qhal_mps2_printf("PASS %s\n", what);
    } else {
        g_failed++;
        qhal_mps2_printf("FAIL %s\n", what);
    }
}

static void run_for(uint32_t ms)
{
    uint32_t start = qhal_mps2_millis();
    while (qhal_mps2_millis() - start < ms) {
        Qhal_lwipRawPoll();
        qhal_mps2_idle();
    }
}

static int wait_rx(size_t want, uint32_t timeout_ms)
{
    uint32_t start = qhal_mps2_millis();
    while (g.rxLen < want && qhal_mps2_millis() - start < timeout_ms) {
        Qhal_lwipRawPoll();
        qhal_mps2_idle();
    }
    return g.rxLen >= want;
}

/* " key=" (or key= at the start): the value's first character, or NULL. */
static const char *arg_find(const char *cmdline, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = strstr(cmdline, key); p != NULL; p = strstr(p + 1, key)) {
        if (p == cmdline || p[-1] == ' ') return p + n;
    }
    return NULL;
}

static unsigned arg_port(const char *cmdline, const char *key, unsigned fallback)
{
    const char *p = arg_find(cmdline, key);
    if (p == NULL) return fallback;
    return (unsigned)strtoul(p, NULL, 10);
}

#if QHAL_FEATURE_DTLS && QHAL_PSK
/* Copies the value of key= (up to the next space) into out; its length, 0 when absent. */
static size_t arg_str(const char *cmdline, const char *key, char *out, size_t size)
{
    const char *p = arg_find(cmdline, key);
    size_t n = 0;
    if (p != NULL) {
        while (p[n] != '\0' && p[n] != ' ' && n + 1 < size) n++;
        memcpy(out, p, n);
    }
    out[n] = '\0';
    return n;
}
#endif

/* ------------------------------------------------------------ the tests */

static void test_dns_literal(void)
{
    quint8_t a0[46], a1[46], a2[46];
    quint8_t *addrs[3] = {a0, a1, a2};
    quint32_t n = Qhal_dns2IPGet("10.0.2.2", addrs, 3);
    check(n == 1 && strcmp((char *)a0, "10.0.2.2") == 0, "dns2IPGet on a literal address");
    /* RFC 6761: .invalid never resolves (NXDOMAIN, or no answer offline): 0, within bounds. */
    uint32_t start = qhal_mps2_millis();
    n = Qhal_dns2IPGet("qhal-smoke.invalid", addrs, 3);
    uint32_t took = qhal_mps2_millis() - start;
    check(n == 0 && took <= QHAL_CONNECT_TIMEOUT_MS + 500, "dns2IPGet of a name that cannot resolve: 0, bounded");
    qhal_mps2_printf("  (resolver answered in %lu ms)\n", (unsigned long)took);
}

static void test_tcp_echo(unsigned port)
{
    quint8_t type = 0xff;
    quint32_t timeout = 0;
    pointer_t h = Qhal_tcpClientInit(&type, "10.0.2.2", (quint16_t)port, &timeout);
    reset_core(h);
    check(h != SOCKET_FD_INVALID && type == SOCKET_TYPE_TCP_CLI &&
              timeout == QHAL_CONNECT_TIMEOUT_MS,
          "tcpClientInit returns at once (async, connectTimeout set)");
    if (h == SOCKET_FD_INVALID) return;

    uint32_t start = qhal_mps2_millis();
    while (g.connResults == 0 && qhal_mps2_millis() - start < timeout) {
        Qhal_lwipRawPoll();
        qhal_mps2_idle();
    }
    check(g.connResults == 1 && g.connResult == TRUE, "async connect reports TRUE once");

    qbool sending = TRUE;
    qbool ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"hello", 5, &sending);
    check(ok == TRUE && sending == FALSE, "write 'hello' taken at once");
    check(wait_rx(5, 5000) && g.rxLen == 5 && memcmp(g.rx, "hello", 5) == 0,
          "echo 'hello' received");

    /* More than lwIP's send buffer: the rest is queued, reported by Quos_socketIOTxCb. */
    static quint8_t big[6500];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (quint8_t)('a' + (i * 7) % 26);
    g.rxLen = 0;
    sending = FALSE;
    ok = Qhal_sockWrite(h, type, NULL, big, (quint16_t)sizeof big, &sending);
    check(ok == TRUE && sending == TRUE, "6500-byte write: part queued (isSending TRUE)");
    int got = wait_rx(sizeof big, 10000);
    check(g.txCbs == 1, "queued write drained: Quos_socketIOTxCb once");
    check(got && g.rxLen == sizeof big && memcmp(g.rx, big, sizeof big) == 0,
          "6500-byte echo received intact");

    /* The server echoes "bye" and closes: data first, then one link-down. */
    g.rxLen = 0;
    ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"bye\n", 4, NULL);
    check(ok == TRUE, "write 'bye'");
    start = qhal_mps2_millis();
    while (g.downs == 0 && qhal_mps2_millis() - start < 5000) {
        Qhal_lwipRawPoll();
        qhal_mps2_idle();
    }
    run_for(200); /* nothing more may arrive */
    check(g.rxLen == 4 && memcmp(g.rx, "bye\n", 4) == 0 && g.downs == 1 && g.dataAfterDown == 0,
          "peer close: echo, then Quos_socketIORx(len 0) exactly once");
    ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"x", 1, NULL);
    check(ok == FALSE, "write on a link that is down fails");
    Qhal_sockClose(h, type);
    ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"x", 1, NULL);
    check(ok == FALSE, "write after close fails (unknown handle)");
    Qhal_sockClose(h, type); /* closing twice is harmless */
}

static void test_tcp_refused(unsigned port)
{
    quint8_t type = 0;
    quint32_t timeout = 0;
    pointer_t h = Qhal_tcpClientInit(&type, "10.0.2.2", (quint16_t)port, &timeout);
    reset_core(h);
    if (h == SOCKET_FD_INVALID) {
        check(0, "connect to a closed port: handle");
        return;
    }
    uint32_t start = qhal_mps2_millis();
    while (g.connResults == 0 && qhal_mps2_millis() - start < timeout + 2000) {
        Qhal_lwipRawPoll();
        qhal_mps2_idle();
    }
    run_for(100);
    check(g.connResults == 1 && g.connResult == FALSE && g.downs == 0,
          "connect to a closed port reports FALSE once");
    Qhal_sockClose(h, type);
}

static void test_udp_echo(unsigned port)
{
    quint8_t type = 0;
    void *peer = NULL;
    pointer_t h = Qhal_udpInit(&type, 0, "10.0.2.2", (quint16_t)port, &peer);
    reset_core(h);
    check(h != SOCKET_FD_INVALID && type == SOCKET_TYPE_UDP && peer != NULL,
          "udpInit with a peer (peer block allocated)");
    if (h == SOCKET_FD_INVALID) return;
    qbool ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"ping", 4, NULL);
    int got = wait_rx(4, 3000);
    check(ok && got && g.rxLen == 4 && memcmp(g.rx, "ping", 4) == 0 && g.udpFamily == 2 &&
              g.udpPort == port,
          "udp echo to the default peer, sender address given");
    g.rxLen = 0;
    ok = Qhal_sockWrite(h, type, peer, (const quint8_t *)"pong", 4, NULL);
    got = wait_rx(4, 3000);
    check(ok && got && memcmp(g.rx, "pong", 4) == 0, "udp echo to an explicit peer");
    ok = Qhal_sockUdpBroadCastLAN(h, (quint16_t)port, (quint8_t *)"hi all", 6);
    check(ok == TRUE, "broadcast datagram sent (SOF_BROADCAST)");
    Qhal_sockClose(h, type);
    qhal_shim_free(peer); /* the core owns the peer block */
}

#if QHAL_FEATURE_TLS
/* TLS to 10.0.2.2:port; the certificate must be accepted (good) or the link refused. */
static void test_tls(unsigned port, int good, const char *what)
{
    quint8_t type = 0;
    quint32_t timeout = 0;
    pointer_t h = Qhal_tcpSslClientInit(&type, "10.0.2.2", (quint16_t)port, &timeout);
    reset_core(h);
    if (h == SOCKET_FD_INVALID || type != SOCKET_TYPE_TCP_SSL_CLI || timeout == 0) {
        check(0, what);
        return;
    }
    uint32_t start = qhal_mps2_millis();
    while (g.connResults == 0 && qhal_mps2_millis() - start < timeout) {
        Qhal_lwipRawPoll();
        qhal_mps2_idle();
    }
    if (!good) {
        run_for(100);
        check(g.connResults == 1 && g.connResult == FALSE && g.rxLen == 0 && g.downs == 0, what);
        Qhal_sockClose(h, type);
        return;
    }
    int up = g.connResults == 1 && g.connResult == TRUE;
    qbool ok = up ? Qhal_sockWrite(h, type, NULL, (const quint8_t *)"hello-tls", 9, NULL) : FALSE;
    int got = ok ? wait_rx(9, 5000) : 0;
    check(up && ok && got && g.rxLen == 9 && memcmp(g.rx, "hello-tls", 9) == 0, what);
    Qhal_sockClose(h, type);
    run_for(50);
}
#endif

#if QHAL_FEATURE_DTLS
/* ------------------------------------------------------------ DTLS */

/* The board's DTLS handshake bound (tls.handshakeTimeoutMs, default 20 s), and a margin. */
#ifndef SMOKE_DTLS_BOUND_MS
#define SMOKE_DTLS_BOUND_MS (20000u + 500u)
#endif

/* A DTLS write of len bytes and its echo, checked byte for byte. */
static int dtls_echo(pointer_t h, quint8_t type, size_t len, quint8_t seed)
{
    static quint8_t msg[4000];
    if (len > sizeof msg) return 0;
    for (size_t i = 0; i < len; i++) msg[i] = (quint8_t)(seed + i * 13);
    g.rxLen = 0;
    qbool sending = TRUE;
    qbool ok = Qhal_sockWrite(h, type, NULL, msg, (quint16_t)len, &sending);
    int got = ok ? wait_rx(len, 5000) : 0;
    return ok == TRUE && sending == FALSE && got && g.rxLen == len && memcmp(g.rx, msg, len) == 0;
}
#endif

#if QHAL_FEATURE_DTLS && QHAL_PSK
static char g_pskId[64];
static char g_pskHex[130];
static int g_pskWrong;
static int g_pskCalls;

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/*
 * The board's PSK hook (tls.psk.hook in examples/boards/mps2-an385-lwip-raw.ts). A product
 * reads the device's provisioned key from its secure storage; this test takes the key the
 * host's DTLS server was started with from the command line.
 */
qbool qhal_test_psk(const char *hostname, quint16_t port, qhal_psk_t *out)
{
    size_t n = strlen(g_pskHex), idLen = strlen(g_pskId);
    (void)hostname;
    (void)port;
    g_pskCalls++;
    if (n == 0 || n % 2 != 0 || n / 2 > sizeof(out->key) || idLen == 0 ||
        idLen > sizeof(out->identity)) {
        return FALSE;
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(g_pskHex[2 * i]), lo = hexval(g_pskHex[2 * i + 1]);
        if (hi < 0 || lo < 0) return FALSE;
        out->key[i] = (quint8_t)(hi * 16 + lo);
    }
    out->keyLen = n / 2;
    if (g_pskWrong) out->key[0] ^= 0x5a;
    memcpy(out->identity, g_pskId, idLen);
    out->identityLen = idLen;
    return TRUE;
}

static void test_dtls(unsigned port)
{
    /* Good key: the handshake completes inside Qhal_udpSslInit, then data flows. */
    quint8_t type = 0xff;
    g_pskWrong = 0;
    g_pskCalls = 0;
    reset_core(0);
    uint32_t start = qhal_mps2_millis();
    pointer_t h = Qhal_udpSslInit(&type, 0, "10.0.2.2", (quint16_t)port);
    uint32_t took = qhal_mps2_millis() - start;
    g.handle = h;
    qhal_mps2_printf("  (DTLS handshake took %lu ms)\n", (unsigned long)took);
    check(h != SOCKET_FD_INVALID && type == SOCKET_TYPE_UDP_SSL_CLI && g_pskCalls == 1 &&
              took <= SMOKE_DTLS_BOUND_MS,
          "DTLS: PSK handshake inside udpSslInit (bounded), handle returned");
    if (h == SOCKET_FD_INVALID) return;
    check(dtls_echo(h, type, 200, 1) && g.udpFamily == 0 && g.connResults == 0 && g.downs == 0,
          "DTLS: 200-byte echo (decrypted, no peer address, no ConnResult)");
    check(dtls_echo(h, type, 1000, 2), "DTLS: 1000-byte echo");
    /* Larger than the Ethernet MTU: IP fragments both ways, delivered in pieces of the
     * board's receive buffer size. */
    check(dtls_echo(h, type, 4000, 5), "DTLS: 4000-byte record (IP-fragmented) echoed intact");
    Qhal_sockClose(h, type); /* sends close_notify: the server takes the next client */
    qbool ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"x", 1, NULL);
    run_for(100);
    check(ok == FALSE && g.downs == 0 && g.rxLen == 4000,
          "DTLS: write after close fails, nothing reported after close");

    /* Wrong key: the server's Finished check fails; Init fails, nothing is reported. */
    type = 0xff;
    g_pskWrong = 1;
    reset_core(0);
    start = qhal_mps2_millis();
    h = Qhal_udpSslInit(&type, 0, "10.0.2.2", (quint16_t)port);
    took = qhal_mps2_millis() - start;
    g_pskWrong = 0;
    qhal_mps2_printf("  (rejected after %lu ms)\n", (unsigned long)took);
    if (h != SOCKET_FD_INVALID) {
        g.handle = h;
        run_for(200);
        Qhal_sockClose(h, type);
    }
    run_for(100);
    check(h == SOCKET_FD_INVALID && type == SOCKET_TYPE_UDP_SSL_CLI && g.rxLen == 0 &&
              g.downs == 0 && g.connResults == 0 && took <= SMOKE_DTLS_BOUND_MS,
          "DTLS: wrong PSK: udpSslInit fails, no data, no callback");

    /* And the right key again: a new session with the same server. */
    h = Qhal_udpSslInit(&type, 0, "10.0.2.2", (quint16_t)port);
    reset_core(h);
    check(h != SOCKET_FD_INVALID && dtls_echo(h, type, 200, 3),
          "DTLS: a new session after a rejected one");
    if (h != SOCKET_FD_INVALID) Qhal_sockClose(h, type);
    run_for(50);
}
#endif

#if QHAL_FEATURE_DTLS && !QHAL_PSK
/* DTLS with certificates to 10.0.2.2:port: the server must be accepted (good) or refused. */
static void test_dtls_cert(unsigned port, int good, const char *what)
{
    quint8_t type = 0xff;
    reset_core(0);
    uint32_t start = qhal_mps2_millis();
    pointer_t h = Qhal_udpSslInit(&type, 0, "10.0.2.2", (quint16_t)port);
    uint32_t took = qhal_mps2_millis() - start;
    g.handle = h;
    qhal_mps2_printf("  (DTLS handshake: %lu ms)\n", (unsigned long)took);
    if (!good) {
        if (h != SOCKET_FD_INVALID) Qhal_sockClose(h, type);
        run_for(100);
        check(h == SOCKET_FD_INVALID && g.rxLen == 0 && g.downs == 0 && g.connResults == 0, what);
        return;
    }
    check(h != SOCKET_FD_INVALID && type == SOCKET_TYPE_UDP_SSL_CLI &&
              took <= SMOKE_DTLS_BOUND_MS && dtls_echo(h, type, 1000, 4),
          what);
    if (h != SOCKET_FD_INVALID) Qhal_sockClose(h, type);
    run_for(50);
}
#endif

#define SMOKE_SERVER_PORT 7000

/* The host connects through QEMU's hostfwd, sends "srv-hello\n", reads the echo, closes. */
static void test_tcp_server(void)
{
    quint8_t type = 0;
    pointer_t l = Qhal_tcpServerInit(&type, SMOKE_SERVER_PORT, 1);
    reset_core(0);
    g.listener = l;
    check(l != SOCKET_FD_INVALID && type == SOCKET_TYPE_TCP_LISTEN, "tcpServerInit listens");
    if (l == SOCKET_FD_INVALID) return;
    qhal_mps2_printf("listening on %u\n", SMOKE_SERVER_PORT);
    uint32_t start = qhal_mps2_millis();
    while (g.handoffs == 0 && qhal_mps2_millis() - start < 20000) {
        Qhal_lwipRawPoll();
        qhal_mps2_idle();
    }
    check(g.handoffs == 1 && g.handoffType == SOCKET_TYPE_TCP_LISTEN && g.handoffFamily == 2 &&
              g.client != 0 && g.client != SOCKET_FD_INVALID,
          "accepted client handed over once (listen handle, peer, client handle)");
    if (g.handoffs == 0) {
        Qhal_sockClose(l, SOCKET_TYPE_TCP_LISTEN);
        return;
    }
    int got = wait_rx(10, 5000);
    check(got && memcmp(g.rx, "srv-hello\n", 10) == 0, "data from the accepted client");
    qbool ok = Qhal_sockWrite(g.client, SOCKET_TYPE_TCP_CLI, NULL, g.rx, 10, NULL);
    check(ok == TRUE, "reply on the accepted client's handle");
    start = qhal_mps2_millis();
    while (g.downs == 0 && qhal_mps2_millis() - start < 5000) {
        Qhal_lwipRawPoll();
        qhal_mps2_idle();
    }
    check(g.downs == 1, "client disconnect reported once on its own handle");
    Qhal_sockClose(g.client, SOCKET_TYPE_TCP_CLI);
    Qhal_sockClose(l, SOCKET_TYPE_TCP_LISTEN);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char cmdline[512];
    if (qhal_mps2_cmdline(cmdline, sizeof cmdline) != 0) cmdline[0] = '\0';
    unsigned tcpPort = arg_port(cmdline, "tcp=", QHAL_SMOKE_TCP_PORT);
    unsigned udpPort = arg_port(cmdline, "udp=", QHAL_SMOKE_UDP_PORT);
    unsigned closedPort = arg_port(cmdline, "closed=", QHAL_SMOKE_CLOSED_PORT);
    qhal_mps2_printf("mps2-smoke: board %s, tcp=%u udp=%u closed=%u\n", "mps2-an385", tcpPort,
                     udpPort, closedPort);

    static struct netif netif;
    ip4_addr_t ip, mask, gw, dns;
    IP4_ADDR(&ip, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 2, 2);
    IP4_ADDR(&dns, 10, 0, 2, 3);
    lwip_init();
    struct netif *up = netif_add(&netif, &ip, &mask, &gw, NULL, qhal_mps2_lan9118_init,
                                 ethernet_input);
    check(up != NULL, "LAN9118 found and lwIP netif added");
    if (up == NULL) {
        qhal_mps2_printf("%d passed, %d failed\n", g_passed, g_failed);
        return g_failed;
    }
    netif_set_default(&netif);
    netif_set_up(&netif);
    netif_set_link_up(&netif);
    ip_addr_t dnsAddr;
    ip_addr_copy_from_ip4(dnsAddr, dns);
    dns_setserver(0, &dnsAddr);
    qhal_mps2_printf("lwIP %s up: 10.0.2.15, MAC %02x:%02x:%02x:%02x:%02x:%02x\n",
                     LWIP_VERSION_STRING, netif.hwaddr[0], netif.hwaddr[1], netif.hwaddr[2],
                     netif.hwaddr[3], netif.hwaddr[4], netif.hwaddr[5]);

    test_dns_literal();
    if (tcpPort != 0) {
        test_tcp_echo(tcpPort);
    } else {
        check(0, "tcp echo port given");
    }
    if (closedPort != 0) test_tcp_refused(closedPort);
    if (udpPort != 0) test_udp_echo(udpPort);
    if (strstr(cmdline, "server=1") != NULL) test_tcp_server();
#if QHAL_FEATURE_TLS
    unsigned tlsPort = arg_port(cmdline, "tls=", 0);
    unsigned tlsRogue = arg_port(cmdline, "tlsrogue=", 0);
    unsigned tlsWrongName = arg_port(cmdline, "tlsname=", 0);
    if (tlsPort != 0) test_tls(tlsPort, 1, "TLS: verified server (CA + host name), echo over TLS");
    if (tlsRogue != 0) test_tls(tlsRogue, 0, "TLS: server from an untrusted CA is refused");
    if (tlsWrongName != 0) test_tls(tlsWrongName, 0, "TLS: certificate for another host name is refused");
#else
    qhal_mps2_printf("TLS is off for this board: TLS tests skipped\n");
#endif
#if QHAL_FEATURE_DTLS && QHAL_PSK
    unsigned dtlsPort = arg_port(cmdline, "dtls=", 0);
    (void)arg_str(cmdline, "pskid=", g_pskId, sizeof g_pskId);
    (void)arg_str(cmdline, "pskkey=", g_pskHex, sizeof g_pskHex);
    if (dtlsPort != 0) test_dtls(dtlsPort);
#elif QHAL_FEATURE_DTLS
    unsigned dtlsPort = arg_port(cmdline, "dtls=", 0);
    unsigned dtlsRogue = arg_port(cmdline, "dtlsrogue=", 0);
    unsigned dtlsWrongName = arg_port(cmdline, "dtlsname=", 0);
    if (dtlsPort != 0) test_dtls_cert(dtlsPort, 1, "DTLS: verified server (CA + host name), 1000-byte echo");
    if (dtlsRogue != 0) test_dtls_cert(dtlsRogue, 0, "DTLS: server from an untrusted CA is refused");
    if (dtlsWrongName != 0) test_dtls_cert(dtlsWrongName, 0, "DTLS: certificate for another host name is refused");
#else
    qhal_mps2_printf("DTLS is off for this board: DTLS tests skipped\n");
#endif
    check(g_mallocs == g_frees, "every HAL allocation freed by its owner");

    qhal_mps2_printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed;
}
