/*
 * Runner of the conformance suite.
 *
 *   conformance --config broker.conf [--key value ...] [--only substring] [--case-timeout ms]
 *
 * The config file holds key=value lines (written by the run stage from the broker's info);
 * `--key value` sets or overrides one key. One line per case: `PASS name (12 ms)`,
 * `FAIL name: reason` (followed by the case's recorded events) or `SKIP name: reason`;
 * the last line is `N passed, N failed` (plus `, N skipped`). Exit status 0 when nothing
 * failed. Every wait is bounded; the platform's watchdog ends a hung case (and, on Linux,
 * alarm() the whole run). On bare metal the same options come from the semihosting command
 * line (QEMU's -append) instead of argv, and there is no config file.
 */
#include "conformance.h"
#include "cases.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS 64

static char g_keys[MAX_KEYS][48];
static char g_vals[MAX_KEYS][256];
static int g_nKeys;
static char g_reason[512];

void cfg_set(const char *k, const char *v)
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

void cfg_args(int argc, char **argv)
{
    static const char *const notConfig[] = {"--config", "--stdin-watch", "--suite-timeout"};
    int i;
    size_t j;
    for (i = 1; i + 1 < argc; i += 2)
    {
        if (strncmp(argv[i], "--", 2) != 0) continue;
        for (j = 0; j < sizeof(notConfig) / sizeof(notConfig[0]); j++)
            if (strcmp(argv[i], notConfig[j]) == 0) break;
        if (j == sizeof(notConfig) / sizeof(notConfig[0])) cfg_set(argv[i] + 2, argv[i + 1]);
    }
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

static int g_passed, g_failed, g_skipped;

/* What the per-case watchdog prints before the platform ends the run. */
void suite_watchdog_fired(const char *name)
{
    printf("FAIL %s: case did not finish in time (hung in a HAL call?)\n", name);
    rec_dump();
    printf("%d passed, %d failed\n", g_passed, g_failed + 1);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int i, first, caseTimeout = 120000;
    const case_t *table;
    const char *only = NULL;
    char last[256];
    int violationsBefore;

    /* The platform takes its own options (--config FILE, --stdin-watch, --suite-timeout on
     * Linux), reads the configuration (cfg_args) and brings the network up; on bare metal
     * argv comes from the semihosting command line. */
    first = port_init(&argc, &argv);
    if (first < 0) return 2;
    for (i = first; i < argc; i += 2)
        if (argv[i] == NULL || strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc)
        {
            printf("usage: conformance --config FILE [--key value ...] [--only SUBSTRING]\n");
            return 2;
        }
    only = *cfg_str("only", "") ? cfg_str("only", "") : NULL;
    caseTimeout = cfg_int("case-timeout", caseTimeout);

    printf("# qhal conformance: board %s, %s connect, Quos_socketIORx %s peerSize, slots in use %s\n",
#ifdef QHAL_BOARD_NAME
           QHAL_BOARD_NAME,
#else
           "?",
#endif
           QHAL_CONNECT_ASYNC ? "async" : "sync",
#if QHAL_RX_PEER_SIZE
           "with",
#else
           "without",
#endif
#ifdef QHAL_TEST_HOOKS
           "checked after each case"
#else
           "not checked (HAL built without QHAL_TEST_HOOKS)"
#endif
    );
    table = cfg_int("bench", 0) ? g_bench : g_cases;
    for (i = 0; table[i].name; i++)
    {
        uint64_t t0;
        int r, v;
        if (only && !strstr(table[i].name, only)) continue;
        g_reason[0] = 0;
        rec_reset();
        violationsBefore = rec_violations(NULL, 0);
        port_watchdog(table[i].name, now_ms() + (uint64_t)caseTimeout);
        t0 = now_ms();
        r = table[i].fn();
        /* Let late callbacks for what the case closed show up as violations here. */
        if (r != CASE_SKIP) sleep_ms(20);
        v = rec_violations(last, sizeof(last));
        if (r == CASE_PASS && v != violationsBefore) r = case_fail("contract violation: %s", last);
        /* Every socket a case opened is released once it ends: a slot still in use is one a
         * device never gets back (after maxSockets of them it cannot reconnect). */
        if (r == CASE_PASS && table == g_cases)
        {
            unsigned slots = rec_wait_slots_free(2000);
            if (slots != 0u)
                r = case_fail("%u HAL slot(s) still in use 2 s after the case closed everything", slots);
        }
        port_watchdog(NULL, 0);
        if (r == CASE_PASS)
        {
            g_passed++;
            printf("PASS %s (%lu ms)\n", table[i].name, (unsigned long)(now_ms() - t0));
        }
        else if (r == CASE_SKIP)
        {
            g_skipped++;
            printf("SKIP %s: %s\n", table[i].name, g_reason);
        }
        else
        {
            g_failed++;
            printf("FAIL %s: %s (%lu ms)\n", table[i].name, g_reason, (unsigned long)(now_ms() - t0));
            rec_dump();
        }
    }
    if (g_skipped) printf("%d passed, %d failed, %d skipped\n", g_passed, g_failed, g_skipped);
    else printf("%d passed, %d failed\n", g_passed, g_failed);
    fflush(stdout);
    port_exit(g_failed ? 1 : 0);
    return g_failed ? 1 : 0;
}
