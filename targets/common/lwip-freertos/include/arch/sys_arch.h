/*
 * lwIP OS layer types for FreeRTOS (qhal-gen's own sys_arch; implementation in sys_arch.c).
 *
 * The FreeRTOS handles are kept as untyped pointers, so lwIP's headers (and everything that
 * includes them) do not need FreeRTOS.h; only sys_arch.c converts them back.
 */
#ifndef QHAL_LWIP_FREERTOS_SYS_ARCH_H
#define QHAL_LWIP_FREERTOS_SYS_ARCH_H

/* A binary semaphore (SemaphoreHandle_t). */
typedef struct
{
    void *handle;
} sys_sem_t;

/* A FreeRTOS mutex (priority inheritance; SemaphoreHandle_t). */
typedef struct
{
    void *handle;
} sys_mutex_t;

/* A queue of `void *` messages (QueueHandle_t). */
typedef struct
{
    void *handle;
} sys_mbox_t;

/* The task's TaskHandle_t. */
typedef void *sys_thread_t;

/* What SYS_ARCH_PROTECT saves: the interrupt mask it replaced (UBaseType_t on Cortex-M). */
typedef unsigned long sys_prot_t;

#define sys_sem_valid(sem) ((sem) != NULL && (sem)->handle != NULL)
#define sys_sem_set_invalid(sem)                                                                   \
    do                                                                                             \
    {                                                                                              \
        if ((sem) != NULL)                                                                         \
        {                                                                                          \
            (sem)->handle = NULL;                                                                  \
        }                                                                                          \
    } while (0)

#define sys_mutex_valid(mutex) ((mutex) != NULL && (mutex)->handle != NULL)
#define sys_mutex_set_invalid(mutex)                                                               \
    do                                                                                             \
    {                                                                                              \
        if ((mutex) != NULL)                                                                       \
        {                                                                                          \
            (mutex)->handle = NULL;                                                                \
        }                                                                                          \
    } while (0)

#define sys_mbox_valid(mbox) ((mbox) != NULL && (mbox)->handle != NULL)
#define sys_mbox_set_invalid(mbox)                                                                 \
    do                                                                                             \
    {                                                                                              \
        if ((mbox) != NULL)                                                                        \
        {                                                                                          \
            (mbox)->handle = NULL;                                                                 \
        }                                                                                          \
    } while (0)

/* LWIP_NETCONN_SEM_PER_THREAD (qhal-gen's lwipopts.h sets it on FreeRTOS): each task's one
 * semaphore for blocking netconn and socket calls (lwip_poll among them), created on the task's
 * first such call and kept in a FreeRTOS thread-local storage pointer, instead of a semaphore
 * created and deleted on the FreeRTOS heap by every call. */
#if defined(LWIP_NETCONN_SEM_PER_THREAD) && LWIP_NETCONN_SEM_PER_THREAD
sys_sem_t *sys_arch_netconn_sem_get(void);
void sys_arch_netconn_sem_free(void);
#define LWIP_NETCONN_THREAD_SEM_GET() sys_arch_netconn_sem_get()
#define LWIP_NETCONN_THREAD_SEM_ALLOC() ((void)sys_arch_netconn_sem_get())
#define LWIP_NETCONN_THREAD_SEM_FREE() sys_arch_netconn_sem_free()
#endif

#endif /* QHAL_LWIP_FREERTOS_SYS_ARCH_H */
