/*
 * The suite's platform on Linux: POSIX threads (the HAL's I/O thread calls back while the
 * suite waits on a condition variable), kernel sockets for the harness's own traffic (the
 * broker's control port, finding a free port), a watchdog thread for hung cases and
 * alarm() for the whole run.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include "conformance.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv;
static pthread_t g_main;
static pthread_mutex_t g_wdMu = PTHREAD_MUTEX_INITIALIZER;
static const char *g_wdCase;
static uint64_t g_wdDeadline;

uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void sleep_ms(int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    {
    }
}

void port_lock(void)
{
    pthread_mutex_lock(&g_mu);
}

void port_unlock(void)
{
    pthread_mutex_unlock(&g_mu);
}

void port_wait(uint64_t deadline)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(deadline / 1000u);
    ts.tv_nsec = (long)(deadline % 1000u) * 1000000L;
    pthread_cond_timedwait(&g_cv, &g_mu, &ts);
}

void port_wake(void)
{
    pthread_cond_broadcast(&g_cv);
}

int port_callback_context(void)
{
    return !pthread_equal(pthread_self(), g_main);
}

typedef struct
{
    void (*fn)(void *);
    void *arg;
} task_start_t;

static void *task_main(void *p)
{
    task_start_t t = *(task_start_t *)p;
    free(p);
    t.fn(t.arg);
    return NULL;
}

int port_task_start(void (*fn)(void *), void *arg)
{
    pthread_t th;
    task_start_t *t = (task_start_t *)malloc(sizeof(*t));
    if (t == NULL) return -1;
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&th, NULL, task_main, t) != 0)
    {
        free(t);
        return -1;
    }
    pthread_detach(th);
    return 0;
}

int port_verbose(void)
{
    return getenv("QHAL_SUITE_VERBOSE") != NULL;
}

void port_log_line(const char *line)
{
    fprintf(stderr, "%s\n", line);
}

void port_exit(int status)
{
    fflush(stdout);
    _exit(status);
}

/* ---- watchdogs ---- */

static void *watchdog(void *arg)
{
    (void)arg;
    for (;;)
    {
        sleep_ms(200);
        pthread_mutex_lock(&g_wdMu);
        if (g_wdCase && now_ms() > g_wdDeadline)
        {
            suite_watchdog_fired(g_wdCase);
            _exit(1);
        }
        pthread_mutex_unlock(&g_wdMu);
    }
    return NULL;
}

void port_watchdog(const char *name, uint64_t deadline)
{
    pthread_mutex_lock(&g_wdMu);
    g_wdCase = name;
    g_wdDeadline = deadline;
    pthread_mutex_unlock(&g_wdMu);
}

/* --stdin-watch 1: the run stage holds our stdin open; EOF means it died, so we go too. */
static void *stdin_watch(void *arg)
{
    char b[64];
    (void)arg;
    while (read(0, b, sizeof(b)) > 0)
    {
    }
    _exit(1);
    return NULL;
}

static void on_alarm(int sig)
{
    static const char msg[] = "FAIL suite: whole-run watchdog expired\n";
    (void)sig;
    if (write(1, msg, sizeof(msg) - 1) < 0)
    {
    }
    _exit(1);
}

static int cfg_load(const char *file)
{
    char line[512];
    FILE *f = fopen(file, "r");
    if (!f) return -1;
    while (fgets(line, sizeof(line), f))
    {
        char *eq = strchr(line, '=');
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (!eq || line[0] == '#') continue;
        *eq = 0;
        cfg_set(line, eq + 1);
    }
    fclose(f);
    return 0;
}

/* Takes --config, --stdin-watch and --suite-timeout (main skips them), reads the rest of the
 * configuration early because the stack under the HAL needs its addresses, brings it up. */
int port_init(int *argcp, char ***argvp)
{
    int argc = *argcp;
    char **argv = *argvp;
    pthread_condattr_t a;
    pthread_t wd;
    int i, suiteTimeout = 1800;
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&g_cv, &a);
    pthread_condattr_destroy(&a);
    g_main = pthread_self();
    for (i = 1; i + 1 < argc; i += 2)
    {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--config") == 0)
        {
            if (cfg_load(v) != 0)
            {
                fprintf(stderr, "conformance: cannot read %s\n", v);
                return -1;
            }
        }
        else if (strcmp(k, "--stdin-watch") == 0)
        {
            if (atoi(v))
            {
                pthread_t sw;
                pthread_create(&sw, NULL, stdin_watch, NULL);
                pthread_detach(sw);
            }
        }
        else if (strcmp(k, "--suite-timeout") == 0)
            suiteTimeout = atoi(v);
    }
    cfg_args(argc, argv);
    signal(SIGALRM, on_alarm);
    alarm((unsigned)suiteTimeout);
    pthread_create(&wd, NULL, watchdog, NULL);
    pthread_detach(wd);
    if (net_init() != 0)
    {
        printf("FAIL suite: the network stack under the HAL did not come up\n");
        return -1;
    }
    return 1;
}

/* ---- resources, for the benchmarks ---- */

long long port_cpu_us(void)
{
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u) != 0) return -1;
    return ((long long)u.ru_utime.tv_sec + (long long)u.ru_stime.tv_sec) * 1000000LL + (long long)u.ru_utime.tv_usec +
           (long long)u.ru_stime.tv_usec;
}

int port_raise_fd_limit(int n)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0) return -1;
    if (r.rlim_cur >= (rlim_t)n) return 0;
    if (r.rlim_max != RLIM_INFINITY && r.rlim_max < (rlim_t)n) return -1;
    r.rlim_cur = (rlim_t)n;
    return setrlimit(RLIMIT_NOFILE, &r);
}

/* ---- the harness's own sockets ---- */

int open_fd_count(void)
{
    int n = 0, extra;
    struct dirent *e;
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    extra = net_stack_sockets();
    if (extra < 0) return -1;
    return n - 1 + extra; /* the directory's own descriptor */
}

int control(const char *cmd, char *reply, size_t replyMax)
{
    struct sockaddr_in a;
    int fd, port = cfg_int("control", 0);
    size_t got = 0;
    uint64_t deadline = now_ms() + 8000;
    char out[600];
    if (replyMax) reply[0] = 0;
    if (port <= 0) return -1;
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, cfg_str("control-host", cfg_str("host", "127.0.0.1")), &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
    {
        close(fd);
        return -1;
    }
    snprintf(out, sizeof(out), "%s\n", cmd);
    if (send(fd, out, strlen(out), MSG_NOSIGNAL) != (ssize_t)strlen(out))
    {
        close(fd);
        return -1;
    }
    while (got + 1 < replyMax)
    {
        struct pollfd p;
        ssize_t r;
        int left = (int)(deadline - now_ms());
        if (left <= 0) break;
        p.fd = fd;
        p.events = POLLIN;
        if (poll(&p, 1, left) <= 0) break;
        r = recv(fd, reply + got, replyMax - 1 - got, 0);
        if (r <= 0) break;
        got += (size_t)r;
        reply[got] = 0;
        if (strchr(reply, '\n')) break;
    }
    close(fd);
    if (!strchr(reply, '\n')) return -1;
    *strchr(reply, '\n') = 0;
    return strncmp(reply, "ok", 2) == 0 ? 0 : -1;
}

/* A port free in the kernel (bind to 0, read it back, release): free in lwIP's stack too,
 * which has its own port space and nothing bound there but the HAL's sockets. */
int port_local_port(int stream, char *reachHost, size_t reachHostMax, int *reachPort)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    int fd = socket(AF_INET, stream ? SOCK_STREAM : SOCK_DGRAM, 0), port;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || getsockname(fd, (struct sockaddr *)&a, &al) != 0)
    {
        if (fd >= 0) close(fd);
        return -1;
    }
    port = ntohs(a.sin_port);
    close(fd);
    snprintf(reachHost, reachHostMax, "%s", cfg_str("hal-host", "127.0.0.1"));
    *reachPort = port;
    return port;
}
