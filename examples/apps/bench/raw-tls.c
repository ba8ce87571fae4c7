/* Plain mbedtls over a non-blocking socket: the reference for the HAL's TLS figures. Same
 * mbedtls build and configuration as the HAL (qhal_mbedtls_config.h), same security: the
 * peer and its host name are verified. */
#define _POSIX_C_SOURCE 200809L
#include "raw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

typedef struct
{
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
} tls_t;

static int bio_send(void *ctx, const unsigned char *buf, size_t n)
{
    ssize_t r = send(*(int *)ctx, buf, n, MSG_NOSIGNAL);
    if (r >= 0) return (int)r;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? MBEDTLS_ERR_SSL_WANT_WRITE : -1;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t n)
{
    ssize_t r = recv(*(int *)ctx, buf, n, 0);
    if (r >= 0) return (int)r;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? MBEDTLS_ERR_SSL_WANT_READ : -1;
}

static long tls_write(link_t *l, const void *buf, size_t n)
{
    int r = mbedtls_ssl_write(&((tls_t *)l->tls)->ssl, buf, n);
    if (r >= 0) return r;
    return r == MBEDTLS_ERR_SSL_WANT_WRITE || r == MBEDTLS_ERR_SSL_WANT_READ ? 0 : -1;
}

static long tls_read(link_t *l, void *buf, size_t n)
{
    int r = mbedtls_ssl_read(&((tls_t *)l->tls)->ssl, buf, n);
    if (r > 0) return r;
    return r == MBEDTLS_ERR_SSL_WANT_WRITE || r == MBEDTLS_ERR_SSL_WANT_READ ? 0 : -1;
}

static unsigned char *read_file(const char *file, size_t *len)
{
    FILE *f = fopen(file, "rb");
    unsigned char *buf;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n)
    {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) buf[n] = 0; /* mbedtls parses PEM with its terminating NUL */
    *len = (size_t)n + 1;
    return buf;
}

int raw_tls_open(link_t *l, int fd, const char *caFile, const char *hostname)
{
    tls_t *t = calloc(1, sizeof(*t));
    size_t caLen = 0;
    unsigned char *ca = read_file(caFile, &caLen);
    int r = -1;
    l->fd = fd;
    l->write = tls_write;
    l->read = tls_read;
    l->tls = t;
    if (!t || !ca) goto out;
    mbedtls_ssl_init(&t->ssl);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_entropy_init(&t->entropy);
    mbedtls_ctr_drbg_init(&t->drbg);
    if (mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy, NULL, 0) != 0 ||
        mbedtls_x509_crt_parse(&t->ca, ca, caLen) != 0 ||
        mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        goto out;
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    if (mbedtls_ssl_setup(&t->ssl, &t->conf) != 0 || mbedtls_ssl_set_hostname(&t->ssl, hostname) != 0) goto out;
    mbedtls_ssl_set_bio(&t->ssl, &l->fd, bio_send, bio_recv, NULL);
    for (;;)
    {
        int h = mbedtls_ssl_handshake(&t->ssl);
        if (h == 0) break;
        if (h != MBEDTLS_ERR_SSL_WANT_READ && h != MBEDTLS_ERR_SSL_WANT_WRITE)
        {
            fprintf(stderr, "raw tls: handshake failed: -0x%04x\n", (unsigned)-h);
            goto out;
        }
        raw_wait(fd, h == MBEDTLS_ERR_SSL_WANT_WRITE);
    }
    fprintf(stderr, "raw tls: %s\n", mbedtls_ssl_get_ciphersuite(&t->ssl));
    r = 0;
out:
    free(ca);
    return r;
}

void raw_tls_close(link_t *l)
{
    tls_t *t = l->tls;
    if (!t) return;
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_ctr_drbg_free(&t->drbg);
    mbedtls_entropy_free(&t->entropy);
    free(t);
    l->tls = NULL;
}
