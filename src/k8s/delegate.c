/* TokenReview / SubjectAccessReview round trips with TTL caches. A decision is cached only when
 * kube-apiserver gave one; anything else (timeout, 5xx, garbage) is retried by the next request,
 * as Go's cached authenticator and webhook authorizer do. */
#include "k8s/delegate.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/ttl_cache.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "http/tls.h"
#include "io/kube_client.h"
#include "k8s/request_info.h"
#include "core/banned.h"

#define DELEGATE_BODY_CAP (256u << 10)
#define DELEGATE_TOKEN_PATH "/apis/authentication.k8s.io/v1/tokenreviews"
#define DELEGATE_ACCESS_PATH "/apis/authorization.k8s.io/v1/subjectaccessreviews"

struct delegate {
    struct delegate_opts o;
    struct ttl_cache *authn_cache, *authz_cache;
    atomic_uint inflight;
    atomic_uint_fast64_t authn_cache_hits, authn_reviews, authn_errors;
    atomic_uint_fast64_t authz_cache_hits, authz_reviews, authz_errors, authz_allowed, authz_denied,
        overloaded;
};

struct delegate *delegate_new(const struct delegate_opts *o)
{
    struct delegate *d = xcalloc(1, sizeof(*d));
    d->o = *o;
    if (d->o.max_inflight < 1)
        d->o.max_inflight = 1;
    d->authn_cache = ttl_cache_new(DELEGATE_AUTHN_CACHE_MAX);
    d->authz_cache = ttl_cache_new(DELEGATE_AUTHZ_CACHE_MAX);
    /* the cache keys are SHA-256 digests; without GnuTLS the caches stay unused */
    if (tls_library_init() < 0)
        log_warn("delegate",
                 "no SHA-256: TokenReview and SubjectAccessReview answers are not cached");
    return d;
}

void delegate_free(struct delegate *d)
{
    if (d == NULL)
        return;
    ttl_cache_free(d->authn_cache);
    ttl_cache_free(d->authz_cache);
    free(d);
}

bool delegate_has_authn(const struct delegate *d)
{
    return d != NULL && d->o.authn != NULL;
}

bool delegate_has_authz(const struct delegate *d)
{
    return d != NULL && d->o.authz != NULL;
}

/* delegate_key hashes a cache key; false (and no key) when the digest is not available, and
 * the caller then neither reads nor fills its cache: a constant key would let one token's
 * answer serve every other. */
static bool delegate_key(const char *prefix, const void *data, size_t len,
                         uint8_t key[TTL_CACHE_KEY_LEN])
{
    /* the prefix keeps the two caches' key spaces apart even if one cache served both */
    gnutls_hash_hd_t h;
    if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0)
        return false;
    gnutls_hash(h, prefix, strlen(prefix) + 1);
    gnutls_hash(h, data, len);
    gnutls_hash_deinit(h, key);
    return true;
}

/* delegate_status_message extracts a Kubernetes Status's message from an error body. */
static void delegate_status_message(const struct buf *body, char *out, size_t n)
{
    json_error_t je;
    json_t *root = json_loadb(buf_ptr(body), buf_len(body), 0, &je);
    const char *m = json_string_value(json_object_get(root, "message"));
    snprintf(out, n, "%s", m != NULL ? m : "");
    json_decref(root);
}

/* delegate_post sends one review and returns the answer's body on HTTP 200/201. */
static int delegate_post(struct delegate *d, struct kube_client *c, const char *what,
                         const char *path, const char *body, struct buf *resp, char *msg, size_t n)
{
    unsigned before = atomic_fetch_add_explicit(&d->inflight, 1, memory_order_relaxed);
    if (before >= d->o.max_inflight) {
        atomic_fetch_sub_explicit(&d->inflight, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&d->overloaded, 1, memory_order_relaxed);
        snprintf(msg, n, "%u %ss are already waiting for kube-apiserver", d->o.max_inflight, what);
        return -EAGAIN;
    }
    long status = 0;
    char err[512] = "";
    int rc = kube_client_request(c, "POST", path, body, &status, resp, err, sizeof(err));
    atomic_fetch_sub_explicit(&d->inflight, 1, memory_order_relaxed);
    if (rc == -ETIMEDOUT) {
        snprintf(msg, n, "the %s got no answer from kube-apiserver within %ldms", what,
                 d->o.timeout_ms);
        return rc;
    }
    if (rc < 0) {
        snprintf(msg, n, "the %s failed: %s", what, err);
        return -EIO;
    }
    if (status != 200 && status != 201) {
        char sm[256];
        delegate_status_message(resp, sm, sizeof(sm));
        snprintf(msg, n, "kube-apiserver answered the %s with HTTP %ld%s%s", what, status,
                 sm[0] != '\0' ? ": " : "", sm);
        return -EIO;
    }
    return 0;
}

int delegate_authenticate(struct delegate *d, const char *token, int64_t now_ms,
                          struct review_token *out, bool *cached, char *msg, size_t n)
{
    *cached = false;
    if (!delegate_has_authn(d)) {
        snprintf(msg, n, "bearer tokens are not accepted: no kube-apiserver to review them");
        return -EACCES;
    }
    uint8_t key[TTL_CACHE_KEY_LEN];
    bool use_cache = d->o.authn_ttl_ms > 0 && delegate_key("token", token, strlen(token), key);
    struct buf resp, req;
    buf_init(&resp, DELEGATE_BODY_CAP);
    buf_init(&req, DELEGATE_BODY_CAP);
    struct review_token t;
    struct parse_err pe = {0};
    int rc = use_cache ? ttl_cache_get(d->authn_cache, key, now_ms, &resp) : 0;
    if (rc == 1 && review_parse_token(buf_ptr(&resp), buf_len(&resp), true, &t, &pe) == 0) {
        *cached = true;
        atomic_fetch_add_explicit(&d->authn_cache_hits, 1, memory_order_relaxed);
    } else {
        atomic_fetch_add_explicit(&d->authn_reviews, 1, memory_order_relaxed);
        rc = review_render_token(&req, token);
        if (rc == 0)
            rc = delegate_post(d, d->o.authn, "TokenReview", DELEGATE_TOKEN_PATH, buf_ptr(&req),
                               &resp, msg, n);
        else
            snprintf(msg, n, "the TokenReview cannot be written: %s", err_str(rc));
        if (rc == 0) {
            rc = review_parse_token(buf_ptr(&resp), buf_len(&resp), false, &t, &pe);
            if (rc < 0) {
                snprintf(msg, n, "kube-apiserver's TokenReview answer is malformed: %s", pe.what);
                rc = -EIO;
            }
        }
        if (rc < 0) {
            atomic_fetch_add_explicit(&d->authn_errors, 1, memory_order_relaxed);
            goto out;
        }
        buf_reset(&req);
        if (use_cache && review_token_status_text(&t, &req) == 0)
            ttl_cache_put(d->authn_cache, key, buf_ptr(&req), buf_len(&req),
                          now_ms + d->o.authn_ttl_ms);
    }
    if (!t.authenticated) {
        snprintf(msg, n, "the bearer token is not valid%s%s", t.error[0] != '\0' ? ": " : "",
                 t.error);
        review_token_fini(&t);
        rc = -EACCES;
        goto out;
    }
    *out = t;
    rc = 0;
out:
    /* req held the token */
    if (buf_len(&req) > 0)
        memset((char *)(uintptr_t)buf_ptr(&req), 0, buf_len(&req));
    buf_fini(&req);
    buf_fini(&resp);
    return rc;
}

int delegate_authorize(struct delegate *d, const struct request_info *ri,
                       const struct auth_identity *id, int64_t now_ms, bool *cached, char *reason,
                       size_t n)
{
    *cached = false;
    reason[0] = '\0';
    if (!delegate_has_authz(d))
        return 0;
    struct buf req, resp;
    buf_init(&req, DELEGATE_BODY_CAP);
    buf_init(&resp, DELEGATE_BODY_CAP);
    int rc = review_render_access(&req, ri, id);
    if (rc < 0) {
        snprintf(reason, n, "the SubjectAccessReview cannot be written: %s", err_str(rc));
        rc = -EIO;
        goto out;
    }
    uint8_t key[TTL_CACHE_KEY_LEN];
    bool use_cache = delegate_key("access", buf_ptr(&req), buf_len(&req), key);
    /* cached value: "1" or "0" then the reason */
    if (use_cache && ttl_cache_get(d->authz_cache, key, now_ms, &resp) == 1 &&
        buf_len(&resp) >= 1) {
        *cached = true;
        atomic_fetch_add_explicit(&d->authz_cache_hits, 1, memory_order_relaxed);
        bool allowed = buf_ptr(&resp)[0] == '1';
        snprintf(reason, n, "%s", buf_ptr(&resp) + 1);
        rc = allowed ? 0 : -EACCES;
        goto count;
    }
    atomic_fetch_add_explicit(&d->authz_reviews, 1, memory_order_relaxed);
    rc = delegate_post(d, d->o.authz, "SubjectAccessReview", DELEGATE_ACCESS_PATH, buf_ptr(&req),
                       &resp, reason, n);
    struct review_access a;
    if (rc == 0) {
        struct parse_err pe = {0};
        rc = review_parse_access(buf_ptr(&resp), buf_len(&resp), &a, &pe);
        if (rc < 0) {
            snprintf(reason, n, "kube-apiserver's SubjectAccessReview answer is malformed: %s",
                     pe.what);
            rc = -EIO;
        }
    }
    if (rc < 0) {
        atomic_fetch_add_explicit(&d->authz_errors, 1, memory_order_relaxed);
        goto out;
    }
    /* Go's webhook authorizer: allowed wins, else denied or no opinion (both refuse here: no
     * other authorizer follows) */
    rc = a.allowed ? 0 : -EACCES;
    snprintf(reason, n, "%s", a.reason);
    long ttl = a.allowed ? d->o.allowed_ttl_ms : d->o.denied_ttl_ms;
    if (use_cache && ttl > 0) {
        buf_reset(&resp);
        if (buf_addc(&resp, a.allowed ? '1' : '0') == 0 && buf_adds(&resp, a.reason) == 0)
            ttl_cache_put(d->authz_cache, key, buf_ptr(&resp), buf_len(&resp), now_ms + ttl);
    }
count:
    atomic_fetch_add_explicit(rc == 0 ? &d->authz_allowed : &d->authz_denied, 1,
                              memory_order_relaxed);
out:
    buf_fini(&req);
    buf_fini(&resp);
    return rc;
}

void delegate_stats_read(const struct delegate *d, struct delegate_stats *out)
{
    struct delegate *m = (struct delegate *)(uintptr_t)d;
    out->authn_cache_hits = atomic_load_explicit(&m->authn_cache_hits, memory_order_relaxed);
    out->authn_reviews = atomic_load_explicit(&m->authn_reviews, memory_order_relaxed);
    out->authn_errors = atomic_load_explicit(&m->authn_errors, memory_order_relaxed);
    out->authz_cache_hits = atomic_load_explicit(&m->authz_cache_hits, memory_order_relaxed);
    out->authz_reviews = atomic_load_explicit(&m->authz_reviews, memory_order_relaxed);
    out->authz_errors = atomic_load_explicit(&m->authz_errors, memory_order_relaxed);
    out->authz_allowed = atomic_load_explicit(&m->authz_allowed, memory_order_relaxed);
    out->authz_denied = atomic_load_explicit(&m->authz_denied, memory_order_relaxed);
    out->overloaded = atomic_load_explicit(&m->overloaded, memory_order_relaxed);
}
