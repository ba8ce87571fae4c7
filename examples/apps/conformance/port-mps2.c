/*
 * The suite's platform on the MPS2 AN385 under qemu-system-arm: bare metal, lwIP with
 * NO_SYS=1, one loop. There is no I/O thread: the HAL's I/O context is Qhal_lwipRawPoll(),
 * which this file calls whenever the suite waits (port_wait, sleep_ms, control), so every
 * callback must arrive from inside that call and never from inside another Qhal_* call.
 *
 * Network (QEMU user-mode networking): lwIP at 10.0.2.15/24, gateway 10.0.2.2 (the host's
 * 127.0.0.1, where the broker is). The broker reaches the guest's servers through QEMU
 * `hostfwd` ports only (config keys hal-tcp-port/-fwd, hal-udp-port/-fwd). The harness's own
 * traffic to the broker's control port goes over lwIP's raw TCP API.
 *
 * The command line (QEMU -append, read with semihosting) carries the configuration as
 * `--key value` pairs (args-semihost.c).
 */
#include "conformance.h"
#include "args-semihost.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "mps2_an385.h"
#include "netif/ethernet.h"

static int g_inPoll;
static const char *g_wdCase;
static uint64_t g_wdDeadline;
static struct netif g_netif;

uint64_t now_ms(void)
{
    return qhal_mps2_millis();
}

/* SysTick counts milliseconds: good enough for figures measured in milliseconds. */
uint64_t now_us(void)
{
    return (uint64_t)qhal_mps2_millis() * 1000u;
}

/* One pass of the HAL's I/O context; callbacks happen in here. */
static void pump(void)
{
    g_inPoll = 1;
    Qhal_lwipRawPoll();
    g_inPoll = 0;
    if (g_wdCase != NULL && now_ms() > g_wdDeadline)
    {
        suite_watchdog_fired(g_wdCase);
        qhal_mps2_exit(1);
    }
}

void sleep_ms(int ms)
{
    uint64_t end = now_ms() + (uint64_t)(ms > 0 ? ms : 0);
    do
    {
        pump();
        if (now_ms() < end) qhal_mps2_idle();
    } while (now_ms() < end);
}

/* One loop, no threads: the records need no lock. */
void port_lock(void)
{
}

void port_unlock(void)
{
}

void port_wait(uint64_t deadline)
{
    pump();
    if (now_ms() < deadline) qhal_mps2_idle();
}

void port_wake(void)
{
}

int port_callback_context(void)
{
    return g_inPoll;
}

/* One loop runs the HAL and the cases: there is no second task. */
int port_task_start(void (*fn)(void *), void *arg)
{
    (void)fn;
    (void)arg;
    return -1;
}

void port_watchdog(const char *name, uint64_t deadline)
{
    g_wdCase = name;
    g_wdDeadline = deadline;
}

int port_verbose(void)
{
    return cfg_int("verbose", 0);
}

void port_log_line(const char *line)
{
    printf("    | %s\n", line);
}

void port_exit(int status)
{
    fflush(stdout);
    qhal_mps2_exit(status);
}

/* ---- network ---- */

static int net_up(void)
{
    ip4_addr_t ip, mask, gw;
    ip_addr_t dns;
    IP4_ADDR(&ip, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 2, 2);
    lwip_init();
    if (netif_add(&g_netif, &ip, &mask, &gw, NULL, qhal_mps2_lan9118_init, ethernet_input) == NULL) return -1;
    netif_set_default(&g_netif);
    netif_set_up(&g_netif);
    netif_set_link_up(&g_netif);
#if LWIP_DNS
    if (ipaddr_aton(cfg_str("dns-server", "10.0.2.3"), &dns)) dns_setserver(0, &dns);
#else
    (void)dns;
#endif
    return 0;
}

int port_init(int *argc, char ***argv)
{
    if (semihost_args(argc, argv) != 0) return -1;
    if (net_up() != 0)
    {
        printf("FAIL suite: no LAN9118 (lwIP netif_add failed)\n");
        return -1;
    }
    printf("# lwIP %s on the LAN9118: 10.0.2.15 via 10.0.2.2, %d configuration keys\n", LWIP_VERSION_STRING,
           (*argc - 1) / 2);
    return 1;
}

/* TCP PCBs the HAL has not closed (closing states belong to lwIP now), listeners, UDP PCBs. */
/* No process CPU clock and no descriptor limit on bare metal. */
long long port_cpu_us(void)
{
    return -1;
}

int port_raise_fd_limit(int n)
{
    (void)n;
    return 0;
}

int open_fd_count(void)
{
    int n = 0;
    struct tcp_pcb *p;
    struct tcp_pcb_listen *l;
    struct udp_pcb *u;
    for (p = tcp_active_pcbs; p != NULL; p = p->next)
        if (p->state == SYN_SENT || p->state == SYN_RCVD || p->state == ESTABLISHED || p->state == CLOSE_WAIT) n++;
    for (l = tcp_listen_pcbs.listen_pcbs; l != NULL; l = l->next) n++;
    for (u = udp_pcbs; u != NULL; u = u->next) n++;
    return n;
}

int port_local_port(int stream, char *reachHost, size_t reachHostMax, int *reachPort)
{
    snprintf(reachHost, reachHostMax, "%s", cfg_str("hal-host", "127.0.0.1"));
    *reachPort = cfg_int(stream ? "hal-tcp-fwd" : "hal-udp-fwd", 0);
    return *reachPort > 0 ? cfg_int(stream ? "hal-tcp-port" : "hal-udp-port", 0) : -1;
}

/* ---- the broker's control port over lwIP's raw TCP ---- */

static struct
{
    struct tcp_pcb *pcb;
    int connected, failed, closed;
    char *reply;
    size_t len, max;
} g_ctl;

static err_t ctl_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    (void)err;
    if (p == NULL)
    {
        g_ctl.closed = 1;
        return ERR_OK;
    }
    if (g_ctl.len + 1 < g_ctl.max)
    {
        size_t room = g_ctl.max - 1 - g_ctl.len;
        size_t n = p->tot_len < room ? p->tot_len : room;
        pbuf_copy_partial(p, g_ctl.reply + g_ctl.len, (u16_t)n, 0);
        g_ctl.len += n;
        g_ctl.reply[g_ctl.len] = 0;
    }
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static err_t ctl_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    (void)pcb;
    if (err == ERR_OK) g_ctl.connected = 1;
    else g_ctl.failed = 1;
    return ERR_OK;
}

static void ctl_err(void *arg, err_t err)
{
    (void)arg;
    (void)err;
    g_ctl.pcb = NULL; /* lwIP freed it */
    g_ctl.failed = 1;
}

int control(const char *cmd, char *reply, size_t replyMax)
{
    ip_addr_t addr;
    int port = cfg_int("control", 0), ok = -1;
    uint64_t deadline = now_ms() + 8000;
    char out[600];
    if (replyMax) reply[0] = 0;
    if (port <= 0 || replyMax < 2 || !ipaddr_aton(cfg_str("control-host", cfg_str("host", "10.0.2.2")), &addr))
        return -1;
    memset(&g_ctl, 0, sizeof(g_ctl));
    g_ctl.reply = reply;
    g_ctl.max = replyMax;
    g_ctl.pcb = tcp_new();
    if (g_ctl.pcb == NULL) return -1;
    tcp_recv(g_ctl.pcb, ctl_recv);
    tcp_err(g_ctl.pcb, ctl_err);
    if (tcp_connect(g_ctl.pcb, &addr, (u16_t)port, ctl_connected) != ERR_OK)
    {
        tcp_abort(g_ctl.pcb);
        return -1;
    }
    while (!g_ctl.connected && !g_ctl.failed && now_ms() < deadline) port_wait(deadline);
    if (g_ctl.connected && !g_ctl.failed && g_ctl.pcb != NULL)
    {
        int n = snprintf(out, sizeof(out), "%s\n", cmd);
        if (n > 0 && (size_t)n < sizeof(out) && tcp_write(g_ctl.pcb, out, (u16_t)n, TCP_WRITE_FLAG_COPY) == ERR_OK)
        {
            tcp_output(g_ctl.pcb);
            while (!strchr(reply, '\n') && !g_ctl.failed && !g_ctl.closed && now_ms() < deadline) port_wait(deadline);
            if (strchr(reply, '\n'))
            {
                *strchr(reply, '\n') = 0;
                ok = strncmp(reply, "ok", 2) == 0 ? 0 : -1;
            }
        }
    }
    if (g_ctl.pcb != NULL)
    {
        tcp_arg(g_ctl.pcb, NULL);
        tcp_recv(g_ctl.pcb, NULL);
        tcp_err(g_ctl.pcb, NULL);
        if (tcp_close(g_ctl.pcb) != ERR_OK) tcp_abort(g_ctl.pcb);
        g_ctl.pcb = NULL;
    }
    return ok;
}
