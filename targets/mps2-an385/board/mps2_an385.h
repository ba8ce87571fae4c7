/*
 * Board support for QEMU's mps2-an385 (Cortex-M3, LAN9118) used by qhal-gen's lwip-raw
 * backend: start-up, SysTick time base (lwIP's sys_now), semihosting console and exit,
 * the LAN9118 as an lwIP netif (polled), and the entropy hook lwIP uses for LWIP_RAND().
 */
#ifndef QHAL_MPS2_AN385_H
#define QHAL_MPS2_AN385_H

#include <stddef.h>
#include <stdint.h>

struct netif;

/* --- time base (SysTick, 1 ms) ----------------------------------------------------- */
/* Milliseconds since start-up; lwIP's sys_now() returns the same value. With FreeRTOS the
 * count starts with the scheduler (the kernel's port starts SysTick). */
uint32_t qhal_mps2_millis(void);
/* Sleeps until the next interrupt (SysTick fires every millisecond). */
void qhal_mps2_idle(void);

/* --- semihosting (QEMU: -semihosting-config enable=on,target=native) --------------- */
void qhal_mps2_puts(const char *s);
/* printf-like line output through semihosting (truncated at 255 bytes). */
void qhal_mps2_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The command line QEMU passes with -append (argv[0] first); 0 on success. */
int qhal_mps2_cmdline(char *buf, size_t size);
/* Ends the QEMU run with this exit status. */
__attribute__((noreturn)) void qhal_mps2_exit(int status);

/* --- LAN9118 at 0x40200000, polled ------------------------------------------------- */
/* netif_add() init function: checks the chip, resets it, reads the MAC QEMU gave it. */
signed char qhal_mps2_lan9118_init(struct netif *netif); /* lwIP err_t */
/* Moves every received frame into netif->input(); call it from the poll loop. */
void qhal_mps2_lan9118_poll(struct netif *netif);
/* The lwip-raw HAL's board hook (polls the interface qhal_mps2_lan9118_init set up). */
void qhal_board_netif_poll(void);

/* --- entropy ----------------------------------------------------------------------- */
/*
 * The MPS2 AN385 FPGA image has no random-number generator. The only source shipped is
 * qhal_entropy_TEST_ONLY_NOT_RANDOM(), which mixes SysTick phases: it is NOT random and
 * exists so tests on QEMU can run. Building it needs QHAL_ALLOW_TEST_ENTROPY; a product
 * provides its own source with QHAL_BOARD_ENTROPY_FN, the name of a function
 * `uint32_t fn(void)` returning 32 bits from a real entropy source. Both come from the
 * generated qhal_Socket.h (the board file's `entropy` option); entropy.c includes it.
 */
uint32_t qhal_entropy_TEST_ONLY_NOT_RANDOM(void);
uint32_t qhal_mps2_entropy32(void);

#endif /* QHAL_MPS2_AN385_H */
