/*
 * Entropy for lwIP (LWIP_RAND: TCP initial sequence numbers, local ports, DNS ids) and
 * mbedtls (mbedtls_hardware_poll). The AN385 has no RNG. The choice comes from the board
 * file through the generated header (qhal_Socket.h unless the board names it otherwise): `entropy: { hook: 'my_trng_read32' }` defines
 * QHAL_BOARD_ENTROPY_FN (and declares `uint32_t my_trng_read32(void);`), a product's real
 * source; `entropy: 'TEST-ONLY-NOT-RANDOM'` defines QHAL_ALLOW_TEST_ENTROPY, the clearly
 * labelled non-random source below, for QEMU tests. Anything else is refused.
 */
#include "mps2_an385.h"
#ifndef QHAL_SOCKET_HEADER
#define QHAL_SOCKET_HEADER "qhal_Socket.h"
#endif
#include QHAL_SOCKET_HEADER

#if defined(QHAL_BOARD_ENTROPY_FN)

uint32_t qhal_mps2_entropy32(void)
{
    return QHAL_BOARD_ENTROPY_FN();
}

#elif defined(QHAL_ALLOW_TEST_ENTROPY)

extern uint32_t qhal_mps2_systick_value(void);

/*
 * TEST ONLY, NOT RANDOM: mixes the SysTick phase, the millisecond count and a counter
 * through a 32-bit finaliser. Predictable to anyone who can time the device.
 */
uint32_t qhal_entropy_TEST_ONLY_NOT_RANDOM(void)
{
    static uint32_t state = 0x9e3779b9u;
    uint32_t x = state ^ qhal_mps2_systick_value() ^ (qhal_mps2_millis() * 0x85ebca6bu);
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    state += 0x9e3779b9u + x;
    return x;
}

uint32_t qhal_mps2_entropy32(void)
{
    return qhal_entropy_TEST_ONLY_NOT_RANDOM();
}

#else
#error "mps2-an385 has no entropy source: give the board file entropy: { hook: '<uint32_t fn(void)>' } for a real one, or entropy: 'TEST-ONLY-NOT-RANDOM' for a QEMU test build (NOT random)"
#endif

/* The name the toolkit's generated arch/cc.h uses for LWIP_RAND(). */
uint32_t qhal_lwip_rand(void)
{
    return qhal_mps2_entropy32();
}

/*
 * mbedtls's entropy source on this board (MBEDTLS_ENTROPY_HARDWARE_ALT): the same source as
 * above, so a build without a real source is refused here too.
 */
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen);

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    (void)data;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t r = qhal_mps2_entropy32();
        for (size_t k = 0; k < 4 && i + k < len; k++) output[i + k] = (unsigned char)(r >> (8 * k));
    }
    *olen = len;
    return 0;
}
