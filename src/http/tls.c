/* TLS credentials: loading with GnuTLS, the protocol policy (versions, suites, curves as
 * GnuTLS priorities; client_auth_type checks in the handshake), peer verification against a CA
 * set, and the reloadable store. The store's current pointer is swapped under a mutex (the same
 * reason as store/snapshot.c: between loading the pointer and taking a reference a reader could
 * lose a race with the last release; the lock closes that gap and TSan understands it). */
#include "http/tls.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
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
    gnutls_priority_t prio;
    enum tls_client_auth client_auth;
    char **sans;
    size_t nsans;
    char suites[1024];
};

static pthread_once_t tls_lib_once = PTHREAD_ONCE_INIT;
static int tls_lib_rc;
static int (*tls_lib_real_init)(void);

void tls_library_use_init(int (*real_init)(void))
{
    tls_lib_real_init = real_init;
}

static void tls_lib_start(void)
{
    int rc = tls_lib_real_init != NULL ? tls_lib_real_init() : gnutls_global_init();
    if (rc < 0) {
        log_error("tls", "GnuTLS did not initialize: %s", gnutls_strerror(rc));
        tls_lib_rc = -EIO;
    }
}

int tls_library_init(void)
{
    (void)pthread_once(&tls_lib_once, tls_lib_start);
    return tls_lib_rc;
}

/* A deep copy of a struct tls_policy (the store reloads with it later). */
struct tls_policy_own {
    struct tls_policy p;
    char **ciphers, **curves, **sans;
};

struct tls_store {
    pthread_mutex_t mu; /* guards cur */
    struct tls_creds *cur;
    pthread_mutex_t files_mu; /* guards files, policy and seen; held by one refresh at a time */
    char *files[4];
    struct tls_policy_own policy;
    bool has_policy;
    struct fsroot_version seen[4];
    _Atomic int64_t checked_ms;
};

/* Go's / Kubernetes' cipher suite names (crypto/tls) and their GnuTLS parts. */
struct tls_suite_name {
    const char *go;
    const char *kx, *cipher, *mac; /* kx NULL: a TLS 1.3 suite (cipher only) */
};

static const struct tls_suite_name tls_suites[] = {
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "AES-128-CBC", "SHA1"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "RSA", "AES-256-CBC", "SHA1"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA256", "RSA", "AES-128-CBC", "SHA256"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "AES-128-GCM", "AEAD"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", "AES-256-GCM", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA", "AES-128-CBC", "SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA", "AES-128-CBC", "SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD"},
    {"TLS_AES_128_GCM_SHA256", NULL, "AES-128-GCM", "AEAD"},
    {"TLS_AES_256_GCM_SHA384", NULL, "AES-256-GCM", "AEAD"},
    {"TLS_CHACHA20_POLY1305_SHA256", NULL, "CHACHA20-POLY1305", "AEAD"},
};

/* The default: what Go (and so kube-apiserver and exporter-toolkit) offers for TLS 1.2 minus
 * every CBC suite (CBC-SHA1 is what testssl.sh reports as LUCKY13-prone). */
static const char *const tls_default_suites[] = {
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",       "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",       "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
};

static const struct {
    const char *go, *gnutls;
} tls_curves[] = {
    {"CurveP256", "GROUP-SECP256R1"},
    {"CurveP384", "GROUP-SECP384R1"},
    {"CurveP521", "GROUP-SECP521R1"},
    {"X25519", "GROUP-X25519"},
};

int tls_version_parse(const char *s, int *out)
{
    static const char *const names[] = {"VersionTLS10", "VersionTLS11", "VersionTLS12",
                                        "VersionTLS13"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = 10 + i;
            return 0;
        }
    return -EINVAL;
}

/* tls_add_once appends ":+item" to b unless b already has it. */
static int tls_add_once(struct buf *b, const char *item)
{
    char tok[64];
    snprintf(tok, sizeof(tok), ":+%s:", item);
    struct buf probe;
    buf_init(&probe, 8192);
    int rc = buf_printf(&probe, "%s:", buf_ptr(b));
    bool has = rc == 0 && strstr(buf_ptr(&probe), tok) != NULL;
    buf_fini(&probe);
    if (rc < 0)
        return rc;
    return has ? 0 : buf_printf(b, ":+%s", item);
}

int tls_priority_build(const struct tls_policy *p, char *out, size_t n, char *why, size_t whylen)
{
    static const struct tls_policy defaults = {0};
    if (p == NULL)
        p = &defaults;
    int lo = p->min_version != 0 ? p->min_version : 12;
    int hi = p->max_version != 0 ? p->max_version : 13;
    if (lo < 10 || hi > 13 || lo > hi) {
        snprintf(why, whylen, "invalid TLS version range 1.%d to 1.%d", lo - 10, hi - 10);
        return -EINVAL;
    }
    const char *const *names = p->nciphers > 0 ? p->cipher_suites : tls_default_suites;
    size_t nn =
        p->nciphers > 0 ? p->nciphers : sizeof(tls_default_suites) / sizeof(tls_default_suites[0]);
    const struct tls_suite_name *sel[64];
    if (nn > sizeof(sel) / sizeof(sel[0])) {
        snprintf(why, whylen, "more than 64 cipher suites");
        return -E2BIG;
    }
    for (size_t i = 0; i < nn; i++) {
        sel[i] = NULL;
        for (size_t j = 0; j < sizeof(tls_suites) / sizeof(tls_suites[0]); j++)
            if (strcmp(names[i], tls_suites[j].go) == 0)
                sel[i] = &tls_suites[j];
        if (sel[i] == NULL) {
            snprintf(why, whylen, "unknown or unsupported cipher suite \"%s\"", names[i]);
            return -EINVAL;
        }
    }
    struct buf b;
    buf_init(&b, n);
    int rc = buf_adds(&b, "NORMAL:-VERS-ALL");
    for (int v = hi; rc == 0 && v >= lo; v--)
        rc = buf_printf(&b, ":+VERS-TLS1.%d", v - 10);
    if (rc == 0)
        rc = buf_adds(&b, ":-KX-ALL");
    for (size_t i = 0; rc == 0 && i < nn; i++)
        if (sel[i]->kx != NULL)
            rc = tls_add_once(&b, sel[i]->kx);
    if (rc == 0)
        rc = buf_adds(&b, ":-CIPHER-ALL");
    for (size_t i = 0; rc == 0 && i < nn; i++)
        rc = tls_add_once(&b, sel[i]->cipher);
    if (rc == 0)
        rc = buf_adds(&b, ":-MAC-ALL");
    for (size_t i = 0; rc == 0 && i < nn; i++)
        rc = tls_add_once(&b, sel[i]->mac);
    if (rc == 0 && p->ncurves > 0) {
        rc = buf_adds(&b, ":-GROUP-ALL");
        for (size_t i = 0; rc == 0 && i < p->ncurves; i++) {
            const char *g = NULL;
            for (size_t j = 0; j < sizeof(tls_curves) / sizeof(tls_curves[0]); j++)
                if (strcmp(p->curves[i], tls_curves[j].go) == 0)
                    g = tls_curves[j].gnutls;
            if (g == NULL) {
                snprintf(why, whylen,
                         "unknown curve \"%s\" (CurveP256, CurveP384, CurveP521, X25519)",
                         p->curves[i]);
                buf_fini(&b);
                return -EINVAL;
            }
            rc = tls_add_once(&b, g);
        }
    }
    if (rc == 0 && !p->client_order)
        rc = buf_adds(&b, ":%SERVER_PRECEDENCE");
    if (rc < 0 || buf_len(&b) + 1 > n) {
        snprintf(why, whylen, "priority string too long");
        buf_fini(&b);
        return -E2BIG;
    }
    memcpy(out, buf_ptr(&b), buf_len(&b) + 1);
    buf_fini(&b);
    return 0;
}

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
    if (c->prio != NULL)
        gnutls_priority_deinit(c->prio);
    for (size_t i = 0; i < c->nsans; i++)
        free(c->sans[i]);
    free(c->sans);
    free(c);
}

/* tls_describe_suites lists the TLS 1.2 suites (IANA names) the priorities enable. */
static void tls_describe_suites(struct tls_creds *c)
{
    size_t off = 0;
    c->suites[0] = '\0';
    for (unsigned i = 0;; i++) {
        unsigned idx = 0;
        int g = gnutls_priority_get_cipher_suite_index(c->prio, i, &idx);
        if (g == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        if (g < 0)
            continue;
        gnutls_protocol_t min = GNUTLS_VERSION_UNKNOWN;
        const char *name = gnutls_cipher_suite_info(idx, NULL, NULL, NULL, NULL, &min);
        if (name == NULL || min == GNUTLS_TLS1_3)
            continue;
        int w = snprintf(c->suites + off, sizeof(c->suites) - off, "%s%s", off ? "," : "", name);
        if (w < 0 || (size_t)w >= sizeof(c->suites) - off)
            break;
        off += (size_t)w;
    }
}

static int tls_apply_policy(struct tls_creds *c, const struct tls_policy *p, char *why,
                            size_t whylen)
{
    char prio[1024];
    int rc = tls_priority_build(p, prio, sizeof(prio), why, whylen);
    if (rc < 0)
        return rc;
    const char *err = NULL;
    int g = gnutls_priority_init(&c->prio, prio, &err);
    if (g < 0) {
        snprintf(why, whylen, "GnuTLS rejects the TLS policy at \"%s\": %s",
                 err != NULL ? err : "?", gnutls_strerror(g));
        c->prio = NULL;
        return -EINVAL;
    }
    tls_describe_suites(c);
    if (p != NULL) {
        c->client_auth = p->client_auth;
        c->nsans = p->nsans;
        c->sans = xcalloc(p->nsans > 0 ? p->nsans : 1, sizeof(*c->sans));
        for (size_t i = 0; i < p->nsans; i++)
            c->sans[i] = xstrdup(p->allowed_sans[i]);
    }
    return 0;
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
    if (tls_library_init() < 0) {
        snprintf(why, whylen, "GnuTLS did not initialize");
        return -EIO;
    }
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
    rc = tls_apply_policy(c, f->policy, why, whylen);
    if (rc < 0)
        goto fail;
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

void tls_creds_describe_suites(const struct tls_creds *c, char *out, size_t n)
{
    snprintf(out, n, "%s", c->suites);
}

void tls_creds_session_setup(const struct tls_creds *c, gnutls_session_t session)
{
    gnutls_priority_set(session, c->prio);
    gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, c->cred);
    switch (c->client_auth) {
    case TLS_CLIENT_AUTH_ADAPTER:
        if (tls_creds_requests_cert(c))
            gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUEST);
        break;
    case TLS_CLIENT_AUTH_NONE:
        gnutls_certificate_server_set_request(session, GNUTLS_CERT_IGNORE);
        break;
    case TLS_CLIENT_AUTH_REQUEST:
    case TLS_CLIENT_AUTH_VERIFY_IF_GIVEN:
        gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUEST);
        break;
    case TLS_CLIENT_AUTH_REQUIRE_ANY:
    case TLS_CLIENT_AUTH_REQUIRE_AND_VERIFY:
        gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUIRE);
        break;
    }
}

bool tls_creds_checks_peer(const struct tls_creds *c)
{
    return c->client_auth != TLS_CLIENT_AUTH_ADAPTER && c->client_auth != TLS_CLIENT_AUTH_NONE &&
           c->client_auth != TLS_CLIENT_AUTH_REQUEST;
}

bool tls_san_matches(gnutls_x509_crt_t crt, const char *const *sans, size_t n)
{
    for (unsigned seq = 0;; seq++) {
        char v[512];
        size_t len = sizeof(v) - 1;
        unsigned critical = 0;
        int type = gnutls_x509_crt_get_subject_alt_name(crt, seq, v, &len, &critical);
        if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            return false;
        if (type < 0)
            continue; /* too long or unreadable: never a match */
        char text[INET6_ADDRSTRLEN];
        const char *s = NULL;
        if (type == GNUTLS_SAN_DNSNAME || type == GNUTLS_SAN_RFC822NAME || type == GNUTLS_SAN_URI) {
            v[len] = '\0';
            if (strlen(v) != len)
                continue; /* an embedded NUL: never a match */
            s = v;
        } else if (type == GNUTLS_SAN_IPADDRESS && (len == 4 || len == 16)) {
            s = inet_ntop(len == 4 ? AF_INET : AF_INET6, v, text, sizeof(text));
        }
        for (size_t i = 0; s != NULL && i < n; i++)
            if (strcmp(s, sans[i]) == 0)
                return true;
    }
}

int tls_creds_check_peer(const struct tls_creds *c, gnutls_session_t session, const char **why)
{
    if (!tls_creds_checks_peer(c))
        return 0;
    gnutls_x509_crt_t chain[TLS_MAX_CHAIN];
    unsigned n = 0;
    int rc = tls_peer_chain(session, chain, TLS_MAX_CHAIN, &n);
    if (rc == -ENOENT) {
        if (c->client_auth == TLS_CLIENT_AUTH_VERIFY_IF_GIVEN)
            return 0;
        *why = "a client certificate is required";
        return -EACCES;
    }
    if (rc < 0) {
        *why = "the client certificate cannot be parsed";
        return -EACCES;
    }
    if (c->client_auth != TLS_CLIENT_AUTH_REQUIRE_ANY &&
        tls_creds_verify(c, TLS_CA_CLIENT, chain, n) != 0) {
        *why = "the client certificate is not signed by client_ca_file (or expired, or not for "
               "client authentication)";
        rc = -EACCES;
    } else if (c->nsans > 0 && !tls_san_matches(chain[0], (const char *const *)c->sans, c->nsans)) {
        *why = "no SAN of the client certificate is in client_allowed_sans";
        rc = -EACCES;
    }
    tls_chain_free(chain, n);
    return rc;
}

int tls_peer_chain(gnutls_session_t session, gnutls_x509_crt_t *chain, unsigned cap, unsigned *n)
{
    unsigned got = 0;
    const gnutls_datum_t *der = gnutls_certificate_get_peers(session, &got);
    if (der == NULL || got == 0)
        return -ENOENT;
    if (got > cap)
        got = cap;
    unsigned ok = 0;
    for (; ok < got; ok++) {
        if (gnutls_x509_crt_init(&chain[ok]) < 0)
            break;
        if (gnutls_x509_crt_import(chain[ok], &der[ok], GNUTLS_X509_FMT_DER) < 0) {
            gnutls_x509_crt_deinit(chain[ok]);
            break;
        }
    }
    if (ok < got) {
        tls_chain_free(chain, ok);
        return -EPROTO;
    }
    *n = got;
    return 0;
}

void tls_chain_free(gnutls_x509_crt_t *chain, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        gnutls_x509_crt_deinit(chain[i]);
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

static char **tls_strv_dup(const char *const *v, size_t n)
{
    char **out = xcalloc(n > 0 ? n : 1, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(v[i]);
    return out;
}

static void tls_strv_free(char **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void tls_policy_own_fini(struct tls_policy_own *o)
{
    tls_strv_free(o->ciphers, o->p.nciphers);
    tls_strv_free(o->curves, o->p.ncurves);
    tls_strv_free(o->sans, o->p.nsans);
    memset(o, 0, sizeof(*o));
}

static void tls_policy_own_init(struct tls_policy_own *o, const struct tls_policy *p)
{
    o->p = *p;
    o->ciphers = tls_strv_dup(p->cipher_suites, p->nciphers);
    o->curves = tls_strv_dup(p->curves, p->ncurves);
    o->sans = tls_strv_dup(p->allowed_sans, p->nsans);
    o->p.cipher_suites = (const char *const *)o->ciphers;
    o->p.curves = (const char *const *)o->curves;
    o->p.allowed_sans = (const char *const *)o->sans;
}

/* tls_store_set_files records f as the files (and policy) of later reloads. Caller holds
 * files_mu (or owns s alone). */
static void tls_store_set_files(struct tls_store *s, const struct tls_files *f)
{
    const char *names[4] = {f->cert_file, f->key_file, f->client_ca_file, f->proxy_ca_file};
    for (int i = 0; i < 4; i++) {
        free(s->files[i]);
        s->files[i] = names[i] != NULL && names[i][0] != '\0' ? xstrdup(names[i]) : NULL;
    }
    tls_policy_own_fini(&s->policy);
    s->has_policy = f->policy != NULL;
    if (f->policy != NULL)
        tls_policy_own_init(&s->policy, f->policy);
}

static void tls_store_stat(struct tls_store *s, struct fsroot_version v[4])
{
    memset(v, 0, 4 * sizeof(v[0]));
    for (int i = 0; i < 4; i++)
        if (s->files[i] != NULL && fsroot_path_version(s->files[i], &v[i]) < 0)
            memset(&v[i], 0, sizeof(v[i]));
}

static void tls_store_swap(struct tls_store *s, struct tls_creds *c)
{
    pthread_mutex_lock(&s->mu);
    struct tls_creds *old = s->cur;
    s->cur = c;
    pthread_mutex_unlock(&s->mu);
    tls_creds_release(old);
}

/* tls_store_load_locked loads the recorded files; caller holds files_mu. */
static int tls_store_load_locked(struct tls_store *s, char *why, size_t whylen)
{
    struct tls_files f = {s->files[0], s->files[1], s->files[2], s->files[3],
                          s->has_policy ? &s->policy.p : NULL};
    tls_store_stat(s, s->seen);
    struct tls_creds *c = NULL;
    int rc = tls_creds_load(&f, &c, why, whylen);
    if (rc < 0)
        return rc;
    tls_store_swap(s, c);
    return 0;
}

int tls_store_new(const struct tls_files *f, struct tls_store **out, char *why, size_t whylen)
{
    struct tls_store *s = xcalloc(1, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->files_mu, NULL);
    atomic_init(&s->checked_ms, clock_mono_ms());
    tls_store_set_files(s, f);
    int rc = tls_store_load_locked(s, why, whylen);
    if (rc < 0) {
        tls_store_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int tls_store_reload(struct tls_store *s, char *why, size_t whylen)
{
    pthread_mutex_lock(&s->files_mu);
    int rc = tls_store_load_locked(s, why, whylen);
    pthread_mutex_unlock(&s->files_mu);
    return rc;
}

int tls_store_replace(struct tls_store *s, const struct tls_files *f, char *why, size_t whylen)
{
    struct tls_creds *c = NULL;
    int rc = tls_creds_load(f, &c, why, whylen);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&s->files_mu);
    tls_store_set_files(s, f);
    tls_store_stat(s, s->seen);
    tls_store_swap(s, c);
    pthread_mutex_unlock(&s->files_mu);
    return 0;
}

int tls_store_refresh(struct tls_store *s, int64_t min_interval_ms, char *why, size_t whylen)
{
    int64_t now = clock_mono_ms();
    if (now - atomic_load_explicit(&s->checked_ms, memory_order_relaxed) < min_interval_ms)
        return 0;
    if (pthread_mutex_trylock(&s->files_mu) != 0)
        return 0;
    atomic_store_explicit(&s->checked_ms, now, memory_order_relaxed);
    struct fsroot_version v[4];
    tls_store_stat(s, v);
    int rc = 0;
    if (memcmp(v, s->seen, sizeof(v)) != 0) {
        rc = tls_store_load_locked(s, why, whylen);
        if (rc == 0)
            rc = 1;
    }
    pthread_mutex_unlock(&s->files_mu);
    return rc;
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
    tls_policy_own_fini(&s->policy);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->files_mu);
    free(s);
}
