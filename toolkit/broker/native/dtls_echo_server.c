/*
 * qhal-gen test broker: a small DTLS echo server (mbedtls 2.28), host-native.
 * One process serves one UDP port, one client at a time, with a pre-shared key or a
 * certificate. It prints "port <n>" on stdout once it listens, logs to stderr, and exits
 * after --lifetime seconds or when its parent dies.
 *
 *   qhal-dtls-echo --host 127.0.0.1 --lifetime 600 --psk <hex> --identity <id>
 *   qhal-dtls-echo --host 127.0.0.1 --lifetime 600 --crt server.crt --key server.key
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/error.h"
#include "mbedtls/net_sockets.h"
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_cookie.h"
#include "mbedtls/timing.h"
#include "mbedtls/x509_crt.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void die(const char *what, int ret)
{
    char buf[128];
    mbedtls_strerror(ret, buf, sizeof(buf));
    fprintf(stderr, "dtls-echo: %s failed: -0x%04X %s\n", what, (unsigned)-ret, buf);
    exit(1);
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *pskHex = NULL, *identity = NULL, *crtFile = NULL, *keyFile = NULL;
    unsigned lifetime = 600;
    unsigned char psk[64];
    size_t pskLen = 0;
    int i, ret;

    for (i = 1; i + 1 < argc; i += 2)
    {
        if (!strcmp(argv[i], "--host")) host = argv[i + 1];
        else if (!strcmp(argv[i], "--lifetime")) lifetime = (unsigned)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--psk")) pskHex = argv[i + 1];
        else if (!strcmp(argv[i], "--identity")) identity = argv[i + 1];
        else if (!strcmp(argv[i], "--crt")) crtFile = argv[i + 1];
        else if (!strcmp(argv[i], "--key")) keyFile = argv[i + 1];
        else
        {
            fprintf(stderr, "dtls-echo: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!((pskHex && identity) || (crtFile && keyFile)))
    {
        fprintf(stderr, "dtls-echo: need --psk and --identity, or --crt and --key\n");
        return 2;
    }
    if (pskHex)
    {
        size_t n = strlen(pskHex);
        if (n == 0 || n % 2 || n / 2 > sizeof(psk)) { fprintf(stderr, "dtls-echo: bad --psk\n"); return 2; }
        for (pskLen = 0; pskLen < n / 2; pskLen++)
        {
            int hi = hexval(pskHex[2 * pskLen]), lo = hexval(pskHex[2 * pskLen + 1]);
            if (hi < 0 || lo < 0) { fprintf(stderr, "dtls-echo: bad --psk\n"); return 2; }
            psk[pskLen] = (unsigned char)(hi * 16 + lo);
        }
    }
    prctl(PR_SET_PDEATHSIG, SIGTERM);

    alarm(lifetime);

    mbedtls_net_context listen_fd, client_fd;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_ssl_cookie_ctx cookie;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt crt;
    mbedtls_pk_context pk;
    mbedtls_timing_delay_context timer;
    unsigned char buf[16384];
    unsigned char client_ip[16];
    size_t client_ip_len;

    mbedtls_net_init(&listen_fd);
    mbedtls_net_init(&client_fd);
    mbedtls_ssl_init(&ssl);
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_cookie_init(&cookie);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_x509_crt_init(&crt);
    mbedtls_pk_init(&pk);

    if ((ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)"qhal-dtls", 9)) != 0)
        die("ctr_drbg_seed", ret);
    if (crtFile)
    {
        if ((ret = mbedtls_x509_crt_parse_file(&crt, crtFile)) != 0) die("x509_crt_parse_file", ret);
        if ((ret = mbedtls_pk_parse_keyfile(&pk, keyFile, NULL)) != 0) die("pk_parse_keyfile", ret);
    }
    if ((ret = mbedtls_net_bind(&listen_fd, host, "0", MBEDTLS_NET_PROTO_UDP)) != 0) die("net_bind", ret);
    {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        unsigned port = 0;
        if (getsockname(listen_fd.fd, (struct sockaddr *)&ss, &sl) != 0) die("getsockname", -1);
        if (ss.ss_family == AF_INET) port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        printf("port %u\n", port);
        fflush(stdout);
    }
    if ((ret = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_DATAGRAM,
                                           MBEDTLS_SSL_PRESET_DEFAULT)) != 0)
        die("ssl_config_defaults", ret);
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
    mbedtls_ssl_conf_read_timeout(&conf, 10000);
    mbedtls_ssl_conf_handshake_timeout(&conf, 500, 8000);
    if (crtFile)
    {
        if ((ret = mbedtls_ssl_conf_own_cert(&conf, &crt, &pk)) != 0) die("ssl_conf_own_cert", ret);
    }
    else if ((ret = mbedtls_ssl_conf_psk(&conf, psk, pskLen, (const unsigned char *)identity, strlen(identity))) != 0)
        die("ssl_conf_psk", ret);
    if ((ret = mbedtls_ssl_cookie_setup(&cookie, mbedtls_ctr_drbg_random, &drbg)) != 0) die("ssl_cookie_setup", ret);
    mbedtls_ssl_conf_dtls_cookies(&conf, mbedtls_ssl_cookie_write, mbedtls_ssl_cookie_check, &cookie);
    if ((ret = mbedtls_ssl_setup(&ssl, &conf)) != 0) die("ssl_setup", ret);
    mbedtls_ssl_set_timer_cb(&ssl, &timer, mbedtls_timing_set_delay, mbedtls_timing_get_delay);

    for (;;)
    {
        mbedtls_net_free(&client_fd);
        mbedtls_ssl_session_reset(&ssl);
        if ((ret = mbedtls_net_accept(&listen_fd, &client_fd, client_ip, sizeof(client_ip), &client_ip_len)) != 0)
            die("net_accept", ret);
        if ((ret = mbedtls_ssl_set_client_transport_id(&ssl, client_ip, client_ip_len)) != 0)
            die("set_client_transport_id", ret);
        mbedtls_ssl_set_bio(&ssl, &client_fd, mbedtls_net_send, mbedtls_net_recv, mbedtls_net_recv_timeout);
        do
            ret = mbedtls_ssl_handshake(&ssl);
        while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
        if (ret == MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED) continue;
        if (ret != 0)
        {
            char err[128];
            mbedtls_strerror(ret, err, sizeof(err));
            fprintf(stderr, "dtls-echo: handshake failed: -0x%04X %s\n", (unsigned)-ret, err);
            continue;
        }
        for (;;)
        {
            do
                ret = mbedtls_ssl_read(&ssl, buf, sizeof(buf));
            while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
            if (ret <= 0) break; /* close_notify, timeout or error: next client */
            {
                int len = ret;
                do
                    ret = mbedtls_ssl_write(&ssl, buf, (size_t)len);
                while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
                if (ret < 0) break;
            }
        }
        if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
        {
            do
                ret = mbedtls_ssl_close_notify(&ssl);
            while (ret == MBEDTLS_ERR_SSL_WANT_WRITE);
        }
    }
}
