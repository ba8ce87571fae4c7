/* The suite's command line on an MCU: QEMU's -append text through semihosting (args-semihost.c). */
#ifndef QHAL_SUITE_ARGS_SEMIHOST_H
#define QHAL_SUITE_ARGS_SEMIHOST_H

/* Splits and decodes the command line into argv (argv[0] is "conformance") and hands it to
 * cfg_args(); -1 (after a FAIL line) when it holds too many arguments. */
int semihost_args(int *argc, char ***argv);

#endif
