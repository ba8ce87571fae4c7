/*
 * MPS2 start-up for qhal-gen (AN385: Cortex-M3; AN386, targets/mps2-an386: Cortex-M4F, the
 * FPU enabled first): vector table, reset handler (copies .data and .tdata, clears .bss and
 * .tbss, sets picolibc's TLS pointer), SysTick time base, fault reporting through
 * semihosting, and semihosting console/exit/command line.
 * Linked with targets/mps2-an385/mps2-an385.ld (the vector table goes first, at 0x0).
 *
 * With FreeRTOS (`qhal-gen build` defines QHAL_BOARD_FREERTOS for lwip-socket boards with os
 * 'freertos'), the vector table hands SVCall and PendSV to the kernel's Cortex-M3 port
 * (vPortSVCHandler, xPortPendSVHandler, installed directly as the port expects) and the SysTick
 * handler calls xPortSysTickHandler after counting the millisecond. SysTick is then not started
 * here: the port programs it (configTICK_RATE_HZ, 1 ms in targets/mps2-an385/freertos) when the
 * scheduler starts, so the kernel never sees a tick before it runs, and qhal_mps2_millis()
 * counts from there. lwIP's sys_now() comes from qhal-gen's FreeRTOS sys_arch.
 */
#include "mps2_an385.h"

#if defined(QHAL_BOARD_FREERTOS) && QHAL_BOARD_FREERTOS
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8M_BASE__)
/* The kernel's ARMv8-M port (portable/GCC/ARM_CM33_NTZ/non_secure: port.c, portasm.c) names
 * its handlers after the CMSIS vectors. */
extern void SVC_Handler(void);
extern void PendSV_Handler(void);
extern void SysTick_Handler(void);
#define vPortSVCHandler SVC_Handler
#define xPortPendSVHandler PendSV_Handler
#define xPortSysTickHandler SysTick_Handler
#else
/* The kernel's ARMv7-M port (portable/GCC/ARM_CM3 or ARM_CM4F: port.c). */
extern void vPortSVCHandler(void);
extern void xPortPendSVHandler(void);
extern void xPortSysTickHandler(void);
#endif
#define QHAL_MPS2_FREERTOS 1
#else
#define QHAL_MPS2_FREERTOS 0
#endif

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- linker-script symbols ---- */
extern char __stack[];
extern char __data_start[], __data_source[], __data_size[];
extern char __bss_start[], __bss_size[];
extern char __tls_base[];
extern void _set_tls(void *tls); /* picolibc: errno and friends are thread-local */
extern int main(int argc, char **argv);

/* ---- semihosting ---- */
#define SEMIHOST_SYS_WRITEC 0x03
#define SEMIHOST_SYS_WRITE0 0x04
#define SEMIHOST_SYS_GET_CMDLINE 0x15
#define SEMIHOST_SYS_EXIT 0x18
#define SEMIHOST_SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR_UNKNOWN 0x20023u

static uintptr_t semihost(uintptr_t op, uintptr_t arg)
{
    register uintptr_t r0 __asm__("r0") = op;
    register uintptr_t r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void qhal_mps2_puts(const char *s)
{
    semihost(SEMIHOST_SYS_WRITE0, (uintptr_t)s);
}

void qhal_mps2_printf(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    qhal_mps2_puts(line);
}

int qhal_mps2_cmdline(char *buf, size_t size)
{
    uintptr_t block[2] = {(uintptr_t)buf, size};
    if (size == 0) return -1;
    buf[0] = '\0';
    return semihost(SEMIHOST_SYS_GET_CMDLINE, (uintptr_t)block) == 0 ? 0 : -1;
}

void qhal_mps2_exit(int status)
{
    /* SYS_EXIT_EXTENDED carries the status; plain SYS_EXIT only says success or not. */
    uintptr_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)(uint32_t)status};
    semihost(SEMIHOST_SYS_EXIT_EXTENDED, (uintptr_t)block);
    semihost(SEMIHOST_SYS_EXIT,
             status == 0 ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUNTIME_ERROR_UNKNOWN);
    for (;;) {
        __asm__ volatile("wfi");
    }
}

/* picolibc's exit() ends here. */
void _exit(int status)
{
    qhal_mps2_exit(status);
}

/* ---- SysTick: 1 ms tick from the CPU clock (25 MHz on the AN385; QHAL_CPU_HZ from the
 * target's flags where it differs) ---- */
#ifdef QHAL_CPU_HZ
#define MPS2_CPU_HZ ((uint32_t)QHAL_CPU_HZ)
#else
#define MPS2_CPU_HZ 25000000u
#endif
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static volatile uint32_t g_millis;

uint32_t qhal_mps2_millis(void)
{
    return g_millis;
}

#if !QHAL_MPS2_FREERTOS
/* lwIP's time base (NO_SYS=1). */
uint32_t sys_now(void)
{
    return g_millis;
}
#endif

uint32_t qhal_mps2_systick_value(void)
{
    return SYST_CVR;
}

void qhal_mps2_idle(void)
{
    __asm__ volatile("wfi");
}

static void systick_handler(void)
{
    g_millis++;
#if QHAL_MPS2_FREERTOS
    xPortSysTickHandler(); /* the kernel's tick (SysTick runs only once the scheduler does) */
#endif
}

#if !QHAL_MPS2_FREERTOS
static void systick_start(void)
{
    SYST_RVR = MPS2_CPU_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* processor clock, interrupt, enable */
}
#endif

/* ---- faults ---- */
static void fault_report(const char *what)
{
    uint32_t cfsr = *(volatile uint32_t *)0xE000ED28u;
    uint32_t hfsr = *(volatile uint32_t *)0xE000ED2Cu;
    uint32_t bfar = *(volatile uint32_t *)0xE000ED38u;
    qhal_mps2_printf("FATAL: %s CFSR=%08lx HFSR=%08lx BFAR=%08lx\n", what, (unsigned long)cfsr,
                     (unsigned long)hfsr, (unsigned long)bfar);
    qhal_mps2_exit(99);
}

static void nmi_handler(void) { fault_report("NMI"); }
static void hardfault_handler(void) { fault_report("HardFault"); }
static void memmanage_handler(void) { fault_report("MemManage"); }
static void busfault_handler(void) { fault_report("BusFault"); }
static void usagefault_handler(void) { fault_report("UsageFault"); }
static void unexpected_handler(void) { fault_report("unexpected exception"); }

/* ---- reset ---- */
static char *g_argv[2] = {"fw", NULL};

__attribute__((noreturn)) void _start(void)
{
#if defined(__ARM_FP)
    /* Hard-float builds (the AN386's Cortex-M4F): CP10 and CP11 (the FPU) get full access
     * before the first floating-point instruction; the FreeRTOS ARM_CM4F port expects it on. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CPACR */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    memcpy(__data_start, __data_source, (size_t)__data_size);
    memset(__bss_start, 0, (size_t)__bss_size);
    _set_tls(__tls_base);
#if !QHAL_MPS2_FREERTOS
    systick_start();
#endif
    qhal_mps2_exit(main(1, g_argv));
}

typedef void (*vector_t)(void);

/* 16 system exceptions and the 32 external interrupts of the AN385 (all polled here). */
__attribute__((section(".text.init.enter"), used)) const vector_t qhal_mps2_vectors[16 + 32] = {
    (vector_t)(uintptr_t)__stack,
    _start,
    nmi_handler,
    hardfault_handler,
    memmanage_handler,
    busfault_handler,
    usagefault_handler,
    0,
    0,
    0,
    0,
#if QHAL_MPS2_FREERTOS
    vPortSVCHandler, /* SVCall: starts the first task */
#else
    unexpected_handler, /* SVCall */
#endif
    unexpected_handler, /* DebugMonitor */
    0,
#if QHAL_MPS2_FREERTOS
    xPortPendSVHandler, /* PendSV: context switch */
#else
    unexpected_handler, /* PendSV */
#endif
    systick_handler,
    unexpected_handler, unexpected_handler, unexpected_handler, unexpected_handler,
    unexpected_handler, unexpected_handler, unexpected_handler, unexpected_handler,
    unexpected_handler, unexpected_handler, unexpected_handler, unexpected_handler,
    unexpected_handler, unexpected_handler, unexpected_handler, unexpected_handler,
    unexpected_handler, unexpected_handler, unexpected_handler, unexpected_handler,
    unexpected_handler, unexpected_handler, unexpected_handler, unexpected_handler,
    unexpected_handler, unexpected_handler, unexpected_handler, unexpected_handler,
    unexpected_handler, unexpected_handler, unexpected_handler, unexpected_handler,
};

/* lwIP's LWIP_PLATFORM_ASSERT: report and stop (a failed assertion is a bug). */
void qhal_lwip_assert(const char *msg, int line, const char *file)
{
    qhal_mps2_printf("FATAL: lwIP assertion \"%s\" at %s:%d\n", msg, file, line);
    qhal_mps2_exit(98);
}

#if QHAL_MPS2_FREERTOS
/* FreeRTOS's configASSERT (targets/common/freertos/FreeRTOSConfig.h): report and stop. This
 * replaces the weak default in libfreertos.a, which only spins. */
void qhal_freertos_assert_failed(const char *file, int line)
{
    qhal_mps2_printf("FATAL: FreeRTOS assertion at %s:%d\n", file, line);
    qhal_mps2_exit(97);
}
#endif
