/*
 * Runner of the conformance suite.
 *
 *   conformance --config broker.conf [--key value ...] [--only substring] [--case-timeout ms]
 *
 * The config file holds key=value lines (written by the run stage from the broker's info);
 * `--key value` sets or overrides one key. One line per case: `PASS name (12 ms)`,
 * `FAIL name: reason` (followed by the case's recorded events) or `SKIP name: reason`;
 * the last line is `N passed, N failed` (plus `, N skipped`). Exit status 0 when nothing
 * failed. Every wait is bounded; a watchdog ends a hung case and alarm() the whole run.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include "conformance.h"
#include "cases.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_KEYS 64

static char g_keys[MAX_KEYS][48];
static char g_vals[MAX_KEYS][256];
static int g_nKeys;
static char g_reason[512];

static void cfg_set(const char *k, const char *v)
{
    int i;
    for (i = 0; i < g_nKeys; i++)
        if (strcmp(g_keys[i], k) == 0) break;
    if (i == g_nKeys)
    {
        if (g_nKeys == MAX_KEYS) return;
        g_nKeys++;
    }
    snprintf(g_keys[i], sizeof(g_keys[i]), "%s", k);
    snprintf(g_vals[i], sizeof(g_vals[i]), "%s", v);
}

const char *cfg_str(const char *key, const char *dflt)
{
    int i;
    for (i = 0; i < g_nKeys; i++)
        if (strcmp(g_keys[i], key) == 0) return g_vals[i];
    return dflt;
}

int cfg_int(const char *key, int dflt)
{
    const char *v = cfg_str(key, NULL);
    return v && *v ? atoi(v) : dflt;
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

int case_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_reason, sizeof(g_reason), fmt, ap);
    va_end(ap);
    return CASE_FAIL;
}

int case_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_reason, sizeof(g_reason), fmt, ap);
    va_end(ap);
    return CASE_SKIP;
}

int open_fd_count(void)
{
    int n = 0;
    struct dirent *e;
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n - 1; /* the directory's own descriptor */
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
    inet_pton(AF_INET, cfg_str("host", "127.0.0.1"), &a.sin_addr);
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

/* ---- watchdog: a case that hangs inside a HAL call ends the run with a clear line ---- */

static pthread_mutex_t g_wdMu = PTHREAD_MUTEX_INITIALIZER;
static const char *g_wdCase;
static uint64_t g_wdDeadline;
static int g_passed, g_failed, g_skipped;

static void *watchdog(void *arg)
{
    (void)arg;
    for (;;)
    {
        sleep_ms(200);
        pthread_mutex_lock(&g_wdMu);
        if (g_wdCase && now_ms() > g_wdDeadline)
        {
            printf("FAIL %s: case did not finish in time (hung in a HAL call?)\n", g_wdCase);
            rec_dump();
            printf("%d passed, %d failed%s\n", g_passed, g_failed + 1, "");
            fflush(stdout);
            _exit(1);
        }
        pthread_mutex_unlock(&g_wdMu);
    }
    return NULL;
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

int main(int argc, char **argv)
{
    int i, caseTimeout = 120000, suiteTimeout = 1800;
    const char *only = NULL;
    pthread_t wd;
    char last[256];
    int violationsBefore;

    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    rec_init();
    for (i = 1; i < argc; i += 2)
    {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || i + 1 >= argc)
        {
            fprintf(stderr, "usage: %s --config FILE [--key value ...] [--only SUBSTRING]\n", argv[0]);
            return 2;
        }
        if (strcmp(a, "--config") == 0)
        {
            if (cfg_load(argv[i + 1]) != 0)
            {
                fprintf(stderr, "conformance: cannot read %s\n", argv[i + 1]);
                return 2;
            }
        }
        else if (strcmp(a, "--only") == 0)
            only = argv[i + 1];
        else if (strcmp(a, "--case-timeout") == 0)
            caseTimeout = atoi(argv[i + 1]);
        else if (strcmp(a, "--suite-timeout") == 0)
            suiteTimeout = atoi(argv[i + 1]);
        else if (strcmp(a, "--stdin-watch") == 0)
        {
            if (atoi(argv[i + 1]))
            {
                pthread_t sw;
                pthread_create(&sw, NULL, stdin_watch, NULL);
                pthread_detach(sw);
            }
        }
        else
            cfg_set(a + 2, argv[i + 1]);
    }
    signal(SIGALRM, on_alarm);
    alarm((unsigned)suiteTimeout);
    pthread_create(&wd, NULL, watchdog, NULL);
    pthread_detach(wd);

    printf("# qhal conformance: board %s, %s connect, Quos_socketIORx %s peerSize\n",
#ifdef QHAL_BOARD_NAME
           QHAL_BOARD_NAME,
#else
           "?",
#endif
           QHAL_CONNECT_ASYNC ? "async" : "sync",
#ifdef QHAL_RX_PEER_SIZE
           "with"
#else
           "without"
#endif
    );
    for (i = 0; g_cases[i].name; i++)
    {
        uint64_t t0;
        int r, v;
        if (only && !strstr(g_cases[i].name, only)) continue;
        g_reason[0] = 0;
        rec_reset();
        violationsBefore = rec_violations(NULL, 0);
        pthread_mutex_lock(&g_wdMu);
        g_wdCase = g_cases[i].name;
        g_wdDeadline = now_ms() + (uint64_t)caseTimeout;
        pthread_mutex_unlock(&g_wdMu);
        t0 = now_ms();
        r = g_cases[i].fn();
        /* Let late callbacks for what the case closed show up as violations here. */
        if (r != CASE_SKIP) sleep_ms(20);
        v = rec_violations(last, sizeof(last));
        if (r == CASE_PASS && v != violationsBefore) r = case_fail("contract violation: %s", last);
        pthread_mutex_lock(&g_wdMu);
        g_wdCase = NULL;
        if (r == CASE_PASS)
        {
            g_passed++;
            printf("PASS %s (%lu ms)\n", g_cases[i].name, (unsigned long)(now_ms() - t0));
        }
        else if (r == CASE_SKIP)
        {
            g_skipped++;
            printf("SKIP %s: %s\n", g_cases[i].name, g_reason);
        }
        else
        {
            g_failed++;
            printf("FAIL %s: %s (%lu ms)\n", g_cases[i].name, g_reason, (unsigned long)(now_ms() - t0));
            rec_dump();
        }
        pthread_mutex_unlock(&g_wdMu);
    }
    pthread_mutex_lock(&g_wdMu);
    if (g_skipped) printf("%d passed, %d failed, %d skipped\n", g_passed, g_failed, g_skipped);
    else printf("%d passed, %d failed\n", g_passed, g_failed);
    fflush(stdout);
    _exit(g_failed ? 1 : 0);
}
