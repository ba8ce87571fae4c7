/*
 * The suite's platform on FreeRTOS (lwip-socket boards with os 'freertos') under
 * qemu-system-arm: the cases run in a FreeRTOS task of their own ("suite"), beside the HAL's
 * I/O task (and its resolver task), lwIP's tcpip thread and the task that polls the NIC, so
 * callbacks come from another task exactly as on a product.
 *
 * main() (main.c) calls port_init() twice: first on the start-up stack, where this file reads
 * the command line (args-semihost.c), creates the suite task, which calls main() again, and
 * starts the scheduler (it never returns); then from the suite task, where it brings lwIP up
 * (tcpip_init, the NIC as a netif at 10.0.2.15/24 via 10.0.2.2: QEMU user-mode networking)
 * and returns, and main() runs the cases.
 *
 * The harness's own traffic (the broker's control port) uses lwIP's sockets from the suite
 * task. A watchdog task at the highest priority ends a hung case. At the end the run prints
 * every task's stack high-water mark and the FreeRTOS heap's minimum-ever free space.
 */
#include "conformance.h"
#include "args-semihost.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "FreeRTOS.h"
#include "semphr.h"
#include "task.h"

#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/sockets.h"
#include "lwip/tcpip.h"
#include "mps2_an385.h"

/* Below the HAL's I/O task (the board's ioTaskPriority): callbacks preempt the cases. */
#ifndef SUITE_TASK_PRIORITY
#define SUITE_TASK_PRIORITY 1
#endif
/* In bytes; the cases keep buffers of a few KiB on their stack, printf needs some more. */
#ifndef SUITE_TASK_STACK
#define SUITE_TASK_STACK (24 * 1024)
#endif
#define NETIF_TASK_STACK 1024
#define WATCHDOG_TASK_STACK 1024

int main(int argc, char **argv);

static int g_argc;
static char **g_argv;
static TaskHandle_t g_suiteTask;
static SemaphoreHandle_t g_mu;
static SemaphoreHandle_t g_wake;
static volatile const char *g_wdCase;
static volatile uint64_t g_wdDeadline;
static struct netif g_netif;

static TickType_t ticks(uint64_t ms)
{
    TickType_t t = pdMS_TO_TICKS(ms);
    return t > 0 ? t : 1;
}

uint64_t now_ms(void)
{
    return (uint64_t)xTaskGetTickCount() * 1000u / configTICK_RATE_HZ;
}

/* The tick counts milliseconds: good enough for figures measured in milliseconds. */
uint64_t now_us(void)
{
    return now_ms() * 1000u;
}

void sleep_ms(int ms)
{
    vTaskDelay(ticks(ms > 0 ? (uint64_t)ms : 0));
}

/* Recursive: the records' lock may be taken again by a log line written while it is held. */
void port_lock(void)
{
    (void)xSemaphoreTakeRecursive(g_mu, portMAX_DELAY);
}

void port_unlock(void)
{
    (void)xSemaphoreGiveRecursive(g_mu);
}

/* A condition variable's wait: a wake-up given between the unlock and the take is kept by the
 * binary semaphore, so none is lost; callers re-check what they wait for. */
void port_wait(uint64_t deadline)
{
    uint64_t now = now_ms();
    port_unlock();
    (void)xSemaphoreTake(g_wake, ticks(deadline > now ? deadline - now : 0));
    port_lock();
}

void port_wake(void)
{
    (void)xSemaphoreGive(g_wake);
}

int port_callback_context(void)
{
    return xTaskGetCurrentTaskHandle() != g_suiteTask;
}

/* The cases' second task: at the suite's priority, so the two share the CPU by time slices
 * and the HAL's I/O task still preempts both. Made once and given one job at a time, so its
 * lwIP per-thread semaphore is made once too (a task per job would leave one behind each). */
#define SECOND_TASK_STACK (8 * 1024)
static void (*volatile g_secondFn)(void *);
static void *volatile g_secondArg;
static SemaphoreHandle_t g_secondJob;

static void second_task(void *p)
{
    (void)p;
    for (;;)
    {
        if (xSemaphoreTake(g_secondJob, portMAX_DELAY) == pdTRUE && g_secondFn != NULL) g_secondFn(g_secondArg);
    }
}

int port_task_start(void (*fn)(void *), void *arg)
{
    if (g_secondJob == NULL)
    {
        g_secondJob = xSemaphoreCreateBinary();
        if (g_secondJob == NULL) return -1;
        if (xTaskCreate(second_task, "second", SECOND_TASK_STACK / sizeof(StackType_t), NULL, SUITE_TASK_PRIORITY,
                        NULL) != pdPASS)
            return -1;
    }
    g_secondFn = fn;
    g_secondArg = arg;
    return xSemaphoreGive(g_secondJob) == pdTRUE ? 0 : -1;
}

void port_watchdog(const char *name, uint64_t deadline)
{
    taskENTER_CRITICAL();
    g_wdDeadline = deadline;
    g_wdCase = name;
    taskEXIT_CRITICAL();
}

int port_verbose(void)
{
    return cfg_int("verbose", 0);
}

void port_log_line(const char *line)
{
    printf("    | %s\n", line);
}

/* The HAL's tasks' stack in bytes (the board's ioTaskStackSize; the suite build passes it). */
#ifndef SUITE_IO_STACK_SIZE
#define SUITE_IO_STACK_SIZE 0
#endif

/* The stack a task got, in bytes, as its creator rounded it up to whole words (and, for lwIP's
 * threads, to at least configMINIMAL_STACK_SIZE, as our sys_arch does). */
static unsigned long stack_bytes(unsigned long bytes)
{
    unsigned long words = (bytes + sizeof(StackType_t) - 1u) / sizeof(StackType_t);
    return words * (unsigned long)sizeof(StackType_t);
}

/* Stack high-water marks (bytes never used, of the bytes the task was given) of the tasks the
 * run knows by name, and the heap's low point: what a board's sizes are set from. One line
 * each, parsed by the runner (toolkit/run/conformance.ts). */
static void report_resources(void)
{
    static const struct
    {
        const char *name;
        unsigned long bytes;
    } tasks[] = {
        {"suite", SUITE_TASK_STACK},
        {"qhal_io", SUITE_IO_STACK_SIZE},
        {"qhal_dns", SUITE_IO_STACK_SIZE},
        {"tcpip_thread", TCPIP_THREAD_STACKSIZE > configMINIMAL_STACK_SIZE * sizeof(StackType_t)
                             ? TCPIP_THREAD_STACKSIZE
                             : configMINIMAL_STACK_SIZE * sizeof(StackType_t)},
        {"netif", NETIF_TASK_STACK},
        {"watchdog", WATCHDOG_TASK_STACK},
        {"IDLE", configMINIMAL_STACK_SIZE * sizeof(StackType_t)},
    };
    size_t i;
    for (i = 0; i < sizeof(tasks) / sizeof(tasks[0]); i++)
    {
        TaskHandle_t t = xTaskGetHandle(tasks[i].name);
        if (t != NULL)
            printf("# freertos stack %s: %lu of %lu bytes never used\n", tasks[i].name,
                   (unsigned long)(uxTaskGetStackHighWaterMark(t) * sizeof(StackType_t)),
                   stack_bytes(tasks[i].bytes));
    }
    printf("# freertos heap: %lu of %lu bytes minimum ever free\n", (unsigned long)xPortGetMinimumEverFreeHeapSize(),
           (unsigned long)configTOTAL_HEAP_SIZE);
}

void port_exit(int status)
{
    report_resources();
    fflush(stdout);
    qhal_mps2_exit(status);
}

/* FreeRTOS's allocations (heap_4's traceMALLOC, counted in libfreertos.a). */
extern volatile unsigned long qhal_freertos_mallocs;
long port_os_allocations(void)
{
    return (long)qhal_freertos_mallocs;
}

static void watchdog_task(void *arg)
{
    (void)arg;
    for (;;)
    {
        const char *name;
        uint64_t deadline;
        vTaskDelay(ticks(200));
        taskENTER_CRITICAL();
        name = (const char *)g_wdCase;
        deadline = g_wdDeadline;
        taskEXIT_CRITICAL();
        if (name != NULL && now_ms() > deadline)
        {
            suite_watchdog_fired(name);
            port_exit(1);
        }
    }
}

/* ---- network ---- */

/* The NIC is polled: this task moves received frames into lwIP. It holds lwIP's core lock
 * while it polls, because the driver's frame buffer is shared with its transmit path, which
 * lwIP calls with that lock held. */
static void netif_task(void *arg)
{
    (void)arg;
    for (;;)
    {
        LOCK_TCPIP_CORE();
        qhal_mps2_lan9118_poll(&g_netif);
        UNLOCK_TCPIP_CORE();
        vTaskDelay(1);
    }
}

static void tcpip_ready(void *arg)
{
    (void)xSemaphoreGive((SemaphoreHandle_t)arg);
}

static int net_up(void)
{
    ip4_addr_t ip, mask, gw;
    ip_addr_t dns;
    struct netif *up;
    SemaphoreHandle_t ready = xSemaphoreCreateBinary();
    if (ready == NULL) return -1;
    tcpip_init(tcpip_ready, ready);
    if (xSemaphoreTake(ready, ticks(10000)) != pdTRUE) return -1;
    vSemaphoreDelete(ready);
    IP4_ADDR(&ip, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 2, 2);
    LOCK_TCPIP_CORE();
    up = netif_add(&g_netif, &ip, &mask, &gw, NULL, qhal_mps2_lan9118_init, tcpip_input);
    if (up != NULL)
    {
        netif_set_default(up);
        netif_set_up(up);
        netif_set_link_up(up);
    }
#if LWIP_DNS
    if (ipaddr_aton(cfg_str("dns-server", "10.0.2.3"), &dns)) dns_setserver(0, &dns);
#else
    (void)dns;
#endif
    UNLOCK_TCPIP_CORE();
    if (up == NULL) return -1;
    return xTaskCreate(netif_task, "netif", NETIF_TASK_STACK / sizeof(StackType_t), NULL, TCPIP_THREAD_PRIO, NULL) ==
                   pdPASS
               ? 0
               : -1;
}

static void suite_task(void *arg)
{
    (void)arg;
    port_exit(main(g_argc, g_argv));
}

int port_init(int *argc, char ***argv)
{
    if (xTaskGetSchedulerState() == taskSCHEDULER_NOT_STARTED)
    {
        /* First call, on the start-up stack: set up, hand over to the scheduler. */
        if (semihost_args(argc, argv) != 0) return -1;
        g_argc = *argc;
        g_argv = *argv;
        g_mu = xSemaphoreCreateRecursiveMutex();
        g_wake = xSemaphoreCreateBinary();
        if (g_mu == NULL || g_wake == NULL ||
            xTaskCreate(suite_task, "suite", SUITE_TASK_STACK / sizeof(StackType_t), NULL, SUITE_TASK_PRIORITY,
                        &g_suiteTask) != pdPASS ||
            xTaskCreate(watchdog_task, "watchdog", WATCHDOG_TASK_STACK / sizeof(StackType_t), NULL,
                        configMAX_PRIORITIES - 1, NULL) != pdPASS)
        {
            printf("FAIL suite: cannot create the suite's tasks (FreeRTOS heap too small?)\n");
            return -1;
        }
        vTaskStartScheduler();
        printf("FAIL suite: vTaskStartScheduler returned (FreeRTOS heap too small?)\n");
        return -1;
    }
    /* Second call, from the suite task: the configuration is read, bring the network up. */
    if (net_up() != 0)
    {
        printf("FAIL suite: lwIP did not come up on the LAN9118 (tcpip_init or netif_add failed)\n");
        return -1;
    }
    printf("# FreeRTOS %s, lwIP %s sockets on the LAN9118: 10.0.2.15 via 10.0.2.2, %d configuration keys\n",
           tskKERNEL_VERSION_NUMBER, LWIP_VERSION_STRING, (*argc - 1) / 2);
    return 1;
}

/* lwIP's sockets in use (fcntl fails for a free one): the HAL's and, while it runs, the
 * control connection's. */
/* No process CPU clock and no descriptor limit on an MCU. */
long long port_cpu_us(void)
{
    return -1;
}

int port_raise_fd_limit(int n)
{
    (void)n;
    return 0;
}

int open_fd_count(void)
{
    int s, n = 0;
    for (s = LWIP_SOCKET_OFFSET; s < LWIP_SOCKET_OFFSET + MEMP_NUM_NETCONN; s++)
        if (lwip_fcntl(s, F_GETFL, 0) >= 0) n++;
    return n;
}

int port_local_port(int stream, char *reachHost, size_t reachHostMax, int *reachPort)
{
    snprintf(reachHost, reachHostMax, "%s", cfg_str("hal-host", "127.0.0.1"));
    *reachPort = cfg_int(stream ? "hal-tcp-fwd" : "hal-udp-fwd", 0);
    return *reachPort > 0 ? cfg_int(stream ? "hal-tcp-port" : "hal-udp-port", 0) : -1;
}

/* ---- the broker's control port over lwIP's sockets ---- */

int control(const char *cmd, char *reply, size_t replyMax)
{
    struct sockaddr_in a;
    struct timeval tv;
    int fd, port = cfg_int("control", 0);
    size_t got = 0;
    uint64_t deadline = now_ms() + 8000;
    char out[600];
    int n;
    if (replyMax) reply[0] = 0;
    if (port <= 0 || replyMax < 2) return -1;
    memset(&a, 0, sizeof(a));
    a.sin_len = sizeof(a);
    a.sin_family = AF_INET;
    a.sin_port = lwip_htons((u16_t)port);
    if (!inet_aton(cfg_str("control-host", cfg_str("host", "10.0.2.2")), &a.sin_addr)) return -1;
    fd = lwip_socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    tv.tv_sec = 1;
    tv.tv_usec = 0;
    lwip_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    n = snprintf(out, sizeof(out), "%s\n", cmd);
    if (n <= 0 || (size_t)n >= sizeof(out) || lwip_connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        lwip_send(fd, out, (size_t)n, 0) != n)
    {
        lwip_close(fd);
        return -1;
    }
    while (got + 1 < replyMax && now_ms() < deadline && !strchr(reply, '\n'))
    {
        ssize_t r = lwip_recv(fd, reply + got, replyMax - 1 - got, 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) break;
        if (r > 0)
        {
            got += (size_t)r;
            reply[got] = 0;
        }
    }
    lwip_close(fd);
    if (!strchr(reply, '\n')) return -1;
    *strchr(reply, '\n') = 0;
    return strncmp(reply, "ok", 2) == 0 ? 0 : -1;
}
