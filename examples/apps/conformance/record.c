/*
 * The core's side of the HAL: the Quos_socket* callbacks, the SDK shim (log, counted
 * malloc/free) and the PSK hook. Every event is recorded under the port's lock; waits are
 * bounded and go through port_wait() (a condition variable on threads, the HAL's poll
 * loop on bare metal).
 */
#include "conformance.h"
/* port_wake() takes no lock on any platform (a condition broadcast, or nothing). */
#define QHAL_SHIM_SIGNAL_WAKE() port_wake()
#include "qhal_shim_signal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TRACK 64
#define RX_CAP SUITE_RX_CAP
#define LOG_LINES 48
#define EVENT_LINES 64

typedef struct
{
    pointer_t h;
    int used;
    int closed; /* the suite closed it: no event may follow */
    int inFlight; /* one callback already past the HAL's check when close ran is tolerated */
    int registered; /* the core has the channel: Init returned (rec_opened) or it was accepted */
    uint64_t closedAt;
    quint8_t *rx;
    size_t rxLen;
    int downs, txs, conns, connResult, datagrams;
    peer_buf_t peer;
    int havePeer;
    pointer_t accepted[16];
    int nAccepted;
} track_t;

static track_t g_track[MAX_TRACK];
static int g_violations;
static char g_violation[256];
static char g_events[EVENT_LINES][160];
static int g_nEvents;
static char g_logs[LOG_LINES][200];
static int g_nLogs;
static long g_live, g_total;
static int g_pskWrong;
static int g_connOk;
static int g_opening;
static pointer_t g_closeInCb = SOCKET_FD_INVALID; /* close this handle from inside its next Rx */
static int g_closedInCb; /* an Init call is running: a closed slot may be coming back */
static int g_inSignal;  /* the core's task is running a signal (Quos_signalSet); port lock */
static int g_logLock;   /* the HAL logs holding its own lock: the log ring has its own lock */
static int g_dropped;   /* ConnResults for handles not registered yet (the core drops them) */
static int g_tolerated; /* events for a closed handle tolerated as in flight at the close */

/* Caller holds the port lock. */
static track_t *find(pointer_t h, int create)
{
    int i, freeIdx = -1;
    for (i = 0; i < MAX_TRACK; i++)
    {
        if (g_track[i].used && g_track[i].h == h) return &g_track[i];
        if (!g_track[i].used && freeIdx < 0) freeIdx = i;
    }
    if (!create) return NULL;
    if (freeIdx < 0)
    {
        /* Full: forget the handle closed longest ago. */
        uint64_t oldest = UINT64_MAX;
        for (i = 0; i < MAX_TRACK; i++)
            if (g_track[i].closed && g_track[i].closedAt < oldest)
            {
                oldest = g_track[i].closedAt;
                freeIdx = i;
            }
        if (freeIdx < 0) return NULL;
        free(g_track[freeIdx].rx);
    }
    memset(&g_track[freeIdx], 0, sizeof(track_t));
    g_track[freeIdx].used = 1;
    g_track[freeIdx].h = h;
    g_track[freeIdx].connResult = -1;
    return &g_track[freeIdx];
}

/* Caller holds the port lock: a closed slot reused for a new link starts its record afresh. */
static void restart(track_t *t)
{
    pointer_t h = t->h;
    free(t->rx);
    memset(t, 0, sizeof(*t));
    t->used = 1;
    t->h = h;
    t->connResult = -1;
}

/* Caller holds the port lock: a closed handle that comes back from an Init in progress starts afresh. */
static track_t *live_track(pointer_t h)
{
    track_t *t = find(h, 1);
    if (t && t->closed && g_opening) restart(t);
    return t;
}

static void violation(const char *fmt, ...);
static void event(const char *fmt, ...);

/*
 * An event for a handle the suite closed. The HAL checks a handle is live, then calls back
 * without its lock held (it must), so one callback already under way when another task
 * closes the handle can still arrive just after Qhal_sockClose returned: the core drops it
 * (unknown handle). One such event within 500 ms is tolerated; a second, or a later one,
 * means the HAL did not stop delivering for a closed handle.
 */
static void late_event(track_t *t, const char *what, pointer_t h, unsigned type, unsigned len)
{
    if (t->inFlight && now_ms() - t->closedAt < 500u)
    {
        t->inFlight = 0;
        g_tolerated++;
        event("%s h=0x%lx type=%u len=%u just after close (in flight, tolerated)", what, (unsigned long)h, type, len);
        return;
    }
    violation("%s(handle 0x%lx, type %u, len %u) after Qhal_sockClose", what, (unsigned long)h, type, len);
}

static void violation(const char *fmt, ...)
{
    va_list ap;
    g_violations++;
    va_start(ap, fmt);
    vsnprintf(g_violation, sizeof(g_violation), fmt, ap);
    va_end(ap);
}

static void event(const char *fmt, ...)
{
    va_list ap;
    if (g_nEvents >= EVENT_LINES) return;
    va_start(ap, fmt);
    vsnprintf(g_events[g_nEvents++], sizeof(g_events[0]), fmt, ap);
    va_end(ap);
}

static void check_context(const char *what, pointer_t h)
{
    if (!port_callback_context() && !g_inSignal)
        violation("%s for handle 0x%lx called from the core's own task (inside a HAL call), not the I/O context",
                  what, (unsigned long)h);
}

static void on_rx(pointer_t h, quint8_t type, const void *peer, quint32_t peerSize, int havePeerSize,
                  const quint8_t *buf, quint32_t bufLen)
{
    track_t *t;
    char p[80];
    port_lock();
    check_context("Quos_socketIORx", h);
    peer_text(peer, p, sizeof(p));
    t = live_track(h);
    if (t == NULL)
    {
        port_unlock();
        return;
    }
    if (t->closed)
    {
        late_event(t, "Quos_socketIORx", h, (unsigned)type, (unsigned)bufLen);
        port_wake();
        port_unlock();
        return;
    }
    if (bufLen == 0)
    {
        event("rx   h=0x%lx type=%u DOWN", (unsigned long)h, (unsigned)type);
        t->downs++;
        if (t->downs > 1)
            violation("link-down event delivered %d times for handle 0x%lx", t->downs, (unsigned long)h);
        /* The core deletes the channel: from now on the handle is unknown to it, as after a
         * close, and the HAL may hand the same handle value out again for a new link. */
        t->closed = 1;
        t->closedAt = now_ms();
    }
    else if (type == SOCKET_TYPE_TCP_LISTEN)
    {
        pointer_t client = SOCKET_FD_INVALID;
        if (bufLen == sizeof(pointer_t)) memcpy(&client, buf, sizeof(client));
        else violation("accept event on listener 0x%lx with bufLen %u, not sizeof(pointer_t)", (unsigned long)h,
                       (unsigned)bufLen);
        event("rx   h=0x%lx LISTEN accepted client 0x%lx from %s", (unsigned long)h, (unsigned long)client, p);
        if (strncmp(p, "[0:0:0:0:0:ffff:", 16) == 0 || strncmp(p, "[::ffff:", 8) == 0)
            violation("IPv4 client 0x%lx reported as the IPv4-mapped IPv6 address %s, not as IPv4", (unsigned long)client,
                      p);
        if (t->nAccepted < 16) t->accepted[t->nAccepted++] = client;
        {
            /* A slot reused for an accepted client: no bytes of the link it held before. */
            track_t *c = find(client, 1);
            if (c && c->closed) restart(c);
            if (c) c->registered = 1;
        }
    }
    else
    {
        event("rx   h=0x%lx type=%u len=%u peer=%s", (unsigned long)h, (unsigned)type, (unsigned)bufLen, p);
        if (t->rx == NULL) t->rx = (quint8_t *)malloc(RX_CAP);
        if (t->rx)
        {
            size_t n = bufLen;
            if (t->rxLen + n > RX_CAP) n = RX_CAP - t->rxLen;
            memcpy(t->rx + t->rxLen, buf, n);
            t->rxLen += n;
        }
        t->datagrams++;
        if (peer != NULL)
        {
            size_t len = peer_len(peer);
            if (len == 0 || len > sizeof(t->peer))
                violation("sender address of unknown family on handle 0x%lx", (unsigned long)h);
            else if (havePeerSize && peerSize < len)
                violation("peerSize %u shorter than the sender's address (%u)", (unsigned)peerSize, (unsigned)len);
            if (len != 0 && len <= sizeof(t->peer))
            {
                memset(&t->peer, 0, sizeof(t->peer));
                memcpy(&t->peer, peer, len);
                t->havePeer = 1;
            }
        }
        else if (type == SOCKET_TYPE_UDP)
        {
            violation("UDP datagram on handle 0x%lx without its sender (peer NULL)", (unsigned long)h);
        }
    }
    if (h == g_closeInCb && !t->closed)
    {
        /* What the core does on link-down or on a message that ends the session: close the
         * handle from inside the callback, on the HAL's I/O context. */
        t->closed = 1;
        g_closeInCb = SOCKET_FD_INVALID;
        event("close h=0x%lx type=%u (inside Quos_socketIORx)", (unsigned long)h, (unsigned)type);
        port_unlock();
        Qhal_sockClose(h, type);
        port_lock();
        g_closedInCb++;
    }
    port_wake();
    port_unlock();
}

void rec_close_in_callback(pointer_t h)
{
    port_lock();
    g_closeInCb = h;
    port_unlock();
}

int rec_closed_in_callback(int ms)
{
    uint64_t deadline = now_ms() + (uint64_t)ms;
    int n;
    port_lock();
    while (g_closedInCb == 0 && now_ms() < deadline) port_wait(deadline);
    n = g_closedInCb;
    g_closedInCb = 0;
    port_unlock();
    return n;
}

#if QHAL_RX_PEER_SIZE
void Quos_socketIORx(pointer_t sockFd, quint8_t type, const void *peer, quint32_t peerSize, quint8_t *buf,
                     quint32_t bufLen)
{
    on_rx(sockFd, type, peer, peerSize, 1, buf, bufLen);
}
#else
void Quos_socketIORx(pointer_t sockFd, quint8_t type, const void *peer, quint8_t *buf, quint32_t bufLen)
{
    on_rx(sockFd, type, peer, 0, 0, buf, bufLen);
}
#endif

/* Every record in use by a link still open: handles beyond these go untracked. */
static int table_full(void)
{
    int i;
    for (i = 0; i < MAX_TRACK; i++)
        if (!g_track[i].used || g_track[i].closed) return 0;
    return 1;
}

void Quos_socketIOConnResult(pointer_t sockFd, quint8_t type, qbool result)
{
    track_t *t;
    port_lock();
    check_context("Quos_socketIOConnResult", sockFd);
    t = find(sockFd, 0);
    /* A handle the full table has no room for (the benchmark's 1,000 idle links) was
     * registered when its Init returned, unless an Init is running now: it may be that one's. */
    if ((t == NULL && (g_opening || !table_full())) ||
        (t != NULL && (!t->registered || (t->closed && g_opening))))
    {
        /* As the core: the channel is added only after Init returned; a result for a handle
         * it does not have yet is dropped, and its timer fails the connect later. */
        event("conn h=0x%lx type=%u result=%u DROPPED: handle not registered yet", (unsigned long)sockFd,
              (unsigned)type, (unsigned)result);
        g_dropped++;
        port_unlock();
        return;
    }
    if (!t || !t->closed)
        event("conn h=0x%lx type=%u result=%u", (unsigned long)sockFd, (unsigned)type, (unsigned)result);
    if (result) g_connOk++;
    if (t)
    {
        if (t->closed)
        {
            late_event(t, "Quos_socketIOConnResult", sockFd, (unsigned)type, 0u);
            port_unlock();
            return;
        }
        t->conns++;
        if (t->conns > 1) violation("ConnResult delivered %d times for handle 0x%lx", t->conns, (unsigned long)sockFd);
        if (t->connResult < 0) t->connResult = result ? 1 : 0;
    }
    port_wake();
    port_unlock();
}

void Quos_socketIOTxCb(pointer_t sockFd, quint8_t type)
{
    track_t *t;
    port_lock();
    check_context("Quos_socketIOTxCb", sockFd);
    t = live_track(sockFd);
    if (!t || !t->closed) event("txcb h=0x%lx type=%u", (unsigned long)sockFd, (unsigned)type);
    if (t)
    {
        if (t->closed)
        {
            late_event(t, "Quos_socketIOTxCb", sockFd, (unsigned)type, 0u);
            port_unlock();
            return;
        }
        t->txs++;
    }
    port_wake();
    port_unlock();
}

void rec_reset(void)
{
    int i;
    (void)core_run_signals(); /* what the last case left for the core's task */
    port_lock();
    for (i = 0; i < MAX_TRACK; i++)
    {
        /* Closed handles stay tracked: a late event for them is still a violation. */
        if (g_track[i].used && !g_track[i].closed)
        {
            free(g_track[i].rx);
            memset(&g_track[i], 0, sizeof(track_t));
        }
        else if (g_track[i].used)
        {
            free(g_track[i].rx);
            g_track[i].rx = NULL;
            g_track[i].rxLen = 0;
        }
    }
    g_nEvents = 0;
    while (__atomic_exchange_n(&g_logLock, 1, __ATOMIC_ACQUIRE))
    {
    }
    g_nLogs = 0;
    __atomic_store_n(&g_logLock, 0, __ATOMIC_RELEASE);
    port_unlock();
}

void rec_opening(void)
{
    port_lock();
    g_opening = 1;
    port_unlock();
}

void rec_opened(pointer_t h)
{
    track_t *t;
    port_lock();
    g_opening = 0;
    if (h == SOCKET_FD_INVALID)
    {
        port_unlock();
        return;
    }
    t = find(h, 1);
    /* The slot was reused for a new link: start its record afresh. */
    if (t && t->closed) restart(t);
    if (t) t->registered = 1;
    port_unlock();
}

void suite_close(pointer_t h, quint8_t type)
{
    track_t *t;
    port_lock();
    t = find(h, 1);
    if (t && !t->closed)
    {
        t->closed = 1;
        t->inFlight = 1;
        t->closedAt = now_ms();
    }
    if (t && t->downs > 0)
    {
        /* As the core: a link the HAL reported down is deleted without a close. */
        event("no close for h=0x%lx: the HAL reported it down", (unsigned long)h);
        port_unlock();
        return;
    }
    event("close h=0x%lx type=%u", (unsigned long)h, (unsigned)type);
    /* As the core: close from its own task with the lock every callback takes held, so a HAL
     * whose close waits for a callback in progress deadlocks here (and the watchdog says so).
     * Holding it also keeps a higher-priority I/O task (an RTOS) from delivering between the
     * mark above and the close: what it has under way arrives after, as one tolerated event. */
    Qhal_sockClose(h, type);
    port_unlock();
}

qbool suite_write(pointer_t h, quint8_t type, const void *peer, const quint8_t *buf, quint16_t len,
                  qbool *isSending)
{
    return Qhal_sockWrite(h, type, peer, buf, len, isSending);
}

size_t rec_rx(pointer_t h, quint8_t *out, size_t outMax)
{
    size_t n = 0;
    track_t *t;
    port_lock();
    t = find(h, 0);
    if (t)
    {
        n = t->rxLen;
        if (out && t->rx) memcpy(out, t->rx, n < outMax ? n : outMax);
    }
    port_unlock();
    return n;
}

/* ---- the core's signal queue (Quos_signalSet, templates/common/sdk-shim): the core's task,
 * the one that runs the cases, runs the callbacks while it waits, without the port lock. */

int core_run_signals(void)
{
    int n;
    /* Under the port lock: the callbacks read it under that lock (check_context). */
    port_lock();
    g_inSignal = 1;
    port_unlock();
    n = qhal_shim_signal_run();
    port_lock();
    g_inSignal = 0;
    port_unlock();
    return n;
}

/* Port lock held: runs queued signals, else waits a short slice (a post may land between the
 * check and the wait; its wake-up is then missed, the slice bounds the delay). */
static void core_wait(uint64_t deadline)
{
    uint64_t slice;
    if (qhal_shim_signal_pending())
    {
        port_unlock();
        (void)core_run_signals();
        port_lock();
        return;
    }
    slice = now_ms() + 5u;
    port_wait(slice < deadline ? slice : deadline);
}

int rec_tolerated_late_events(void)
{
    int n;
    port_lock();
    n = g_tolerated;
    port_unlock();
    return n;
}

unsigned rec_wait_slots_free(int ms)
{
#ifdef QHAL_TEST_HOOKS
    uint64_t deadline = now_ms() + (uint64_t)ms;
    quint32_t n = Qhal_testSlotsInUse();
    while (n != 0u && now_ms() < deadline)
    {
        (void)core_run_signals();
        sleep_ms(5);
        n = Qhal_testSlotsInUse();
    }
    return (unsigned)n;
#else
    (void)ms;
    return 0u;
#endif
}

int rec_dropped_results(void)
{
    int n;
    port_lock();
    n = g_dropped;
    g_dropped = 0;
    port_unlock();
    return n;
}

static int count_locked(track_t *t, int kind)
{
    if (t == NULL) return 0;
    switch (kind)
    {
    case EV_RX: return t->datagrams;
    case EV_DOWN: return t->downs;
    case EV_ACCEPT: return t->nAccepted;
    case EV_CONN: return t->conns;
    case EV_TX: return t->txs;
    default: return 0;
    }
}

int rec_count(pointer_t h, int kind)
{
    int n;
    port_lock();
    n = count_locked(find(h, 0), kind);
    port_unlock();
    return n;
}

int rec_conn_result(pointer_t h)
{
    int r;
    track_t *t;
    port_lock();
    t = find(h, 0);
    r = t ? t->connResult : -1;
    port_unlock();
    return r;
}

int wait_rx(pointer_t h, size_t n, int ms)
{
    uint64_t deadline = now_ms() + (uint64_t)ms;
    int ok = 0;
    port_lock();
    for (;;)
    {
        track_t *t = find(h, 0);
        if (t && t->rxLen >= n)
        {
            ok = 1;
            break;
        }
        if (now_ms() >= deadline) break;
        core_wait(deadline);
    }
    port_unlock();
    return ok;
}

int wait_count(pointer_t h, int kind, int n, int ms)
{
    uint64_t deadline = now_ms() + (uint64_t)ms;
    int ok = 0;
    port_lock();
    for (;;)
    {
        if (count_locked(find(h, 0), kind) >= n)
        {
            ok = 1;
            break;
        }
        if (now_ms() >= deadline) break;
        core_wait(deadline);
    }
    port_unlock();
    return ok;
}

int wait_conn(pointer_t h, int ms)
{
    uint64_t deadline = now_ms() + (uint64_t)ms;
    int r = -1;
    port_lock();
    for (;;)
    {
        track_t *t = find(h, 0);
        if (t && t->connResult >= 0)
        {
            r = t->connResult;
            break;
        }
        if (now_ms() >= deadline) break;
        core_wait(deadline);
    }
    port_unlock();
    return r;
}

int rec_last_peer(pointer_t h, void *out, size_t outMax)
{
    int have = 0;
    track_t *t;
    port_lock();
    t = find(h, 0);
    if (t && t->havePeer)
    {
        memcpy(out, &t->peer, outMax < sizeof(t->peer) ? outMax : sizeof(t->peer));
        have = 1;
    }
    port_unlock();
    return have;
}

int rec_accepted(pointer_t listener, pointer_t *out, int max)
{
    int n = 0, i;
    track_t *t;
    port_lock();
    t = find(listener, 0);
    if (t)
        for (i = 0; i < t->nAccepted && n < max; i++) out[n++] = t->accepted[i];
    port_unlock();
    return n;
}

int rec_violations(char *last, size_t lastMax)
{
    int n;
    port_lock();
    n = g_violations;
    if (last && lastMax) snprintf(last, lastMax, "%s", g_violation);
    port_unlock();
    return n;
}

void rec_dump(void)
{
    int i;
    port_lock();
    printf("  events (%d%s):\n", g_nEvents, g_nEvents >= EVENT_LINES ? ", first ones only" : "");
    for (i = 0; i < g_nEvents; i++) printf("    %s\n", g_events[i]);
    if (g_nLogs)
    {
        printf("  HAL log (last %d):\n", g_nLogs);
        for (i = 0; i < g_nLogs; i++) printf("    %s\n", g_logs[i]);
    }
    port_unlock();
}

/* ---- SDK shim ---- */

void qhal_shim_log(const char *module, int level, const char *fmt, ...)
{
    char line[200];
    int n;
    va_list ap;
    n = snprintf(line, sizeof(line), "[%s %d] ", module, level);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof(line)) n = (int)sizeof(line) - 1;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    if (port_verbose()) port_log_line(line);
    /* Not the port lock: the HAL logs with its own lock held, and the suite holds the port
     * lock around Qhal_sockClose (as the core does), so taking it here could deadlock. */
    while (__atomic_exchange_n(&g_logLock, 1, __ATOMIC_ACQUIRE))
    {
    }
    if (g_nLogs == LOG_LINES)
    {
        memmove(g_logs[0], g_logs[1], sizeof(g_logs[0]) * (LOG_LINES - 1));
        g_nLogs--;
    }
    snprintf(g_logs[g_nLogs++], sizeof(g_logs[0]), "%s", line);
    __atomic_store_n(&g_logLock, 0, __ATOMIC_RELEASE);
}

void *qhal_shim_malloc(size_t size)
{
    void *p = malloc(size);
    if (p)
    {
        __atomic_add_fetch(&g_live, 1, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&g_total, 1, __ATOMIC_SEQ_CST);
    }
    return p;
}

void qhal_shim_free(void *ptr)
{
    if (ptr == NULL) return;
    __atomic_sub_fetch(&g_live, 1, __ATOMIC_SEQ_CST);
    free(ptr);
}

long shim_live_allocations(void)
{
    return __atomic_load_n(&g_live, __ATOMIC_SEQ_CST);
}

long shim_total_allocations(void)
{
    return __atomic_load_n(&g_total, __ATOMIC_SEQ_CST);
}

/* ---- PSK hook (named by the board: tls.psk.hook = 'qhal_test_psk') ---- */

void suite_psk_wrong(int wrong)
{
    g_pskWrong = wrong;
}

/* Calls of the hook since the last suite_psk_calls() (the handshake runs inside Init). */
static int g_pskCalls;

int suite_psk_calls(void)
{
    int n = g_pskCalls;
    g_pskCalls = 0;
    return n;
}

#if defined(QHAL_PSK) && QHAL_PSK
static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

qbool qhal_test_psk(const char *hostname, quint16_t port, qhal_psk_t *out)
{
    const char *hex = cfg_str("psk-key", "");
    const char *id = cfg_str("psk-identity", "");
    size_t n = strlen(hex), i;
    (void)hostname;
    (void)port;
    g_pskCalls++;
    if (n == 0 || n % 2 || n / 2 > sizeof(out->key) || strlen(id) == 0 || strlen(id) > sizeof(out->identity))
        return FALSE;
    for (i = 0; i < n / 2; i++)
    {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return FALSE;
        out->key[i] = (quint8_t)(hi * 16 + lo);
    }
    out->keyLen = n / 2;
    if (g_pskWrong) out->key[0] ^= 0x5a;
    memcpy(out->identity, id, strlen(id));
    out->identityLen = strlen(id);
    return TRUE;
}
#endif

int rec_conn_ok_total(void)
{
    int n;
    port_lock();
    n = g_connOk;
    port_unlock();
    return n;
}
