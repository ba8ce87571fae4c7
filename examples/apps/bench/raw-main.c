/*
 * The reference clients' runner:
 *
 *   raw-bench --config broker.conf --ca ca.pem [--key value ...]
 *
 * The configuration is the conformance suite's (key=value lines from the broker; `--key
 * value` overrides), and so are the counts (bench-tcp-rounds, bench-tls-rounds, bench-idle):
 * each figure repeats a HAL benchmark of examples/apps/conformance/cases.c with plain sockets
 * or plain mbedtls. Prints `BENCH raw.<name> value unit (detail)`; figures, never verdicts.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1
#include "raw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define ROUND (128 * 1024)
#define MAX_KEYS 64

static char g_keys[MAX_KEYS][48], g_vals[MAX_KEYS][256];
static int g_nKeys;
static unsigned char g_out[ROUND], g_in[ROUND];

static void set(const char *k, const char *v)
{
    int i;
    for (i = 0; i < g_nKeys && strcmp(g_keys[i], k) != 0; i++)
    {
    }
    if (i == MAX_KEYS) return;
    if (i == g_nKeys) g_nKeys++;
    snprintf(g_keys[i], sizeof(g_keys[i]), "%s", k);
    snprintf(g_vals[i], sizeof(g_vals[i]), "%s", v);
}

static const char *str(const char *k, const char *dflt)
{
    int i;
    for (i = 0; i < g_nKeys; i++)
        if (strcmp(g_keys[i], k) == 0) return g_vals[i];
    return dflt;
}

static int num(const char *k, int dflt)
{
    const char *v = str(k, NULL);
    return v && *v ? atoi(v) : dflt;
}

static int load(const char *file)
{
    char line[320];
    FILE *f = fopen(file, "r");
    if (!f) return -1;
    while (fgets(line, sizeof(line), f))
    {
        char *eq = strchr(line, '=');
        if (!eq) continue;
        *eq = 0;
        eq[strcspn(eq + 1, "\r\n") + 1] = 0;
        set(line, eq + 1);
    }
    fclose(f);
    return 0;
}

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

static long long cpu_us(void)
{
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u) != 0) return -1;
    return ((long long)u.ru_utime.tv_sec + (long long)u.ru_stime.tv_sec) * 1000000LL + (long long)u.ru_utime.tv_usec +
           (long long)u.ru_stime.tv_usec;
}

/* Reads what is there (into g_in, wrapping); returns the bytes read, -1 on an error. */
static long drain(link_t *l)
{
    long got = 0, r;
    while ((r = l->read(l, g_in, sizeof(g_in))) > 0) got += r;
    return r < 0 ? -1 : got;
}

/* One round: n bytes out in wsize-byte writes, reading what came back whenever 64 KiB are
 * in flight or a write would block (not after every write: a competent client does not make
 * a read call per write), then reading until all n came back. */
static int echo_round(link_t *l, size_t n, size_t wsize)
{
    size_t off = 0, back = 0;
    while (off < n)
    {
        size_t chunk = n - off < wsize ? n - off : wsize;
        long w = l->write(l, g_out + off, chunk), d;
        if (w < 0) return -1;
        off += (size_t)w;
        if (w > 0 && off - back < 64 * 1024) continue;
        if ((d = drain(l)) < 0) return -1;
        back += (size_t)d;
        if (w == 0 && d == 0) raw_wait(l->fd, 1);
    }
    while (back < n)
    {
        long d = drain(l);
        if (d < 0) return -1;
        back += (size_t)d;
        if (d == 0) raw_wait(l->fd, 0);
    }
    return back == n ? 0 : -1;
}

/* The rate is one round's bytes over the median round's time: a round now and then waits tens
 * of milliseconds (a delayed ACK meeting Nagle's hold-back, or the broker's process
 * descheduled on a shared machine), and over the total time those few rounds decided the
 * figure (34.5 MiB/s in one run, 598 in another). The HAL's side (the suite's bench_echo_rate)
 * is measured the same way; the total is printed too. */
static int echo_rate(link_t *l, const char *name, size_t wsize, int rounds)
{
    static uint64_t t[1024];
    uint64_t t0 = raw_now_us(), us, med;
    int i;
    if (rounds > (int)(sizeof(t) / sizeof(t[0]))) rounds = (int)(sizeof(t) / sizeof(t[0]));
    for (i = 0; i < rounds; i++)
    {
        uint64_t r0 = raw_now_us();
        if (echo_round(l, ROUND, wsize) != 0)
        {
            fprintf(stderr, "raw %s: round %d failed\n", name, i);
            return -1;
        }
        t[i] = raw_now_us() - r0;
    }
    us = raw_now_us() - t0;
    med = median(t, rounds);
    printf("BENCH raw.%s %lu KiB/s (median of %d rounds of %lu KiB; all %lu KiB out and back in %lu us, %lu-byte "
           "writes)\n",
           name, (unsigned long)(med ? (uint64_t)ROUND * 1000000u / 1024u / med : 0), rounds,
           (unsigned long)(ROUND / 1024), (unsigned long)((uint64_t)ROUND * (uint64_t)rounds / 1024u),
           (unsigned long)us, (unsigned long)wsize);
    return 0;
}

static int rtt(const char *name)
{
    enum { N = 200 };
    uint64_t t[N];
    link_t l;
    int i, fd = raw_connect(str("host", "127.0.0.1"), num("tcp-echo", 0));
    long long cpu0;
    if (fd < 0) return -1;
    raw_tcp_link(&l, fd);
    cpu0 = cpu_us();
    for (i = 0; i < N; i++)
    {
        uint64_t t0 = raw_now_us();
        if (echo_round(&l, 64, 64) != 0) break;
        t[i] = raw_now_us() - t0;
    }
    close(fd);
    if (i < N) return -1;
    printf("BENCH raw.%s %lu us (median of %d, 64 bytes)\n", name, (unsigned long)median(t, N), N);
    printf("BENCH raw.%s-cpu %lld us (CPU per round trip)\n", name, (cpu_us() - cpu0) / N);
    return 0;
}

static int rtt_idle(void)
{
    static int idle[1024];
    int n = num("bench-idle", 1000), i, r;
    char name[48];
    struct rlimit lim;
    if (n > 1024) n = 1024;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < (rlim_t)(2 * n + 64))
    {
        lim.rlim_cur = (rlim_t)(2 * n + 64);
        if (setrlimit(RLIMIT_NOFILE, &lim) != 0) return -1;
    }
    for (i = 0; i < n; i++)
        if ((idle[i] = raw_connect(str("host", "127.0.0.1"), num("tcp-echo", 0))) < 0) break;
    snprintf(name, sizeof(name), "tcp.rtt-%d", n);
    r = i == n ? rtt(name) : -1;
    while (i-- > 0) close(idle[i]);
    return r;
}

static int connect_time(void)
{
    enum { N = 20 };
    uint64_t t[N];
    int i;
    for (i = 0; i < N; i++)
    {
        uint64_t t0 = raw_now_us();
        int fd = raw_connect(str("host", "127.0.0.1"), num("tcp-echo", 0));
        t[i] = raw_now_us() - t0;
        if (fd < 0) return -1;
        close(fd);
    }
    printf("BENCH raw.tcp.connect %lu us (median of %d)\n", (unsigned long)median(t, N), N);
    return 0;
}

static int stream_rates(int tls, const char *ca)
{
    /* 65535: the largest write the HAL takes (Qhal_sockWrite's length is 16 bits), so both
     * sides cut a round into the same segments. */
    static const size_t sizes[] = {1024, 65535};
    static const char *const names[2][2] = {{"tcp.echo-1k", "tcp.echo-64k"}, {"tls.echo-1k", "tls.echo-64k"}};
    int k;
    for (k = 0; k < 2; k++)
    {
        link_t l;
        int fd = raw_connect(str("host", "127.0.0.1"), num(tls ? "tls-valid" : "tcp-echo", 0)), r;
        if (fd < 0) return -1;
        if (tls) r = raw_tls_open(&l, fd, ca, str("tls-name", "localhost"));
        else
        {
            raw_tcp_link(&l, fd);
            r = 0;
        }
        if (r == 0) r = echo_rate(&l, names[tls][k], sizes[k], num(tls ? "bench-tls-rounds" : "bench-tcp-rounds", tls ? 16 : 64));
        raw_tls_close(&l);
        close(fd);
        if (r != 0) return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *ca = NULL;
    int i, bad = 0;
    size_t j;
    for (i = 1; i + 1 < argc; i += 2)
    {
        if (strcmp(argv[i], "--config") == 0)
        {
            if (load(argv[i + 1]) != 0) return 2;
        }
        else if (strcmp(argv[i], "--ca") == 0) ca = argv[i + 1];
        else if (strncmp(argv[i], "--", 2) == 0) set(argv[i] + 2, argv[i + 1]);
    }
    if (!ca || !num("tcp-echo", 0))
    {
        fprintf(stderr, "usage: raw-bench --config FILE --ca FILE [--key value ...]\n");
        return 2;
    }
    for (j = 0; j < sizeof(g_out); j++) g_out[j] = (unsigned char)((j * 31u + 91u) ^ (j >> 8));
    if (connect_time() != 0) bad++, fprintf(stderr, "raw: connect failed\n");
    if (stream_rates(0, ca) != 0) bad++, fprintf(stderr, "raw: tcp echo failed\n");
    if (stream_rates(1, ca) != 0) bad++, fprintf(stderr, "raw: tls echo failed\n");
    if (rtt("tcp.rtt-1") != 0) bad++, fprintf(stderr, "raw: round trip failed\n");
    if (rtt_idle() != 0) bad++, fprintf(stderr, "raw: round trip with idle links failed\n");
    fflush(stdout);
    return bad ? 1 : 0;
}
