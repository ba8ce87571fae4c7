/*
 * SMSC LAN9118 as an lwIP netif, polled (no interrupt): the mps2-an385 maps it at
 * 0x40200000 (its IRQ, 13, stays disabled). Registers and FIFO formats as in the
 * LAN9118 datasheet and QEMU's hw/net/lan9118.c model: 32-bit accesses only; every
 * received frame arrives in the RX data FIFO followed by its 4-byte FCS, announced by one
 * RX status word (length incl. FCS in bits 29:16, error summary in bit 15).
 */
#include "mps2_an385.h"

#include <string.h>

#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

/* The AN385 and AN386 map it at 0x40200000; a board target whose FPGA image puts it elsewhere
 * (the AN505: 0x42000000) names the address in its flags. */
#ifdef QHAL_LAN9118_BASE
#define LAN9118_BASE ((uint32_t)QHAL_LAN9118_BASE)
#else
#define LAN9118_BASE 0x40200000u
#endif
#define REG(off) (*(volatile uint32_t *)(LAN9118_BASE + (off)))

#define RX_DATA_FIFO 0x00u
#define TX_DATA_FIFO 0x20u
#define RX_STATUS_FIFO 0x40u
#define TX_STATUS_FIFO 0x48u
#define ID_REV 0x50u
#define INT_EN 0x5Cu
#define BYTE_TEST 0x64u
#define RX_CFG 0x6Cu
#define TX_CFG 0x70u
#define HW_CFG 0x74u
#define RX_FIFO_INF 0x7Cu
#define TX_FIFO_INF 0x80u
#define PMT_CTRL 0x84u
#define MAC_CSR_CMD 0xA4u
#define MAC_CSR_DATA 0xA8u

#define HW_CFG_SRST (1u << 0)
#define PMT_CTRL_READY (1u << 0)
#define TX_CFG_TX_ON (1u << 1)
#define MAC_CSR_BUSY (1u << 31)
#define MAC_CSR_READ (1u << 30)

/* MAC CSRs (indirect) */
#define MAC_CR 1u
#define MAC_ADDRH 2u
#define MAC_ADDRL 3u
#define MAC_CR_RXEN (1u << 2)
#define MAC_CR_TXEN (1u << 3)
#define MAC_CR_FDPX (1u << 20)

#define RX_STS_ES (1u << 15)
#define TX_CMD_A_FIRST (1u << 13)
#define TX_CMD_A_LAST (1u << 12)

#define FRAME_MAX 1536u /* Ethernet frame + FCS, rounded */
#define SPIN_LIMIT 100000u

static uint32_t g_frame[FRAME_MAX / 4];
static uint16_t g_tx_tag;
static struct netif *g_netif; /* the one LAN9118 interface, for qhal_board_netif_poll */

static int mac_wait(void)
{
    for (uint32_t i = 0; i < SPIN_LIMIT; i++) {
        if ((REG(MAC_CSR_CMD) & MAC_CSR_BUSY) == 0) return 0;
    }
    return -1;
}

static uint32_t mac_read(uint32_t reg)
{
    (void)mac_wait();
    REG(MAC_CSR_CMD) = MAC_CSR_BUSY | MAC_CSR_READ | reg;
    (void)mac_wait();
    return REG(MAC_CSR_DATA);
}

static void mac_write(uint32_t reg, uint32_t value)
{
    (void)mac_wait();
    REG(MAC_CSR_DATA) = value;
    REG(MAC_CSR_CMD) = MAC_CSR_BUSY | reg;
    (void)mac_wait();
}

static void drain_tx_status(void)
{
    while (((REG(TX_FIFO_INF) >> 16) & 0xffu) != 0) (void)REG(TX_STATUS_FIFO);
}

static err_t lan9118_linkoutput(struct netif *netif, struct pbuf *p)
{
    (void)netif;
    uint16_t len = p->tot_len;
    if (len > FRAME_MAX - 4u) return ERR_BUF;
    if (pbuf_copy_partial(p, g_frame, len, 0) != len) return ERR_BUF;
    uint32_t words = (len + 3u) / 4u;
    /* Wait for room: data words plus the two command words, in bytes. */
    uint32_t i = 0;
    while ((REG(TX_FIFO_INF) & 0xffffu) < words * 4u + 8u) {
        drain_tx_status();
        if (++i > SPIN_LIMIT) return ERR_IF;
    }
    g_tx_tag++;
    REG(TX_DATA_FIFO) = TX_CMD_A_FIRST | TX_CMD_A_LAST | len;
    REG(TX_DATA_FIFO) = ((uint32_t)g_tx_tag << 16) | len;
    for (i = 0; i < words; i++) REG(TX_DATA_FIFO) = g_frame[i];
    drain_tx_status();
    return ERR_OK;
}

/* err_t is lwIP's s8_t (signed char), as declared in mps2_an385.h. */
err_t qhal_mps2_lan9118_init(struct netif *netif)
{
    if (REG(BYTE_TEST) != 0x87654321u) return ERR_IF;
    if ((REG(ID_REV) >> 16) != 0x0118u) return ERR_IF;

    REG(HW_CFG) = HW_CFG_SRST;
    uint32_t i = 0;
    while ((REG(HW_CFG) & HW_CFG_SRST) != 0 || (REG(PMT_CTRL) & PMT_CTRL_READY) == 0) {
        if (++i > SPIN_LIMIT) return ERR_IF;
    }
    REG(INT_EN) = 0; /* polled */

    uint32_t lo = mac_read(MAC_ADDRL);
    uint32_t hi = mac_read(MAC_ADDRH);
    netif->hwaddr_len = ETH_HWADDR_LEN;
    netif->hwaddr[0] = (uint8_t)lo;
    netif->hwaddr[1] = (uint8_t)(lo >> 8);
    netif->hwaddr[2] = (uint8_t)(lo >> 16);
    netif->hwaddr[3] = (uint8_t)(lo >> 24);
    netif->hwaddr[4] = (uint8_t)hi;
    netif->hwaddr[5] = (uint8_t)(hi >> 8);

    REG(RX_CFG) = 0;            /* no offset, no end padding */
    REG(TX_CFG) = TX_CFG_TX_ON; /* transmitter on */
    /* Own address + broadcast (not promiscuous), full duplex. */
    mac_write(MAC_CR, MAC_CR_RXEN | MAC_CR_TXEN | MAC_CR_FDPX);

    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    netif->output = etharp_output;
    netif->linkoutput = lan9118_linkoutput;
    g_netif = netif;
    return ERR_OK;
}

void qhal_mps2_lan9118_poll(struct netif *netif)
{
    /* Bounded: at most a handful of frames per pass keeps timers running under load. */
    for (int n = 0; n < 16; n++) {
        if (((REG(RX_FIFO_INF) >> 16) & 0xffu) == 0) return;
        uint32_t status = REG(RX_STATUS_FIFO);
        uint32_t len = (status >> 16) & 0x3fffu; /* including the 4-byte FCS */
        uint32_t words = (len + 3u) / 4u;
        if ((status & RX_STS_ES) != 0 || len < 18u || len > FRAME_MAX) {
            for (uint32_t i = 0; i < words; i++) (void)REG(RX_DATA_FIFO);
            continue;
        }
        for (uint32_t i = 0; i < words; i++) g_frame[i] = REG(RX_DATA_FIFO);
        uint16_t frame_len = (uint16_t)(len - 4u);
        struct pbuf *p = pbuf_alloc(PBUF_RAW, frame_len, PBUF_POOL);
        if (p == NULL) continue; /* out of pbufs: drop, as a NIC would */
        (void)pbuf_take(p, g_frame, frame_len);
        if (netif->input(p, netif) != ERR_OK) pbuf_free(p);
    }
}

/* The lwip-raw HAL's board hook: Qhal_lwipRawPoll() calls it to bring frames in. */
void qhal_board_netif_poll(void)
{
    if (g_netif != NULL) qhal_mps2_lan9118_poll(g_netif);
}
