/*
 * mps2-freertos: a FreeRTOS firmware for QEMU mps2-an385 that proves the generated lwip-socket
 * HAL (board examples/boards/mps2-an385-freertos-lwip.ts) on FreeRTOS and qhal-gen's lwIP
 * sys_arch. main() starts the scheduler; the test task starts lwIP (tcpip_init), adds the
 * LAN9118 as a netif (static 10.0.2.15/24, gateway 10.0.2.2: QEMU user-mode networking) and a
 * task that moves its frames into lwIP, then plays the QuecThing core against echo servers on
 * the host (10.0.2.2 is the host's 127.0.0.1): it implements Quos_socketIORx,
 * Quos_socketIOConnResult and Quos_socketIOTxCb, which the HAL calls from its I/O task.
 * Prints PASS/FAIL lines and "N passed, N failed"; the exit status (semihosting) is the number
 * of failures.
 *
 * Ports come from the semihosting command line (QEMU -append):
 *   tcp=<echo port> udp=<echo port> closed=<port nobody listens on>
 * The TCP echo server must close the connection after echoing a line "bye".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "FreeRTOS.h"
#include "semphr.h"
#include "task.h"

#include "qhal_Socket.h"
#include "qhal_shim_signal.h"

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "mps2_an385.h"

#define TEST_TASK_PRIORITY 2
#define TEST_TASK_WORDS 2048
/* Above the HAL's I/O task (the board's ioTaskPriority, 3), level with lwIP's tcpip thread. */
#define NETIF_TASK_PRIORITY 4
#define NETIF_TASK_WORDS 512

/* ------------------------------------------------------------ the SDK shim's hooks */

void qhal_shim_log(const char *module, int level, const char *fmt, ...)
{
    char line[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    qhal_mps2_printf("  [%s/%d] %s\n", module, level, line);
}

/* picolibc's malloc, made task-safe by qhal-gen's locks (libfreertos.a). */
void *qhal_shim_malloc(size_t size)
{
    return malloc(size);
}

void qhal_shim_free(void *ptr)
{
    free(ptr);
}

/* ------------------------------------------------------------ the "core" */

#define RX_MAX 8192

/* What the HAL's I/O task reported; guarded by g_coreLock (the test task reads it). */
static SemaphoreHandle_t g_coreLock;
static struct
{
    pointer_t handle;
    int connResults;
    qbool connResult;
    int txCbs;
    int downs;
    int dataAfterDown;
    int family;
    quint16_t port;
    size_t rxLen;
    quint8_t rx[RX_MAX];
} g;

static void core_lock(void)
{
    (void)xSemaphoreTake(g_coreLock, portMAX_DELAY);
}

static void core_unlock(void)
{
    (void)xSemaphoreGive(g_coreLock);
}

void Quos_socketIORx(pointer_t sockFd, quint8_t type, const void *peer, quint8_t *buf,
                     quint32_t bufLen)
{
    (void)type;
    core_lock();
    if (sockFd != g.handle)
    {
        core_unlock();
        qhal_mps2_printf("  unexpected Rx on another handle\n");
        return;
    }
    if (bufLen == 0)
    {
        g.downs++;
    }
    else
    {
        if (g.downs > 0)
        {
            g.dataAfterDown++;
        }
        if (peer != NULL)
        {
            /* lwIP's own struct sockaddr_in: length, family, port (network order). */
            const quint8_t *sa = (const quint8_t *)peer;
            g.family = sa[1];
            g.port = (quint16_t)((sa[2] << 8) | sa[3]);
        }
        size_t n = bufLen;
        if (n > RX_MAX - g.rxLen)
        {
            n = RX_MAX - g.rxLen;
        }
        memcpy(&g.rx[g.rxLen], buf, n);
        g.rxLen += n;
    }
    core_unlock();
}

void Quos_socketIOConnResult(pointer_t sockFd, quint8_t type, qbool result)
{
    (void)type;
    core_lock();
    if (sockFd == g.handle)
    {
        g.connResults++;
        g.connResult = result;
    }
    core_unlock();
}

void Quos_socketIOTxCb(pointer_t sockFd, quint8_t type)
{
    (void)type;
    core_lock();
    if (sockFd == g.handle)
    {
        g.txCbs++;
    }
    core_unlock();
}

static void reset_core(pointer_t h)
{
    core_lock();
    memset(&g, 0, sizeof g);
    g.handle = h;
    core_unlock();
}

/* ------------------------------------------------------------ test plumbing */

static int g_passed;
static int g_failed;

static void check(int ok, const char *what)
{
    if (ok)
    {
        g_passed++;
        qhal_mps2_printf("PASS %s\n", what);
    }
    else
    {
        g_failed++;
        qhal_mps2_printf("FAIL %s\n", what);
    }
}

static uint32_t now_ms(void)
{
    return (uint32_t)(xTaskGetTickCount() * portTICK_PERIOD_MS);
}

static void sleep_ms(uint32_t ms)
{
    TickType_t ticks = pdMS_TO_TICKS(ms);
    vTaskDelay(ticks > 0 ? ticks : 1);
}

enum wait_for
{
    WAIT_CONN_RESULT,
    WAIT_RX,
    WAIT_DOWN
};

/* Waits (sleeping, so the HAL's tasks run) until the core saw what `what` names. */
static int wait_core(enum wait_for what, size_t rxLen, uint32_t timeout_ms)
{
    uint32_t start = now_ms();
    for (;;)
    {
        core_lock();
        int done = (what == WAIT_CONN_RESULT && g.connResults > 0) ||
                   (what == WAIT_RX && g.rxLen >= rxLen) || (what == WAIT_DOWN && g.downs > 0);
        core_unlock();
        if (done)
        {
            return 1;
        }
        if (now_ms() - start >= timeout_ms)
        {
            return 0;
        }
        /* This is the core's task: it runs what the HAL posted (Quos_signalSet). */
        if (qhal_shim_signal_run() > 0)
        {
            continue;
        }
        sleep_ms(5);
    }
}

/* " key=" (or key= at the start): the value as a port number, or 0 when absent. */
static unsigned arg_port(const char *cmdline, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = strstr(cmdline, key); p != NULL; p = strstr(p + 1, key))
    {
        if (p == cmdline || p[-1] == ' ')
        {
            return (unsigned)strtoul(p + n, NULL, 10);
        }
    }
    return 0;
}

/* ------------------------------------------------------------ lwIP and the LAN9118 */

static struct netif g_netif;
static SemaphoreHandle_t g_tcpipReady;

static void tcpip_ready(void *arg)
{
    (void)arg;
    (void)xSemaphoreGive(g_tcpipReady);
}

/* The LAN9118 is polled: this task moves received frames into lwIP (tcpip_input queues them
 * for the tcpip thread). It holds lwIP's core lock while it polls, because the driver's frame
 * buffer is shared with its transmit path, which lwIP calls with that lock held. */
static void netif_task(void *arg)
{
    (void)arg;
    for (;;)
    {
        LOCK_TCPIP_CORE();
        qhal_mps2_lan9118_poll(&g_netif);
        UNLOCK_TCPIP_CORE();
        vTaskDelay(1);
    }
}

static int network_up(void)
{
    g_tcpipReady = xSemaphoreCreateBinary();
    if (g_tcpipReady == NULL)
    {
        return 0;
    }
    tcpip_init(tcpip_ready, NULL);
    if (xSemaphoreTake(g_tcpipReady, pdMS_TO_TICKS(5000)) != pdTRUE)
    {
        return 0;
    }
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 2, 2);
    LOCK_TCPIP_CORE();
    struct netif *nif =
        netif_add(&g_netif, &ip, &mask, &gw, NULL, qhal_mps2_lan9118_init, tcpip_input);
    if (nif != NULL)
    {
        netif_set_default(nif);
        netif_set_up(nif);
        netif_set_link_up(nif);
    }
    UNLOCK_TCPIP_CORE();
    if (nif == NULL)
    {
        return 0;
    }
    return xTaskCreate(netif_task, "lan9118", NETIF_TASK_WORDS, NULL, NETIF_TASK_PRIORITY, NULL) ==
           pdPASS;
}

/* ------------------------------------------------------------ the tests */

static void test_dns_literal(void)
{
    quint8_t a0[46];
    quint8_t *addrs[1] = {a0};
    quint32_t n = Qhal_dns2IPGet("10.0.2.2", addrs, 1);
    check(n == 1 && strcmp((char *)a0, "10.0.2.2") == 0, "dns2IPGet on a literal address");
}

static void test_tcp_echo(unsigned port)
{
    quint8_t type = 0xff;
    quint32_t timeout = 0;
    reset_core(0);
    pointer_t h = Qhal_tcpClientInit(&type, "10.0.2.2", (quint16_t)port, &timeout);
    core_lock();
    g.handle = h;
    core_unlock();
    check(h != SOCKET_FD_INVALID && type == SOCKET_TYPE_TCP_CLI &&
              timeout == QHAL_CONNECT_TIMEOUT_MS,
          "tcpClientInit returns at once (async, connectTimeout set)");
    if (h == SOCKET_FD_INVALID)
    {
        return;
    }
    (void)wait_core(WAIT_CONN_RESULT, 0, timeout + 2000u);
    sleep_ms(100); /* a second result would come now */
    core_lock();
    int once = g.connResults == 1 && g.connResult == TRUE;
    core_unlock();
    check(once, "async connect reports TRUE once (from the HAL's I/O task)");

    qbool sending = TRUE;
    qbool ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"hello", 5, &sending);
    check(ok == TRUE && sending == FALSE, "write 'hello' taken at once");
    int got = wait_core(WAIT_RX, 5, 5000);
    core_lock();
    got = got && g.rxLen == 5 && memcmp(g.rx, "hello", 5) == 0;
    core_unlock();
    check(got, "echo 'hello' received");

    /* More than lwIP's send buffer (TCP_SND_BUF): what it cannot take is queued by the HAL
     * and reported once by Quos_socketIOTxCb. */
    static quint8_t big[6500];
    for (size_t i = 0; i < sizeof big; i++)
    {
        big[i] = (quint8_t)('a' + (i * 7) % 26);
    }
    core_lock();
    g.rxLen = 0;
    core_unlock();
    sending = FALSE;
    ok = Qhal_sockWrite(h, type, NULL, big, (quint16_t)sizeof big, &sending);
    check(ok == TRUE, "6500-byte write accepted");
    got = wait_core(WAIT_RX, sizeof big, 10000);
    sleep_ms(100);
    core_lock();
    int intact = got && g.rxLen == sizeof big && memcmp(g.rx, big, sizeof big) == 0;
    int txCbs = g.txCbs;
    core_unlock();
    check(intact, "6500-byte echo received intact");
    check(sending == TRUE ? txCbs == 1 : txCbs == 0,
          "Quos_socketIOTxCb once exactly when the write was queued");

    /* The server echoes "bye" and closes: data first, then one link-down. */
    core_lock();
    g.rxLen = 0;
    core_unlock();
    ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"bye\n", 4, NULL);
    check(ok == TRUE, "write 'bye'");
    (void)wait_core(WAIT_DOWN, 0, 5000);
    sleep_ms(200); /* nothing more may arrive */
    core_lock();
    int closedWell =
        g.rxLen == 4 && memcmp(g.rx, "bye\n", 4) == 0 && g.downs == 1 && g.dataAfterDown == 0;
    core_unlock();
    check(closedWell, "peer close: echo, then Quos_socketIORx(len 0) exactly once");
    ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"x", 1, NULL);
    check(ok == FALSE, "write on a link that is down fails");
    Qhal_sockClose(h, type);
    ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"x", 1, NULL);
    check(ok == FALSE, "write after close fails (unknown handle)");
}

static void test_tcp_refused(unsigned port)
{
    quint8_t type = 0;
    quint32_t timeout = 0;
    reset_core(0);
    pointer_t h = Qhal_tcpClientInit(&type, "10.0.2.2", (quint16_t)port, &timeout);
    core_lock();
    g.handle = h;
    core_unlock();
    if (h == SOCKET_FD_INVALID)
    {
        check(0, "connect to a closed port: handle");
        return;
    }
    (void)wait_core(WAIT_CONN_RESULT, 0, timeout + 2000u);
    sleep_ms(100);
    core_lock();
    int once = g.connResults == 1 && g.connResult == FALSE && g.downs == 0;
    core_unlock();
    check(once, "connect to a closed port reports FALSE once");
    Qhal_sockClose(h, type);
}

static void test_udp_echo(unsigned port)
{
    quint8_t type = 0;
    void *peer = NULL;
    reset_core(0);
    pointer_t h = Qhal_udpInit(&type, 0, "10.0.2.2", (quint16_t)port, &peer);
    core_lock();
    g.handle = h;
    core_unlock();
    check(h != SOCKET_FD_INVALID && type == SOCKET_TYPE_UDP && peer != NULL,
          "udpInit with a peer (peer block allocated)");
    if (h == SOCKET_FD_INVALID)
    {
        return;
    }
    qbool ok = Qhal_sockWrite(h, type, NULL, (const quint8_t *)"ping", 4, NULL);
    int got = wait_core(WAIT_RX, 4, 3000);
    core_lock();
    got = ok && got && g.rxLen == 4 && memcmp(g.rx, "ping", 4) == 0 && g.family == 2 &&
          g.port == port;
    g.rxLen = 0;
    core_unlock();
    check(got, "udp echo to the default peer, sender address given");
    ok = Qhal_sockWrite(h, type, peer, (const quint8_t *)"pong", 4, NULL);
    got = wait_core(WAIT_RX, 4, 3000);
    core_lock();
    got = ok && got && memcmp(g.rx, "pong", 4) == 0;
    core_unlock();
    check(got, "udp echo to an explicit peer");
    Qhal_sockClose(h, type);
    qhal_shim_free(peer); /* the core owns the peer block */
}

/* ------------------------------------------------------------ tasks */

static char g_cmdline[256];

static void test_task(void *arg)
{
    (void)arg;
    check(xTaskGetSchedulerState() == taskSCHEDULER_RUNNING,
          "FreeRTOS scheduler runs the test task");
    int up = network_up();
    check(up, "tcpip_init done, LAN9118 netif up (10.0.2.15)");
    unsigned tcp = arg_port(g_cmdline, "tcp=");
    unsigned udp = arg_port(g_cmdline, "udp=");
    unsigned closed = arg_port(g_cmdline, "closed=");
    if (up)
    {
        test_dns_literal();
        if (tcp != 0)
        {
            test_tcp_echo(tcp);
        }
        else
        {
            check(0, "tcp= port on the command line");
        }
        if (closed != 0)
        {
            test_tcp_refused(closed);
        }
        if (udp != 0)
        {
            test_udp_echo(udp);
        }
        else
        {
            check(0, "udp= port on the command line");
        }
    }
    qhal_mps2_printf("%d passed, %d failed\n", g_passed, g_failed);
    qhal_mps2_exit(g_failed);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (qhal_mps2_cmdline(g_cmdline, sizeof g_cmdline) != 0)
    {
        g_cmdline[0] = '\0';
    }
    qhal_mps2_printf("mps2-freertos: %s\n", g_cmdline);
    g_coreLock = xSemaphoreCreateMutex();
    if (g_coreLock == NULL ||
        xTaskCreate(test_task, "test", TEST_TASK_WORDS, NULL, TEST_TASK_PRIORITY, NULL) != pdPASS)
    {
        qhal_mps2_printf("FATAL: cannot create the test task\n");
        return 96;
    }
    vTaskStartScheduler();
    qhal_mps2_printf("FATAL: vTaskStartScheduler returned (FreeRTOS heap too small?)\n");
    return 95;
}
