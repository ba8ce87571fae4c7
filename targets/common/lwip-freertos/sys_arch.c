/*
 * lwIP's OS layer (sys_arch, NO_SYS=0) on FreeRTOS: qhal-gen's own implementation of the
 * contract in lwIP 2.1's lwip/sys.h.
 *
 * - Semaphores are FreeRTOS binary semaphores (lwIP creates them with a count of 0 or 1).
 * - Mutexes are FreeRTOS mutexes (priority inheritance); LWIP_TCPIP_CORE_LOCKING uses them.
 * - Mailboxes are FreeRTOS queues of `void *`; a mailbox needs a size > 0 (lwipopts.h sets
 *   TCPIP_MBOX_SIZE and the DEFAULT_*_MBOX_SIZE values).
 * - Threads are FreeRTOS tasks; lwIP's stack size is in bytes (rounded up to whole
 *   StackType_t words), its priority a FreeRTOS priority (capped at configMAX_PRIORITIES - 1).
 * - sys_now() is the tick count in milliseconds (exact with configTICK_RATE_HZ 1000).
 * - SYS_ARCH_PROTECT masks the interrupts FreeRTOS manages (taskENTER_CRITICAL_FROM_ISR), which
 *   nests and works from tasks and from interrupts alike.
 * - A timeout of 0 means "wait forever", as lwIP specifies; other timeouts are rounded up to
 *   whole ticks.
 * - With LWIP_NETCONN_SEM_PER_THREAD, each task's netconn semaphore lives in its FreeRTOS
 *   thread-local storage pointer QHAL_LWIP_TLS_INDEX (created once per task, on first use).
 */
#include "lwip/opt.h"

#include "lwip/err.h"
#include "lwip/sys.h"

#include "FreeRTOS.h"
#include "queue.h"
#include "semphr.h"
#include "task.h"

#include <stdint.h>

#if NO_SYS
#error "sys_arch for FreeRTOS is for NO_SYS=0"
#endif
#if !configSUPPORT_DYNAMIC_ALLOCATION
#error "lwIP's FreeRTOS sys_arch needs configSUPPORT_DYNAMIC_ALLOCATION=1 in FreeRTOSConfig.h"
#endif
#if !configUSE_MUTEXES
#error "lwIP's FreeRTOS sys_arch needs configUSE_MUTEXES=1 in FreeRTOSConfig.h"
#endif
#if LWIP_NETCONN_SEM_PER_THREAD && configNUM_THREAD_LOCAL_STORAGE_POINTERS < 1
#error "LWIP_NETCONN_SEM_PER_THREAD needs configNUM_THREAD_LOCAL_STORAGE_POINTERS >= 1 in FreeRTOSConfig.h"
#endif
#ifndef QHAL_LWIP_TLS_INDEX
/* The thread-local storage pointer that holds a task's netconn semaphore. */
#define QHAL_LWIP_TLS_INDEX 0
#endif
#if !INCLUDE_vTaskSuspend
/* With it, portMAX_DELAY blocks without a time limit; the loops below rely on that less,
 * but FreeRTOS documents it as the way to wait forever. */
#error "lwIP's FreeRTOS sys_arch needs INCLUDE_vTaskSuspend=1 in FreeRTOSConfig.h"
#endif

static u32_t ticks_to_ms(TickType_t ticks)
{
    return (u32_t)(((uint64_t)ticks * 1000u) / (uint64_t)configTICK_RATE_HZ);
}

/* At least one tick, never portMAX_DELAY (that would mean forever). */
static TickType_t ms_to_ticks(u32_t ms)
{
    uint64_t ticks = ((uint64_t)ms * (uint64_t)configTICK_RATE_HZ + 999u) / 1000u;
    if (ticks == 0u)
    {
        ticks = 1u;
    }
    if (ticks >= (uint64_t)portMAX_DELAY)
    {
        ticks = (uint64_t)portMAX_DELAY - 1u;
    }
    return (TickType_t)ticks;
}

/* Milliseconds since `start`, for the value sys_arch_sem_wait / sys_arch_mbox_fetch return. */
static u32_t ms_since(TickType_t start)
{
    u32_t ms = ticks_to_ms((TickType_t)(xTaskGetTickCount() - start));
    /* SYS_ARCH_TIMEOUT is reserved for "timed out". */
    return ms == SYS_ARCH_TIMEOUT ? SYS_ARCH_TIMEOUT - 1u : ms;
}

void sys_init(void)
{
    /* Nothing to set up: every object is created on demand. */
}

u32_t sys_now(void)
{
    return ticks_to_ms(xTaskGetTickCount());
}

u32_t sys_jiffies(void)
{
    return (u32_t)xTaskGetTickCount();
}

/* ---- protection (SYS_LIGHTWEIGHT_PROT) ------------------------------------------------ */

sys_prot_t sys_arch_protect(void)
{
    return (sys_prot_t)taskENTER_CRITICAL_FROM_ISR();
}

void sys_arch_unprotect(sys_prot_t pval)
{
    taskEXIT_CRITICAL_FROM_ISR((UBaseType_t)pval);
}

/* ---- mutexes ------------------------------------------------------------------------- */

err_t sys_mutex_new(sys_mutex_t *mutex)
{
    mutex->handle = xSemaphoreCreateMutex();
    return mutex->handle != NULL ? ERR_OK : ERR_MEM;
}

void sys_mutex_lock(sys_mutex_t *mutex)
{
    while (xSemaphoreTake((SemaphoreHandle_t)mutex->handle, portMAX_DELAY) != pdTRUE)
    {
    }
}

void sys_mutex_unlock(sys_mutex_t *mutex)
{
    (void)xSemaphoreGive((SemaphoreHandle_t)mutex->handle);
}

void sys_mutex_free(sys_mutex_t *mutex)
{
    vSemaphoreDelete((SemaphoreHandle_t)mutex->handle);
    mutex->handle = NULL;
}

/* ---- semaphores ---------------------------------------------------------------------- */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
    LWIP_ASSERT("sys_sem_new: a binary semaphore starts at 0 or 1", count <= 1u);
    sem->handle = xSemaphoreCreateBinary();
    if (sem->handle == NULL)
    {
        return ERR_MEM;
    }
    if (count > 0u)
    {
        (void)xSemaphoreGive((SemaphoreHandle_t)sem->handle);
    }
    return ERR_OK;
}

void sys_sem_signal(sys_sem_t *sem)
{
    (void)xSemaphoreGive((SemaphoreHandle_t)sem->handle);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
    TickType_t start = xTaskGetTickCount();
    if (timeout == 0u)
    {
        while (xSemaphoreTake((SemaphoreHandle_t)sem->handle, portMAX_DELAY) != pdTRUE)
        {
        }
    }
    else if (xSemaphoreTake((SemaphoreHandle_t)sem->handle, ms_to_ticks(timeout)) != pdTRUE)
    {
        return SYS_ARCH_TIMEOUT;
    }
    return ms_since(start);
}

void sys_sem_free(sys_sem_t *sem)
{
    vSemaphoreDelete((SemaphoreHandle_t)sem->handle);
    sem->handle = NULL;
}

#if LWIP_NETCONN_SEM_PER_THREAD
sys_sem_t *sys_arch_netconn_sem_get(void)
{
    sys_sem_t *sem = (sys_sem_t *)pvTaskGetThreadLocalStoragePointer(NULL, QHAL_LWIP_TLS_INDEX);
    if (sem == NULL)
    {
        sem = (sys_sem_t *)pvPortMalloc(sizeof(*sem));
        LWIP_ASSERT("sys_arch_netconn_sem_get: FreeRTOS heap exhausted", sem != NULL);
        if (sys_sem_new(sem, 0) != ERR_OK)
        {
            vPortFree(sem);
            LWIP_ASSERT("sys_arch_netconn_sem_get: no semaphore (FreeRTOS heap exhausted)", 0);
            return NULL;
        }
        vTaskSetThreadLocalStoragePointer(NULL, QHAL_LWIP_TLS_INDEX, sem);
    }
    return sem;
}

/* For a task about to delete itself: its semaphore goes back to the FreeRTOS heap. */
void sys_arch_netconn_sem_free(void)
{
    sys_sem_t *sem = (sys_sem_t *)pvTaskGetThreadLocalStoragePointer(NULL, QHAL_LWIP_TLS_INDEX);
    if (sem != NULL)
    {
        vTaskSetThreadLocalStoragePointer(NULL, QHAL_LWIP_TLS_INDEX, NULL);
        sys_sem_free(sem);
        vPortFree(sem);
    }
}
#endif

/* ---- mailboxes ----------------------------------------------------------------------- */

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
    if (size <= 0)
    {
        /* lwIP's defaults for the DEFAULT_*_MBOX_SIZE options are 0: set them in lwipopts.h. */
        mbox->handle = NULL;
        return ERR_VAL;
    }
    mbox->handle = xQueueCreate((UBaseType_t)size, sizeof(void *));
    return mbox->handle != NULL ? ERR_OK : ERR_MEM;
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
    while (xQueueSendToBack((QueueHandle_t)mbox->handle, &msg, portMAX_DELAY) != pdTRUE)
    {
    }
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
    return xQueueSendToBack((QueueHandle_t)mbox->handle, &msg, 0) == pdTRUE ? ERR_OK : ERR_MEM;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
    BaseType_t woken = pdFALSE;
    BaseType_t ok = xQueueSendToBackFromISR((QueueHandle_t)mbox->handle, &msg, &woken);
    portYIELD_FROM_ISR(woken);
    return ok == pdTRUE ? ERR_OK : ERR_MEM;
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
    void *received = NULL;
    TickType_t start = xTaskGetTickCount();
    if (timeout == 0u)
    {
        while (xQueueReceive((QueueHandle_t)mbox->handle, &received, portMAX_DELAY) != pdTRUE)
        {
        }
    }
    else if (xQueueReceive((QueueHandle_t)mbox->handle, &received, ms_to_ticks(timeout)) != pdTRUE)
    {
        if (msg != NULL)
        {
            *msg = NULL;
        }
        return SYS_ARCH_TIMEOUT;
    }
    if (msg != NULL)
    {
        *msg = received;
    }
    return ms_since(start);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
    void *received = NULL;
    if (xQueueReceive((QueueHandle_t)mbox->handle, &received, 0) != pdTRUE)
    {
        return SYS_MBOX_EMPTY;
    }
    if (msg != NULL)
    {
        *msg = received;
    }
    return 0;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
    /* lwIP drains a mailbox (netconn_drain) before it frees it. */
    vQueueDelete((QueueHandle_t)mbox->handle);
    mbox->handle = NULL;
}

/* ---- threads ------------------------------------------------------------------------- */

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn thread, void *arg, int stacksize,
                            int prio)
{
    TaskHandle_t task = NULL;
    size_t bytes = stacksize > 0 ? (size_t)stacksize : 0u;
    size_t words = (bytes + sizeof(StackType_t) - 1u) / sizeof(StackType_t);
    UBaseType_t priority = prio > 0 ? (UBaseType_t)prio : 0u;

    if (words < (size_t)configMINIMAL_STACK_SIZE)
    {
        words = (size_t)configMINIMAL_STACK_SIZE;
    }
    if (priority >= (UBaseType_t)configMAX_PRIORITIES)
    {
        priority = (UBaseType_t)configMAX_PRIORITIES - 1u;
    }
    if (xTaskCreate(thread, name, (configSTACK_DEPTH_TYPE)words, arg, priority, &task) != pdPASS)
    {
        LWIP_ASSERT("sys_thread_new: xTaskCreate failed (FreeRTOS heap too small?)", 0);
        return NULL;
    }
    return (sys_thread_t)task;
}
