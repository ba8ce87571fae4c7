/*
 * lwIP 2.1 options for qhal-gen's lwip-raw backend on mps2-an385: NO_SYS=1 (no RTOS; the
 * application's loop calls Qhal_lwipRawPoll()), raw/altcp API, IPv4, TCP, UDP, DNS,
 * broadcast. Every value can be overridden with -D. TLS (LWIP_ALTCP_TLS with mbedtls) is
 * switched on with -DQHAL_LWIP_TLS=1 (then mbedtls's include folder and
 * -DMBEDTLS_CONFIG_FILE must be on the command line too).
 */
#ifndef QHAL_MPS2_LWIPOPTS_H
#define QHAL_MPS2_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0 /* lwIP is only ever entered from the poll loop */
#define LWIP_TIMERS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_NETIF_API 0

#ifndef LWIP_IPV4
#define LWIP_IPV4 1
#endif
#ifndef LWIP_IPV6
#define LWIP_IPV6 0
#endif
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#ifndef LWIP_DHCP
#define LWIP_DHCP 0
#endif
#define LWIP_TCP 1
#define LWIP_UDP 1
#define LWIP_DNS 1
#define LWIP_CALLBACK_API 1
#define LWIP_ALTCP 1
#ifndef QHAL_LWIP_TLS
#define QHAL_LWIP_TLS 0
#endif
#define LWIP_ALTCP_TLS QHAL_LWIP_TLS
#if QHAL_LWIP_TLS
#define LWIP_ALTCP_TLS_MBEDTLS 1
/* altcp_tls keeps its per-connection state in lwIP's heap; mbedtls itself uses calloc. */
#ifndef MEM_SIZE
#define MEM_SIZE (48 * 1024)
#endif
#endif

#define IP_SOF_BROADCAST 1
#define IP_SOF_BROADCAST_RECV 1
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_STATS 0
#define LWIP_SINGLE_NETIF 1

/* Memory: lwIP's own static heap and pools (the HAL allocates nothing of its own). */
#define MEM_ALIGNMENT 4
#ifndef MEM_SIZE
#define MEM_SIZE (32 * 1024)
#endif
#ifndef PBUF_POOL_SIZE
#define PBUF_POOL_SIZE 24
#endif
#define MEMP_NUM_PBUF 32
#ifndef MEMP_NUM_TCP_PCB
#define MEMP_NUM_TCP_PCB 10
#endif
#ifndef MEMP_NUM_TCP_PCB_LISTEN
#define MEMP_NUM_TCP_PCB_LISTEN 4
#endif
#ifndef MEMP_NUM_UDP_PCB
#define MEMP_NUM_UDP_PCB 10
#endif
#define MEMP_NUM_ALTCPCB (MEMP_NUM_TCP_PCB + MEMP_NUM_TCP_PCB_LISTEN)
#define MEMP_NUM_TCP_SEG 32
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 2)

#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_LISTEN_BACKLOG 1

#define DNS_TABLE_SIZE 4
#define DNS_MAX_NAME_LENGTH 256
#define DNS_MAX_SERVERS 2

#endif /* QHAL_MPS2_LWIPOPTS_H */
