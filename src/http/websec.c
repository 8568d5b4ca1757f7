/* The sidecar's web security: --web.config.file loaded into an immutable configuration,
 * swapped on reload, and the per-request guard and response headers the server calls. */
#include "http/websec.h"

#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "http/basic_auth.h"
#include "http/server.h"
#include "http/tls.h"
#include "io/fsroot.h"
#include "parse/webconfig.h"
#include "core/banned.h"

struct websec_conf {
    atomic_uint refs;
    bool tls;
    struct basic_auth *auth; /* NULL: no basic auth */
    char *hname[WEBCONFIG_NHEADERS], *hval[WEBCONFIG_NHEADERS];
    size_t nh;
    long long rate_interval_ms; /* 0: no rate limit */
    unsigned long long burst;
    pthread_mutex_t rl_mu;
    struct websec_bucket bucket;
    char desc[256];
};

struct websec {
    char *path; /* NULL: no file */
    bool probes_open;
    pthread_mutex_t mu; /* guards cur */
    struct websec_conf *cur;
    struct tls_store *tls; /* NULL: plain HTTP (decided at start) */
};

bool websec_rate_allow(struct websec_bucket *b, long long now_ms, long long interval_ms,
                       unsigned long long burst)
{
    if (b->last_ms == 0 && b->tokens == 0) {
        b->tokens = (double)burst; /* a new limiter starts full, as x/time/rate's */
        b->last_ms = now_ms;
    }
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) / (double)interval_ms;
        if (b->tokens > (double)burst)
            b->tokens = (double)burst;
        b->last_ms = now_ms;
    }
    if (b->tokens < 1.0)
        return false;
    b->tokens -= 1.0;
    return true;
}

static void websec_conf_release(struct websec_conf *c)
{
    if (c == NULL || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
        return;
    basic_auth_free(c->auth);
    for (size_t i = 0; i < c->nh; i++) {
        free(c->hname[i]);
        free(c->hval[i]);
    }
    pthread_mutex_destroy(&c->rl_mu);
    free(c);
}

static struct websec_conf *websec_acquire(struct websec *w)
{
    pthread_mutex_lock(&w->mu);
    struct websec_conf *c = w->cur;
    atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&w->mu);
    return c;
}

static enum tls_client_auth websec_client_auth(enum webconfig_client_auth a)
{
    switch (a) {
    case WEBCONFIG_REQUEST_CLIENT_CERT:
        return TLS_CLIENT_AUTH_REQUEST;
    case WEBCONFIG_REQUIRE_ANY_CLIENT_CERT:
        return TLS_CLIENT_AUTH_REQUIRE_ANY;
    case WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN:
        return TLS_CLIENT_AUTH_VERIFY_IF_GIVEN;
    case WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT:
        return TLS_CLIENT_AUTH_REQUIRE_AND_VERIFY;
    default:
        return TLS_CLIENT_AUTH_NONE;
    }
}

/* websec_path resolves a path of the file against the file's directory (absolute ones stay);
 * "" stays "". Caller frees. */
static char *websec_path(const char *file, const char *p)
{
    if (p == NULL || p[0] == '\0' || p[0] == '/')
        return xstrdup(p != NULL ? p : "");
    char *dir = xstrdup(file);
    struct buf b;
    buf_init(&b, 8192);
    int rc = buf_printf(&b, "%s/%s", dirname(dir), p);
    free(dir);
    char *out = rc == 0 ? buf_steal(&b, NULL) : xstrdup(p);
    buf_fini(&b);
    return out;
}

/* websec_read_file reads and parses the file; why gets "<path>: <reason>". */
static int websec_read_file(const char *path, struct webconfig **out, char *why, size_t whylen)
{
    struct buf b;
    buf_init(&b, WEBCONFIG_MAX_BYTES);
    int rc = fsroot_read_path(path, &b);
    if (rc < 0) {
        snprintf(why, whylen, "%s: %s", path, err_str(rc));
        buf_fini(&b);
        return rc;
    }
    char msg[384];
    rc = parse_webconfig(buf_ptr(&b), buf_len(&b), out, NULL, msg, sizeof(msg));
    buf_fini(&b);
    if (rc < 0)
        snprintf(why, whylen, "%s: %s", path, msg);
    return rc;
}

/* websec_tls_files fills f and pol (pointing into wc and the resolved paths) for wc's TLS. */
struct websec_tls_args {
    char *cert, *key, *ca;
    struct tls_policy pol;
    struct tls_files f;
};

static void websec_tls_args_init(struct websec_tls_args *t, const char *file,
                                 const struct webconfig *wc)
{
    t->cert = websec_path(file, wc->cert_file);
    t->key = websec_path(file, wc->key_file);
    t->ca = websec_path(file, wc->client_ca_file);
    t->pol = (struct tls_policy){
        .min_version = (int)wc->min_version,
        .max_version = (int)wc->max_version,
        .cipher_suites = (const char *const *)wc->cipher_suites,
        .nciphers = wc->nciphers,
        .curves = (const char *const *)wc->curves,
        .ncurves = wc->ncurves,
        .client_order = !wc->prefer_server_cipher_suites,
        .client_auth = websec_client_auth(wc->client_auth),
        .allowed_sans = (const char *const *)wc->client_allowed_sans,
        .nsans = wc->nsans,
    };
    t->f = (struct tls_files){t->cert, t->key, t->ca, NULL, &t->pol};
}

static void websec_tls_args_fini(struct websec_tls_args *t)
{
    free(t->cert);
    free(t->key);
    free(t->ca);
}

/* websec_conf_build makes the request-side configuration of wc. */
static int websec_conf_build(const struct webconfig *wc, struct websec_conf **out, char *why,
                             size_t whylen)
{
    struct websec_conf *c = xcalloc(1, sizeof(*c));
    atomic_init(&c->refs, 1);
    pthread_mutex_init(&c->rl_mu, NULL);
    c->tls = wc->has_tls;
    if (wc->nusers > 0) {
        int rc = basic_auth_new(wc->users, wc->nusers, &c->auth, why, whylen);
        if (rc < 0) {
            websec_conf_release(c);
            return rc;
        }
    }
    for (size_t i = 0; i < wc->nheaders; i++) {
        c->hname[i] = xstrdup(wc->headers[i].name);
        c->hval[i] = xstrdup(wc->headers[i].value);
        c->nh++;
    }
    c->rate_interval_ms = wc->rate_interval_ms;
    c->burst = wc->rate_burst;
    char rl[64] = "off";
    if (c->rate_interval_ms > 0)
        snprintf(rl, sizeof(rl), "1/%lldms burst %llu", c->rate_interval_ms, c->burst);
    snprintf(c->desc, sizeof(c->desc), "tls=%s basic_auth_users=%zu headers=%zu rate_limit=%s",
             wc->has_tls ? webconfig_client_auth_name(wc->client_auth) : "off", wc->nusers,
             wc->nheaders, rl);
    *out = c;
    return 0;
}

int websec_new(const char *path, bool probes_open, struct websec **out, char *why, size_t whylen)
{
    struct websec *w = xcalloc(1, sizeof(*w));
    pthread_mutex_init(&w->mu, NULL);
    w->probes_open = probes_open;
    struct webconfig *wc = NULL;
    int rc = 0;
    if (path != NULL && path[0] != '\0') {
        w->path = xstrdup(path);
        rc = websec_read_file(path, &wc, why, whylen);
    } else {
        rc = parse_webconfig("", 0, &wc, NULL, why, whylen);
    }
    if (rc == 0)
        rc = websec_conf_build(wc, &w->cur, why, whylen);
    if (rc == 0 && wc->has_tls) {
        struct websec_tls_args t;
        websec_tls_args_init(&t, path, wc);
        rc = tls_store_new(&t.f, &w->tls, why, whylen);
        websec_tls_args_fini(&t);
    }
    webconfig_free(wc);
    if (rc < 0) {
        websec_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

void websec_free(struct websec *w)
{
    if (w == NULL)
        return;
    websec_conf_release(w->cur);
    tls_store_free(w->tls);
    pthread_mutex_destroy(&w->mu);
    free(w->path);
    free(w);
}

int websec_reload(struct websec *w, char *why, size_t whylen, char *summary, size_t slen)
{
    if (w->path == NULL) {
        snprintf(why, whylen, "no --web.config.file to reload");
        return -ENOENT;
    }
    struct webconfig *wc = NULL;
    struct websec_conf *c = NULL;
    int rc = websec_read_file(w->path, &wc, why, whylen);
    if (rc == 0 && wc->has_tls != (w->tls != NULL)) {
        snprintf(why, whylen,
                 "%s: switching between HTTP and HTTPS (tls_server_config %s) needs a restart",
                 w->path, wc->has_tls ? "added" : "removed");
        rc = -EINVAL;
    }
    if (rc == 0)
        rc = websec_conf_build(wc, &c, why, whylen);
    if (rc == 0 && w->tls != NULL) {
        /* last: once the TLS store has the new files nothing else may fail */
        struct websec_tls_args t;
        websec_tls_args_init(&t, w->path, wc);
        rc = tls_store_replace(w->tls, &t.f, why, whylen);
        websec_tls_args_fini(&t);
    }
    webconfig_free(wc);
    if (rc < 0) {
        websec_conf_release(c);
        return rc;
    }
    pthread_mutex_lock(&w->mu);
    struct websec_conf *old = w->cur;
    w->cur = c;
    pthread_mutex_unlock(&w->mu);
    websec_conf_release(old);
    if (summary != NULL)
        websec_describe(w, summary, slen);
    return 0;
}

bool websec_has_file(const struct websec *w)
{
    return w->path != NULL;
}

struct tls_store *websec_tls(struct websec *w)
{
    return w->tls;
}

void websec_describe(struct websec *w, char *out, size_t n)
{
    struct websec_conf *c = websec_acquire(w);
    snprintf(out, n, "%s%s", c->desc, w->probes_open ? " probes=unauthenticated" : "");
    websec_conf_release(c);
}

static bool websec_is_probe(const char *path)
{
    return strcmp(path, "/health") == 0 || strcmp(path, "/healthz") == 0 ||
           strcmp(path, "/ready") == 0 || strcmp(path, "/readyz") == 0;
}

bool websec_guard(const struct http_request *req, void *cls, enum MHD_Result *ret)
{
    struct websec *w = cls;
    struct websec_conf *c = websec_acquire(w);
    bool go = true;
    bool exempt = w->probes_open && websec_is_probe(req->path);
    /* the toolkit's order: the rate limit first, so a flood costs no bcrypt */
    if (!exempt && c->rate_interval_ms > 0) {
        pthread_mutex_lock(&c->rl_mu);
        go = websec_rate_allow(&c->bucket, (long long)clock_mono_ms(), c->rate_interval_ms,
                               c->burst);
        pthread_mutex_unlock(&c->rl_mu);
        if (!go)
            *ret =
                http_reply_status(req, MHD_HTTP_TOO_MANY_REQUESTS, "Too Many Requests", NULL, NULL);
    }
    if (go && !exempt && c->auth != NULL &&
        !basic_auth_check(c->auth, http_header(req, MHD_HTTP_HEADER_AUTHORIZATION), NULL)) {
        go = false;
        *ret = http_reply_status(req, MHD_HTTP_UNAUTHORIZED, "Unauthorized",
                                 MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic");
    }
    websec_conf_release(c);
    return go;
}

void websec_decorate(struct MHD_Response *r, void *cls)
{
    struct websec *w = cls;
    struct websec_conf *c = websec_acquire(w);
    for (size_t i = 0; i < c->nh; i++) {
        /* the configured value replaces a default the handler set (nosniff, the landing
         * page's Content-Security-Policy): one header line per name */
        const char *old = MHD_get_response_header(r, c->hname[i]);
        if (old != NULL)
            MHD_del_response_header(r, c->hname[i], old);
        MHD_add_response_header(r, c->hname[i], c->hval[i]);
    }
    websec_conf_release(c);
}
