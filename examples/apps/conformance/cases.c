/* The conformance cases. Each returns CASE_PASS, or case_fail()/case_skip() with a reason. */
#include "conformance.h"
#include "cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_MS 8000
#define RXBUF SUITE_RX_CAP
/* The largest single write the board's HAL takes (QHAL_MAX_WRITE): the suite, like the core,
 * splits what it sends into writes of at most this, waiting for Quos_socketIOTxCb between. */
#if QHAL_MAX_WRITE < 65535u
#define WRITE_MAX ((size_t)QHAL_MAX_WRITE)
#else
#define WRITE_MAX ((size_t)65535u)
#endif
/* Datagrams the HAL delivers whole. */
#define DGRAM_MAX(n) ((size_t)(n) < (size_t)QHAL_RX_BUFFER_SIZE ? (size_t)(n) : (size_t)QHAL_RX_BUFFER_SIZE)

static quint8_t g_buf[RXBUF];
static quint8_t g_pattern[RXBUF];

static const char *host(void)
{
    return cfg_str("host", "127.0.0.1");
}

static int port(const char *key)
{
    return cfg_int(key, 0);
}

/* The broker's IPv6 address as the HAL's stack reaches it. */
static const char *host6(void)
{
    return cfg_str("host6", "::1");
}

/* What the test names resolve to for this run (toolkit/broker/dns.ts): the broker's address,
 * an address where nothing listens, the broker's IPv6 address. */
static const char *zone_addr(void)
{
    return cfg_str("zone-addr", "127.0.0.1");
}

/* The name TLS and DTLS connect to (the good certificate names localhost and *.qhal.test):
 * lwIP answers "localhost" itself with its own loopback, so lwIP runs use a test name. */
static const char *tls_name(void)
{
    return cfg_str("tls-name", "localhost");
}

static const char *zone_refuse(void)
{
    return cfg_str("zone-refuse", "127.0.0.2");
}

static void fill_pattern(size_t n, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++) g_pattern[i] = (quint8_t)((i * 31u + seed) ^ (i >> 8));
}

/* ---- opening links the way the core does ---- */

typedef struct
{
    int result; /* 1 up, 0 failed, -1 no outcome in time */
    int async;
    quint32_t timeout;
    char why[128];
} open_info_t;

/* Opens a TCP or TLS client and waits for the outcome; on failure closes it like the core. */
static pointer_t open_stream(int tls, const char *hostname, int rport, quint8_t *type, open_info_t *oi, int waitMs)
{
    pointer_t h;
    quint32_t ct = 0xdeadbeefu;
    int r;
    memset(oi, 0, sizeof(*oi));
    *type = 0xff;
    rec_opening();
    h = tls ? Qhal_tcpSslClientInit(type, hostname, (quint16_t)rport, &ct)
            : Qhal_tcpClientInit(type, hostname, (quint16_t)rport, &ct);
    rec_opened(h);
    oi->timeout = ct;
    if (h == SOCKET_FD_INVALID)
    {
        oi->result = 0;
        snprintf(oi->why, sizeof(oi->why), "Init returned SOCKET_FD_INVALID");
        return SOCKET_FD_INVALID;
    }
    if (*type != (tls ? SOCKET_TYPE_TCP_SSL_CLI : SOCKET_TYPE_TCP_CLI))
    {
        oi->result = 0;
        snprintf(oi->why, sizeof(oi->why), "*type is %u, expected %u", (unsigned)*type,
                 (unsigned)(tls ? SOCKET_TYPE_TCP_SSL_CLI : SOCKET_TYPE_TCP_CLI));
        suite_close(h, *type);
        return SOCKET_FD_INVALID;
    }
    if (ct == 0)
    {
        oi->result = 1;
        return h;
    }
    oi->async = 1;
    if (ct == 0xdeadbeefu)
    {
        oi->result = 0;
        snprintf(oi->why, sizeof(oi->why), "*connectTimeout not written");
        suite_close(h, *type);
        return SOCKET_FD_INVALID;
    }
    /* The core's connect timer: *connectTimeout, no grace (capped for cases that expect an
     * answer sooner). A result after it is one the core no longer waits for. */
    r = wait_conn(h, (int)(ct < (quint32_t)waitMs + 3000u ? ct : (quint32_t)waitMs + 3000u));
    oi->result = r;
    if (r == 1) return h;
    snprintf(oi->why, sizeof(oi->why), r == 0 ? "ConnResult FALSE" : "no ConnResult before the core's timer");
    suite_close(h, *type);
    return SOCKET_FD_INVALID;
}

/* Writes n bytes of data in writes of at most max bytes; waits out isSending. */
static int write_chunks(pointer_t h, quint8_t type, const void *peer, const quint8_t *data, size_t n, size_t max)
{
    size_t off = 0;
    while (off < n)
    {
        size_t chunk = n - off > max ? max : n - off;
        qbool sending = FALSE;
        int txBefore = rec_count(h, EV_TX);
        if (!suite_write(h, type, peer, data + off, (quint16_t)chunk, &sending))
            return case_fail("Qhal_sockWrite(%lu bytes at %lu) returned FALSE", (unsigned long)chunk,
                             (unsigned long)off);
        if (sending && !wait_count(h, EV_TX, txBefore + 1, 15000))
            return case_fail("isSending was set but Quos_socketIOTxCb never came (15 s)");
        off += chunk;
    }
    return CASE_PASS;
}

static int write_all(pointer_t h, quint8_t type, const void *peer, const quint8_t *data, size_t n)
{
    return write_chunks(h, type, peer, data, n, WRITE_MAX);
}

static int expect_echo(pointer_t h, quint8_t type, size_t n, unsigned seed)
{
    size_t before = rec_rx(h, NULL, 0), got;
    int r;
    fill_pattern(n, seed);
    if ((r = write_all(h, type, NULL, g_pattern, n)) != CASE_PASS) return r;
    if (!wait_rx(h, before + n, WAIT_MS))
        return case_fail("echo of %lu bytes: only %lu arrived", (unsigned long)n,
                         (unsigned long)(rec_rx(h, NULL, 0) - before));
    got = rec_rx(h, g_buf, sizeof(g_buf));
    if (got != before + n)
        return case_fail("echo of %lu bytes: %lu arrived (extra data)", (unsigned long)n,
                         (unsigned long)(got - before));
    if (memcmp(g_buf + before, g_pattern, n) != 0) return case_fail("echo of %lu bytes corrupted", (unsigned long)n);
    return CASE_PASS;
}

static int need(int on, const char *feature)
{
    if (!on) return case_skip("board feature %s is off", feature);
    return CASE_PASS;
}

/* ---- TCP ---- */

static int tcp_echo_basic(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    int r;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    h = open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect to the TCP echo: %s", oi.why);
    if (QHAL_CONNECT_ASYNC && (!oi.async || oi.timeout != QHAL_CONNECT_TIMEOUT_MS))
        r = case_fail("async board: *connectTimeout %u, expected %u", (unsigned)oi.timeout,
                      (unsigned)QHAL_CONNECT_TIMEOUT_MS);
    else if (!QHAL_CONNECT_ASYNC && oi.async)
        r = case_fail("sync board returned *connectTimeout %u, expected 0", (unsigned)oi.timeout);
    else if (h < 65536u)
        r = case_fail("handle 0x%lx looks like a raw descriptor, not a pointer to the HAL's slot", (unsigned long)h);
    else
        r = expect_echo(h, type, 5, 1);
    suite_close(h, type);
    if (r == CASE_PASS && rec_count(h, EV_DOWN)) r = case_fail("link-down event although the core closed the link");
    return r;
}

static int tcp_echo_sizes(void)
{
    static const size_t sizes[] = {1, 2, 100, 1460, 4096, 16384, 65535, 65536};
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    size_t i;
    int r = CASE_PASS;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    h = open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect: %s", oi.why);
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && r == CASE_PASS; i++) r = expect_echo(h, type, sizes[i], (unsigned)i);
    suite_close(h, type);
    return r;
}

static int tcp_connect_refused(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    uint64_t t0 = now_ms();
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    h = open_stream(0, host(), port("refuse"), &type, &oi, WAIT_MS);
    if (h != SOCKET_FD_INVALID)
    {
        suite_close(h, type);
        return case_fail("connect to a refusing port succeeded");
    }
    if (oi.result != 0) return case_fail("no failure reported for a refused connect: %s", oi.why);
    if (now_ms() - t0 > 5000) return case_fail("refusal took %lu ms to report", (unsigned long)(now_ms() - t0));
    return CASE_PASS;
}

static int tcp_connect_timeout(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    uint64_t t0 = now_ms(), took;
    char target[80];
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    if (!*cfg_str("blackhole-host", "")) return case_skip("no black-hole address (needs the namespace run)");
    snprintf(target, sizeof(target), "%s", cfg_str("blackhole-host", ""));
    h = open_stream(0, target, port("blackhole-port"), &type, &oi, (int)QHAL_CONNECT_TIMEOUT_MS + 5000);
    took = now_ms() - t0;
    if (h != SOCKET_FD_INVALID)
    {
        suite_close(h, type);
        return case_fail("connect to a black hole succeeded");
    }
    /* The HAL must give up first, so the core hears its FALSE rather than its own timer. */
    if (QHAL_CONNECT_ASYNC && oi.result != 0)
        return case_fail("no ConnResult(FALSE) before the core's timer (*connectTimeout %u ms): %s",
                         (unsigned)oi.timeout, oi.why);
    if (QHAL_CONNECT_ASYNC && took * 2 < QHAL_CONNECT_TIMEOUT_MS)
        return case_fail("gave up after %lu ms, far sooner than QHAL_CONNECT_TIMEOUT_MS (%u)", (unsigned long)took,
                         (unsigned)QHAL_CONNECT_TIMEOUT_MS);
    if (!QHAL_CONNECT_ASYNC && took > QHAL_CONNECT_TIMEOUT_MS + 2000)
        return case_fail("sync connect blocked %lu ms, more than QHAL_CONNECT_TIMEOUT_MS", (unsigned long)took);
    return CASE_PASS;
}

/* A loopback connect is often up before Init returns, so a HAL may know the outcome inside
 * Init. The core registers the channel only after Init returned: the ConnResult must come
 * after that (one before is dropped, and counted here), exactly once, and the link works. */
static int tcp_connect_result_once(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    int i, n, dropped, r = CASE_PASS;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    if (!QHAL_CONNECT_ASYNC) return case_skip("sync board: Init returns the link up, no ConnResult");
    (void)rec_dropped_results();
    for (i = 0; i < 5 && r == CASE_PASS; i++)
    {
        h = open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
        dropped = rec_dropped_results();
        if (h == SOCKET_FD_INVALID)
            return case_fail("round %d: %s (%d ConnResult dropped: before Init returned)", i, oi.why, dropped);
        /* Time for a second ConnResult to show up, from the I/O context or the core's task. */
        sleep_ms(20);
        (void)core_run_signals();
        n = rec_count(h, EV_CONN);
        dropped += rec_dropped_results();
        if (n != 1 || dropped != 0)
            r = case_fail("round %d: %d ConnResults recorded, %d dropped (arrived before Init returned); expected 1 and 0",
                          i, n, dropped);
        else
            r = expect_echo(h, type, 32, (unsigned)i);
        suite_close(h, type);
    }
    return r;
}

static int tcp_dns_fallback(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    int r;
    if (need(QHAL_FEATURE_TCP, "tcp") || need(QHAL_FEATURE_DNS, "dns")) return CASE_SKIP;
    if (QHAL_DNS_MAX_ADDRESSES < 2)
        return case_skip("the board resolves one address per name (dns.maxAddresses %d): no next address to try",
                         (int)QHAL_DNS_MAX_ADDRESSES);
    if (!cfg_int("dns-names", 0)) return case_skip("test names do not resolve here (needs the namespace run)");
    h = open_stream(0, "multi.qhal.test", port("tcp-echo"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID)
        return case_fail("multi.qhal.test (%s refuses, then %s): %s", zone_refuse(), zone_addr(), oi.why);
    r = expect_echo(h, type, 64, 7);
    suite_close(h, type);
    return r;
}

static int tcp_ipv6(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    int r;
    if (need(QHAL_FEATURE_TCP, "tcp") || need(QHAL_FEATURE_IPV6, "ipv6")) return CASE_SKIP;
    if (!port("tcp-echo6")) return case_skip("the broker has no IPv6 loopback echo");
    h = open_stream(0, host6(), port("tcp-echo6"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect to [%s]: %s", host6(), oi.why);
    r = expect_echo(h, type, 300, 3);
    suite_close(h, type);
    if (r != CASE_PASS || !cfg_int("dns-names", 0)) return r;
    h = open_stream(0, "v6.qhal.test", port("tcp-echo6"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect to v6.qhal.test (AAAA %s): %s", host6(), oi.why);
    r = expect_echo(h, type, 300, 4);
    suite_close(h, type);
    return r;
}

static int tcp_partial_writes(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    char reply[128];
    long before = 0, after = 0;
    unsigned long total = 0;
    int writes = 0, sending = 0, r = CASE_PASS;
    const size_t chunk = WRITE_MAX < 60000 ? WRITE_MAX : 60000;
    uint64_t t0;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    if (control("slow-bytes", reply, sizeof(reply)) == 0) before = atol(reply + 3);
    h = open_stream(0, host(), port("slow"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect to the slow reader: %s", oi.why);
    fill_pattern(chunk, 9);
    t0 = now_ms();
    while (!sending && writes < 2000)
    {
        qbool s = FALSE;
        uint64_t w0 = now_ms();
        if (!suite_write(h, type, NULL, g_pattern, (quint16_t)chunk, &s))
        {
            r = case_fail("Qhal_sockWrite returned FALSE after %lu bytes", total);
            break;
        }
        if (now_ms() - w0 > 500)
        {
            r = case_fail("Qhal_sockWrite blocked %lu ms", (unsigned long)(now_ms() - w0));
            break;
        }
        total += chunk;
        writes++;
        sending = s;
    }
    if (r == CASE_PASS && !sending)
        r = case_fail("isSending never set after %lu bytes to a reader that reads nothing", total);
    if (r == CASE_PASS && !wait_count(h, EV_TX, 1, 20000))
        r = case_fail("no Quos_socketIOTxCb within 20 s after isSending (wrote %lu bytes in %d writes)", total, writes);
    if (r == CASE_PASS)
    {
        uint64_t deadline = now_ms() + 15000;
        while (now_ms() < deadline)
        {
            if (control("slow-bytes", reply, sizeof(reply)) == 0) after = atol(reply + 3);
            if ((unsigned long)(after - before) >= total) break;
            sleep_ms(100);
        }
        if ((unsigned long)(after - before) != total)
            r = case_fail("reader got %ld bytes, HAL accepted %lu", after - before, total);
    }
    (void)t0;
    suite_close(h, type);
    return r;
}

static int tcp_down_on_reset(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    int r = CASE_PASS;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    h = open_stream(0, host(), port("reset"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect: %s", oi.why);
    if (!suite_write(h, type, NULL, (const quint8_t *)"boom", 4, NULL)) r = case_fail("write returned FALSE");
    else if (!wait_count(h, EV_DOWN, 1, WAIT_MS)) r = case_fail("no link-down event after the peer reset the link");
    else
    {
        sleep_ms(300);
        if (rec_count(h, EV_DOWN) != 1) r = case_fail("link-down event %d times", rec_count(h, EV_DOWN));
        else if (suite_write(h, type, NULL, (const quint8_t *)"x", 1, NULL))
            r = case_fail("Qhal_sockWrite on a reset link returned TRUE");
    }
    suite_close(h, type);
    return r;
}

static int tcp_down_on_close(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    int r = CASE_PASS, n = port("close-after-bytes"), i;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    h = open_stream(0, host(), port("close-after"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect: %s", oi.why);
    if (!wait_count(h, EV_DOWN, 1, WAIT_MS)) r = case_fail("no link-down event after the peer closed");
    else if (rec_rx(h, g_buf, sizeof(g_buf)) != (size_t)n)
        r = case_fail("got %lu bytes before the close, expected %d", (unsigned long)rec_rx(h, NULL, 0), n);
    else
    {
        for (i = 0; i < n; i++)
            if (g_buf[i] != (quint8_t)(i & 0xff)) break;
        if (i != n) r = case_fail("data before the close corrupted at byte %d", i);
        sleep_ms(300);
        if (r == CASE_PASS && rec_count(h, EV_DOWN) != 1) r = case_fail("link-down event %d times", rec_count(h, EV_DOWN));
    }
    suite_close(h, type);
    return r;
}

static int tcp_close_in_flight(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    int i;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    h = open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect: %s", oi.why);
    fill_pattern(WRITE_MAX, 5);
    for (i = 0; i < 4; i++)
    {
        qbool s = FALSE;
        if (!suite_write(h, type, NULL, g_pattern, (quint16_t)WRITE_MAX, &s) || s) break;
    }
    suite_close(h, type);
    /* Echoed data is now arriving for a closed handle: none of it may reach the core. */
    sleep_ms(500);
    if (suite_write(h, type, NULL, g_pattern, 10, NULL)) return case_fail("Qhal_sockWrite on a closed handle returned TRUE");
    if (suite_write(SOCKET_FD_INVALID, type, NULL, g_pattern, 10, NULL))
        return case_fail("Qhal_sockWrite on SOCKET_FD_INVALID returned TRUE");
    Qhal_sockClose(SOCKET_FD_INVALID, type);
    return CASE_PASS;
}

static int tcp_close_inside_callback(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    int r = CASE_PASS;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    /* 1: close from inside the Rx that carries data (the echo). */
    h = open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect: %s", oi.why);
    rec_close_in_callback(h);
    fill_pattern(20000, 51);
    if (!suite_write(h, type, NULL, g_pattern, (quint16_t)(WRITE_MAX < 20000 ? WRITE_MAX : 20000), NULL))
    {
        rec_close_in_callback(SOCKET_FD_INVALID);
        suite_close(h, type);
        return case_fail("write returned FALSE");
    }
    if (rec_closed_in_callback(WAIT_MS) != 1) return case_fail("the echo never arrived, or the close inside Quos_socketIORx did not return");
    /* 2: close from inside the link-down event (the core's usual reaction). */
    h = open_stream(0, host(), port("reset"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect to the reset port: %s", oi.why);
    rec_close_in_callback(h);
    if (!suite_write(h, type, NULL, (const quint8_t *)"boom", 4, NULL)) r = case_fail("write returned FALSE");
    else if (rec_closed_in_callback(WAIT_MS) != 1) r = case_fail("no Rx event to close from");
    rec_close_in_callback(SOCKET_FD_INVALID);
    if (r != CASE_PASS)
    {
        suite_close(h, type);
        return r;
    }
    sleep_ms(300);
    /* The I/O context must still be alive. */
    h = open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("after closing inside callbacks, a new connect failed: %s", oi.why);
    r = expect_echo(h, type, 100, 52);
    suite_close(h, type);
    return r;
}

/* ---- TLS ---- */

static int tls_case(const char *key, int expectUp, int needClientCert)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    int r = CASE_PASS;
    if (need(QHAL_FEATURE_TLS, "tls")) return CASE_SKIP;
    if (needClientCert && !QHAL_CLIENT_CERT) return case_skip("board has no client certificate (QHAL_CLIENT_CERT 0)");
    h = open_stream(1, tls_name(), port(key), &type, &oi, WAIT_MS + 5000);
    if (!expectUp)
    {
        if (h != SOCKET_FD_INVALID)
        {
            suite_close(h, type);
            return case_fail("TLS link came up although the server certificate must be rejected");
        }
        if (oi.result != 0) return case_fail("no failure reported: %s", oi.why);
        return CASE_PASS;
    }
    if (h == SOCKET_FD_INVALID) return case_fail("TLS connect to %s: %s", tls_name(), oi.why);
    r = expect_echo(h, type, 1000, 11);
    if (r == CASE_PASS) r = expect_echo(h, type, 65536 + 123, 12);
    suite_close(h, type);
    return r;
}

static int tls_valid(void) { return tls_case("tls-valid", 1, 0); }

/* The server named by its address (the broker's, as the HAL reaches it): the HAL must not send
 * it as SNI (RFC 6066) and must check the certificate's iPAddress SAN itself, since mbedtls 2.28
 * matches names only against DNS SANs and the CN. The broker's certificate names the address;
 * the wrong-host one names only wrong.invalid, so it must be refused. */
static int tls_ip_literal(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    int r;
    if (need(QHAL_FEATURE_TLS, "tls")) return CASE_SKIP;
    h = open_stream(1, host(), port("tls-valid"), &type, &oi, WAIT_MS + 5000);
    if (h == SOCKET_FD_INVALID) return case_fail("TLS connect to the address %s: %s", host(), oi.why);
    r = expect_echo(h, type, 1000, 14);
    suite_close(h, type);
    if (r != CASE_PASS) return r;
    h = open_stream(1, host(), port("tls-wrong-host"), &type, &oi, WAIT_MS + 5000);
    if (h != SOCKET_FD_INVALID)
    {
        suite_close(h, type);
        return case_fail("TLS link to %s came up with a certificate that does not name that address", host());
    }
    if (oi.result != 0) return case_fail("no failure reported: %s", oi.why);
    return CASE_PASS;
}

/* The server sends one 16 KiB record, the largest TLS allows, before anything else: a stack
 * that frees receive window only for decrypted records must have a window that holds one. */
static int tls_full_record(void)
{
    const size_t n = 16384;
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    size_t got, i;
    int r = CASE_PASS;
    if (need(QHAL_FEATURE_TLS, "tls")) return CASE_SKIP;
    h = open_stream(1, tls_name(), port("tls-full-record"), &type, &oi, WAIT_MS + 5000);
    if (h == SOCKET_FD_INVALID) return case_fail("TLS connect to %s: %s", tls_name(), oi.why);
    if (!wait_rx(h, n, WAIT_MS))
        r = case_fail("record of %lu bytes: only %lu arrived", (unsigned long)n, (unsigned long)rec_rx(h, NULL, 0));
    else if ((got = rec_rx(h, g_buf, sizeof(g_buf))) != n)
        r = case_fail("record of %lu bytes: %lu arrived", (unsigned long)n, (unsigned long)got);
    else
    {
        for (i = 0; i < n && g_buf[i] == (quint8_t)(i & 0xff); i++) continue;
        if (i < n) r = case_fail("record corrupted at byte %lu", (unsigned long)i);
    }
    if (r == CASE_PASS) r = expect_echo(h, type, 1000, 13);
    suite_close(h, type);
    return r;
}
static int tls_wrong_host(void) { return tls_case("tls-wrong-host", 0, 0); }
static int tls_expired(void)
{
#if defined(SUITE_CERT_DATES_CHECKED) && !SUITE_CERT_DATES_CHECKED
    /* mbedtls checks validity dates only with a calendar clock (MBEDTLS_HAVE_TIME_DATE). */
    if (QHAL_FEATURE_TLS)
        return case_skip("the board has no calendar clock: certificate dates are not checked (MBEDTLS_HAVE_TIME_DATE off)");
#endif
    return tls_case("tls-expired", 0, 0);
}
static int tls_untrusted(void) { return tls_case("tls-untrusted", 0, 0); }
static int tls_mutual(void) { return tls_case("tls-mutual", 1, 1); }

/* ---- DTLS ---- */

static pointer_t open_dtls(const char *hostname, int rport, quint8_t *type)
{
    pointer_t h;
    *type = 0xff;
    rec_opening();
    h = Qhal_udpSslInit(type, 0, hostname, (quint16_t)rport);
    rec_opened(h);
    return h;
}

static int dtls_echo_case(const char *hostname, int rport)
{
    quint8_t type;
    pointer_t h = open_dtls(hostname, rport, &type);
    int r;
    if (h == SOCKET_FD_INVALID) return case_fail("Qhal_udpSslInit(%s:%d) failed", hostname, rport);
    if (type != SOCKET_TYPE_UDP_SSL_CLI) r = case_fail("*type %u, expected SOCKET_TYPE_UDP_SSL_CLI", (unsigned)type);
    else r = expect_echo(h, type, 200, 21);
    if (r == CASE_PASS) r = expect_echo(h, type, 1000, 22);
    suite_close(h, type);
    return r;
}

static int dtls_psk(void)
{
    if (need(QHAL_FEATURE_DTLS, "dtls")) return CASE_SKIP;
    if (!QHAL_PSK) return case_skip("board has no PSK hook (QHAL_PSK 0)");
    if (!port("dtls-psk")) return case_skip("the broker has no DTLS server");
    suite_psk_wrong(0);
    return dtls_echo_case(host(), port("dtls-psk"));
}

static int dtls_psk_wrong_key(void)
{
    quint8_t type;
    pointer_t h;
    if (need(QHAL_FEATURE_DTLS, "dtls")) return CASE_SKIP;
    if (!QHAL_PSK) return case_skip("board has no PSK hook (QHAL_PSK 0)");
    if (!port("dtls-psk")) return case_skip("the broker has no DTLS server");
    suite_psk_wrong(1);
    h = open_dtls(host(), port("dtls-psk"), &type);
    suite_psk_wrong(0);
    if (h != SOCKET_FD_INVALID)
    {
        suite_close(h, type);
        return case_fail("DTLS link came up with the wrong pre-shared key");
    }
    return CASE_PASS;
}

static int dtls_cert(void)
{
    if (need(QHAL_FEATURE_DTLS, "dtls")) return CASE_SKIP;
    if (QHAL_PSK) return case_skip("board uses a pre-shared key for DTLS");
    if (!port("dtls-cert")) return case_skip("the broker has no DTLS server");
    return dtls_echo_case(tls_name(), port("dtls-cert"));
}

/* ---- UDP ---- */

static pointer_t open_udp(quint16_t lport, const char *hostname, int rport, void **peer, quint8_t *type)
{
    pointer_t h;
    *type = 0xff;
    rec_opening();
    h = Qhal_udpInit(type, lport, hostname, (quint16_t)rport, peer);
    rec_opened(h);
    return h;
}

static int udp_with_peer(void)
{
    quint8_t type;
    void *peer = NULL;
    pointer_t h;
    peer_buf_t from;
    int r;
    long live0 = shim_live_allocations();
    if (need(QHAL_FEATURE_UDP, "udp")) return CASE_SKIP;
    h = open_udp(0, host(), port("udp-echo"), &peer, &type);
    if (h == SOCKET_FD_INVALID) return case_fail("Qhal_udpInit with a peer failed");
    if (type != SOCKET_TYPE_UDP) r = case_fail("*type %u, expected SOCKET_TYPE_UDP", (unsigned)type);
    else if (peer == NULL) r = case_fail("*peer not set");
    else if (shim_live_allocations() != live0 + 1 && shim_live_allocations() < live0 + 1)
        r = case_fail("*peer not allocated with HAL_MALLOC");
    else if (peer_port(peer) != port("udp-echo"))
        r = case_fail("*peer holds port %d, expected %d", peer_port(peer), port("udp-echo"));
    else
    {
        fill_pattern(512, 31);
        r = write_all(h, type, peer, g_pattern, 512);
        if (r == CASE_PASS && !wait_rx(h, 512, WAIT_MS)) r = case_fail("no echo datagram");
        if (r == CASE_PASS && rec_rx(h, g_buf, sizeof(g_buf)) == 512 && memcmp(g_buf, g_pattern, 512))
            r = case_fail("echo datagram corrupted");
        if (r == CASE_PASS && (!rec_last_peer(h, &from, sizeof(from)) || peer_port(&from) != port("udp-echo")))
            r = case_fail("Rx peer is not the echo server");
    }
    suite_close(h, type);
    if (peer) qhal_shim_free(peer);
    return r;
}

static int udp_without_peer(void)
{
    quint8_t type;
    pointer_t h;
    int r;
    if (need(QHAL_FEATURE_UDP, "udp")) return CASE_SKIP;
    h = open_udp(0, host(), port("udp-echo"), NULL, &type);
    if (h == SOCKET_FD_INVALID) return case_fail("Qhal_udpInit without peer out-parameter failed");
    fill_pattern(DGRAM_MAX(1200), 41);
    r = write_all(h, type, NULL, g_pattern, DGRAM_MAX(1200));
    if (r == CASE_PASS && !wait_rx(h, DGRAM_MAX(1200), WAIT_MS)) r = case_fail("no echo for a write without peer");
    suite_close(h, type);
    return r;
}

static int udp_bound_only(void)
{
    quint8_t type;
    pointer_t h;
    int r = CASE_PASS, lport, reachPort, src;
    char reachHost[64];
    peer_buf_t from;
    char cmd[128], reply[128];
    if (need(QHAL_FEATURE_UDP, "udp")) return CASE_SKIP;
    lport = port_local_port(0, reachHost, sizeof(reachHost), &reachPort);
    if (lport <= 0) return case_fail("could not find a free UDP port");
    h = open_udp((quint16_t)lport, NULL, 0, NULL, &type);
    if (h == SOCKET_FD_INVALID) return case_fail("Qhal_udpInit(l_port %d, hostname NULL) failed", lport);
    snprintf(cmd, sizeof(cmd), "udp-send %d hello-lan %s", reachPort, reachHost);
    if (control(cmd, reply, sizeof(reply)) != 0) r = case_fail("broker: %s", reply);
    else
    {
        src = atoi(reply + 3);
        if (!wait_rx(h, 9, WAIT_MS)) r = case_fail("datagram to the bound port not delivered");
        else if (!rec_last_peer(h, &from, sizeof(from))) r = case_fail("datagram delivered without its sender");
        else if (!cfg_int("nat", 0) && peer_port(&from) != src)
            r = case_fail("sender port %d, expected %d", peer_port(&from), src);
        else
        {
            /* Reply through an explicit peer (the UDP echo), as LAN discovery does. */
            peer_buf_t echo;
            if (!peer_make_ipv4(&echo, host(), port("udp-echo")))
                r = case_fail("host %s is not an IPv4 literal", host());
            else if (!suite_write(h, type, &echo, (const quint8_t *)"reply", 5, NULL))
                r = case_fail("Qhal_sockWrite with an explicit peer returned FALSE");
            else if (!wait_rx(h, 14, WAIT_MS)) r = case_fail("no echo for the reply sent to an explicit peer");
            else if (!rec_last_peer(h, &from, sizeof(from)) || peer_port(&from) != port("udp-echo"))
                r = case_fail("echo's sender is not the echo server");
        }
    }
    suite_close(h, type);
    return r;
}

/* ---- TCP server ---- */

static int tcp_server_max_clients(void)
{
    quint8_t type;
    pointer_t l, clients[8];
    int r = CASE_PASS, lport, reachPort, n, i;
    char reachHost[64];
    char cmd[128], reply[128];
    const int maxc = 2;
    if (need(QHAL_FEATURE_TCP_SERVER, "tcpServer")) return CASE_SKIP;
    lport = port_local_port(1, reachHost, sizeof(reachHost), &reachPort);
    if (lport <= 0) return case_fail("could not find a free TCP port");
    type = 0xff;
    rec_opening();
    l = Qhal_tcpServerInit(&type, (quint16_t)lport, maxc);
    rec_opened(l);
    if (l == SOCKET_FD_INVALID) return case_fail("Qhal_tcpServerInit(port %d, %d clients) failed", lport, maxc);
    if (type != SOCKET_TYPE_TCP_LISTEN)
    {
        suite_close(l, type);
        return case_fail("*type %u, expected SOCKET_TYPE_TCP_LISTEN", (unsigned)type);
    }
    snprintf(cmd, sizeof(cmd), "connect %d %d %s", reachPort, maxc + 1, reachHost);
    if (control(cmd, reply, sizeof(reply)) != 0) r = case_fail("broker could not connect: %s", reply);
    if (r == CASE_PASS && !wait_count(l, EV_ACCEPT, maxc, WAIT_MS))
        r = case_fail("%d clients handed to the core, expected %d", rec_count(l, EV_ACCEPT), maxc);
    if (r == CASE_PASS)
    {
        uint64_t deadline = now_ms() + 5000;
        int open = -1, closed = -1;
        sleep_ms(300);
        if (rec_count(l, EV_ACCEPT) != maxc)
            r = case_fail("%d clients handed to the core, expected at most %d", rec_count(l, EV_ACCEPT), maxc);
        while (r == CASE_PASS && now_ms() < deadline)
        {
            if (control("clients", reply, sizeof(reply)) == 0 && sscanf(reply, "ok %d %d", &open, &closed) == 2 &&
                open == maxc && closed == 1)
                break;
            sleep_ms(100);
        }
        if (r == CASE_PASS && !(open == maxc && closed == 1))
            r = case_fail("broker sees %d open and %d closed clients, expected %d and 1", open, closed, maxc);
    }
    n = rec_accepted(l, clients, 8);
    if (r == CASE_PASS)
    {
        for (i = 0; i < n; i++) rec_opened(clients[i]);
        if (control("send hi", reply, sizeof(reply)) != 0) r = case_fail("broker send: %s", reply);
        for (i = 0; i < n && r == CASE_PASS; i++)
            if (!wait_rx(clients[i], 2, WAIT_MS)) r = case_fail("client %d received nothing under its own handle", i);
        for (i = 0; i < n && r == CASE_PASS; i++)
            if (!suite_write(clients[i], SOCKET_TYPE_TCP_CLI, NULL, (const quint8_t *)"yo", 2, NULL))
                r = case_fail("write to accepted client %d returned FALSE", i);
        if (r == CASE_PASS)
        {
            uint64_t deadline = now_ms() + 5000;
            int bytes = -1, o, c;
            while (now_ms() < deadline)
            {
                if (control("clients", reply, sizeof(reply)) == 0 && sscanf(reply, "ok %d %d %d", &o, &c, &bytes) == 3 &&
                    bytes >= 2 * maxc)
                    break;
                sleep_ms(50);
            }
            if (bytes != 2 * maxc) r = case_fail("broker's clients received %d bytes, expected %d", bytes, 2 * maxc);
        }
        if (r == CASE_PASS)
        {
            control("drop-clients", reply, sizeof(reply));
            for (i = 0; i < n && r == CASE_PASS; i++)
                if (!wait_count(clients[i], EV_DOWN, 1, WAIT_MS)) r = case_fail("no link-down for accepted client %d", i);
        }
    }
    control("drop-clients", reply, sizeof(reply));
    for (i = 0; i < n; i++) suite_close(clients[i], SOCKET_TYPE_TCP_CLI);
    suite_close(l, type);
    return r;
}

/* ---- DNS ---- */

/* 1 when a (and b, when want > 1) are multi.qhal.test's answers in the order the case expects. */
static int dns_first(const char *a, const char *b, quint32_t want)
{
#ifdef __GLIBC__
    int aRefuse = strcmp(a, zone_refuse()) == 0;
    if (!aRefuse && strcmp(a, zone_addr()) != 0) return 0;
    return want < 2 || strcmp(b, aRefuse ? zone_addr() : zone_refuse()) == 0;
#else
    return strcmp(a, zone_refuse()) == 0 && (want < 2 || strcmp(b, zone_addr()) == 0);
#endif
}

static int dns_get(void)
{
    static quint8_t bufs[4][46];
    quint8_t *list[4];
    quint32_t n, want;
    int i;
    if (need(QHAL_FEATURE_DNS, "dns")) return CASE_SKIP;
    for (i = 0; i < 4; i++)
    {
        memset(bufs[i], '#', sizeof(bufs[i]));
        list[i] = bufs[i];
    }
    n = Qhal_dns2IPGet("127.0.0.1", list, 3);
    if (n != 1 || strcmp((char *)bufs[0], "127.0.0.1")) return case_fail("literal 127.0.0.1: %u answers, first '%.46s'", (unsigned)n, bufs[0]);
    if (!cfg_int("dns-names", 0))
    {
        n = Qhal_dns2IPGet("localhost", list, 3);
        if (n < 1) return case_fail("localhost did not resolve");
        return CASE_PASS;
    }
    n = Qhal_dns2IPGet("one.qhal.test", list, 3);
    if (n != 1 || strcmp((char *)bufs[0], zone_addr()))
        return case_fail("one.qhal.test: %u answers, first '%.46s', expected %s", (unsigned)n, bufs[0], zone_addr());
    /* Two A records, in order; a board that keeps fewer (dns.maxAddresses) returns the first ones.
     * glibc's getaddrinfo (the sanitized native build, toolkit/run/sanitize.ts) sorts the answers
     * by RFC 6724 destination address selection, so there the order is the resolver's, not the
     * DNS answer's: both addresses must come back, in either order. */
    want = QHAL_DNS_MAX_ADDRESSES < 2 ? (quint32_t)QHAL_DNS_MAX_ADDRESSES : 2u;
    n = Qhal_dns2IPGet("multi.qhal.test", list, 3);
    if (n != want || !dns_first((char *)bufs[0], (char *)bufs[1], want))
        return case_fail("multi.qhal.test: %u answers '%.46s' '%.46s', expected %u: %s then %s", (unsigned)n, bufs[0],
                         n > 1 ? (char *)bufs[1] : "", (unsigned)want, zone_refuse(), zone_addr());
    for (i = 0; i < 4; i++) memset(bufs[i], '#', sizeof(bufs[i]));
    n = Qhal_dns2IPGet("multi.qhal.test", list, 1);
    if (n != 1 || !dns_first((char *)bufs[0], NULL, 1)) return case_fail("addrMax 1: %u answers", (unsigned)n);
    if (bufs[1][0] != '#') return case_fail("addrMax 1: the HAL wrote past retAddr[0]");
    if (QHAL_FEATURE_IPV6)
    {
        n = Qhal_dns2IPGet("v6.qhal.test", list, 3);
        if (n != 1 || strcmp((char *)bufs[0], host6()))
            return case_fail("v6.qhal.test: %u answers, first '%.46s', expected %s", (unsigned)n, bufs[0], host6());
    }
    n = Qhal_dns2IPGet("nope.qhal.test", list, 3);
    if (n != 0) return case_fail("an unknown name gave %u answers", (unsigned)n);
    return CASE_PASS;
}

/* ---- broadcast ---- */

static int broadcast(void)
{
    quint8_t type;
    pointer_t h;
    int r = CASE_PASS, count = 0;
    char reply[256], hex[64];
    uint64_t deadline;
    if (need(QHAL_FEATURE_BROADCAST, "broadcast") || need(QHAL_FEATURE_UDP, "udp")) return CASE_SKIP;
    if (!port("broadcast")) return case_skip("no broadcast listener reachable (needs the namespace run)");
    control("bcast-reset", reply, sizeof(reply));
    h = open_udp(0, NULL, 0, NULL, &type);
    if (h == SOCKET_FD_INVALID) return case_fail("Qhal_udpInit(bind only) failed");
    if (!Qhal_sockUdpBroadCastLAN(h, (quint16_t)port("broadcast"), (quint8_t *)"qhal-bcast", 10))
        r = case_fail("Qhal_sockUdpBroadCastLAN returned FALSE");
    deadline = now_ms() + 5000;
    while (r == CASE_PASS && now_ms() < deadline)
    {
        if (control("bcast", reply, sizeof(reply)) == 0 && sscanf(reply, "ok %d %63s", &count, hex) == 2 && count > 0) break;
        sleep_ms(50);
    }
    if (r == CASE_PASS && count < 1) r = case_fail("the broadcast did not arrive at 0.0.0.0:%d", port("broadcast"));
    if (r == CASE_PASS && strcmp(hex, "7168616c2d6263617374")) r = case_fail("broadcast payload %s", hex);
    suite_close(h, type);
    return r;
}

/* ---- MQTT 3.1.1 through the real broker ---- */

typedef struct
{
    pointer_t h;
    quint8_t type;
    size_t off; /* consumed bytes of the received stream */
} mqtt_t;

static size_t mqtt_str(quint8_t *p, const char *s)
{
    size_t n = strlen(s);
    p[0] = (quint8_t)(n >> 8);
    p[1] = (quint8_t)n;
    memcpy(p + 2, s, n);
    return n + 2;
}

/* Sends header + body as one write. */
static int mqtt_packet(mqtt_t *m, quint8_t hdr, const quint8_t *body, size_t len)
{
    quint8_t pkt[300];
    size_t n = 0, rem = len;
    pkt[n++] = hdr;
    do
    {
        quint8_t b = (quint8_t)(rem % 128);
        rem /= 128;
        if (rem) b |= 0x80;
        pkt[n++] = b;
    } while (rem);
    if (len) memcpy(pkt + n, body, len); /* body is NULL for an empty packet (PINGREQ) */
    n += len;
    if (!suite_write(m->h, m->type, NULL, pkt, (quint16_t)n, NULL)) return case_fail("write of MQTT packet 0x%02x failed", hdr);
    return CASE_PASS;
}

/* Waits for the next packet; returns its first byte and copies the body. -1 on time-out. */
static int mqtt_next(mqtt_t *m, quint8_t *body, size_t *len)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    for (;;)
    {
        size_t have = rec_rx(m->h, g_buf, sizeof(g_buf)), i = m->off + 1, rem = 0, mul = 1;
        if (have > m->off + 1)
        {
            int complete = 0;
            while (i < have)
            {
                rem += (size_t)(g_buf[i] & 0x7f) * mul;
                mul *= 128;
                if (!(g_buf[i++] & 0x80))
                {
                    complete = 1;
                    break;
                }
            }
            if (complete && have >= i + rem)
            {
                int first = g_buf[m->off];
                memcpy(body, g_buf + i, rem < 256 ? rem : 256);
                *len = rem;
                m->off = i + rem;
                return first;
            }
        }
        if (now_ms() >= deadline || rec_count(m->h, EV_DOWN)) return -1;
        wait_rx(m->h, have + 1, (int)(deadline - now_ms()));
    }
}

static int mqtt_round_trip(int tls)
{
    mqtt_t m;
    open_info_t oi;
    quint8_t body[256], in[256];
    size_t n = 0, len;
    int first, r = CASE_PASS, gotPuback = 0, gotPublish = 0, i;
    const char *topic = tls ? "qhal/conformance/tls" : "qhal/conformance/tcp";
    memset(&m, 0, sizeof(m));
    m.h = open_stream(tls, tls ? tls_name() : host(), port(tls ? "mqtt-tls" : "mqtt-tcp"), &m.type, &oi, WAIT_MS);
    if (m.h == SOCKET_FD_INVALID) return case_fail("connect to the MQTT broker: %s", oi.why);
    /* CONNECT: protocol MQTT level 4, clean session, keep-alive 30 s. */
    n = mqtt_str(body, "MQTT");
    body[n++] = 4;
    body[n++] = 0x02;
    body[n++] = 0;
    body[n++] = 30;
    n += mqtt_str(body + n, tls ? "qhal-conformance-tls" : "qhal-conformance-tcp");
    r = mqtt_packet(&m, 0x10, body, n);
    if (r == CASE_PASS)
    {
        first = mqtt_next(&m, in, &len);
        if (first != 0x20 || len != 2 || in[1] != 0) r = case_fail("CONNACK expected, got 0x%02x (rc %d)", first, len == 2 ? in[1] : -1);
    }
    if (r == CASE_PASS)
    {
        n = 0;
        body[n++] = 0;
        body[n++] = 1;
        n += mqtt_str(body + n, topic);
        body[n++] = 1;
        r = mqtt_packet(&m, 0x82, body, n);
    }
    if (r == CASE_PASS)
    {
        first = mqtt_next(&m, in, &len);
        if (first != 0x90 || len != 3 || in[2] != 1) r = case_fail("SUBACK QoS 1 expected, got 0x%02x", first);
    }
    if (r == CASE_PASS)
    {
        n = mqtt_str(body, topic);
        body[n++] = 0;
        body[n++] = 2;
        memcpy(body + n, "hello-qhal", 10);
        n += 10;
        r = mqtt_packet(&m, 0x32, body, n);
    }
    for (i = 0; i < 4 && r == CASE_PASS && !(gotPuback && gotPublish); i++)
    {
        first = mqtt_next(&m, in, &len);
        if (first == 0x40 && len == 2 && in[1] == 2) gotPuback = 1;
        else if ((first & 0xf0) == 0x30)
        {
            size_t tl = ((size_t)in[0] << 8) | in[1];
            size_t qos = (size_t)(first >> 1) & 3u, po = 2 + tl + (qos ? 2 : 0);
            if (tl != strlen(topic) || memcmp(in + 2, topic, tl) || len - po != 10 || memcmp(in + po, "hello-qhal", 10))
                r = case_fail("PUBLISH came back altered");
            gotPublish = 1;
            if (qos)
            {
                quint8_t ack[2];
                ack[0] = in[2 + tl];
                ack[1] = in[3 + tl];
                r = mqtt_packet(&m, 0x40, ack, 2);
            }
        }
        else if (first < 0) r = case_fail("waiting for PUBACK and PUBLISH: %s", rec_count(m.h, EV_DOWN) ? "link down" : "time-out");
    }
    if (r == CASE_PASS && !(gotPuback && gotPublish)) r = case_fail("PUBACK %d, PUBLISH %d", gotPuback, gotPublish);
    if (r == CASE_PASS) r = mqtt_packet(&m, 0xe0, NULL, 0);
    sleep_ms(50);
    suite_close(m.h, m.type);
    return r;
}

static int mqtt_tcp(void)
{
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    return mqtt_round_trip(0);
}

static int mqtt_tls(void)
{
    if (need(QHAL_FEATURE_TLS, "tls")) return CASE_SKIP;
    return mqtt_round_trip(1);
}

/* ---- resources ---- */

static int open_close_cycles(void)
{
    int fds0, fds1, i, r = CASE_PASS, retried = 0;
    long live0, live1;
    quint8_t type;
    open_info_t oi;
    if (need(QHAL_FEATURE_TCP || QHAL_FEATURE_UDP, "tcp or udp")) return CASE_SKIP;
    /* Warm up (lazy I/O thread start, resolver state), then take the baseline. */
    for (i = 0; i < 3; i++)
    {
        void *peer = NULL;
        pointer_t h = open_udp(0, host(), port("udp-echo"), &peer, &type);
        if (h != SOCKET_FD_INVALID) suite_close(h, type);
        if (peer) qhal_shim_free(peer);
    }
    sleep_ms(200);
    fds0 = open_fd_count();
    live0 = shim_live_allocations();
    for (i = 0; i < 1000 && r == CASE_PASS; i++)
    {
        if (QHAL_FEATURE_TCP && (i % 2 == 0 || !QHAL_FEATURE_UDP))
        {
            /* lwIP keeps a closed link's PCB until the peer has answered its FIN, and reclaims
             * only TIME_WAIT ones for a new link: against a peer slowed by load, a tight loop
             * can find the pool empty for a moment. The core retries a failed connect on its
             * timer, so the case does too, within a bound: a leaked PCB never comes back and
             * still fails it. */
            pointer_t h = open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
            int tries = 0;
            while (h == SOCKET_FD_INVALID && tries < 30)
            {
                tries++;
                sleep_ms(100);
                h = open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
            }
            if (tries > 0) retried++;
            if (h == SOCKET_FD_INVALID) r = case_fail("cycle %d: TCP connect failed %d times in 3 s: %s", i, tries + 1, oi.why);
            else suite_close(h, type);
        }
        else
        {
            void *peer = NULL;
            pointer_t h = open_udp(0, host(), port("udp-echo"), &peer, &type);
            if (h == SOCKET_FD_INVALID) r = case_fail("cycle %d: Qhal_udpInit failed", i);
            else suite_close(h, type);
            if (peer) qhal_shim_free(peer);
        }
    }
    if (retried > 0) printf("# open/close: %d of 1000 cycles needed a connect retry (the stack's PCBs were busy with links still closing)\n", retried);
    if (r != CASE_PASS) return r;
    /* Closing releases on the I/O context's next pass: give it a moment. */
    {
        uint64_t deadline = now_ms() + 3000;
        do
        {
            sleep_ms(100);
            fds1 = open_fd_count();
            live1 = shim_live_allocations();
        } while ((fds1 > fds0 || live1 > live0) && now_ms() < deadline);
    }
    if (fds1 > fds0) return case_fail("open descriptors grew from %d to %d over 1000 cycles", fds0, fds1);
    if (live1 > live0) return case_fail("live HAL_MALLOC blocks grew from %ld to %ld over 1000 cycles", live0, live1);
    return CASE_PASS;
}

static int tls_open_close_cycles(void)
{
    int fds0, fds1, i, r = CASE_PASS;
    long live0, live1;
    quint8_t type;
    open_info_t oi;
    if (need(QHAL_FEATURE_TLS, "tls")) return CASE_SKIP;
    {
        pointer_t h = open_stream(1, tls_name(), port("tls-valid"), &type, &oi, WAIT_MS);
        if (h != SOCKET_FD_INVALID) suite_close(h, type);
    }
    sleep_ms(200);
    fds0 = open_fd_count();
    live0 = shim_live_allocations();
    for (i = 0; i < 50 && r == CASE_PASS; i++)
    {
        pointer_t h = open_stream(1, tls_name(), port(i % 5 == 4 ? "tls-untrusted" : "tls-valid"), &type, &oi, WAIT_MS);
        if (h == SOCKET_FD_INVALID && i % 5 != 4) r = case_fail("cycle %d: TLS connect failed: %s", i, oi.why);
        else if (h != SOCKET_FD_INVALID) suite_close(h, type);
    }
    if (r != CASE_PASS) return r;
    {
        uint64_t deadline = now_ms() + 3000;
        do
        {
            sleep_ms(100);
            fds1 = open_fd_count();
            live1 = shim_live_allocations();
        } while ((fds1 > fds0 || live1 > live0) && now_ms() < deadline);
    }
    if (fds1 > fds0) return case_fail("open descriptors grew from %d to %d over 50 TLS cycles", fds0, fds1);
    if (live1 > live0) return case_fail("live HAL_MALLOC blocks grew from %ld to %ld over 50 TLS cycles", live0, live1);
    return CASE_PASS;
}

/* ---- the core's channel lifecycle (kernel/quos_socket.c) ---- */

/* Waits (bounded) until the HAL's descriptors are back to fds0; returns the count seen. */
static int settle_fds(int fds0)
{
    uint64_t deadline = now_ms() + 3000;
    int fds = open_fd_count();
    while (fds > fds0 && now_ms() < deadline)
    {
        sleep_ms(50);
        fds = open_fd_count();
    }
    return fds;
}

/* 3 x QHAL_MAX_SOCKETS links the peer ends. The core never closes a link the HAL reported
 * down, so the HAL must release each slot itself, or the table fills and Init fails. */
static int lifecycle_peer_close_cycles(void)
{
    quint8_t type;
    open_info_t oi;
    int i, fds0, fds1, cycles = 3 * QHAL_MAX_SOCKETS;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    fds0 = open_fd_count();
    for (i = 0; i < cycles; i++)
    {
        pointer_t h = open_stream(0, host(), port("close-after"), &type, &oi, WAIT_MS);
        if (h == SOCKET_FD_INVALID)
            return case_fail("cycle %d of %d: connect failed (%s): slots leak after a link-down", i + 1, cycles, oi.why);
        if (!wait_count(h, EV_DOWN, 1, WAIT_MS))
        {
            suite_close(h, type);
            return case_fail("cycle %d: no link-down event after the peer closed", i + 1);
        }
        /* No Qhal_sockClose: the core does not call it after a link-down (suite_close would skip it). */
    }
    fds1 = settle_fds(fds0);
    if (fds0 >= 0 && fds1 > fds0)
        return case_fail("descriptors grew from %d to %d over %d peer-closed links", fds0, fds1, cycles);
    return CASE_PASS;
}

/* Fills the table, closes one socket and opens another at once: the close must have released
 * the slot by the time it returned, whatever task the HAL's I/O runs on. */
static int lifecycle_init_after_close(void)
{
    pointer_t h[QHAL_MAX_SOCKETS];
    quint8_t type[QHAL_MAX_SOCKETS];
    int n = 0, i, r = CASE_PASS;
    if (need(QHAL_FEATURE_UDP, "udp")) return CASE_SKIP;
    while (n < QHAL_MAX_SOCKETS)
    {
        h[n] = open_udp(0, NULL, 0, NULL, &type[n]);
        if (h[n] == SOCKET_FD_INVALID) break;
        n++;
    }
    if (n < QHAL_MAX_SOCKETS)
        r = n == 0 ? case_fail("Qhal_udpInit(bind only) failed")
                   : case_skip("the stack ran out of sockets after %d of %d slots (it, not the HAL, is the limit)",
                               n, QHAL_MAX_SOCKETS);
    for (i = 0; i < 3 && r == CASE_PASS; i++)
    {
        int k = (i * 5) % n;
        suite_close(h[k], type[k]);
        h[k] = open_udp(0, NULL, 0, NULL, &type[k]);
        if (h[k] == SOCKET_FD_INVALID) r = case_fail("round %d: Init right after a close failed (slot not yet released)", i + 1);
    }
    for (i = 0; i < n; i++)
        if (h[i] != SOCKET_FD_INVALID) suite_close(h[i], type[i]);
    return r;
}

/* A server closed by the core can listen on the same port again at once. */
static int server_listen_again(void)
{
    quint8_t type;
    pointer_t l;
    int r = CASE_PASS, lport, reachPort, i;
    char reachHost[64], cmd[128], reply[128];
    if (need(QHAL_FEATURE_TCP_SERVER, "tcpServer")) return CASE_SKIP;
    lport = port_local_port(1, reachHost, sizeof(reachHost), &reachPort);
    if (lport <= 0) return case_fail("could not find a free TCP port");
    for (i = 0; i < 3 && r == CASE_PASS; i++)
    {
        type = 0xff;
        rec_opening();
        l = Qhal_tcpServerInit(&type, (quint16_t)lport, 1);
        rec_opened(l);
        if (l == SOCKET_FD_INVALID)
            return case_fail("round %d: Qhal_tcpServerInit(port %d) failed right after the last close", i + 1, lport);
        snprintf(cmd, sizeof(cmd), "connect %d 1 %s", reachPort, reachHost);
        if (control(cmd, reply, sizeof(reply)) != 0) r = case_fail("broker could not connect: %s", reply);
        else if (!wait_count(l, EV_ACCEPT, 1, WAIT_MS)) r = case_fail("round %d: no client accepted", i + 1);
        if (r == CASE_PASS)
        {
            pointer_t c;
            if (rec_accepted(l, &c, 1) == 1) suite_close(c, SOCKET_TYPE_TCP_CLI);
        }
        suite_close(l, type);
    }
    return r;
}

/* FreeRTOS's pvPortMalloc calls so far; -1 where the platform has no OS heap to count. A
 * platform with one defines it (port-freertos.c: heap_4's traceMALLOC). */
__attribute__((weak)) long port_os_allocations(void)
{
    return -1;
}

/* Steady state allocates nothing: after a warm-up (first connect, each task's first blocking
 * call), 20 echoes of 6500 bytes (more than lwIP's TCP_SND_BUF, so the HAL queues the rest)
 * and 20 of 100 bytes make no HAL_MALLOC call and, on FreeRTOS, no pvPortMalloc call. */
static int steady_state_no_heap(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    long hal0 = 0, os0 = 0, hal, os;
    int r = CASE_PASS, i;
    const int warmup = 5, rounds = 40;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    h = open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect: %s", oi.why);
    for (i = 0; i < warmup + rounds && r == CASE_PASS; i++)
    {
        if (i == warmup)
        {
            hal0 = shim_total_allocations();
            os0 = port_os_allocations();
        }
        /* The record of what arrived starts afresh each round (it holds at most RXBUF bytes). */
        rec_reset();
        r = expect_echo(h, type, i % 2 ? 100u : 6500u, (unsigned)i);
    }
    hal = shim_total_allocations() - hal0;
    os = os0 < 0 ? 0 : port_os_allocations() - os0;
    suite_close(h, type);
    if (r != CASE_PASS) return r;
    if (hal != 0 || os != 0)
        return case_fail("%ld HAL_MALLOC and %ld pvPortMalloc calls during %d echoes after warm-up (steady state "
                         "must allocate nothing)",
                         hal, os, rounds);
    printf("# steady state: 0 HAL_MALLOC%s calls during %d echoes after warm-up\n",
           os0 < 0 ? "" : " and 0 pvPortMalloc", rounds);
    return CASE_PASS;
}

/* A write flood allocates nothing once warm: against the slow reader, write until the HAL
 * queues a write (isSending) and its TxCb comes (warm-up: the queue may allocate its first
 * chunk), then keep writing for up to 300 writes or 3 s, waiting for TxCb after each queued
 * one as the core does. At least one of those writes must have been queued (else the case
 * proved nothing), and they make no HAL_MALLOC call (nor, on FreeRTOS, pvPortMalloc call). */
static int writes_flood_no_heap(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    const size_t chunk = WRITE_MAX < 60000 ? WRITE_MAX : 60000;
    int r = CASE_PASS, writes = 0, queued = 0, txs = 0;
    qbool sending = FALSE;
    long hal0, os0;
    uint64_t end;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    h = open_stream(0, host(), port("slow"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect to the slow reader: %s", oi.why);
    fill_pattern(chunk, 17);
    while (!sending && writes < 4000 && r == CASE_PASS)
    {
        if (!suite_write(h, type, NULL, g_pattern, (quint16_t)chunk, &sending))
            r = case_fail("warm-up write %d: Qhal_sockWrite returned FALSE", writes);
        writes++;
    }
    if (r == CASE_PASS && !sending) r = case_fail("isSending never set in %d writes to a reader that waits", writes);
    if (r == CASE_PASS && !wait_count(h, EV_TX, ++txs, 20000)) r = case_fail("no TxCb after the warm-up's queued write");
    hal0 = shim_total_allocations();
    os0 = port_os_allocations();
    end = now_ms() + 3000;
    for (writes = 0; r == CASE_PASS && writes < 300 && now_ms() < end; writes++)
    {
        if (!suite_write(h, type, NULL, g_pattern, (quint16_t)chunk, &sending))
            r = case_fail("flood write %d: Qhal_sockWrite returned FALSE", writes);
        else if (sending)
        {
            queued++;
            if (!wait_count(h, EV_TX, ++txs, 20000)) r = case_fail("flood write %d: no TxCb after isSending", writes);
        }
    }
    hal0 = shim_total_allocations() - hal0;
    os0 = os0 < 0 ? 0 : port_os_allocations() - os0;
    suite_close(h, type);
    if (r != CASE_PASS) return r;
    if (queued == 0) return case_fail("none of %d flood writes was queued: the case proved nothing", writes);
    if (hal0 != 0 || os0 != 0)
        return case_fail("%ld HAL_MALLOC and %ld pvPortMalloc calls during %d flood writes (%d queued) after warm-up",
                         hal0, os0, writes, queued);
    printf("# write flood: 0 HAL_MALLOC%s calls during %d writes of %lu bytes, %d of them queued\n",
           port_os_allocations() < 0 ? "" : " and 0 pvPortMalloc", writes, (unsigned long)chunk, queued);
    return CASE_PASS;
}

/* ---- checks the retired smoke apps made (examples/apps/lwip-smoke, mps2-smoke) ---- */

/* Bad arguments and handles that are not live fail at once, without a callback: a NULL host,
 * a made-up handle, a live handle's address plus one; a second close of a closed handle
 * leaves the link that reused its slot alone. */
static int args_bad_arguments(void)
{
    quint8_t type = 0xff, t2;
    quint32_t ct = 0;
    open_info_t oi;
    pointer_t h, h2;
    int r = CASE_PASS;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    rec_opening();
    h = Qhal_tcpClientInit(&type, NULL, (quint16_t)port("tcp-echo"), &ct);
    rec_opened(h);
    if (h != SOCKET_FD_INVALID) return case_fail("Qhal_tcpClientInit(hostname NULL) returned a handle");
#if QHAL_FEATURE_TLS
    rec_opening();
    h = Qhal_tcpSslClientInit(&type, NULL, (quint16_t)port("tls-valid"), &ct);
    rec_opened(h);
    if (h != SOCKET_FD_INVALID) return case_fail("Qhal_tcpSslClientInit(hostname NULL) returned a handle");
#endif
    if (Qhal_sockWrite((pointer_t)12345, SOCKET_TYPE_TCP_CLI, NULL, (const quint8_t *)"x", 1, NULL))
        return case_fail("Qhal_sockWrite on a made-up handle returned TRUE");
    Qhal_sockClose((pointer_t)12345, SOCKET_TYPE_TCP_CLI);
    h = open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect: %s", oi.why);
    if (Qhal_sockWrite(h + 1, type, NULL, (const quint8_t *)"x", 1, NULL))
        r = case_fail("Qhal_sockWrite on a live handle plus one returned TRUE");
    suite_close(h, type);
    if (r != CASE_PASS) return r;
    h2 = open_stream(0, host(), port("tcp-echo"), &t2, &oi, WAIT_MS);
    if (h2 == SOCKET_FD_INVALID) return case_fail("connect after a close: %s", oi.why);
    if (h2 == h) r = case_fail("a new link got the closed link's handle 0x%lx again", (unsigned long)h);
    suite_close(h, type); /* the core closing twice: must not touch the new link */
    if (r == CASE_PASS && Qhal_sockWrite(h, type, NULL, (const quint8_t *)"x", 1, NULL))
        r = case_fail("Qhal_sockWrite on a closed handle returned TRUE");
    if (r == CASE_PASS) r = expect_echo(h2, t2, 100, 51);
    suite_close(h2, t2);
    return r;
}

/* A small write is taken at once (isSending FALSE); a write the stack cannot take whole sets
 * isSending, and exactly one Quos_socketIOTxCb follows. */
static int tcp_write_queued_one_txcb(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    qbool sending = TRUE;
    int r = CASE_PASS, writes = 0;
    const size_t chunk = WRITE_MAX < 60000 ? WRITE_MAX : 60000;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    h = open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect to the TCP echo: %s", oi.why);
    if (!suite_write(h, type, NULL, (const quint8_t *)"hello", 5, &sending)) r = case_fail("5-byte write returned FALSE");
    else if (sending) r = case_fail("5-byte write on an idle link set isSending");
    else if (!wait_rx(h, 5, WAIT_MS)) r = case_fail("no echo of the 5-byte write");
    suite_close(h, type);
    if (r != CASE_PASS) return r;
    h = open_stream(0, host(), port("slow"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect to the slow reader: %s", oi.why);
    fill_pattern(chunk, 53);
    for (sending = FALSE; !sending && writes < 2000 && r == CASE_PASS; writes++)
        if (!suite_write(h, type, NULL, g_pattern, (quint16_t)chunk, &sending))
            r = case_fail("Qhal_sockWrite returned FALSE after %d writes", writes);
    if (r == CASE_PASS && !sending) r = case_fail("isSending never set to a reader that reads nothing");
    if (r == CASE_PASS && !wait_count(h, EV_TX, 1, 20000)) r = case_fail("no Quos_socketIOTxCb within 20 s");
    if (r == CASE_PASS)
    {
        sleep_ms(500);
        if (rec_count(h, EV_TX) != 1)
            r = case_fail("Quos_socketIOTxCb %d times for one queued write", rec_count(h, EV_TX));
    }
    suite_close(h, type);
    return r;
}

/* UDP over IPv6: the peer block, the echo and its sender. */
static int udp_ipv6(void)
{
    quint8_t type;
    void *peer = NULL;
    pointer_t h;
    peer_buf_t from;
    char text[80];
    int r = CASE_PASS;
    if (need(QHAL_FEATURE_UDP, "udp") || need(QHAL_FEATURE_IPV6, "ipv6")) return CASE_SKIP;
    if (!port("udp-echo6")) return case_skip("the broker has no IPv6 UDP echo");
    h = open_udp(0, host6(), port("udp-echo6"), &peer, &type);
    if (h == SOCKET_FD_INVALID) return case_fail("Qhal_udpInit([%s]:%d) failed", host6(), port("udp-echo6"));
    peer_text(peer, text, sizeof(text));
    if (peer == NULL || text[0] != '[' || peer_port(peer) != port("udp-echo6"))
        r = case_fail("*peer is %s, expected [%s]:%d", text, host6(), port("udp-echo6"));
    fill_pattern(300, 55);
    if (r == CASE_PASS) r = write_all(h, type, NULL, g_pattern, 300);
    if (r == CASE_PASS && !wait_rx(h, 300, WAIT_MS)) r = case_fail("no echo datagram over IPv6");
    if (r == CASE_PASS && (rec_rx(h, g_buf, sizeof(g_buf)) != 300 || memcmp(g_buf, g_pattern, 300)))
        r = case_fail("IPv6 echo datagram corrupted");
    if (r == CASE_PASS && rec_last_peer(h, &from, sizeof(from)))
    {
        peer_text(&from, text, sizeof(text));
        if (text[0] != '[' || peer_port(&from) != port("udp-echo6"))
            r = case_fail("Rx peer %s is not the IPv6 echo server", text);
    }
    else if (r == CASE_PASS) r = case_fail("IPv6 datagram delivered without its sender");
    suite_close(h, type);
    if (peer) qhal_shim_free(peer);
    return r;
}

/* Qhal_dns2IPGet: NULL fails cleanly, an IPv6 literal is its own answer, an unknown name
 * fails in bounded time. */
static int dns_null_and_literals(void)
{
    static quint8_t buf[46];
    quint8_t *list[1];
    quint32_t n;
    uint64_t t0;
    list[0] = buf;
    if (need(QHAL_FEATURE_DNS, "dns")) return CASE_SKIP;
    if (Qhal_dns2IPGet(NULL, list, 1) != 0) return case_fail("Qhal_dns2IPGet(NULL) gave an answer");
    if (QHAL_FEATURE_IPV6)
    {
        n = Qhal_dns2IPGet(host6(), list, 1);
        if (n != 1 || strcmp((char *)buf, host6()))
            return case_fail("literal %s: %u answers, first '%.46s'", host6(), (unsigned)n, buf);
    }
    if (!cfg_int("dns-names", 0)) return CASE_PASS;
    t0 = now_ms();
    if (Qhal_dns2IPGet("nope.qhal.test", list, 1) != 0) return case_fail("an unknown name gave an answer");
    if (now_ms() - t0 > QHAL_CONNECT_TIMEOUT_MS + 2000u)
        return case_fail("an unknown name took %lu ms to fail", (unsigned long)(now_ms() - t0));
    return CASE_PASS;
}

/* DTLS with the board's own authentication: the PSK hook is asked once per handshake, no
 * ConnResult follows (hal/CONVENTIONS.md), a record larger than a datagram on most links
 * (IP-fragmented) echoes intact, a write after close fails, and a new session works
 * afterwards (on a PSK board, after a failed handshake with the wrong key). */
static int dtls_large_record_new_session(void)
{
    quint8_t type;
    pointer_t h;
    const char *name = QHAL_PSK ? host() : tls_name();
    int rport = QHAL_PSK ? port("dtls-psk") : port("dtls-cert"), r;
    if (need(QHAL_FEATURE_DTLS, "dtls")) return CASE_SKIP;
    if (!rport) return case_skip("the broker has no DTLS server");
    suite_psk_wrong(0);
    (void)suite_psk_calls();
    h = open_dtls(name, rport, &type);
    if (h == SOCKET_FD_INVALID) return case_fail("Qhal_udpSslInit(%s:%d) failed", name, rport);
    if (QHAL_PSK && (r = suite_psk_calls()) != 1)
        r = case_fail("the PSK hook was called %d times for one handshake", r);
    else r = expect_echo(h, type, 4000, 57);
    /* No connect outcome for DTLS (the handshake ran inside Init), and the link stayed up. */
    if (r == CASE_PASS && (rec_count(h, EV_CONN) || rec_count(h, EV_DOWN)))
        r = case_fail("%d ConnResult and %d link-down events on a DTLS link", rec_count(h, EV_CONN), rec_count(h, EV_DOWN));
    suite_close(h, type);
    if (r == CASE_PASS && Qhal_sockWrite(h, type, NULL, (const quint8_t *)"x", 1, NULL))
        r = case_fail("Qhal_sockWrite on a closed DTLS handle returned TRUE");
    if (r == CASE_PASS && QHAL_PSK)
    {
        suite_psk_wrong(1);
        h = open_dtls(name, rport, &type);
        suite_psk_wrong(0);
        if (h != SOCKET_FD_INVALID)
        {
            suite_close(h, type);
            return case_fail("DTLS link came up with the wrong pre-shared key");
        }
    }
    if (r == CASE_PASS) r = dtls_echo_case(name, rport);
    return r;
}

/* DTLS with certificates refuses a server the board must not trust: Init fails, no handle. */
static int dtls_cert_rejected(const char *key)
{
    quint8_t type;
    pointer_t h;
    if (need(QHAL_FEATURE_DTLS, "dtls")) return CASE_SKIP;
    if (QHAL_PSK) return case_skip("board uses a pre-shared key for DTLS");
    if (!port(key)) return case_skip("the broker has no DTLS server");
    h = open_dtls(tls_name(), port(key), &type);
    if (h == SOCKET_FD_INVALID) return CASE_PASS;
    suite_close(h, type);
    return case_fail("DTLS link came up although the server certificate must be rejected");
}

static int dtls_cert_untrusted(void) { return dtls_cert_rejected("dtls-untrusted"); }
static int dtls_cert_wrong_host(void) { return dtls_cert_rejected("dtls-wrong-host"); }
/* ---- the core's send time-out, and a close from the core's task while another task floods ---- */

/* FNV-1a, 32-bit: what the broker's slow reader hashes (toolkit/broker/faults.ts). */
static quint32_t fnv1a(quint32_t h, const quint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ p[i]) * 0x01000193u;
    return h;
}

/* How long the double waits for Quos_socketIOTxCb on a pending write before it gives up, as
 * the core does at its send time-out. That time-out may expire at any moment after the write
 * returned, so the double takes the worst case: the first write left pending is given up at
 * once (a real time-out would not fire reliably before the slow reader drains under QEMU). */
#define SEND_GIVE_UP_MS 0

/* The core's buffer for one write: a fresh heap block, filled from the pattern. Given up or
 * done, it is overwritten with a poison byte and freed, as the core frees it: a HAL that
 * still sends from it afterwards sends poison (or, under the sanitizers, is caught). */
static int write_owned(pointer_t h, quint8_t type, size_t n, size_t at, quint32_t *hash, int giveUpMs,
                       int *gaveUp)
{
    qbool sending = FALSE;
    int tx0 = rec_count(h, EV_TX);
    quint8_t *buf = (quint8_t *)malloc(n);
    if (buf == NULL) return case_fail("no memory for a %lu-byte write", (unsigned long)n);
    memcpy(buf, g_pattern + at, n);
    if (!suite_write(h, type, NULL, buf, (quint16_t)n, &sending))
    {
        free(buf);
        return case_fail("Qhal_sockWrite(%lu bytes) returned FALSE", (unsigned long)n);
    }
    *hash = fnv1a(*hash, buf, n);
    *gaveUp = sending && !wait_count(h, EV_TX, tx0 + 1, giveUpMs);
    memset(buf, 0xa5, n);
    free(buf);
    return CASE_PASS;
}

/* core-contract.md, "Writes": the core gives up on a write still pending at its send time-out
 * and frees that buffer, then goes on with the next one. So whatever the HAL still has to send
 * must be its own copy: the slow reader must get exactly the bytes written, in order. */
static int tcp_write_given_up(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    char reply[128];
    unsigned long after = 0, total = 0, theirs = 0;
    quint32_t hash = 0x811c9dc5u;
    int r = CASE_PASS, writes = 0, gaveUp = 0, lastGaveUp = 0;
    const size_t chunk = (WRITE_MAX < 60000 ? WRITE_MAX : 60000) / 2;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    h = open_stream(0, host(), port("slow"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect to the slow reader: %s", oi.why);
    fill_pattern(chunk + 64, 21);
    while (r == CASE_PASS && !gaveUp && writes < 4000)
    {
        r = write_owned(h, type, chunk, (size_t)(writes % 64), &hash, SEND_GIVE_UP_MS, &gaveUp);
        total += chunk;
        writes++;
    }
    if (r == CASE_PASS && !gaveUp)
        r = case_fail("isSending never set (%d writes of %lu bytes to a reader that pauses)", writes,
                      (unsigned long)chunk);
    /* The next buffer while the given-up one may still be queued: its TxCb must come. */
    if (r == CASE_PASS)
    {
        r = write_owned(h, type, chunk / 2, 7, &hash, 20000, &lastGaveUp);
        total += chunk / 2;
        if (r == CASE_PASS && lastGaveUp)
            r = case_fail("isSending set on the write after a given-up one, and no Quos_socketIOTxCb within 20 s");
    }
    if (r == CASE_PASS)
    {
        uint64_t deadline = now_ms() + 20000;
        while (now_ms() < deadline)
        {
            if (control("slow-bytes", reply, sizeof(reply)) == 0)
            {
                /* ok <all connections> <hash of this one> <bytes of this one>: an earlier
                 * link closed with data queued may still be draining into the reader. */
                char *end = NULL;
                (void)strtoul(reply + 3, &end, 10);
                theirs = end ? strtoul(end, &end, 16) : 0;
                after = end ? strtoul(end, NULL, 10) : 0;
            }
            if (after >= total) break;
            sleep_ms(100);
        }
        if (after != total)
            r = case_fail("the reader got %lu bytes on this link, the HAL accepted %lu", after, total);
        else if ((quint32_t)theirs != hash)
            r = case_fail("the reader got other bytes than were written (FNV-1a %08lx, expected %08lx): the HAL sent "
                          "from the core's buffer after the core gave it up and freed it",
                          theirs, (unsigned long)hash);
    }
    suite_close(h, type);
    if (r == CASE_PASS) printf("# write given up: %d writes of %lu bytes, %lu bytes arrived intact\n", writes,
                               (unsigned long)chunk, total);
    return r;
}

typedef struct
{
    pointer_t h;
    quint8_t type;
    int stop;
    int done;
    int writes;
    int refused;
} flood_t;

static flood_t g_flood;
static const quint8_t g_floodBytes[512] = {'f', 'l', 'o', 'o', 'd'};

/* The second task: writes to the echo as fast as the core's rules allow (one write in flight,
 * the next after Quos_socketIOTxCb), so callbacks keep coming from the I/O context while the
 * core's task closes; after the close its writes must fail, never crash. */
static void flood_task(void *arg)
{
    flood_t *f = (flood_t *)arg;
    while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE))
    {
        qbool sending = FALSE;
        int tx0 = rec_count(f->h, EV_TX);
        if (suite_write(f->h, f->type, NULL, g_floodBytes, (quint16_t)sizeof(g_floodBytes), &sending))
        {
            f->writes++;
            while (sending && rec_count(f->h, EV_TX) == tx0 && !__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE))
                sleep_ms(1);
        }
        else
        {
            f->refused++;
        }
        sleep_ms(1);
    }
    __atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
}

/* hal/CONVENTIONS.md: once Qhal_sockClose returns, no callback for the handle starts (one
 * already under way may still arrive, and the double counts it as the one tolerated); the
 * slot's next link gets only its own bytes. 10 rounds: open, flood from a second task until
 * echoed data flows, close from the core's task (lock held, as the core), stop the flood,
 * then a fresh link on the freed slot echoes exactly its marker. Counts, not timing. */
static int close_during_flood(int tls)
{
    int i, r = CASE_PASS;
    const int rounds = 10;
    const char *name = tls ? tls_name() : host();
    int rport = port(tls ? "tls-valid" : "tcp-echo");
    if (need(tls ? QHAL_FEATURE_TLS : QHAL_FEATURE_TCP, tls ? "tls" : "tcp")) return CASE_SKIP;
    for (i = 0; i < rounds && r == CASE_PASS; i++)
    {
        quint8_t type, type2;
        open_info_t oi;
        pointer_t h, h2;
        char marker[32];
        size_t n;
        uint64_t deadline;
        h = open_stream(tls, name, rport, &type, &oi, WAIT_MS + 5000);
        if (h == SOCKET_FD_INVALID) return case_fail("round %d: connect: %s", i + 1, oi.why);
        memset(&g_flood, 0, sizeof(g_flood));
        g_flood.h = h;
        g_flood.type = type;
        if (port_task_start(flood_task, &g_flood) != 0)
        {
            suite_close(h, type);
            return case_skip("the platform has no second task (bare metal: one loop runs the HAL and the cases)");
        }
        if (!wait_rx(h, 8 * sizeof(g_floodBytes), WAIT_MS))
            r = case_fail("round %d: the flood's echo did not arrive (%lu bytes)", i + 1,
                          (unsigned long)rec_rx(h, NULL, 0));
        suite_close(h, type);
        __atomic_store_n(&g_flood.stop, 1, __ATOMIC_RELEASE);
        deadline = now_ms() + 5000;
        while (!__atomic_load_n(&g_flood.done, __ATOMIC_ACQUIRE) && now_ms() < deadline) sleep_ms(5);
        if (!__atomic_load_n(&g_flood.done, __ATOMIC_ACQUIRE))
            return case_fail("round %d: the flooding task did not stop within 5 s (a write hung?)", i + 1);
        if (r != CASE_PASS) break;
        /* The freed slot's next link: only its own bytes, nothing of the flood. */
        snprintf(marker, sizeof(marker), "fresh link %d", i + 1);
        h2 = open_stream(tls, name, rport, &type2, &oi, WAIT_MS + 5000);
        if (h2 == SOCKET_FD_INVALID) return case_fail("round %d: connect after the close: %s", i + 1, oi.why);
        n = strlen(marker);
        if (!suite_write(h2, type2, NULL, (const quint8_t *)marker, (quint16_t)n, NULL))
            r = case_fail("round %d: write on the fresh link returned FALSE", i + 1);
        else if (!wait_rx(h2, n, WAIT_MS))
            r = case_fail("round %d: the fresh link's echo did not arrive", i + 1);
        else
        {
            size_t got;
            sleep_ms(50);
            got = rec_rx(h2, g_buf, sizeof(g_buf));
            if (got != n || memcmp(g_buf, marker, n) != 0)
                r = case_fail("round %d: the fresh link got %lu bytes, not its own %lu (a late event of the closed "
                              "link reached it?)",
                              i + 1, (unsigned long)got, (unsigned long)n);
        }
        suite_close(h2, type2);
    }
    if (r == CASE_PASS)
        printf("# close during flood (%s): %d rounds, %d callbacks tolerated as in flight at close\n",
               tls ? "tls" : "tcp", rounds, rec_tolerated_late_events());
    return r;
}

static int tcp_close_during_flood(void) { return close_during_flood(0); }
static int tls_close_during_flood(void) { return close_during_flood(1); }

const case_t g_cases[] = {
    {"tcp.echo", tcp_echo_basic},
    {"tcp.echo-sizes-1B-64KiB", tcp_echo_sizes},
    {"tcp.connect-refused", tcp_connect_refused},
    {"tcp.connect-timeout-blackhole", tcp_connect_timeout},
    {"tcp.connect-result-once-after-init", tcp_connect_result_once},
    {"tcp.dns-fallback-next-address", tcp_dns_fallback},
    {"tcp.ipv6", tcp_ipv6},
    {"tcp.partial-writes-slow-reader", tcp_partial_writes},
    {"tcp.down-once-on-reset", tcp_down_on_reset},
    {"tcp.down-once-on-peer-close", tcp_down_on_close},
    {"tcp.close-with-data-in-flight", tcp_close_in_flight},
    {"tcp.close-inside-callback", tcp_close_inside_callback},
    {"tls.valid", tls_valid},
    {"tls.full-record", tls_full_record},
    {"tls.wrong-host-rejected", tls_wrong_host},
    {"tls.expired-rejected", tls_expired},
    {"tls.untrusted-rejected", tls_untrusted},
    {"tls.mutual", tls_mutual},
    {"dtls.psk", dtls_psk},
    {"dtls.psk-wrong-key-rejected", dtls_psk_wrong_key},
    {"dtls.cert", dtls_cert},
    {"udp.with-peer", udp_with_peer},
    {"udp.without-peer", udp_without_peer},
    {"udp.bound-only-receives-sender", udp_bound_only},
    {"server.max-clients-plus-one", tcp_server_max_clients},
    {"dns.dns2IPGet", dns_get},
    {"broadcast.received", broadcast},
    {"mqtt.tcp-connect-subscribe-publish-qos1", mqtt_tcp},
    {"mqtt.tls-connect-subscribe-publish-qos1", mqtt_tls},
    {"resources.1000-open-close-cycles", open_close_cycles},
    {"resources.tls-open-close-cycles", tls_open_close_cycles},
    {"lifecycle.peer-close-3x-max-sockets", lifecycle_peer_close_cycles},
    {"lifecycle.init-right-after-close", lifecycle_init_after_close},
    {"lifecycle.server-listens-again-same-port", server_listen_again},
    {"resources.no-heap-in-steady-state", steady_state_no_heap},
    {"writes.flood-no-heap-in-steady-state", writes_flood_no_heap},
    /* from the retired smoke apps */
    {"args.bad-arguments-and-stale-handles", args_bad_arguments},
    {"tcp.write-queued-then-one-txcb", tcp_write_queued_one_txcb},
    {"udp.ipv6", udp_ipv6},
    {"dns.null-and-literals", dns_null_and_literals},
    {"dtls.large-record-then-new-session", dtls_large_record_new_session},
    {"dtls.cert-untrusted-rejected", dtls_cert_untrusted},
    {"dtls.cert-wrong-host-rejected", dtls_cert_wrong_host},
    {"writes.given-up-at-send-timeout", tcp_write_given_up},
    {"lifecycle.close-from-another-task-during-flood", tcp_close_during_flood},
    {"lifecycle.tls-close-from-another-task-during-flood", tls_close_during_flood},
    {"tls.address-literal-checks-ip-san", tls_ip_literal},
    {NULL, NULL},
};

/* ---- benchmarks (run with the configuration key bench=1): figures, never pass/fail on time ---- */

static uint64_t median(uint64_t *v, int n)
{
    int i, j;
    for (i = 1; i < n; i++)
        for (j = i; j > 0 && v[j - 1] > v[j]; j--)
        {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n ? v[n / 2] : 0;
}

/* Init to ConnResult (or to Init's return on a sync board), then close; median and fastest. */
static int bench_connect(int tls, const char *name, int rounds)
{
    uint64_t t[20];
    int i;
    quint8_t type;
    open_info_t oi;
    for (i = 0; i < rounds; i++)
    {
        uint64_t t0 = now_us();
        pointer_t h = tls ? open_stream(1, tls_name(), port("tls-valid"), &type, &oi, WAIT_MS)
                          : open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
        if (h == SOCKET_FD_INVALID) return case_fail("round %d: %s", i, oi.why);
        t[i] = now_us() - t0;
        suite_close(h, type);
    }
    {
        uint64_t med = median(t, rounds);
        printf("BENCH %s %lu us (median of %d; fastest %lu us)\n", name, (unsigned long)med, rounds, (unsigned long)t[0]);
    }
    return CASE_PASS;
}

static int bench_tcp_connect(void)
{
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    return bench_connect(0, "tcp.connect", 20);
}

static int bench_tls_handshake(void)
{
    if (need(QHAL_FEATURE_TLS, "tls")) return CASE_SKIP;
    return bench_connect(1, "tls.connect-and-handshake", 5);
}

/* Echo throughput on one open link (8 rounds of up to 128 KiB out and back), and the
 * HAL_MALLOC calls made meanwhile (an MCU's HAL should make none in steady state). */
static int bench_tcp_echo(void)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    const size_t chunk = RXBUF < 128 * 1024 ? RXBUF : 128 * 1024;
    const int rounds = 8;
    long allocs0;
    uint64_t t0, us;
    int r = CASE_PASS, i;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    h = open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect: %s", oi.why);
    fill_pattern(chunk, 77);
    allocs0 = shim_total_allocations();
    t0 = now_us();
    for (i = 0; i < rounds && r == CASE_PASS; i++)
    {
        /* The record of what arrived starts afresh each round: it holds at most RXBUF bytes. */
        rec_reset();
        r = write_all(h, type, NULL, g_pattern, chunk);
        if (r == CASE_PASS && !wait_rx(h, chunk, 60000))
            r = case_fail("round %d: echo of %lu bytes incomplete", i, (unsigned long)chunk);
    }
    us = now_us() - t0;
    if (r == CASE_PASS)
    {
        uint64_t total = (uint64_t)chunk * (uint64_t)rounds;
        printf("BENCH tcp.echo-throughput %lu KiB/s (%lu KiB out and back in %lu us, writes of at most %lu bytes)\n",
               (unsigned long)(us ? total * 1000000u / 1024u / us : 0), (unsigned long)(total / 1024), (unsigned long)us,
               (unsigned long)WRITE_MAX);
        printf("BENCH tcp.echo-heap-allocations %ld calls (HAL_MALLOC during the echo above)\n",
               shim_total_allocations() - allocs0);
    }
    suite_close(h, type);
    return r;
}

static int bench_udp_rtt(void)
{
    quint8_t type;
    void *peer = NULL;
    pointer_t h;
    uint64_t t[50];
    int i, r = CASE_PASS;
    if (need(QHAL_FEATURE_UDP, "udp")) return CASE_SKIP;
    h = open_udp(0, host(), port("udp-echo"), &peer, &type);
    if (h == SOCKET_FD_INVALID) return case_fail("Qhal_udpInit failed");
    fill_pattern(64, 5);
    for (i = 0; i < 50 && r == CASE_PASS; i++)
    {
        uint64_t t0 = now_us();
        size_t before = rec_rx(h, NULL, 0);
        if (!suite_write(h, type, NULL, g_pattern, 64, NULL)) r = case_fail("write %d failed", i);
        else if (!wait_rx(h, before + 64, WAIT_MS)) r = case_fail("datagram %d not echoed", i);
        t[i] = now_us() - t0;
    }
    if (r == CASE_PASS) printf("BENCH udp.round-trip %lu us (median of 50, 64-byte datagrams)\n", (unsigned long)median(t, 50));
    suite_close(h, type);
    if (peer) qhal_shim_free(peer);
    return r;
}

/*
 * Echo throughput in writes of `wsize` bytes, the pattern the reference clients of
 * examples/apps/bench repeat with plain sockets / plain mbedtls: `rounds` times, 128 KiB out
 * in wsize-byte writes, then wait until it all came back.
 */
static int bench_echo_rate(int tls, size_t wsize, const char *name)
{
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    const size_t round = RXBUF < 128 * 1024 ? RXBUF : 128 * 1024;
    static uint64_t t[1024];
    int rounds = cfg_int(tls ? "bench-tls-rounds" : "bench-tcp-rounds", tls ? 16 : 64);
    uint64_t t0, us, med;
    int r = CASE_PASS, i;
    if (need(tls ? QHAL_FEATURE_TLS : QHAL_FEATURE_TCP, tls ? "tls" : "tcp")) return CASE_SKIP;
    h = tls ? open_stream(1, tls_name(), port("tls-valid"), &type, &oi, WAIT_MS)
            : open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect: %s", oi.why);
    if (wsize > WRITE_MAX) wsize = WRITE_MAX;
    if (rounds > (int)(sizeof(t) / sizeof(t[0]))) rounds = (int)(sizeof(t) / sizeof(t[0]));
    fill_pattern(round, 91);
    t0 = now_us();
    for (i = 0; i < rounds && r == CASE_PASS; i++)
    {
        uint64_t r0 = now_us();
        rec_reset();
        r = write_chunks(h, type, NULL, g_pattern, round, wsize);
        if (r == CASE_PASS && !wait_rx(h, round, 60000)) r = case_fail("round %d: echo incomplete", i);
        t[i] = now_us() - r0;
    }
    us = now_us() - t0;
    /* One round over the median round's time, as the reference client measures it
     * (examples/apps/bench/raw-main.c says why); the total is printed too. */
    med = median(t, rounds);
    if (r == CASE_PASS)
        printf("BENCH %s %lu KiB/s (median of %d rounds of %lu KiB; all %lu KiB out and back in %lu us, %lu-byte "
               "writes)\n",
               name, (unsigned long)(med ? (uint64_t)round * 1000000u / 1024u / med : 0), rounds,
               (unsigned long)(round / 1024), (unsigned long)((uint64_t)round * (uint64_t)rounds / 1024u),
               (unsigned long)us, (unsigned long)wsize);
    suite_close(h, type);
    return r;
}

static int bench_tcp_echo_1k(void) { return bench_echo_rate(0, 1024, "tcp.echo-1k"); }
static int bench_tcp_echo_64k(void) { return bench_echo_rate(0, 65536, "tcp.echo-64k"); }
static int bench_tls_echo_1k(void) { return bench_echo_rate(1, 1024, "tls.echo-1k"); }
static int bench_tls_echo_64k(void) { return bench_echo_rate(1, 65536, "tls.echo-64k"); }

/* Median round trip of one 64-byte message over the open TCP echo link h, and the CPU the
 * process spent per round trip (the HAL's I/O thread included). */
static int tcp_rtt(pointer_t h, quint8_t type, const char *name)
{
    enum { N = 200 };
    uint64_t t[N];
    long long cpu0;
    int i, r = CASE_PASS;
    fill_pattern(64, 3);
    cpu0 = port_cpu_us();
    for (i = 0; i < N && r == CASE_PASS; i++)
    {
        uint64_t t0 = now_us();
        size_t before = rec_rx(h, NULL, 0);
        if (before > RXBUF - 64)
        {
            rec_reset();
            before = 0;
        }
        if (!suite_write(h, type, NULL, g_pattern, 64, NULL)) r = case_fail("write %d failed", i);
        else if (!wait_rx(h, before + 64, WAIT_MS)) r = case_fail("echo %d missing", i);
        t[i] = now_us() - t0;
    }
    if (r == CASE_PASS)
    {
        long long cpu = port_cpu_us();
        printf("BENCH %s %lu us (median of %d, 64 bytes)\n", name, (unsigned long)median(t, N), N);
        if (cpu >= 0 && cpu0 >= 0) printf("BENCH %s-cpu %lld us (CPU per round trip)\n", name, (cpu - cpu0) / N);
    }
    return r;
}

/* The round trip with `idle` more TCP links open and idle (0: just the one link). The
 * measured link is opened first so its record is kept; the idle ones are opened all at once
 * (their ConnResults are counted, the records keep only the first few), so a fixed connect
 * delay is paid once, not per link. */
static int rtt_with_idle(int idle)
{
    static pointer_t idles[1024];
    quint8_t type;
    open_info_t oi;
    pointer_t h;
    int i, opened = 0, async = 0, r = CASE_PASS, ok0;
    char name[48];
    uint64_t deadline;
    if (need(QHAL_FEATURE_TCP, "tcp")) return CASE_SKIP;
    if (idle > (int)(sizeof(idles) / sizeof(idles[0]))) idle = (int)(sizeof(idles) / sizeof(idles[0]));
    if (idle + 1 > QHAL_MAX_SOCKETS)
        return case_skip("the board has %d sockets; %d are needed", QHAL_MAX_SOCKETS, idle + 1);
    if (idle && port_raise_fd_limit(2 * idle + 64) != 0)
        return case_skip("cannot raise the descriptor limit to %d", 2 * idle + 64);
    h = open_stream(0, host(), port("tcp-echo"), &type, &oi, WAIT_MS);
    if (h == SOCKET_FD_INVALID) return case_fail("connect: %s", oi.why);
    ok0 = rec_conn_ok_total();
    for (i = 0; i < idle; i++)
    {
        quint8_t t;
        quint32_t ct = 0;
        rec_opening();
        idles[i] = Qhal_tcpClientInit(&t, host(), (quint16_t)port("tcp-echo"), &ct);
        rec_opened(idles[i]);
        if (idles[i] == SOCKET_FD_INVALID) break;
        if (ct != 0) async++;
        opened++;
    }
    deadline = now_ms() + 30000u;
    /* The results come through the core's task (Quos_signalSet), which this wait must run. */
    while (rec_conn_ok_total() - ok0 < async && now_ms() < deadline)
        if (core_run_signals() == 0) sleep_ms(10);
    if (opened < idle) r = case_fail("only %d of %d idle links opened", opened, idle);
    else if (rec_conn_ok_total() - ok0 < async)
        r = case_fail("only %d of %d idle links connected", rec_conn_ok_total() - ok0, async);
    snprintf(name, sizeof(name), "tcp.rtt-%d", idle ? idle : 1);
    if (r == CASE_PASS) r = tcp_rtt(h, type, name);
    for (i = 0; i < opened; i++) suite_close(idles[i], SOCKET_TYPE_TCP_CLI);
    suite_close(h, type);
    return r;
}

static int bench_rtt_1(void) { return rtt_with_idle(0); }
static int bench_rtt_idle(void) { return rtt_with_idle(cfg_int("bench-idle", 1000)); }

const case_t g_bench[] = {
    {"bench.tcp-connect", bench_tcp_connect},
    {"bench.tcp-echo-1k", bench_tcp_echo_1k},
    {"bench.tcp-echo-64k", bench_tcp_echo_64k},
    {"bench.tls-echo-1k", bench_tls_echo_1k},
    {"bench.tls-echo-64k", bench_tls_echo_64k},
    {"bench.rtt-1", bench_rtt_1},
    {"bench.rtt-idle", bench_rtt_idle},
    {"bench.tcp-echo", bench_tcp_echo},
    {"bench.udp-round-trip", bench_udp_rtt},
    {"bench.tls-handshake", bench_tls_handshake},
    {NULL, NULL},
};
