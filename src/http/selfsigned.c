/* GnuTLS key and certificate generation for the self-signed serving certificate. */
#include "http/selfsigned.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "http/tls.h"
#include "core/banned.h"

#define SELFSIGNED_DAYS 365

static int selfsigned_export(gnutls_datum_t *d, struct buf *out)
{
    int rc = buf_add(out, d->data, d->size);
    gnutls_memset(d->data, 0, d->size);
    gnutls_free(d->data);
    d->data = NULL;
    return rc;
}

int selfsigned_generate(const char *hostname, struct buf *cert, struct buf *key, char *why,
                        size_t whylen)
{
    gnutls_x509_privkey_t pk = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t d = {NULL, 0};
    const char *step = "key";
    if (tls_library_init() < 0) {
        snprintf(why, whylen, "GnuTLS did not initialize");
        return -EIO;
    }
    int g = gnutls_x509_privkey_init(&pk);
    if (g >= 0)
        g = gnutls_x509_privkey_generate(pk, GNUTLS_PK_ECDSA,
                                         GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
    if (g >= 0) {
        step = "certificate";
        g = gnutls_x509_crt_init(&crt);
    }
    time_t now = time(NULL);
    char cn[96];
    snprintf(cn, sizeof(cn), "rizk-metrics-adapter@%lld", (long long)now);
    unsigned char serial[16];
    if (g >= 0)
        g = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
    serial[0] &= 0x7f; /* a positive INTEGER */
    if (g >= 0)
        g = gnutls_x509_crt_set_version(crt, 3);
    if (g >= 0)
        g = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
    if (g >= 0)
        g = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                          (unsigned)strlen(cn));
    if (g >= 0)
        g = gnutls_x509_crt_set_activation_time(crt, now - 3600);
    if (g >= 0)
        g = gnutls_x509_crt_set_expiration_time(crt, now + (time_t)SELFSIGNED_DAYS * 86400);
    if (g >= 0)
        g = gnutls_x509_crt_set_key(crt, pk);
    if (g >= 0)
        g = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
    if (g >= 0)
        g = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
    if (g >= 0)
        g = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
    if (g >= 0)
        g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                                 GNUTLS_FSAN_APPEND);
    if (g >= 0 && hostname != NULL && hostname[0] != '\0' && strcmp(hostname, "localhost") != 0)
        g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, hostname,
                                                 (unsigned)strlen(hostname), GNUTLS_FSAN_APPEND);
    unsigned char v4[4], v6[16];
    inet_pton(AF_INET, "127.0.0.1", v4);
    inet_pton(AF_INET6, "::1", v6);
    if (g >= 0)
        g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v4, sizeof(v4),
                                                 GNUTLS_FSAN_APPEND);
    if (g >= 0)
        g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v6, sizeof(v6),
                                                 GNUTLS_FSAN_APPEND);
    if (g >= 0) {
        step = "signature";
        g = gnutls_x509_crt_sign2(crt, crt, pk, GNUTLS_DIG_SHA256, 0);
    }
    int rc = 0;
    if (g >= 0) {
        step = "export";
        g = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d);
        if (g >= 0 && selfsigned_export(&d, cert) < 0)
            rc = -E2BIG;
    }
    if (g >= 0 && rc == 0) {
        g = gnutls_x509_privkey_export2(pk, GNUTLS_X509_FMT_PEM, &d);
        if (g >= 0 && selfsigned_export(&d, key) < 0)
            rc = -E2BIG;
    }
    if (g < 0 || rc < 0) {
        snprintf(why, whylen, "cannot generate a self-signed %s: %s", step,
                 g < 0 ? gnutls_strerror(g) : "too large");
        rc = -EIO;
    }
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(pk);
    return rc;
}
