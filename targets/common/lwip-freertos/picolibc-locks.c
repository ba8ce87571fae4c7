/*
 * picolibc's C library locks (_RETARGETABLE_LOCKING) on FreeRTOS, so malloc/free (mbedtls, the
 * HAL's HAL_MALLOC) and stdio are safe to call from several tasks. picolibc's own versions of
 * these functions do nothing; these, built into libfreertos.a ahead of libc.a, replace them.
 *
 * Every lock is the same one: suspending the scheduler (vTaskSuspendAll nests), which makes the
 * library calls atomic between tasks. Interrupt handlers must not call malloc or stdio. Before
 * the scheduler starts there is one thread of execution and nothing to lock.
 */
#include "FreeRTOS.h"
#include "task.h"

#include <sys/lock.h>

#if !defined(_RETARGETABLE_LOCKING)
#error "this picolibc is built without retargetable locking: its malloc is not task-safe"
#endif
#if !INCLUDE_xTaskGetSchedulerState && !configUSE_TIMERS
#error "picolibc locks need INCLUDE_xTaskGetSchedulerState=1 in FreeRTOSConfig.h"
#endif

struct __lock
{
    char unused;
};

/* picolibc's global recursive lock (malloc, environment, ...). */
struct __lock __lock___libc_recursive_mutex;

static int scheduler_running(void)
{
    return xTaskGetSchedulerState() != taskSCHEDULER_NOT_STARTED;
}

static void lock_take(void)
{
    if (scheduler_running())
    {
        vTaskSuspendAll();
    }
}

static void lock_give(void)
{
    if (scheduler_running())
    {
        (void)xTaskResumeAll();
    }
}

void __retarget_lock_init(_LOCK_T *lock)
{
    *lock = &__lock___libc_recursive_mutex;
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
    *lock = &__lock___libc_recursive_mutex;
}

void __retarget_lock_close(_LOCK_T lock)
{
    (void)lock;
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
    (void)lock;
}

void __retarget_lock_acquire(_LOCK_T lock)
{
    (void)lock;
    lock_take();
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
    (void)lock;
    lock_take();
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
    (void)lock;
    lock_take();
    return 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
    (void)lock;
    lock_take();
    return 1;
}

void __retarget_lock_release(_LOCK_T lock)
{
    (void)lock;
    lock_give();
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
    (void)lock;
    lock_give();
}
