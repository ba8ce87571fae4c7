/*
 * md5-leaf CA.pem LEAF.pem HOST: verifies LEAF against CA the way the HAL's TLS client
 * does (parse the chain, skipping a certificate with an unknown signature algorithm as
 * ssl_tls.c does, then verify with the host name), and prints
 * `parse <ret> verify <ret> flags <hex>`. With an MD5-signed leaf this reaches the upstream
 * mbedtls report that ubsan.supp suppresses.
 */
#include "mbedtls/x509_crt.h"

#include <stdio.h>

static int load(mbedtls_x509_crt *crt, const char *file)
{
    static unsigned char buf[65536];
    size_t n;
    FILE *f = fopen(file, "rb");
    if (!f) return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    return mbedtls_x509_crt_parse(crt, buf, n + 1);
}

int main(int argc, char **argv)
{
    mbedtls_x509_crt ca, leaf;
    uint32_t flags = 0;
    int parsed, verified;
    if (argc != 4) return 2;
    mbedtls_x509_crt_init(&ca);
    mbedtls_x509_crt_init(&leaf);
    if (load(&ca, argv[1]) != 0) return 2;
    parsed = load(&leaf, argv[2]);
    verified = mbedtls_x509_crt_verify(&leaf, &ca, NULL, argv[3], &flags, NULL, NULL);
    printf("parse %d verify %d flags %x\n", parsed, verified, (unsigned)flags);
    mbedtls_x509_crt_free(&ca);
    mbedtls_x509_crt_free(&leaf);
    return 0;
}
