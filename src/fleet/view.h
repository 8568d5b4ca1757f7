/* The adapter's shared view of the fleet registry: per namespace, the live pods' snapshots read
 * (one ZRANGEBYSCORE + one MGET, expired members pruned: fleet/query) and decoded once per
 * refresh, with a label index, then shared read-only and reference-counted by every request
 * thread, like the sidecar's /metrics snapshot. A view is refreshed by the first query that
 * finds it older than half of --fleet.max-age, while the other queries keep reading it; only a
 * view older than max-age makes queries wait, for that one refresh (single flight), instead of
 * reading Redis themselves. Redis sees at most one round-trip pair per namespace per half
 * max-age whatever the query rate, and no answer comes from a view older than max-age.
 *
 * DESIGN. A struct fleet_view never changes after it is published; the table of namespaces
 * (struct fleet_views) is the only mutable state, under one mutex held to look up, swap or
 * count a reference, never across Redis I/O or decoding. Views of namespaces nobody asked for
 * in FLEET_VIEW_IDLE_MS are dropped, so memory follows the namespaces in use. */
#ifndef RIZK_FLEET_VIEW_H
#define RIZK_FLEET_VIEW_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fleet/query.h"

struct redis_pool;
struct selector;

#define FLEET_VIEW_IDLE_MS (10 * 60 * 1000) /* a namespace's view is dropped after this idle */
#define FLEET_VIEW_MEMO 8                   /* rendered answers remembered per view */

struct fleet_view_answer;

/* One namespace at one refresh. Read-only for holders; every pointer valid while held. */
struct fleet_view {
    char *ns;               /* read-only for holders */
    int64_t read_ms;        /* wall clock (Unix ms) the registry was read at */
    struct fleet_pods pods; /* the decoded snapshots, ZSET (publish time) order */
    /* private: the reference count, the label index and the refresh time; do not touch */
    atomic_int _refs;
    int64_t _read_mono_ns;
    struct fleet_view_label *_index; /* sorted by key, value, pod */
    size_t _nindex;
    pthread_mutex_t _memo_mu; /* guards _memo only */
    struct fleet_view_answer *_memo[FLEET_VIEW_MEMO];
};

/* Cost counters of the views, for benchmarks and the log: monotonic, read with
 * fleet_views_stats. */
struct fleet_views_stats {
    uint64_t refreshes;      /* registry reads (each one ZRANGEBYSCORE + one MGET) */
    uint64_t refresh_errors; /* of which failed */
    uint64_t refresh_ns;     /* wall time spent in refreshes (read + decode + index) */
    uint64_t shared;         /* acquisitions served by an existing or a joined refresh */
    uint64_t namespaces;     /* namespaces held now */
};

struct fleet_views;

/* fleet_views_new prepares the table. pool and prefix are borrowed for its lifetime;
 * registry_max_age_ms is how old a registry record may be (3 fleet intervals), max_age_ms how
 * old a view may be (--fleet.max-age; 0: every acquisition refreshes, still shared by the
 * queries that arrive during the refresh). thread: main. */
int fleet_views_new(struct redis_pool *pool, const char *prefix, int64_t registry_max_age_ms,
                    int64_t max_age_ms, struct fleet_views **out);
/* fleet_views_observe sets fn(cls, rc, duration_ns) to be called after every registry read (rc
 * 0 or its error), outside the table's lock, on the refreshing thread: the adapter's own
 * /metrics count Redis round trips with it. Set before the first acquisition. thread: main. */
void fleet_views_observe(struct fleet_views *vs, void (*fn)(void *cls, int rc, int64_t ns),
                         void *cls);
/* fleet_views_free drops the table's references (views still held are freed by their last
 * release). NULL-safe. thread: main, after the request threads stopped. */
void fleet_views_free(struct fleet_views *vs);

/* fleet_views_acquire returns in *out a reference to the view of ns, refreshed first when it
 * is older than max-age (now_ms, Unix ms, is the registry's cutoff). *out written only on
 * success; release it with fleet_view_release. Errors: those of fleet_query_pods (Redis
 * unreachable, error reply, unexpected reply), also for every query that waited for the
 * failed refresh. thread: any. */
int fleet_views_acquire(struct fleet_views *vs, const char *ns, int64_t now_ms,
                        struct fleet_view **out);
/* fleet_view_new builds a view of ns from decoded pods (taking ownership of their memory: *pods
 * is left empty), read at read_ms, with one reference for the caller. fleet_views_acquire makes
 * its views with it; tests build views from fixtures. thread: any. */
struct fleet_view *fleet_view_new(const char *ns, int64_t read_ms, struct fleet_pods *pods);
/* fleet_view_acquire takes one more reference on a held view (for a reply body that outlives
 * the handler). thread: any. */
void fleet_view_acquire(struct fleet_view *v);
/* fleet_view_release drops a reference; the last one frees the view. NULL-safe. thread: any. */
void fleet_view_release(struct fleet_view *v);

/* fleet_view_select writes to out (room for v->pods.n) the snapshots matching both sel and msel
 * (either NULL: no constraint), by the pods' labels, region and zone (fleet_pod_label), in
 * ZSET order; the label index narrows the candidates by the most selective "=", "==" or "in"
 * requirement before each candidate is matched in full. Returns how many. thread: any. */
size_t fleet_view_select(const struct fleet_view *v, const struct selector *sel,
                         const struct selector *msel, Rizk__V1__PodSnapshot **out);

/* The answer memo: a body rendered from this view for one query, so the same query (the HPA
 * asks the same one for every replica of the adapter's clients) is rendered once per refresh.
 * key identifies the query completely (route, metric, selectors as sent); valid_until_ms is
 * when the first pod in the answer goes stale (the answer would change then even without a
 * refresh).
 *
 * items is a count remembered with the body (the access log's list length).
 *
 * fleet_view_memo_get: true with *body, *len (borrowed: valid while v is held) and *items when an
 * answer for key is remembered and now_ms < its valid_until_ms. thread: any. */
bool fleet_view_memo_get(struct fleet_view *v, const char *key, int64_t now_ms, const char **body,
                         size_t *len, long *items);
/* fleet_view_memo_put remembers body (takes ownership of the malloc'd body) for key and returns
 * the remembered bytes in *body and *len (borrowed: valid while v is held): body itself, or the
 * copy another thread remembered first (then body is freed). When the memo is full the body is
 * not remembered: false, *body unchanged and still the caller's. thread: any. */
bool fleet_view_memo_put(struct fleet_view *v, const char *key, int64_t valid_until_ms, long items,
                         char **body, size_t *len);

/* fleet_views_stats copies the counters. thread: any. */
void fleet_views_stats(struct fleet_views *vs, struct fleet_views_stats *out);

#endif
