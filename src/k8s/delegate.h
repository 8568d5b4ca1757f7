/* Delegated authentication and authorization, as every aggregated API server built on the
 * Kubernetes libraries does it: a bearer token is checked with a TokenReview, and each request is
 * authorized with a SubjectAccessReview, both sent to kube-apiserver through io/kube_client and
 * cached (by SHA-256 of the token, and of the review's JSON) for their TTLs in bounded LRU caches
 * (core/ttl_cache). Failures (timeout, transport, an HTTP error from kube-apiserver, a malformed
 * answer) are never cached and become 503 for the caller; at most max_inflight reviews wait on
 * kube-apiserver at once, so a slow or dead one cannot hold every HTTP thread (past the bound
 * requests fail 503 at once; cached decisions are still served). thread: any (thread-safe). */
#ifndef RIZK_K8S_DELEGATE_H
#define RIZK_K8S_DELEGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/auth.h"
#include "k8s/review.h"

struct kube_client;
struct request_info;

#define DELEGATE_AUTHN_CACHE_MAX 4096 /* tokens (kube's token cache is about this size) */
#define DELEGATE_AUTHZ_CACHE_MAX 8192 /* review specs (kube's webhook authorizer LRU) */

struct delegate_opts {
    struct kube_client *authn; /* TokenReview; NULL: bearer tokens are not accepted. Borrowed */
    struct kube_client *authz; /* SubjectAccessReview; NULL: no delegated authorization */
    long authn_ttl_ms;         /* 0: no caching */
    long allowed_ttl_ms;
    long denied_ttl_ms;
    unsigned max_inflight; /* >= 1 */
    long timeout_ms;       /* the clients' timeout, for messages */
};

/* Counters of decisions, for logs and self-metrics (relaxed reads). */
struct delegate_stats {
    uint64_t authn_cache_hits, authn_reviews, authn_errors;
    uint64_t authz_cache_hits, authz_reviews, authz_errors, authz_allowed, authz_denied;
    uint64_t overloaded; /* refused because max_inflight reviews were pending */
};

struct delegate;

/* delegate_new prepares the caches; the clients are borrowed for its lifetime. thread: main. */
struct delegate *delegate_new(const struct delegate_opts *o);
void delegate_free(struct delegate *d); /* NULL-safe */
bool delegate_has_authn(const struct delegate *d);
bool delegate_has_authz(const struct delegate *d);

/* delegate_authenticate checks a bearer token. On 0, *out (review_token_fini) holds the
 * identity (via "token"). -EACCES: the token is not valid (msg: why, from the review's error when
 * it gives one). -ETIMEDOUT, -EAGAIN (too many pending reviews), -EIO (transport, HTTP error or
 * malformed answer): the answer is unknown, msg says why; the caller replies 503. *cached says
 * whether the decision came from the cache. thread: any. */
int delegate_authenticate(struct delegate *d, const char *token, int64_t now_ms,
                          struct review_token *out, bool *cached, char *msg, size_t n);

/* delegate_authorize asks whether id may do what ri describes. 0: allowed. -EACCES: not allowed
 * (reason: the review's reason, "" when none). Other errors as delegate_authenticate (503).
 * thread: any. */
int delegate_authorize(struct delegate *d, const struct request_info *ri,
                       const struct auth_identity *id, int64_t now_ms, bool *cached, char *reason,
                       size_t n);

void delegate_stats_read(const struct delegate *d, struct delegate_stats *out);

#endif
