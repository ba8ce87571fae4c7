/*
 * The default target of configASSERT, and the counter of traceMALLOC, in the FreeRTOSConfig.h
 * qhal-gen ships (targets/common/freertos/): interrupts masked, spin, so a debugger finds the
 * system where the kernel stopped it. Weak: a board support package replaces it with its own report (the MPS2
 * AN385's prints through semihosting and ends the QEMU run).
 */
#include "FreeRTOS.h"

__attribute__((weak)) void qhal_freertos_assert_failed(const char *file, int line)
{
    (void)file;
    (void)line;
    portDISABLE_INTERRUPTS();
    for (;;)
    {
    }
}

/* pvPortMalloc calls that returned memory (FreeRTOSConfig.h's traceMALLOC). */
volatile unsigned long qhal_freertos_mallocs;
