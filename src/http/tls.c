/* TLS credentials: loading with GnuTLS, peer verification against a CA set, and the
 * reloadable store. The store's current pointer is swapped under a mutex (the same reason as
 * store/snapshot.c: between loading the pointer and taking a reference a reader could lose a
 * race with the last release; the lock closes that gap and TSan understands it). */
#include "http/tls.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "io/fsroot.h"
#include "core/banned.h"

struct tls_creds {
    atomic_uint refs;
    gnutls_certificate_credentials_t cred;
    gnutls_x509_trust_list_t ca[2]; /* by enum tls_ca; NULL when not configured */
    char *cert_pem;
    char *key_pem; /* secret: wiped on free */
    char desc[384];
};

struct tls_store {
    pthread_mutex_t mu;
    struct tls_creds *cur;
    char *files[4];
};

/* tls_read reads a whole file (absolute or relative path) into a fresh NUL-terminated string;
 * the bytes go through io/fsroot like every file read. */
static int tls_read(const char *path, char **out, char *why, size_t whylen)
{
    struct buf b;
    buf_init(&b, TLS_FILE_MAX);
    int rc = fsroot_read_path(path, &b);
    if (rc == 0 && buf_len(&b) == 0)
        rc = -ENODATA;
    if (rc < 0) {
        snprintf(why, whylen, "%s: %s", path, err_str(rc));
        buf_fini(&b);
        return rc;
    }
    size_t n = 0;
    *out = buf_steal(&b, &n);
    return 0;
}

static gnutls_datum_t tls_datum(const char *s)
{
    return (gnutls_datum_t){(unsigned char *)(uintptr_t)s, (unsigned)strlen(s)};
}

static void tls_creds_free(struct tls_creds *c)
{
    if (c == NULL)
        return;
    if (c->cred != NULL)
        gnutls_certificate_free_credentials(c->cred);
    for (int i = 0; i < 2; i++)
        if (c->ca[i] != NULL)
            gnutls_x509_trust_list_deinit(c->ca[i], 1);
    if (c->key_pem != NULL)
        explicit_bzero(c->key_pem, strlen(c->key_pem));
    free(c->key_pem);
    free(c->cert_pem);
    free(c);
}

/* tls_load_ca adds the CA file to the trust list of which and to the CA names sent in the
 * CertificateRequest. */
static int tls_load_ca(struct tls_creds *c, enum tls_ca which, const char *path, char *why,
                       size_t whylen)
{
    char *pem = NULL;
    int rc = tls_read(path, &pem, why, whylen);
    if (rc < 0)
        return rc;
    gnutls_datum_t d = tls_datum(pem);
    int g = gnutls_x509_trust_list_init(&c->ca[which], 0);
    if (g >= 0)
        g = gnutls_x509_trust_list_add_trust_mem(c->ca[which], &d, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
    if (g == 0)
        g = GNUTLS_E_NO_CERTIFICATE_FOUND;
    if (g > 0)
        g = gnutls_certificate_set_x509_trust_mem(c->cred, &d, GNUTLS_X509_FMT_PEM);
    free(pem);
    if (g < 0) {
        snprintf(why, whylen, "%s: no usable CA certificate: %s", path, gnutls_strerror(g));
        return -EPROTO;
    }
    return 0;
}

static void tls_describe_cert(struct tls_creds *c)
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t d = tls_datum(c->cert_pem);
    c->desc[0] = '\0';
    if (gnutls_x509_crt_init(&crt) < 0)
        return;
    if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) == 0) {
        char dn[256] = "", serial[64] = "", hex[64] = "", when[32] = "";
        size_t dnl = sizeof(dn), sl = sizeof(serial);
        gnutls_x509_crt_get_dn(crt, dn, &dnl);
        if (gnutls_x509_crt_get_serial(crt, serial, &sl) == 0)
            for (size_t i = 0; i < sl && 2 * i + 2 < sizeof(hex); i++)
                snprintf(hex + 2 * i, 3, "%02x", (unsigned char)serial[i]);
        time_t t = gnutls_x509_crt_get_expiration_time(crt);
        struct tm tm;
        if (t != (time_t)-1 && gmtime_r(&t, &tm) != NULL)
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        snprintf(c->desc, sizeof(c->desc), "subject=\"%s\" serial=%s not_after=%s", dn, hex, when);
    }
    gnutls_x509_crt_deinit(crt);
}

int tls_creds_load(const struct tls_files *f, struct tls_creds **out, char *why, size_t whylen)
{
    struct tls_creds *c = xcalloc(1, sizeof(*c));
    atomic_init(&c->refs, 1);
    int rc = tls_read(f->cert_file, &c->cert_pem, why, whylen);
    if (rc == 0)
        rc = tls_read(f->key_file, &c->key_pem, why, whylen);
    if (rc < 0)
        goto fail;
    if (gnutls_certificate_allocate_credentials(&c->cred) < 0) {
        rc = -ENOMEM;
        snprintf(why, whylen, "cannot allocate TLS credentials");
        goto fail;
    }
    gnutls_datum_t cert = tls_datum(c->cert_pem), key = tls_datum(c->key_pem);
    int g = gnutls_certificate_set_x509_key_mem(c->cred, &cert, &key, GNUTLS_X509_FMT_PEM);
    if (g < 0) {
        /* never the key's text: only which files and GnuTLS's reason */
        snprintf(why, whylen, "%s / %s: %s", f->cert_file, f->key_file, gnutls_strerror(g));
        rc = -EPROTO;
        goto fail;
    }
    const char *cas[2] = {f->client_ca_file, f->proxy_ca_file};
    for (int i = 0; i < 2; i++) {
        if (cas[i] == NULL || cas[i][0] == '\0')
            continue;
        rc = tls_load_ca(c, (enum tls_ca)i, cas[i], why, whylen);
        if (rc < 0)
            goto fail;
    }
    tls_describe_cert(c);
    *out = c;
    return 0;
fail:
    tls_creds_free(c);
    return rc;
}

struct tls_creds *tls_creds_acquire(struct tls_creds *c)
{
    if (c != NULL)
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    return c;
}

void tls_creds_release(struct tls_creds *c)
{
    if (c != NULL && atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
        tls_creds_free(c);
}

gnutls_certificate_credentials_t tls_creds_gnutls(const struct tls_creds *c)
{
    return c->cred;
}

bool tls_creds_has_ca(const struct tls_creds *c, enum tls_ca which)
{
    return c->ca[which] != NULL;
}

bool tls_creds_requests_cert(const struct tls_creds *c)
{
    return c->ca[TLS_CA_CLIENT] != NULL || c->ca[TLS_CA_PROXY] != NULL;
}

const char *tls_creds_cert_pem(const struct tls_creds *c)
{
    return c->cert_pem;
}

const char *tls_creds_key_pem(const struct tls_creds *c)
{
    return c->key_pem;
}

void tls_creds_describe(const struct tls_creds *c, char *out, size_t n)
{
    snprintf(out, n, "%s", c->desc);
}

int tls_creds_verify(const struct tls_creds *c, enum tls_ca which, const gnutls_x509_crt_t *chain,
                     unsigned n)
{
    if (c->ca[which] == NULL)
        return -ENOENT;
    if (n == 0)
        return -EACCES;
    gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
                                     (unsigned char *)(uintptr_t)GNUTLS_KP_TLS_WWW_CLIENT, 0};
    unsigned status = 0;
    /* gnutls takes a non-const list; it does not modify it */
    int g = gnutls_x509_trust_list_verify_crt2(c->ca[which], (gnutls_x509_crt_t *)(uintptr_t)chain,
                                               n, &purpose, 1, 0, &status, NULL);
    return g == 0 && status == 0 ? 0 : -EACCES;
}

int tls_store_new(const struct tls_files *f, struct tls_store **out, char *why, size_t whylen)
{
    struct tls_creds *c = NULL;
    int rc = tls_creds_load(f, &c, why, whylen);
    if (rc < 0)
        return rc;
    struct tls_store *s = xcalloc(1, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    s->cur = c;
    const char *names[4] = {f->cert_file, f->key_file, f->client_ca_file, f->proxy_ca_file};
    for (int i = 0; i < 4; i++)
        s->files[i] = names[i] != NULL && names[i][0] != '\0' ? xstrdup(names[i]) : NULL;
    *out = s;
    return 0;
}

int tls_store_reload(struct tls_store *s, char *why, size_t whylen)
{
    struct tls_files f = {s->files[0], s->files[1], s->files[2], s->files[3]};
    struct tls_creds *c = NULL;
    int rc = tls_creds_load(&f, &c, why, whylen);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&s->mu);
    struct tls_creds *old = s->cur;
    s->cur = c;
    pthread_mutex_unlock(&s->mu);
    tls_creds_release(old);
    return 0;
}

struct tls_creds *tls_store_acquire(struct tls_store *s)
{
    pthread_mutex_lock(&s->mu);
    struct tls_creds *c = tls_creds_acquire(s->cur);
    pthread_mutex_unlock(&s->mu);
    return c;
}

void tls_store_free(struct tls_store *s)
{
    if (s == NULL)
        return;
    tls_creds_release(s->cur);
    for (int i = 0; i < 4; i++)
        free(s->files[i]);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
