/* redis collector: INFO stats, PING round trip and CLUSTER INFO of every Redis node (SPEC 2).
 *
 * DESIGN. The sampler must never wait for Redis (a dead one costs --redis.timeout per node and
 * per command), so the collector owns a worker thread that does every blocking Redis call.
 * The worker polls once per --history.interval, half an interval after each tick (collect()
 * sets the phase), so results are fresh when the next tick copies them: a restarted Redis shows
 * up within about 1.5 intervals. Hand-over is a "latest results" struct under a tiny mutex;
 * collect() only copies it into the sink. Results older than 2 intervals mark a node down.
 * Reconnects back off exponentially from 100 ms, capped at half an interval, so a dead node is
 * retried at most once per poll.
 *
 * The L2 hit ratio needs hits and misses summed over every node serving reads. Raw INFO
 * counters cannot be summed across polls (a node that goes away or restarts would look like a
 * counter reset of the sum), so the worker keeps running totals of per-node increases: a
 * node's first sight is its baseline, a drop is a restart (its new value is the increase). */
#include "collect/collectors.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/sink.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/waiter.h"
#include "core/xalloc.h"
#include "io/redis_cluster.h"
#include "parse/redis_info.h"
#include "parse/redis_reply.h"
#include "core/banned.h"

#define REDIS_NAME_MAX (REDIS_HOST_MAX + 8)
#define REDIS_TRACK_MAX 1024 /* per-node counter baselines kept */

struct redis_node_result {
    char name[REDIS_NAME_MAX];
    bool up;
    double ping_s;
    int64_t t_ms; /* monotonic time of the poll */
    struct redis_info info;
};

/* What one poll produced; copied between the worker and the sampler under the waiter mutex. */
struct redis_results {
    struct redis_node_result *nodes;
    size_t n, cap;
    bool polled; /* at least one poll completed */
    bool cluster;
    bool has_cluster_info;
    struct redis_cluster_info ci;
    int64_t ci_t_ms;
    bool has_totals; /* some node answered this poll */
    double hits_total, misses_total;
    int64_t totals_t_ms;
    double poll_s; /* duration of the last poll, every node included */
    uint64_t errors[REDIS_ERRK_COUNT];
};

struct redis_track {
    char name[REDIS_NAME_MAX];
    uint64_t hits, misses;
};

struct col_redis {
    const struct config *cfg;
    int64_t interval_ms;
    struct waiter w; /* w.mu guards shared and poll_at */
    struct redis_results shared;
    int64_t poll_at; /* next poll (monotonic ms), set by collect(); 0 = none requested */
    pthread_t thread;
    bool started;
    /* worker-owned */
    struct redis_cluster *rc;
    struct redis_results work;
    struct redis_track *track;
    size_t ntrack;
    bool info_all_only; /* the server refused INFO with several sections (Redis < 7) */
    struct complaint complaint;
    /* sampler-owned */
    struct redis_results seen;
};

static void results_copy(struct redis_results *dst, const struct redis_results *src)
{
    if (dst->cap < src->n) {
        dst->nodes = xreallocarray(dst->nodes, src->n, sizeof(*dst->nodes));
        dst->cap = src->n;
    }
    struct redis_node_result *keep = dst->nodes;
    size_t cap = dst->cap;
    *dst = *src;
    dst->nodes = keep;
    dst->cap = cap;
    if (src->n > 0)
        memcpy(dst->nodes, src->nodes, src->n * sizeof(*src->nodes));
}

static void redis_count_error(struct col_redis *c, int rc)
{
    c->work.errors[redis_err_kind_of(rc)]++;
}

/* redis_reply_text checks a reply is a bulk string (INFO, CLUSTER INFO). */
static int redis_reply_text(const struct redis_reply *r)
{
    int rc = redis_reply_error_rc(r);
    if (rc < 0)
        return rc;
    return redis_reply_type(r) == REDIS_R_STRING ? 0 : -EPROTO;
}

/* redis_poll_node PINGs node i (timed) and reads its INFO into *out. */
static int redis_poll_node(struct col_redis *c, size_t i, struct redis_node_result *out)
{
    const char *ping[] = {"PING"};
    size_t pingl[] = {4};
    /* Only the sections we export: about 4 KB instead of 5+ KB per node and poll. */
    const char *info[] = {"INFO",  "server",      "clients", "memory",
                          "stats", "replication", "keyspace"};
    size_t infol[] = {4, 6, 7, 6, 5, 11, 8};
    struct redis_cmd pc = {1, ping, pingl};
    struct redis_cmd ic = {c->info_all_only ? 1 : 7, info, infol};
    struct redis_reply *r = NULL;
    int64_t t0 = clock_mono_ns();
    int rc = redis_cluster_node_pipeline(c->rc, i, 1, &pc, &r);
    int64_t t1 = clock_mono_ns();
    if (rc == 0)
        rc = redis_reply_error_rc(r);
    if (rc == 0 && redis_reply_type(r) != REDIS_R_STATUS)
        rc = -EPROTO;
    redis_reply_free(r);
    r = NULL;
    if (rc < 0)
        return rc;
    out->ping_s = (double)(t1 - t0) / 1e9;
    rc = redis_cluster_node_pipeline(c->rc, i, 1, &ic, &r);
    if (rc == 0 && !c->info_all_only && redis_reply_type(r) == REDIS_R_ERROR &&
        redis_reply_error_rc(r) == -EREMOTEIO) {
        /* Redis < 7 takes one section at most: fall back to the default set for good. */
        c->info_all_only = true;
        redis_reply_free(r);
        r = NULL;
        ic.argc = 1;
        rc = redis_cluster_node_pipeline(c->rc, i, 1, &ic, &r);
    }
    if (rc == 0)
        rc = redis_reply_text(r);
    if (rc == 0)
        rc = parse_redis_info(redis_reply_str(r, NULL), &out->info, NULL);
    redis_reply_free(r);
    return rc;
}

/* redis_poll_cluster_info reads CLUSTER INFO from the first node that answered. */
static void redis_poll_cluster_info(struct col_redis *c)
{
    const char *argv[] = {"CLUSTER", "INFO"};
    size_t lens[] = {7, 4};
    struct redis_cmd cmd = {2, argv, lens};
    c->work.has_cluster_info = false;
    for (size_t i = 0; i < c->work.n; i++) {
        if (!c->work.nodes[i].up)
            continue;
        struct redis_reply *r = NULL;
        int rc = redis_cluster_node_pipeline(c->rc, i, 1, &cmd, &r);
        if (rc == 0)
            rc = redis_reply_text(r);
        if (rc == 0)
            rc = parse_redis_cluster_info(redis_reply_str(r, NULL), &c->work.ci, NULL);
        redis_reply_free(r);
        if (rc < 0) {
            redis_count_error(c, rc);
            continue;
        }
        c->work.has_cluster_info = true;
        c->work.ci_t_ms = clock_mono_ms();
        return;
    }
}

static struct redis_track *redis_track_find(struct col_redis *c, const char *name)
{
    for (size_t i = 0; i < c->ntrack; i++)
        if (strcmp(c->track[i].name, name) == 0)
            return &c->track[i];
    if (c->ntrack == REDIS_TRACK_MAX)
        return NULL;
    c->track = xreallocarray(c->track, c->ntrack + 1, sizeof(*c->track));
    struct redis_track *t = &c->track[c->ntrack++];
    snprintf(t->name, sizeof(t->name), "%s", name);
    t->hits = UINT64_MAX; /* not seen yet: the first value is a baseline */
    t->misses = UINT64_MAX;
    return t;
}

static double redis_increase(uint64_t *last, uint64_t cur)
{
    uint64_t prev = *last;
    *last = cur;
    if (prev == UINT64_MAX)
        return 0;
    return cur >= prev ? (double)(cur - prev) : (double)cur;
}

static void redis_accumulate(struct col_redis *c, const struct redis_node_result *n)
{
    if (!n->info.has_keyspace_hits || !n->info.has_keyspace_misses)
        return;
    struct redis_track *t = redis_track_find(c, n->name);
    if (t == NULL)
        return;
    c->work.hits_total += redis_increase(&t->hits, n->info.keyspace_hits);
    c->work.misses_total += redis_increase(&t->misses, n->info.keyspace_misses);
    c->work.has_totals = true;
    c->work.totals_t_ms = n->t_ms;
}

static int redis_node_cmp(const void *a, const void *b)
{
    return strcmp(((const struct redis_node_result *)a)->name,
                  ((const struct redis_node_result *)b)->name);
}

static void redis_poll(struct col_redis *c)
{
    struct redis_results *w = &c->work;
    int first_rc = 0;
    if (redis_cluster_is_cluster(c->rc)) {
        int rc = redis_cluster_refresh(c->rc);
        if (rc < 0)
            redis_count_error(c, rc);
    }
    size_t n = redis_cluster_node_count(c->rc);
    if (w->cap < n) {
        w->nodes = xreallocarray(w->nodes, n, sizeof(*w->nodes));
        w->cap = n;
    }
    w->n = n;
    w->has_totals = false;
    for (size_t i = 0; i < n; i++) {
        struct redis_node_result *r = &w->nodes[i];
        struct redis_cluster_node_view v;
        redis_cluster_node_at(c->rc, i, &v);
        memset(r, 0, sizeof(*r));
        snprintf(r->name, sizeof(r->name), "%s", v.name);
        int rc = redis_poll_node(c, i, r);
        r->t_ms = clock_mono_ms();
        if (rc < 0) {
            redis_count_error(c, rc);
            if (first_rc == 0)
                first_rc = rc;
            continue;
        }
        r->up = true;
        redis_accumulate(c, r);
    }
    w->cluster = redis_cluster_is_cluster(c->rc);
    if (w->cluster)
        redis_poll_cluster_info(c);
    qsort(w->nodes, w->n, sizeof(*w->nodes), redis_node_cmp);
    w->polled = true;
    if (first_rc < 0)
        complain(&c->complaint, clock_mono_ms(), "redis", "polling Redis failed: %s",
                 err_str(first_rc));
    else
        complain_release(&c->complaint, "redis", "polling");
}

static void *redis_worker_main(void *arg)
{
    struct col_redis *c = arg;
    int64_t last = 0;
    for (;;) {
        pthread_mutex_lock(&c->w.mu);
        int64_t due = c->poll_at ? c->poll_at : last + c->interval_ms;
        pthread_mutex_unlock(&c->w.mu);
        if (!waiter_wait(&c->w, due))
            break;
        pthread_mutex_lock(&c->w.mu);
        due = c->poll_at ? c->poll_at : last + c->interval_ms;
        bool go = clock_mono_ms() >= due;
        if (go)
            c->poll_at = 0;
        pthread_mutex_unlock(&c->w.mu);
        if (!go)
            continue; /* woken by a new phase from collect(): recompute the deadline */
        int64_t t0 = clock_mono_ns();
        redis_poll(c);
        c->work.poll_s = (double)(clock_mono_ns() - t0) / 1e9;
        last = clock_mono_ms();
        pthread_mutex_lock(&c->w.mu);
        results_copy(&c->shared, &c->work);
        pthread_mutex_unlock(&c->w.mu);
    }
    return NULL;
}

static void col_redis_destroy(void *ctx)
{
    struct col_redis *c = ctx;
    if (c == NULL)
        return;
    if (c->started) {
        waiter_stop(&c->w);
        pthread_join(c->thread, NULL);
        waiter_fini(&c->w);
    }
    redis_cluster_free(c->rc);
    free(c->shared.nodes);
    free(c->work.nodes);
    free(c->seen.nodes);
    free(c->track);
    free(c);
}

static int col_redis_init(const struct config *cfg, void **ctx)
{
    struct redis_cluster *rc = NULL;
    struct redis_client_opts ro;
    config_redis_opts(cfg, &ro);
    int r = redis_cluster_from_opts(&ro, cfg->history_interval_ms / 2, &rc);
    if (r != 0)
        return r == 1 ? COLLECTOR_INACTIVE : r;
    struct col_redis *c = xcalloc(1, sizeof(*c));
    c->cfg = cfg;
    c->interval_ms = cfg->history_interval_ms;
    c->rc = rc;
    *ctx = c;
    r = waiter_init(&c->w);
    if (r < 0)
        return r;
    if (pthread_create(&c->thread, NULL, redis_worker_main, c) != 0) {
        waiter_fini(&c->w);
        return -EAGAIN;
    }
    c->started = true;
    return 0;
}

static void redis_gauge(struct sample_sink *s, const char *name, const char *help,
                        const struct label *l, size_t nl, double v)
{
    (void)sink_gauge(s, name, help, l, nl, v);
}

static void redis_counter(struct sample_sink *s, const char *name, const char *help,
                          const struct label *l, double v)
{
    (void)sink_counter(s, name, help, l, 1, v);
}

static void redis_emit_node(struct sample_sink *s, const struct redis_node_result *n)
{
    const struct redis_info *in = &n->info;
    struct label l = {"node", n->name};
    redis_gauge(s, "rizk_redis_ping_seconds", "Round trip of a PING to the node, in seconds.", &l,
                1, n->ping_s);
    if (in->has_keyspace_hits)
        redis_counter(s, "rizk_redis_keyspace_hits_total",
                      "Successful key lookups on the node (INFO keyspace_hits).", &l,
                      (double)in->keyspace_hits);
    if (in->has_keyspace_misses)
        redis_counter(s, "rizk_redis_keyspace_misses_total",
                      "Failed key lookups on the node (INFO keyspace_misses).", &l,
                      (double)in->keyspace_misses);
    if (in->has_total_commands_processed)
        redis_counter(s, "rizk_redis_commands_processed_total", "Commands processed by the node.",
                      &l, (double)in->total_commands_processed);
    if (in->has_connected_clients)
        redis_gauge(s, "rizk_redis_connected_clients", "Client connections open on the node.", &l,
                    1, (double)in->connected_clients);
    if (in->has_used_memory)
        redis_gauge(s, "rizk_redis_memory_used_bytes", "Memory used by the node, in bytes.", &l, 1,
                    (double)in->used_memory);
    if (in->has_maxmemory)
        redis_gauge(s, "rizk_redis_memory_max_bytes",
                    "The node's maxmemory setting, in bytes (0: no limit).", &l, 1,
                    (double)in->maxmemory);
    if (in->has_evicted_keys)
        redis_counter(s, "rizk_redis_evicted_keys_total",
                      "Keys evicted by the node because of maxmemory.", &l,
                      (double)in->evicted_keys);
    if (in->has_expired_keys)
        redis_counter(s, "rizk_redis_expired_keys_total", "Keys expired by the node.", &l,
                      (double)in->expired_keys);
    for (unsigned i = 0; i < in->ndbs; i++) {
        char db[16];
        snprintf(db, sizeof(db), "db%u", in->dbs[i].index);
        struct label ld[] = {{"node", n->name}, {"db", db}};
        redis_gauge(s, "rizk_redis_db_keys", "Keys in a database of the node.", ld, 2,
                    (double)in->dbs[i].keys);
    }
    const char *role = in->role == REDIS_ROLE_MASTER    ? "master"
                       : in->role == REDIS_ROLE_REPLICA ? "replica"
                                                        : "unknown";
    struct label li[] = {{"node", n->name},
                         {"role", role},
                         {"version", in->version[0] ? in->version : "unknown"},
                         {"mode", in->mode[0] ? in->mode : "unknown"}};
    redis_gauge(s, "rizk_redis_instance_info",
                "Constant 1, labelled with the node's role, Redis version and mode.", li, 4, 1);
}

static void redis_emit_cluster(struct sample_sink *s, const struct redis_results *r, bool fresh)
{
    if (!fresh || !r->has_cluster_info)
        return;
    redis_gauge(s, "rizk_redis_cluster_state_ok",
                "Whether CLUSTER INFO says cluster_state:ok (1) or not (0).", NULL, 0,
                r->ci.state_ok ? 1 : 0);
    if (r->ci.has_known_nodes)
        redis_gauge(s, "rizk_redis_cluster_known_nodes", "Nodes the cluster knows.", NULL, 0,
                    (double)r->ci.known_nodes);
    if (r->ci.has_size)
        redis_gauge(s, "rizk_redis_cluster_size", "Masters serving at least one slot.", NULL, 0,
                    (double)r->ci.size);
}

static int col_redis_collect(void *ctx, struct sample_sink *out)
{
    struct col_redis *c = ctx;
    int64_t now = clock_mono_ms();
    pthread_mutex_lock(&c->w.mu);
    results_copy(&c->seen, &c->shared);
    if (c->poll_at == 0)
        c->poll_at = now + c->interval_ms / 2;
    pthread_mutex_unlock(&c->w.mu);
    waiter_kick(&c->w);

    const struct redis_results *r = &c->seen;
    if (!r->polled)
        return 0; /* the first poll is under way: no verdict yet */
    int64_t stale = 2 * c->interval_ms;
    size_t up = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct redis_node_result *n = &r->nodes[i];
        bool fresh_up = n->up && now - n->t_ms <= stale;
        struct label l = {"node", n->name};
        redis_gauge(out, "rizk_redis_up", "Whether the node answered PING and INFO (1) or not (0).",
                    &l, 1, fresh_up ? 1 : 0);
        if (fresh_up) {
            up++;
            redis_emit_node(out, n);
        }
    }
    redis_gauge(out, "rizk_redis_poll_duration_seconds",
                "Duration of the collector's last poll of every Redis node (its own thread).", NULL,
                0, r->poll_s);
    bool ci_fresh = r->has_cluster_info && now - r->ci_t_ms <= stale;
    redis_emit_cluster(out, r, ci_fresh);
    for (int k = 0; k < REDIS_ERRK_COUNT; k++) {
        struct label l = {"kind", redis_err_kind_name((enum redis_err_kind)k)};
        redis_counter(out, "rizk_redis_errors_total",
                      "Errors talking to Redis (collector), by kind.", &l, (double)r->errors[k]);
    }
    if (r->has_totals && now - r->totals_t_ms <= stale) {
        sink_history(out, HS_REDIS_KEYSPACE_HITS, r->hits_total);
        sink_history(out, HS_REDIS_KEYSPACE_MISSES, r->misses_total);
    }
    bool source_up = r->cluster ? (up > 0 && ci_fresh && r->ci.state_ok) : (up > 0 && up == r->n);
    sink_source(out, "redis", source_up);
    return 0;
}

const struct collector_type col_redis_type = {
    .name = "redis",
    .help = "Redis INFO stats, PING round trip and cluster state per node (off unless "
            "--redis.addr or --redis.cluster-nodes is set)",
    .default_enabled = true,
    .init = col_redis_init,
    .collect = col_redis_collect,
    .destroy = col_redis_destroy,
};
