/* The HAL uses the kernel's sockets (the POSIX backend): nothing to bring up, and its
 * sockets are descriptors open_fd_count() already sees. */
#include "conformance.h"

int net_init(void)
{
    return 0;
}

int net_stack_sockets(void)
{
    return 0;
}
