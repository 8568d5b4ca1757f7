/* The adapter's own /metrics (SPEC 6): requests by path class, status code and user, request
 * latency, Redis round trips of metric queries, authentication and authorization decisions,
 * requests in flight, build info and start time, in Prometheus text 0.0.4.
 *
 * Counters are relaxed atomics, one per cache line, bumped by MHD's threads after each reply;
 * the user table (bounded: K8S_SELFMETRICS_MAX_USERS, then user="~other") takes a mutex only to
 * find or insert a name. Rendering reads the atomics without a lock: a scrape may see one
 * request counted in requests_total and not yet in the latency histogram, never a torn value. */
#ifndef RIZK_K8S_SELFMETRICS_H
#define RIZK_K8S_SELFMETRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "k8s/router.h"

struct buf;
struct k8s_selfmetrics;

#define K8S_SELFMETRICS_MAX_USERS 32

/* What one request was, for k8s_selfmetrics_observe. Every pointer is borrowed for the call. */
struct k8s_request_obs {
    enum k8s_route_kind kind; /* from k8s_route_parse */
    bool self_metrics;        /* the request was GET /metrics */
    unsigned status;          /* the HTTP status sent */
    const char *user;         /* authenticated user, NULL when no identity was established */
    const char *via;          /* how it was authenticated (auth_identity.via), or NULL */
    bool refused;             /* authentication was attempted and failed */
    int64_t duration_ns;
};

/* k8s_selfmetrics_new allocates the counters; start_ms is the process start (wall clock).
 * thread: main. Never fails (aborts on OOM). */
struct k8s_selfmetrics *k8s_selfmetrics_new(int64_t start_ms);
void k8s_selfmetrics_free(struct k8s_selfmetrics *m); /* NULL-safe */

/* k8s_selfmetrics_begin / _end bracket a request (the in-flight gauge). thread: any. */
void k8s_selfmetrics_begin(struct k8s_selfmetrics *m);
/* k8s_selfmetrics_observe counts a finished request and ends it. thread: any. */
void k8s_selfmetrics_observe(struct k8s_selfmetrics *m, const struct k8s_request_obs *o);
/* k8s_selfmetrics_redis counts one fleet-registry query: rc 0 or a negative errno. */
void k8s_selfmetrics_redis(struct k8s_selfmetrics *m, int rc, int64_t duration_ns);

/* k8s_selfmetrics_render appends the exposition (text 0.0.4) to out.
 * Errors: -E2BIG when out's cap is reached. thread: any. */
int k8s_selfmetrics_render(struct k8s_selfmetrics *m, struct buf *out);

#endif
