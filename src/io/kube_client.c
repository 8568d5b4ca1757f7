/* kube-apiserver client over libcurl. Options that never change (TLS material, timeouts, the
 * write callback) are set once per easy handle; a request sets only URL, method, body and
 * headers. The token is the one piece of shared mutable state: guarded by the mutex together with
 * the idle-handle list, and refreshed from its file when stat() says the file changed. */
#include "io/kube_client.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gnutls/gnutls.h>

#include "core/err.h"
#include "core/version.h"
#include "core/xalloc.h"
#include "io/curl_api.h"
#include "io/fsroot.h"
#include "parse/kubeconfig.h"
#include "core/banned.h"

#define KUBE_CLIENT_IDLE_MAX 16           /* easy handles kept for reuse (connections) */
#define KUBE_CLIENT_TOKEN_MAX (64u << 10) /* a bound token is ~1 KiB */
#define KUBE_CLIENT_PEM_MAX (1u << 20)

struct kube_blob {
    void *data;
    size_t len;
};

struct kube_client {
    const struct curl_api *api;
    char *base; /* scheme://host[:port][/prefix], no trailing '/' */
    char *ns;
    long timeout_ms;
    bool insecure;
    char *ca_file, *cert_file, *key_file; /* NULL when the data form (or nothing) is used */
    struct kube_blob ca, cert, key;       /* decoded PEM; key is a secret */

    pthread_mutex_t mu; /* guards everything below */
    char *token;        /* current bearer token, NULL for none; a secret */
    char *token_path;   /* NULL: the token is static (or absent) */
    struct stat token_st;
    CURL *idle[KUBE_CLIENT_IDLE_MAX];
    size_t nidle;
};

static void kube_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void kube_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* --- configuration ------------------------------------------------------------------------ */

/* kube_path resolves a kubeconfig-relative path (client-go resolves them against the file's
 * directory). */
static char *kube_path(const char *dir, const char *p)
{
    if (p[0] == '/' || dir == NULL)
        return xstrdup(p);
    return xasprintf("%s/%s", dir, p);
}

static char *kube_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

static int kube_b64(const char *text, struct kube_blob *out)
{
    gnutls_datum_t in = {(unsigned char *)(uintptr_t)text, (unsigned)strlen(text)};
    gnutls_datum_t res = {NULL, 0};
    if (gnutls_base64_decode2(&in, &res) < 0 || res.size == 0) {
        gnutls_free(res.data);
        return -EPROTO;
    }
    out->data = xmalloc(res.size + 1);
    memcpy(out->data, res.data, res.size);
    ((char *)out->data)[res.size] = '\0';
    out->len = res.size;
    gnutls_memset(res.data, 0, res.size);
    gnutls_free(res.data);
    return 0;
}

static void kube_blob_fini(struct kube_blob *b)
{
    if (b->data != NULL) {
        memset(b->data, 0, b->len); /* key material does not linger in freed memory */
        free(b->data);
    }
    b->data = NULL;
    b->len = 0;
}

/* kube_read_small reads a whole small file into a new string; trailing whitespace cut when trim. */
static int kube_read_small(const char *path, size_t cap, bool trim, char **out)
{
    struct buf b;
    buf_init(&b, cap);
    int rc = fsroot_read_path(path, &b);
    if (rc < 0) {
        buf_fini(&b);
        return rc;
    }
    size_t n = buf_len(&b);
    char *s = buf_steal(&b, &n);
    if (s == NULL)
        s = xstrdup("");
    if (strlen(s) != n) {
        free(s);
        return -EPROTO;
    }
    while (trim && n > 0 &&
           (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    *out = s;
    return 0;
}

/* kube_token_refresh re-reads the token file when it changed since the last read. Caller holds
 * c->mu. Returns 0 when a token is available (the previous one when the file cannot be read). */
static int kube_token_refresh(struct kube_client *c, char *err, size_t errlen)
{
    if (c->token_path == NULL)
        return 0;
    struct stat st;
    int rc = stat(c->token_path, &st) == 0 ? 0 : -errno;
    if (rc == 0 && c->token != NULL && st.st_ino == c->token_st.st_ino &&
        st.st_dev == c->token_st.st_dev && st.st_size == c->token_st.st_size &&
        st.st_mtim.tv_sec == c->token_st.st_mtim.tv_sec &&
        st.st_mtim.tv_nsec == c->token_st.st_mtim.tv_nsec)
        return 0;
    char *tok = NULL;
    if (rc == 0)
        rc = kube_read_small(c->token_path, KUBE_CLIENT_TOKEN_MAX, true, &tok);
    if (rc == 0 && tok[0] == '\0') {
        free(tok);
        rc = -EPROTO;
    }
    if (rc < 0) {
        if (c->token != NULL)
            return 0; /* as client-go: keep using the last good token */
        kube_errf(err, errlen, "cannot read the token file %s: %s", c->token_path, err_str(rc));
        return rc;
    }
    if (c->token != NULL) {
        memset(c->token, 0, strlen(c->token));
        free(c->token);
    }
    c->token = tok;
    c->token_st = st;
    return 0;
}

static int kube_from_kubeconfig(struct kube_client *c, const char *path, char *err, size_t errlen)
{
    struct buf b;
    buf_init(&b, KUBECONFIG_MAX_BYTES);
    int rc = fsroot_read_path(path, &b);
    if (rc < 0) {
        buf_fini(&b);
        kube_errf(err, errlen, "cannot read the kubeconfig %s: %s", path, err_str(rc));
        return rc;
    }
    struct kubeconfig k;
    struct parse_err pe = {0};
    rc = parse_kubeconfig(buf_ptr(&b), buf_len(&b), NULL, &k, &pe);
    buf_fini(&b);
    if (rc < 0) {
        if (pe.line > 0)
            kube_errf(err, errlen, "kubeconfig %s:%u:%u: %s", path, pe.line, pe.col,
                      pe.what != NULL ? pe.what : "malformed");
        else
            kube_errf(err, errlen, "kubeconfig %s: %s", path,
                      pe.what != NULL ? pe.what : "malformed");
        return rc;
    }
    char *dir = kube_dirname(path);
    if (k.tls_server_name != NULL) {
        kube_errf(err, errlen, "kubeconfig %s: cluster %s: tls-server-name is not supported", path,
                  k.cluster);
        rc = -EINVAL;
        goto out;
    }
    c->base = xstrdup(k.server);
    c->ns = xstrdup(k.namespace != NULL && k.namespace[0] != '\0' ? k.namespace : "default");
    c->insecure = k.insecure_skip_tls_verify;
    const char *bad = NULL;
    /* the data forms win over the file forms, as in client-go */
    if (k.ca_data != NULL) {
        if (kube_b64(k.ca_data, &c->ca) < 0)
            bad = "certificate-authority-data";
    } else if (k.ca_file != NULL) {
        c->ca_file = kube_path(dir, k.ca_file);
    }
    if (k.cert_data != NULL) {
        if (bad == NULL && kube_b64(k.cert_data, &c->cert) < 0)
            bad = "client-certificate-data";
    } else if (k.cert_file != NULL) {
        c->cert_file = kube_path(dir, k.cert_file);
    }
    if (k.key_data != NULL) {
        if (bad == NULL && kube_b64(k.key_data, &c->key) < 0)
            bad = "client-key-data";
    } else if (k.key_file != NULL) {
        c->key_file = kube_path(dir, k.key_file);
    }
    if (bad != NULL) {
        kube_errf(err, errlen, "kubeconfig %s: user %s / cluster %s: %s is not valid base64", path,
                  k.user != NULL ? k.user : "", k.cluster, bad);
        rc = -EPROTO;
        goto out;
    }
    if (k.token != NULL && k.token[0] != '\0') {
        c->token = xstrdup(k.token);
    } else if (k.token_file != NULL) {
        c->token_path = kube_path(dir, k.token_file);
        rc = kube_token_refresh(c, err, errlen);
    }
out:
    free(dir);
    kubeconfig_fini(&k);
    return rc;
}

static int kube_in_cluster(struct kube_client *c, const char *sa_dir, char *err, size_t errlen)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST");
    const char *port = getenv("KUBERNETES_SERVICE_PORT");
    if (host == NULL || host[0] == '\0' || port == NULL || port[0] == '\0') {
        kube_errf(err, errlen,
                  "not running in a cluster (KUBERNETES_SERVICE_HOST and "
                  "KUBERNETES_SERVICE_PORT are unset) and no kubeconfig given");
        return -ENOENT;
    }
    bool v6 = strchr(host, ':') != NULL;
    c->base = xasprintf("https://%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "", port);
    c->ca_file = xasprintf("%s/ca.crt", sa_dir);
    c->token_path = xasprintf("%s/token", sa_dir);
    char *nsfile = xasprintf("%s/namespace", sa_dir);
    char *ns = NULL;
    int rc = kube_read_small(nsfile, 4096, true, &ns);
    free(nsfile);
    if (rc == 0 && ns[0] != '\0')
        c->ns = ns;
    else {
        free(ns);
        c->ns = xstrdup("default");
    }
    struct stat st;
    if (stat(c->ca_file, &st) != 0) {
        rc = -errno;
        kube_errf(err, errlen, "in-cluster CA %s: %s", c->ca_file, err_str(rc));
        return rc;
    }
    return kube_token_refresh(c, err, errlen);
}

/* --- easy handles ------------------------------------------------------------------------- */

struct kube_xfer {
    struct buf *resp;
    bool too_big;
};

static size_t kube_on_body(char *data, size_t size, size_t nmemb, void *cls)
{
    struct kube_xfer *x = cls;
    size_t n = size * nmemb;
    if (buf_add(x->resp, data, n) < 0) {
        x->too_big = true;
        return 0; /* curl aborts with CURLE_WRITE_ERROR */
    }
    return n;
}

/* kube_handle_new makes an easy handle with every fixed option; NULL when libcurl refuses one
 * (which kube_client_new reports). */
static CURL *kube_handle_new(const struct kube_client *c, CURLcode *why)
{
    const struct curl_api *api = c->api;
    CURL *h = api->easy_init();
    CURLcode rc = h != NULL ? CURLE_OK : CURLE_OUT_OF_MEMORY;
#define SETOPT(opt, val)                                                                           \
    do {                                                                                           \
        if (rc == CURLE_OK)                                                                        \
            rc = api->easy_setopt(h, opt, val);                                                    \
    } while (0)
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_TIMEOUT_MS, c->timeout_ms);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
    SETOPT(CURLOPT_USERAGENT, "rizk-metrics/" RIZK_VERSION);
    SETOPT(CURLOPT_WRITEFUNCTION, kube_on_body);
    SETOPT(CURLOPT_PROTOCOLS_STR, "https,http");
    SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    SETOPT(CURLOPT_ACCEPT_ENCODING, "");
    if (c->insecure) {
        SETOPT(CURLOPT_SSL_VERIFYPEER, 0L);
        SETOPT(CURLOPT_SSL_VERIFYHOST, 0L);
    } else {
        SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
        SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
    }
    if (c->ca_file != NULL)
        SETOPT(CURLOPT_CAINFO, c->ca_file);
    if (c->ca.data != NULL) {
        struct curl_blob b = {c->ca.data, c->ca.len, CURL_BLOB_COPY};
        SETOPT(CURLOPT_CAINFO_BLOB, &b);
    }
    if (c->cert_file != NULL)
        SETOPT(CURLOPT_SSLCERT, c->cert_file);
    if (c->cert.data != NULL) {
        struct curl_blob b = {c->cert.data, c->cert.len, CURL_BLOB_COPY};
        SETOPT(CURLOPT_SSLCERT_BLOB, &b);
    }
    if (c->key_file != NULL)
        SETOPT(CURLOPT_SSLKEY, c->key_file);
    if (c->key.data != NULL) {
        struct curl_blob b = {c->key.data, c->key.len, CURL_BLOB_COPY};
        SETOPT(CURLOPT_SSLKEY_BLOB, &b);
    }
#undef SETOPT
    if (rc != CURLE_OK) {
        if (h != NULL)
            api->easy_cleanup(h);
        *why = rc;
        return NULL;
    }
    return h;
}

static CURL *kube_handle_take(struct kube_client *c)
{
    CURL *h = NULL;
    pthread_mutex_lock(&c->mu);
    if (c->nidle > 0)
        h = c->idle[--c->nidle];
    pthread_mutex_unlock(&c->mu);
    if (h == NULL) {
        CURLcode why = CURLE_OK;
        h = kube_handle_new(c, &why);
    }
    return h;
}

static void kube_handle_give(struct kube_client *c, CURL *h)
{
    pthread_mutex_lock(&c->mu);
    if (c->nidle < KUBE_CLIENT_IDLE_MAX) {
        c->idle[c->nidle++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    if (h != NULL)
        c->api->easy_cleanup(h);
}

/* --- API ---------------------------------------------------------------------------------- */

int kube_client_new(const struct kube_client_opts *o, struct kube_client **out, char *err,
                    size_t errlen)
{
    const struct curl_api *api = NULL;
    int rc = curl_api_load(&api);
    if (rc < 0) {
        kube_errf(err, errlen, "libcurl cannot be loaded (install libcurl4)");
        return rc;
    }
    if (o == NULL || o->timeout_ms <= 0) {
        kube_errf(err, errlen, "the request timeout must be positive");
        return -EINVAL;
    }
    if (api->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        kube_errf(err, errlen, "libcurl cannot be initialised");
        return -ENOMEM;
    }
    struct kube_client *c = xcalloc(1, sizeof(*c));
    c->api = api;
    c->timeout_ms = o->timeout_ms;
    pthread_mutex_init(&c->mu, NULL);
    if (o->kubeconfig != NULL && o->kubeconfig[0] != '\0')
        rc = kube_from_kubeconfig(c, o->kubeconfig, err, errlen);
    else
        rc = kube_in_cluster(c, o->sa_dir != NULL ? o->sa_dir : KUBE_CLIENT_SA_DIR, err, errlen);
    if (rc < 0)
        goto fail;
    size_t bl = strlen(c->base);
    while (bl > 0 && c->base[bl - 1] == '/')
        c->base[--bl] = '\0';
    if (strstr(c->base, "://") == NULL) {
        /* client-go takes a bare host:port as https */
        char *b = xasprintf("https://%s", c->base);
        free(c->base);
        c->base = b;
    }
    /* One handle now, so a libcurl that lacks an option (a blob on a GnuTLS build) fails at
     * start with a reason instead of at the first request. */
    CURLcode why = CURLE_OK;
    CURL *h = kube_handle_new(c, &why);
    if (h == NULL) {
        kube_errf(err, errlen, "libcurl refuses the TLS settings for %s: %s%s", c->base,
                  api->easy_strerror(why),
                  why == CURLE_UNKNOWN_OPTION || why == CURLE_NOT_BUILT_IN
                      ? " (the *-data forms need libcurl4, the OpenSSL flavour)"
                      : "");
        rc = -EINVAL;
        goto fail;
    }
    kube_handle_give(c, h);
    *out = c;
    return 0;
fail:
    kube_client_free(c);
    return rc;
}

void kube_client_free(struct kube_client *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nidle; i++)
        c->api->easy_cleanup(c->idle[i]);
    if (c->token != NULL) {
        memset(c->token, 0, strlen(c->token));
        free(c->token);
    }
    free(c->token_path);
    free(c->base);
    free(c->ns);
    free(c->ca_file);
    free(c->cert_file);
    free(c->key_file);
    kube_blob_fini(&c->ca);
    kube_blob_fini(&c->cert);
    kube_blob_fini(&c->key);
    pthread_mutex_destroy(&c->mu);
    c->api->global_cleanup();
    free(c);
}

const char *kube_client_namespace(const struct kube_client *c)
{
    return c->ns;
}

const char *kube_client_server(const struct kube_client *c)
{
    return c->base;
}

static int kube_map_error(CURLcode code, bool too_big)
{
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return -ETIMEDOUT;
    case CURLE_COULDNT_CONNECT:
        return -ECONNREFUSED;
    case CURLE_WRITE_ERROR:
        return too_big ? -E2BIG : -EIO;
    case CURLE_OUT_OF_MEMORY:
        return -ENOMEM;
    default:
        return -EIO;
    }
}

static bool kube_method_ok(const char *m)
{
    static const char *const ok[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strcmp(m, ok[i]) == 0)
            return true;
    return false;
}

int kube_client_request(struct kube_client *c, const char *method, const char *path,
                        const char *json_body, long *http_status, struct buf *resp, char *err,
                        size_t errlen)
{
    if (method == NULL || !kube_method_ok(method) || path == NULL || path[0] != '/') {
        kube_errf(err, errlen, "invalid request %s %s", method != NULL ? method : "(null)",
                  path != NULL ? path : "(null)");
        return -EINVAL;
    }
    const struct curl_api *api = c->api;
    struct curl_slist *hdrs = NULL, *h2 = NULL;
    char *url = xasprintf("%s%s", c->base, path);
    char *auth = NULL;
    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = '\0';

    pthread_mutex_lock(&c->mu);
    int rc = kube_token_refresh(c, err, errlen);
    if (rc == 0 && c->token != NULL)
        auth = xasprintf("Authorization: Bearer %s", c->token);
    pthread_mutex_unlock(&c->mu);
    CURL *h = NULL;
    if (rc < 0)
        goto out;
    rc = -ENOMEM;
    hdrs = api->slist_append(NULL, "Accept: application/json");
    if (hdrs == NULL)
        goto out;
    /* "Expect:" drops curl's Expect: 100-continue, which would wait for a go-ahead on every
     * review body above 1 KiB */
    h2 = api->slist_append(hdrs, "Expect:");
    if (h2 == NULL)
        goto out;
    hdrs = h2;
    if (json_body != NULL) {
        h2 = api->slist_append(hdrs, "Content-Type: application/json");
        if (h2 == NULL)
            goto out;
        hdrs = h2;
    }
    if (auth != NULL) {
        h2 = api->slist_append(hdrs, auth);
        if (h2 == NULL)
            goto out;
        hdrs = h2;
    }
    h = kube_handle_take(c);
    if (h == NULL) {
        kube_errf(err, errlen, "cannot create a libcurl handle");
        goto out;
    }
    struct kube_xfer x = {.resp = resp};
    buf_reset(resp);
    bool head = strcmp(method, "HEAD") == 0;
    CURLcode code = CURLE_OK;
#define SETOPT(opt, val)                                                                           \
    do {                                                                                           \
        if (code == CURLE_OK)                                                                      \
            code = api->easy_setopt(h, opt, val);                                                  \
    } while (0)
    SETOPT(CURLOPT_URL, url);
    SETOPT(CURLOPT_HTTPHEADER, hdrs);
    SETOPT(CURLOPT_WRITEDATA, &x);
    SETOPT(CURLOPT_ERRORBUFFER, errbuf);
    /* A reused handle keeps the last method: reset it to GET, then set this one. */
    SETOPT(CURLOPT_CUSTOMREQUEST, (char *)NULL);
    SETOPT(CURLOPT_HTTPGET, 1L);
    SETOPT(CURLOPT_NOBODY, head ? 1L : 0L);
    if (json_body != NULL) {
        SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json_body));
        SETOPT(CURLOPT_POSTFIELDS, json_body);
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
        (json_body == NULL || strcmp(method, "POST") != 0))
        SETOPT(CURLOPT_CUSTOMREQUEST, method);
#undef SETOPT
    if (code == CURLE_OK)
        code = api->easy_perform(h);
    long status = 0;
    api->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    /* the handle outlives this frame: no pointer to it may stay set */
    api->easy_setopt(h, CURLOPT_ERRORBUFFER, (char *)NULL);
    api->easy_setopt(h, CURLOPT_WRITEDATA, (void *)NULL);
    api->easy_setopt(h, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    api->easy_setopt(h, CURLOPT_POSTFIELDS, (char *)NULL);
    if (code != CURLE_OK) {
        rc = kube_map_error(code, x.too_big);
        buf_reset(resp);
        if (rc == -E2BIG)
            kube_errf(err, errlen, "%s %s: the answer is larger than the caller's cap", method,
                      path);
        else
            kube_errf(err, errlen, "%s %s%s: %s", method, c->base, path,
                      errbuf[0] != '\0' ? errbuf : api->easy_strerror(code));
        /* a failed transfer may leave the connection in any state: do not reuse the handle */
        api->easy_cleanup(h);
        h = NULL;
        goto out;
    }
    *http_status = status;
    rc = 0;
out:
    if (h != NULL)
        kube_handle_give(c, h);
    api->slist_free_all(hdrs);
    if (auth != NULL) {
        memset(auth, 0, strlen(auth));
        free(auth);
    }
    free(url);
    return rc;
}
