/* Plain-socket side of the reference clients: connect, non-blocking reads and writes. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1
#include "raw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

uint64_t raw_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int raw_connect(const char *host, int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
    {
        close(fd);
        return -1;
    }
    /* Like the HAL's sockets: default options (Nagle on), non-blocking once connected. */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

void raw_wait(int fd, int forWrite)
{
    struct pollfd p;
    p.fd = fd;
    p.events = (short)(POLLIN | (forWrite ? POLLOUT : 0));
    p.revents = 0;
    poll(&p, 1, 10000);
}

static long tcp_write(link_t *l, const void *buf, size_t n)
{
    ssize_t r = send(l->fd, buf, n, MSG_NOSIGNAL);
    if (r >= 0) return (long)r;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
}

static long tcp_read(link_t *l, void *buf, size_t n)
{
    ssize_t r = recv(l->fd, buf, n, 0);
    if (r > 0) return (long)r;
    if (r == 0) return -1;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
}

void raw_tcp_link(link_t *l, int fd)
{
    l->fd = fd;
    l->write = tcp_write;
    l->read = tcp_read;
    l->tls = NULL;
}
