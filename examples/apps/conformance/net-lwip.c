/*
 * The HAL runs on lwIP's sockets (the lwip-socket backend) inside this Linux program: lwIP's
 * unix port (pthreads sys_arch) with its TAP driver. The run stage made the TAP device (named
 * by PRECONFIGURED_TAPIF) in a private network namespace, with the broker on the host side.
 * Configuration keys: lwip-ip, lwip-mask, lwip-gw (the host side), lwip-ip6 (IPv6 boards),
 * dns-server. The harness's own traffic (control port) still uses the kernel's sockets.
 */
#include "conformance.h"

#include <stdio.h>
#include <stdlib.h>

#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "netif/tapif.h"
#if LWIP_IPV6
#include "lwip/ip6_addr.h"
#endif

static struct netif g_netif;
static sys_sem_t g_ready;

static void tcpip_ready(void *arg)
{
    (void)arg;
    sys_sem_signal(&g_ready);
}

static int add_ipv6(void)
{
#if LWIP_IPV6
    ip6_addr_t a6;
    s8_t idx = -1;
    int i, ready = 0;
    const char *text = cfg_str("lwip-ip6", "");
    if (!*text) return 0;
    if (!ip6addr_aton(text, &a6)) return -1;
    LOCK_TCPIP_CORE();
    netif_create_ip6_linklocal_address(&g_netif, 1);
    netif_add_ip6_address(&g_netif, &a6, &idx);
    UNLOCK_TCPIP_CORE();
    /* Duplicate address detection runs first: wait (bounded) until the address is usable. */
    for (i = 0; i < 100 && idx >= 0 && !ready; i++)
    {
        sleep_ms(50);
        LOCK_TCPIP_CORE();
        ready = ip6_addr_ispreferred(netif_ip6_addr_state(&g_netif, idx));
        UNLOCK_TCPIP_CORE();
    }
    return ready ? 0 : -1;
#else
    return 0;
#endif
}

int net_init(void)
{
    ip4_addr_t ip, mask, gw;
    struct netif *up;
    if (getenv("PRECONFIGURED_TAPIF") == NULL)
    {
        printf("# net-lwip: PRECONFIGURED_TAPIF (the TAP device) is not set\n");
        return -1;
    }
    if (!ip4addr_aton(cfg_str("lwip-ip", ""), &ip) || !ip4addr_aton(cfg_str("lwip-mask", "255.255.255.0"), &mask) ||
        !ip4addr_aton(cfg_str("lwip-gw", ""), &gw))
    {
        printf("# net-lwip: lwip-ip / lwip-mask / lwip-gw missing from the configuration\n");
        return -1;
    }
    if (sys_sem_new(&g_ready, 0) != ERR_OK) return -1;
    tcpip_init(tcpip_ready, NULL);
    sys_arch_sem_wait(&g_ready, 0);
    LOCK_TCPIP_CORE();
    up = netif_add(&g_netif, &ip, &mask, &gw, NULL, tapif_init, tcpip_input);
    if (up != NULL)
    {
        netif_set_default(&g_netif);
        netif_set_up(&g_netif);
    }
#if LWIP_DNS
    {
        ip_addr_t dns;
        if (ipaddr_aton(cfg_str("dns-server", ""), &dns)) dns_setserver(0, &dns);
    }
#endif
    UNLOCK_TCPIP_CORE();
    if (up == NULL)
    {
        printf("# net-lwip: netif_add(tapif) failed\n");
        return -1;
    }
    if (add_ipv6() != 0)
    {
        printf("# net-lwip: the IPv6 address %s did not become usable\n", cfg_str("lwip-ip6", ""));
        return -1;
    }
    printf("# lwIP %s on %s: %s via %s\n", LWIP_VERSION_STRING, getenv("PRECONFIGURED_TAPIF"), cfg_str("lwip-ip", ""),
           cfg_str("lwip-gw", ""));
    return 0;
}

/* lwIP's sockets are not kernel descriptors: count the ones in use (fcntl answers EBADF for
 * a free one). */
int net_stack_sockets(void)
{
    int s, n = 0;
    for (s = LWIP_SOCKET_OFFSET; s < LWIP_SOCKET_OFFSET + MEMP_NUM_NETCONN; s++)
        if (lwip_fcntl(s, F_GETFL, 0) >= 0) n++;
    return n;
}
