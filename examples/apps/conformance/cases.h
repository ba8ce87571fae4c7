#ifndef QHAL_CONFORMANCE_CASES_H
#define QHAL_CONFORMANCE_CASES_H

typedef struct
{
    const char *name;
    int (*fn)(void);
} case_t;

/* Terminated by { NULL, NULL }. */
extern const case_t g_cases[];
/* The benchmarks (configuration key bench=1): each prints `BENCH name value unit (detail)`. */
extern const case_t g_bench[];

#endif
