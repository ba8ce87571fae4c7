/*
 * FreeRTOSConfig.h that qhal-gen ships for its Cortex-M targets (cortex-m3, mps2-an385: FreeRTOS
 * port GCC/ARM_CM3; cortex-m4, mps2-an386: GCC/ARM_CM4F; cortex-m33, mps2-an505:
 * GCC/ARM_CM33_NTZ/non_secure, secure state only).
 * `qhal-gen build` uses it for lwip-socket boards with os 'freertos' unless the build names
 * its own folder with --freertos-config DIR. Written for qhal-gen; adapt the clock, heap and
 * priorities to the product (copy this file, edit it, pass its folder).
 *
 * The CPU clock is the one of QEMU's MPS2 model of this CPU (25 MHz). The tick is 1 ms, so
 * lwIP's sys_now() counts exact milliseconds. The FreeRTOS heap (heap_4.c) holds the tasks,
 * queues and semaphores of FreeRTOS, lwIP's sys_arch and the HAL; lwIP, mbedtls and the HAL's
 * own buffers use their own heaps (lwIP's MEM_SIZE, picolibc's malloc).
 */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

/* The board's CPU clock (the target's QHAL_CPU_HZ; 25 MHz on the AN385 and AN386). */
#ifdef QHAL_CPU_HZ
#define configCPU_CLOCK_HZ ((unsigned long)QHAL_CPU_HZ)
#else
#define configCPU_CLOCK_HZ 25000000UL
#endif
#define configTICK_RATE_HZ 1000
#define configUSE_PREEMPTION 1
#define configUSE_TIME_SLICING 1
#define configUSE_PORT_OPTIMISED_TASK_SELECTION 0
#define configUSE_16_BIT_TICKS 0
#define configMAX_PRIORITIES 8
/* In StackType_t words (4 bytes). */
#define configMINIMAL_STACK_SIZE 256
#define configMAX_TASK_NAME_LEN 16
#define configIDLE_SHOULD_YIELD 1

#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configSUPPORT_STATIC_ALLOCATION 0
/* heap_4 holds every task's stack and TCB and the kernel objects (lwIP has its own MEM_SIZE
 * heap, mbedtls picolibc's malloc). Sized from the conformance suite's measurement on the
 * AN385, AN386 and AN505 (xPortGetMinimumEverFreeHeapSize at the end of all cases): 42,096
 * bytes most used, 24 KiB of it the suite's own task and more its second (flood) task; 72 KiB
 * keeps a margin of 1.8x. */
#define configTOTAL_HEAP_SIZE ((size_t)(72u * 1024u))
#define configAPPLICATION_ALLOCATED_HEAP 0

#define configUSE_MUTEXES 1
#define configUSE_RECURSIVE_MUTEXES 1
#define configUSE_COUNTING_SEMAPHORES 1
#define configUSE_QUEUE_SETS 0
#define configQUEUE_REGISTRY_SIZE 0
#define configUSE_TASK_NOTIFICATIONS 1
#define configUSE_TIMERS 0
#define configUSE_CO_ROUTINES 0
#define configUSE_IDLE_HOOK 0
#define configUSE_TICK_HOOK 0
#define configUSE_MALLOC_FAILED_HOOK 0
#define configCHECK_FOR_STACK_OVERFLOW 0
#define configUSE_TRACE_FACILITY 0
#define configGENERATE_RUN_TIME_STATS 0
#define configUSE_NEWLIB_REENTRANT 0
/* lwIP's per-task netconn semaphore (LWIP_NETCONN_SEM_PER_THREAD) lives in pointer 0. */
#define configNUM_THREAD_LOCAL_STORAGE_POINTERS 1

/* ARMv8-M ports (cortex-m33: GCC/ARM_CM33_NTZ/non_secure): FreeRTOS runs in the secure
 * state only (the MPS2 AN505 boots there), no TrustZone calls, no MPU, the FPU's context saved
 * for the tasks that use it. The ARMv7-M ports ignore these. */
#define configENABLE_TRUSTZONE 0
#define configRUN_FREERTOS_SECURE_ONLY 1
#define configENABLE_MPU 0
#define configENABLE_FPU 1
#define configENABLE_MVE 0

/* Cortex-M interrupt priorities (upper bits of the 8-bit field): the kernel runs at the
 * lowest; interrupts at or below configMAX_SYSCALL_INTERRUPT_PRIORITY (numerically at or above
 * it) may call the FromISR API. */
#define configKERNEL_INTERRUPT_PRIORITY 255
#define configMAX_SYSCALL_INTERRUPT_PRIORITY (5 << 5)

#define INCLUDE_vTaskDelete 1
#define INCLUDE_vTaskDelay 1
#define INCLUDE_vTaskDelayUntil 1
#define INCLUDE_vTaskSuspend 1
#define INCLUDE_vTaskPrioritySet 1
#define INCLUDE_uxTaskPriorityGet 1
#define INCLUDE_xTaskGetSchedulerState 1
#define INCLUDE_xTaskGetCurrentTaskHandle 1
#define INCLUDE_xSemaphoreGetMutexHolder 1
#define INCLUDE_uxTaskGetStackHighWaterMark 1
/* The conformance suite reports each task's stack high-water mark, found by name. */
#define INCLUDE_xTaskGetHandle 1

/* Every pvPortMalloc that returns memory is counted (qhal_freertos_mallocs, in libfreertos.a):
 * the conformance suite fails a steady-state phase that allocates at all. */
extern volatile unsigned long qhal_freertos_mallocs;
#define traceMALLOC(pvAddress, uiSize)                                                             \
    do                                                                                             \
    {                                                                                              \
        if ((pvAddress) != NULL)                                                                   \
        {                                                                                          \
            qhal_freertos_mallocs++;                                                               \
        }                                                                                          \
        (void)(uiSize);                                                                            \
    } while (0)

/* A failed kernel assertion calls qhal_freertos_assert_failed(). qhal-gen's default (weak, in
 * libfreertos.a) masks interrupts and spins for a debugger; a board may define its own (the MPS2
 * board support reports it through semihosting and ends the QEMU run). */
void qhal_freertos_assert_failed(const char *file, int line);
#define configASSERT(x)                                                                            \
    do                                                                                             \
    {                                                                                              \
        if (!(x))                                                                                  \
        {                                                                                          \
            qhal_freertos_assert_failed(__FILE__, __LINE__);                                       \
        }                                                                                          \
    } while (0)

#endif /* FREERTOS_CONFIG_H */
