/*
 * Stand-alone stand-in for the QuecThing SDK headers, shipped by qhal-gen so a generated
 * HAL builds and is tested without the SDK. In a real SDK tree the SDK's own
 * Quos_kernel.h is found first and this file is not on the include path.
 */
#ifndef QHAL_SDK_SHIM_QUOS_KERNEL_H
#define QHAL_SDK_SHIM_QUOS_KERNEL_H

#include <stddef.h>
#include <stdint.h>

typedef uintptr_t pointer_t;
typedef unsigned char qbool;
typedef uint8_t quint8_t;
typedef uint16_t quint16_t;
typedef uint32_t quint32_t;
typedef int32_t qint32_t;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

#ifndef SOCKET_FD_INVALID
#define SOCKET_FD_INVALID ((pointer_t)-1)
#endif

/* Log levels, most to least severe. */
#define LL_ERR 1
#define LL_WARN 2
#define LL_INFO 3
#define LL_DBG 4

/* Provided by the program that links the HAL. */
void qhal_shim_log(const char *module, int level, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void *qhal_shim_malloc(size_t size);
void qhal_shim_free(void *ptr);

#define Quos_logPrintf(module, level, ...) qhal_shim_log(#module, level, __VA_ARGS__)
#define HAL_MALLOC(size) qhal_shim_malloc(size)
#define HAL_FREE(ptr) qhal_shim_free(ptr)

/*
 * The core's socket callbacks, declared as the SDK's kernel/quos_socket.h declares them (the
 * SDK's Quos_kernel.h includes that header), so a generated header that declares them
 * differently fails here exactly as it would in an SDK build. Note buf is not const. The
 * generated header says which core generation it is for (QHAL_RX_PEER_SIZE) before it
 * includes this file; older cores have no peerSize.
 */
#if defined(QHAL_RX_PEER_SIZE) && QHAL_RX_PEER_SIZE
void Quos_socketIORx(pointer_t sockFd, quint8_t type, const void *peer, quint32_t peerSize,
                     quint8_t *buf, quint32_t bufLen);
#elif defined(QHAL_RX_PEER_SIZE)
void Quos_socketIORx(pointer_t sockFd, quint8_t type, const void *peer, quint8_t *buf,
                     quint32_t bufLen);
#endif
void Quos_socketIOConnResult(pointer_t sockFd, quint8_t type, qbool result);
void Quos_socketIOTxCb(pointer_t sockFd, quint8_t type);

/*
 * The core's signal queue (kernel/quos_signal.h, SDK_ENABLE_SIGNAL): copies len bytes of arg
 * and runs cb(copy, len) later on the core's own task. Any task may call it.
 */
typedef void (*SignalCB_f)(const void *arg, quint32_t argLen);
qbool Quos_signalSet(void *arg, quint32_t len, SignalCB_f eventCB);

#endif /* QHAL_SDK_SHIM_QUOS_KERNEL_H */
