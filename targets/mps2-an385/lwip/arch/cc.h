/* lwIP arch/cc.h for mps2-an385 (Cortex-M3, picolibc, little-endian, NO_SYS=1). */
#ifndef QHAL_MPS2_LWIP_ARCH_CC_H
#define QHAL_MPS2_LWIP_ARCH_CC_H

#include <stdint.h>
#include <stdlib.h>

#define LWIP_NO_UNISTD_H 1
#define LWIP_TIMEVAL_PRIVATE 0

/* Board entropy (targets/mps2-an385/board/entropy.c refuses to build without a source). */
extern uint32_t qhal_mps2_entropy32(void);
#define LWIP_RAND() qhal_mps2_entropy32()

extern void qhal_mps2_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern void qhal_lwip_assert(const char *msg, int line, const char *file);
#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
        qhal_mps2_printf x;   \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) qhal_lwip_assert((x), __LINE__, __FILE__)

typedef uint32_t sys_prot_t;

#endif /* QHAL_MPS2_LWIP_ARCH_CC_H */
