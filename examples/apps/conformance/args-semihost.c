/*
 * The suite's command line on an MCU under qemu-system-arm: QEMU's -append text, read with
 * semihosting (SYS_GET_CMDLINE), split on spaces into `--key value` pairs. A value cannot
 * hold a space, so the run stage writes %20 for a space, %25 for a percent sign and a lone %
 * for an empty value; this file decodes them. Shared by every MCU platform file
 * (port-mps2.c on bare metal, port-freertos.c on FreeRTOS).
 */
#include "conformance.h"
#include "args-semihost.h"

#include <stdio.h>
#include <string.h>

#include "mps2_an385.h"

#define CMDLINE_MAX 4096
#define MAX_ARGS 160

static char g_cmdline[CMDLINE_MAX];
static char *g_args[MAX_ARGS];

static void decode(char *v)
{
    char *in = v, *out = v;
    if (strcmp(v, "%") == 0)
    {
        v[0] = 0;
        return;
    }
    while (*in)
    {
        if (in[0] == '%' && in[1] == '2' && (in[2] == '0' || in[2] == '5'))
        {
            *out++ = in[2] == '0' ? ' ' : '%';
            in += 3;
        }
        else
            *out++ = *in++;
    }
    *out = 0;
}

int semihost_args(int *argc, char ***argv)
{
    int n = 0, i;
    char *p = g_cmdline;
    g_args[n++] = (char *)"conformance";
    if (qhal_mps2_cmdline(g_cmdline, sizeof(g_cmdline)) != 0) g_cmdline[0] = 0;
    /* QEMU puts the kernel's file name first, then -append's text. */
    while (*p == ' ') p++;
    if (strncmp(p, "--", 2) != 0)
        while (*p && *p != ' ') p++;
    while (*p && n < MAX_ARGS - 1)
    {
        while (*p == ' ') p++;
        if (!*p) break;
        g_args[n++] = p;
        while (*p && *p != ' ') p++;
        if (*p) *p++ = 0;
    }
    if (*p)
    {
        printf("FAIL suite: more than %d command-line arguments\n", MAX_ARGS);
        return -1;
    }
    g_args[n] = NULL;
    for (i = 1; i < n; i++)
        if (strncmp(g_args[i], "--", 2) != 0) decode(g_args[i]);
    *argc = n;
    *argv = g_args;
    cfg_args(n, g_args);
    return 0;
}
