/* The adapter's request handler: route (k8s/router), authenticate (http/auth), read the fleet
 * registry (fleet/query over a pooled Redis client, on the MHD thread, bounded by
 * --redis.timeout), select and render (k8s/custom_metrics, k8s/external_metrics), reply, and
 * write one access-log line naming who asked.
 *
 * Paths: the --authorization-always-allow-paths (the probes by default), /version and
 * /openapi/v2, v3 (404) need no identity. Everything else is authenticated (front proxy, client
 * certificate, or a bearer token through a TokenReview), then a wrong method gets 405 with
 * Allow, then the request is authorized: system:masters always, else a SubjectAccessReview
 * with kube-apiserver's attributes when delegation is on (k8s/delegate), and metric queries
 * also need --authorized-users/--authorized-groups when those are set. A review that cannot be
 * made (timeout, kube-apiserver down) answers 503 with a Status. Errors are
 * metav1.Status bodies under /apis/ and {"error": ...} under /api/, as the sidecar's API.
 * Redis down or failing: 503 ServiceUnavailable, which the HPA treats as "keep the current
 * replica count". The handler keeps nothing per request after replying: memory does not grow
 * with the number of queries. */
#ifndef RIZK_K8S_SERVE_H
#define RIZK_K8S_SERVE_H

#include "http/server.h"

struct auth_policy;
struct config;
struct redis_pool;
struct k8s_serve;

/* k8s_serve_new prepares the handler: the discovery documents are rendered here, once.
 * cfg, pool and policy are borrowed for its lifetime. thread: main. */
int k8s_serve_new(const struct config *cfg, struct redis_pool *pool,
                  const struct auth_policy *policy, struct k8s_serve **out);
void k8s_serve_free(struct k8s_serve *s);

struct delegate;

/* The delegated-auth settings (all borrowed for the handler's lifetime; lists comma-separated).
 * Without k8s_serve_set_auth: no delegation, probes always allowed, X-Remote-* headers. */
struct k8s_serve_auth {
    struct delegate *delegate;      /* NULL: no TokenReview, no SubjectAccessReview */
    const char *always_allow_paths; /* a trailing '*' matches a prefix */
    const char *username_headers;
    const char *group_headers;
    const char *extra_prefixes;
};
/* k8s_serve_set_auth installs a (copied; strings borrowed). thread: main, before serving. */
void k8s_serve_set_auth(struct k8s_serve *s, const struct k8s_serve_auth *a);

/* k8s_serve_handle is the server's fallback handler (every path); ctx is the struct
 * k8s_serve. thread: MHD's pool. */
enum MHD_Result k8s_serve_handle(const struct http_request *req, void *ctx);

#endif
