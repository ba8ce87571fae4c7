/*
 * Stand-in for the core's signal queue (the SDK's kernel/quos_signal.c) for programs that
 * play the core without the SDK: Quos_signalSet copies arg and queues it from any task, and
 * the program's own core task calls qhal_shim_signal_run() to run the callbacks, in the order
 * they were posted. Posting takes no lock (a lock-free list), so a HAL may post while it
 * holds its own lock. Include this file in exactly one C file of the program; define
 * QHAL_SHIM_SIGNAL_WAKE() before it to wake the core's task after a post (it must take no lock
 * the HAL could be waiting for).
 */
#ifndef QHAL_SHIM_SIGNAL_H
#define QHAL_SHIM_SIGNAL_H

#include "Quos_kernel.h"

#include <stdlib.h>
#include <string.h>

typedef struct qhal_shim_signal
{
    struct qhal_shim_signal *next;
    SignalCB_f cb;
    quint32_t len;
    quint8_t arg[];
} qhal_shim_signal_t;

static qhal_shim_signal_t *qhal_shim_signals;

qbool Quos_signalSet(void *arg, quint32_t len, SignalCB_f eventCB)
{
    qhal_shim_signal_t *n;

    if (eventCB == NULL)
    {
        return FALSE;
    }
    n = (qhal_shim_signal_t *)malloc(sizeof(*n) + len);
    if (n == NULL)
    {
        return FALSE;
    }
    n->cb = eventCB;
    n->len = len;
    if (len != 0u)
    {
        memcpy(n->arg, arg, len);
    }
    n->next = __atomic_load_n(&qhal_shim_signals, __ATOMIC_ACQUIRE);
    while (!__atomic_compare_exchange_n(&qhal_shim_signals, &n->next, n, 1, __ATOMIC_RELEASE,
                                        __ATOMIC_ACQUIRE))
    {
    }
#ifdef QHAL_SHIM_SIGNAL_WAKE
    QHAL_SHIM_SIGNAL_WAKE();
#endif
    return TRUE;
}

/* 1 when something is queued. */
static inline int qhal_shim_signal_pending(void)
{
    return __atomic_load_n(&qhal_shim_signals, __ATOMIC_ACQUIRE) != NULL;
}

/* On the core's task, holding none of its locks (the callbacks take them): runs what is
 * queued, oldest first; returns how many ran. */
static inline int qhal_shim_signal_run(void)
{
    qhal_shim_signal_t *list = __atomic_exchange_n(&qhal_shim_signals, NULL, __ATOMIC_ACQ_REL);
    qhal_shim_signal_t *fifo = NULL;
    int ran = 0;

    while (list != NULL)
    {
        qhal_shim_signal_t *next = list->next;

        list->next = fifo;
        fifo = list;
        list = next;
    }
    while (fifo != NULL)
    {
        qhal_shim_signal_t *next = fifo->next;

        fifo->cb(fifo->arg, fifo->len);
        free(fifo);
        fifo = next;
        ran++;
    }
    return ran;
}

#endif /* QHAL_SHIM_SIGNAL_H */
