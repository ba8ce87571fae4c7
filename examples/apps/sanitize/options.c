/*
 * Default sanitizer options, compiled into the sanitized conformance and fuzz programs so a
 * run needs no environment (ASAN_OPTIONS / UBSAN_OPTIONS still override them). The first
 * report ends the program with a stack trace; SANITIZE_UBSAN_SUPPRESSIONS names the file
 * of upstream reports we cannot fix here.
 */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
    return "halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1";
}

const char *__ubsan_default_options(void)
{
    return "print_stacktrace=1:halt_on_error=1:suppressions=" SANITIZE_UBSAN_SUPPRESSIONS;
}
