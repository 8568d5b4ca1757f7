/* Fleet publisher: the published rows of the signal table, PodSnapshot encoding, keys, and the
 * publishing thread. */
#include "fleet/publish.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/sink.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/waiter.h"
#include "core/version.h"
#include "core/xalloc.h"
#include "fleet/workload.h"
#include "io/fsroot.h"
#include "io/redis_cluster.h"
#include "rizk/v1/fleet.pb-c.h"
#include "core/banned.h"

#define FLEET_LABELS_CAP (64u * 1024)

const char *fleet_signal_name(enum sig_id id)
{
    const char *name = (unsigned)id < SIG_COUNT ? sigtable_at(id)->fleet : NULL;
    return name != NULL ? name : "";
}

int fleet_signal_lookup(const char *name)
{
    return sigtable_fleet_lookup(name);
}

const struct ProtobufCFieldDescriptor *fleet_signal_field(enum sig_id id)
{
    const char *name = (unsigned)id < SIG_COUNT ? sigtable_at(id)->fleet : NULL;
    if (name == NULL)
        return NULL;
    /* "rizk_<field>": the row names the field (checked by the fleet unit tests) */
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(
        &rizk__v1__pod_snapshot__descriptor, name + strlen("rizk_"));
    RIZK_ASSERT(f != NULL && f->type == PROTOBUF_C_TYPE_DOUBLE && f->quantifier_offset != 0);
    return f;
}

void fleet_signals_set(struct fleet_signals *s, enum sig_id id, double v)
{
    if ((unsigned)id >= SIG_COUNT || sigtable_at(id)->fleet == NULL || !isfinite(v))
        return;
    s->has[id] = true;
    s->v[id] = v;
}

char *fleet_key_pod(const char *prefix, const char *ns, const char *pod)
{
    return xasprintf("%sfleet:{%s}:pod:%s", prefix, ns, pod);
}

char *fleet_key_pods(const char *prefix, const char *ns)
{
    return xasprintf("%sfleet:{%s}:pods", prefix, ns);
}

int fleet_encode_snapshot(const struct fleet_identity *id, const struct fleet_signals *s,
                          uint8_t **out, size_t *len)
{
    Rizk__V1__PodSnapshot m = RIZK__V1__POD_SNAPSHOT__INIT;
    /* protobuf-c wants non-const char *; it only reads them while packing. */
    m.pod = (char *)(uintptr_t)id->pod;
    m.namespace_ = (char *)(uintptr_t)id->ns;
    m.instance_id = (char *)(uintptr_t)id->instance_id;
    m.region = (char *)(uintptr_t)id->region;
    m.zone = (char *)(uintptr_t)id->zone;
    m.has_timestamp_ms = true;
    m.timestamp_ms = s->t_ms;
    m.has_window_ms = true;
    m.window_ms = s->window_ms;
    m.has_interval_ms = true;
    m.interval_ms = id->interval_ms;
    size_t nl = id->labels ? id->labels->n : 0;
    Rizk__V1__PodSnapshot__LabelsEntry *entries = xcalloc(nl ? nl : 1, sizeof(*entries));
    Rizk__V1__PodSnapshot__LabelsEntry **ptrs = xcalloc(nl ? nl : 1, sizeof(*ptrs));
    for (size_t i = 0; i < nl; i++) {
        rizk__v1__pod_snapshot__labels_entry__init(&entries[i]);
        entries[i].key = id->labels->items[i].key;
        entries[i].value = id->labels->items[i].value;
        ptrs[i] = &entries[i];
    }
    m.n_labels = nl;
    m.labels = ptrs;
    for (int i = 0; i < SIG_COUNT; i++) {
        const ProtobufCFieldDescriptor *f = fleet_signal_field((enum sig_id)i);
        if (!s->has[i] || f == NULL)
            continue;
        char *base = (char *)&m;
        protobuf_c_boolean yes = true;
        memcpy(base + f->quantifier_offset, &yes, sizeof(yes));
        memcpy(base + f->offset, &s->v[i], sizeof(double));
    }
    size_t n = rizk__v1__pod_snapshot__get_packed_size(&m);
    uint8_t *p = xmalloc(n ? n : 1);
    rizk__v1__pod_snapshot__pack(&m, p);
    free(ptrs);
    free(entries);
    *out = p;
    *len = n;
    return 0;
}

/* ---- the publisher thread ---- */

struct fleet_counter {
    _Alignas(64) atomic_uint_fast64_t v; /* one per cache line: written by the worker */
};

struct fleet_pub {
    const struct config *cfg;
    struct redis_cluster *rc; /* worker-owned */
    char *pod, *ns, *instance_id;
    char *key_pod, *key_pods;
    struct waiter w; /* w.mu also guards latest/has_latest */
    struct fleet_signals latest;
    bool has_latest;
    pthread_t thread;
    bool started;
    struct complaint complaint; /* worker-owned */
    struct fleet_counter published;
    struct fleet_counter errors[REDIS_ERRK_COUNT];
    struct fleet_counter last_ms;
    struct fleet_counter moved, ask;
    struct fleet_counter workload_pods; /* 0: unknown */
    int64_t started_s;                  /* Unix time the publisher started (the info hash) */
};

/* fleet_read_labels loads the downward-API labels; a missing file means no labels (outside
 * Kubernetes, or no downwardAPI volume), which is not an error. */
static void fleet_read_labels(const char *path, struct pod_labels *out)
{
    memset(out, 0, sizeof(*out));
    if (path == NULL)
        return;
    struct buf b;
    buf_init(&b, FLEET_LABELS_CAP);
    if (fsroot_read_path(path, &b) == 0 && parse_pod_labels(buf_ptr(&b), out, NULL) < 0)
        memset(out, 0, sizeof(*out));
    buf_fini(&b);
}

/* fleet_exec runs n commands in the slot of key (one round trip) and returns the first error,
 * a transport one or an error reply; the replies are the caller's (fleet_replies_free). */
static int fleet_exec(struct fleet_pub *p, const char *key, size_t n, const struct redis_cmd *cmds,
                      struct redis_reply **r)
{
    int rc = redis_cluster_exec(p->rc, key, strlen(key), n, cmds, r);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int e = redis_reply_error_rc(r[i]);
        if (e < 0)
            rc = e;
    }
    return rc;
}

static void fleet_replies_free(struct redis_reply **r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        redis_reply_free(r[i]);
}

/* fleet_publish_workload adds the pod to its workload's set, prunes members older than ttl and
 * returns in *count how many are live (this pod included). One round trip, in the {ns} slot. */
static int fleet_publish_workload(struct fleet_pub *p, const char *key, const char *value,
                                  int64_t now, int64_t ttl, unsigned long *count)
{
    char *k = fleet_key_workload(p->cfg->redis_key_prefix, p->ns, key, value);
    char nows[24], ttls[24], cutoff[32];
    snprintf(nows, sizeof(nows), "%lld", (long long)now);
    snprintf(ttls, sizeof(ttls), "%lld", (long long)ttl);
    snprintf(cutoff, sizeof(cutoff), "(%lld", (long long)(now - ttl));
    size_t kl = strlen(k);
    const char *zadd[] = {"ZADD", k, nows, p->pod};
    size_t zaddl[] = {4, kl, strlen(nows), strlen(p->pod)};
    const char *prune[] = {"ZREMRANGEBYSCORE", k, "-inf", cutoff};
    size_t prunel[] = {16, kl, 4, strlen(cutoff)};
    /* The set outlives its last member by one TTL, then a gone workload leaves no key. */
    const char *expire[] = {"PEXPIRE", k, ttls};
    size_t expirel[] = {7, kl, strlen(ttls)};
    const char *zcard[] = {"ZCARD", k};
    size_t zcardl[] = {5, kl};
    struct redis_cmd cmds[] = {
        {4, zadd, zaddl}, {4, prune, prunel}, {3, expire, expirel}, {2, zcard, zcardl}};
    struct redis_reply *r[4] = {NULL, NULL, NULL, NULL};
    int rc = fleet_exec(p, k, 4, cmds, r);
    if (rc == 0 && (redis_reply_type(r[3]) != REDIS_R_INTEGER || redis_reply_integer(r[3]) < 1))
        rc = -EPROTO; /* we just added ourselves */
    if (rc == 0)
        *count = (unsigned long)redis_reply_integer(r[3]);
    fleet_replies_free(r, 4);
    free(k);
    return rc;
}

/* fleet_publish_info refreshes the instance info hash (its own slot: the {instance} tag). */
static int fleet_publish_info(struct fleet_pub *p, const struct fleet_signals *sig,
                              const char *region, const char *zone, int64_t ttl)
{
    char *k = fleet_key_instance_info(p->cfg->redis_key_prefix, p->instance_id);
    char started[24], ttls[24];
    snprintf(started, sizeof(started), "%lld", (long long)p->started_s);
    snprintf(ttls, sizeof(ttls), "%lld", (long long)ttl);
    const char *f[] = {"HSET",      k,
                       "version",   RIZK_VERSION,
                       "pod",       p->pod,
                       "namespace", p->ns,
                       "started",   started,
                       "basis",     sig->basis ? sig->basis : "none",
                       "region",    region ? region : "",
                       "zone",      zone ? zone : ""};
    size_t nf = sizeof(f) / sizeof(f[0]);
    size_t fl[sizeof(f) / sizeof(f[0])];
    for (size_t i = 0; i < nf; i++)
        fl[i] = strlen(f[i]);
    const char *expire[] = {"PEXPIRE", k, ttls};
    size_t expirel[] = {7, strlen(k), strlen(ttls)};
    struct redis_cmd cmds[] = {{(int)nf, f, fl}, {3, expire, expirel}};
    struct redis_reply *r[2] = {NULL, NULL};
    int rc = fleet_exec(p, k, 2, cmds, r);
    fleet_replies_free(r, 2);
    free(k);
    return rc;
}

/* fleet_publish_extras: the workload count and the info hash, after the snapshot. */
static int fleet_publish_extras(struct fleet_pub *p, const struct fleet_signals *sig,
                                const struct pod_labels *labels, const char *region,
                                const char *zone)
{
    int64_t now = clock_wall_ms();
    int64_t ttl = 3 * p->cfg->fleet_interval_ms;
    const char *wk, *wv;
    unsigned long count = 0;
    int rc = 0;
    if (fleet_workload_of(labels, &wk, &wv) == 0)
        rc = fleet_publish_workload(p, wk, wv, now, ttl, &count);
    if (rc < 0)
        return rc;
    atomic_store_explicit(&p->workload_pods.v, (uint_fast64_t)count, memory_order_relaxed);
    return fleet_publish_info(p, sig, region, zone, ttl);
}

static int fleet_publish_once(struct fleet_pub *p, const struct fleet_signals *sig)
{
    struct pod_labels labels;
    fleet_read_labels(p->cfg->pod_labels_file, &labels);
    const char *region = fleet_topology(p->cfg->pod_region, &labels, FLEET_LABEL_REGION);
    const char *zone = fleet_topology(p->cfg->pod_zone, &labels, FLEET_LABEL_ZONE);
    struct fleet_identity id = {p->pod, p->ns, p->instance_id, &labels, p->cfg->fleet_interval_ms,
                                region, zone};
    uint8_t *val = NULL;
    size_t vlen = 0;
    fleet_encode_snapshot(&id, sig, &val, &vlen);

    int64_t now = clock_wall_ms();
    int64_t ttl = 3 * p->cfg->fleet_interval_ms;
    char ttls[24], nows[24], cutoff[32];
    snprintf(ttls, sizeof(ttls), "%lld", (long long)ttl);
    snprintf(nows, sizeof(nows), "%lld", (long long)now);
    snprintf(cutoff, sizeof(cutoff), "(%lld", (long long)(now - ttl));
    const char *set[] = {"SET", p->key_pod, (const char *)val, "PX", ttls};
    size_t setl[] = {3, strlen(p->key_pod), vlen, 2, strlen(ttls)};
    const char *zadd[] = {"ZADD", p->key_pods, nows, p->pod};
    size_t zaddl[] = {4, strlen(p->key_pods), strlen(nows), strlen(p->pod)};
    /* Each publisher also drops members older than a TTL: dead pods leave the set within 3
     * intervals even when no adapter reads it. */
    const char *prune[] = {"ZREMRANGEBYSCORE", p->key_pods, "-inf", cutoff};
    size_t prunel[] = {16, strlen(p->key_pods), 4, strlen(cutoff)};
    struct redis_cmd cmds[] = {{5, set, setl}, {4, zadd, zaddl}, {4, prune, prunel}};
    struct redis_reply *r[3] = {NULL, NULL, NULL};
    int rc = redis_cluster_exec(p->rc, p->key_pods, strlen(p->key_pods), 3, cmds, r);
    for (int i = 0; rc == 0 && i < 3; i++) {
        int e = redis_reply_error_rc(r[i]);
        if (e < 0)
            rc = e;
    }
    for (int i = 0; i < 3; i++)
        redis_reply_free(r[i]);
    free(val);
    if (rc == 0)
        rc = fleet_publish_extras(p, sig, &labels, region, zone);
    pod_labels_fini(&labels);
    if (rc == 0)
        atomic_store_explicit(&p->last_ms.v, (uint_fast64_t)now, memory_order_relaxed);
    return rc;
}

static void *fleet_pub_main(void *arg)
{
    struct fleet_pub *p = arg;
    int64_t next = 0; /* 0: as soon as the sampler has offered signals once */
    for (;;) {
        int64_t deadline = next ? next : clock_mono_ms() + p->cfg->fleet_interval_ms;
        if (!waiter_wait(&p->w, deadline))
            break;
        struct fleet_signals sig;
        bool have;
        pthread_mutex_lock(&p->w.mu);
        have = p->has_latest;
        sig = p->latest;
        pthread_mutex_unlock(&p->w.mu);
        int64_t now = clock_mono_ms();
        if (!have || (next != 0 && now < next))
            continue;
        int rc = fleet_publish_once(p, &sig);
        if (rc < 0) {
            atomic_fetch_add_explicit(&p->errors[redis_err_kind_of(rc)].v, 1, memory_order_relaxed);
            complain(&p->complaint, now, "fleet", "publishing %s failed: %s", p->key_pod,
                     err_str(rc));
        } else {
            atomic_fetch_add_explicit(&p->published.v, 1, memory_order_relaxed);
            complain_release(&p->complaint, "fleet", "publishing");
        }
        struct redis_cluster_stats st;
        redis_cluster_stats(p->rc, &st);
        atomic_store_explicit(&p->moved.v, st.moved, memory_order_relaxed);
        atomic_store_explicit(&p->ask.v, st.ask, memory_order_relaxed);
        next = (next ? next : now) + p->cfg->fleet_interval_ms;
        if (next < clock_mono_ms())
            next = clock_mono_ms() + p->cfg->fleet_interval_ms; /* a slow publish: no burst */
    }
    return NULL;
}

int fleet_pub_new(const struct config *cfg, struct fleet_pub **out)
{
    *out = NULL;
    if (cfg->pod_namespace == NULL)
        return 1;
    struct redis_cluster *rc = NULL;
    struct redis_client_opts ro;
    config_redis_opts(cfg, &ro);
    int r = redis_cluster_from_opts(&ro, cfg->fleet_interval_ms, &rc);
    if (r != 0)
        return r;
    struct fleet_pub *p = xcalloc(1, sizeof(*p));
    p->cfg = cfg;
    p->rc = rc;
    if (cfg->pod_name != NULL) {
        p->pod = xstrdup(cfg->pod_name);
    } else {
        char host[256] = "";
        if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
            snprintf(host, sizeof(host), "unknown");
        p->pod = xstrdup(host);
    }
    p->ns = xstrdup(cfg->pod_namespace);
    p->started_s = clock_wall_ms() / 1000;
    p->instance_id = xstrdup(cfg->pod_instance_id ? cfg->pod_instance_id : p->pod);
    p->key_pod = fleet_key_pod(cfg->redis_key_prefix, p->ns, p->pod);
    p->key_pods = fleet_key_pods(cfg->redis_key_prefix, p->ns);
    r = waiter_init(&p->w);
    if (r < 0)
        goto fail;
    if (pthread_create(&p->thread, NULL, fleet_pub_main, p) != 0) {
        waiter_fini(&p->w);
        r = -EAGAIN;
        goto fail;
    }
    p->started = true;
    log_info("fleet", "publishing pod %s of namespace %s every %lld ms", p->pod, p->ns,
             (long long)cfg->fleet_interval_ms);
    *out = p;
    return 0;
fail:
    redis_cluster_free(p->rc);
    free(p->pod);
    free(p->ns);
    free(p->instance_id);
    free(p->key_pod);
    free(p->key_pods);
    free(p);
    return r;
}

void fleet_pub_free(struct fleet_pub *p)
{
    if (p == NULL)
        return;
    if (p->started) {
        waiter_stop(&p->w);
        pthread_join(p->thread, NULL);
        waiter_fini(&p->w);
    }
    redis_cluster_free(p->rc);
    free(p->pod);
    free(p->ns);
    free(p->instance_id);
    free(p->key_pod);
    free(p->key_pods);
    free(p);
}

void fleet_pub_offer(struct fleet_pub *p, const struct fleet_signals *s)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->w.mu);
    bool first = !p->has_latest;
    p->latest = *s;
    p->has_latest = true;
    pthread_mutex_unlock(&p->w.mu);
    if (first)
        waiter_kick(&p->w);
}

unsigned long fleet_pub_workload_pods(const struct fleet_pub *p)
{
    if (p == NULL)
        return 0;
    return (unsigned long)atomic_load_explicit(&p->workload_pods.v, memory_order_relaxed);
}

void fleet_pub_emit(struct fleet_pub *p, struct sample_sink *sink)
{
    if (p == NULL)
        return;
    unsigned long wp = fleet_pub_workload_pods(p);
    if (wp > 0)
        sink_gauge(sink, "rizk_fleet_workload_pods",
                   "Live pods of this pod's workload in the fleet registry (same "
                   "pod-template-hash, else app.kubernetes.io/name, else app label).",
                   NULL, 0, (double)wp);
    sink_counter(sink, "rizk_fleet_publish_total", "Pod snapshots published to the fleet registry.",
                 NULL, 0, (double)atomic_load_explicit(&p->published.v, memory_order_relaxed));
    for (int k = 0; k < REDIS_ERRK_COUNT; k++) {
        struct label l = {"kind", redis_err_kind_name((enum redis_err_kind)k)};
        sink_counter(sink, "rizk_fleet_publish_errors_total",
                     "Failed fleet registry publishes, by error kind.", &l, 1,
                     (double)atomic_load_explicit(&p->errors[k].v, memory_order_relaxed));
    }
    struct label lm = {"kind", "moved"}, la = {"kind", "ask"};
    sink_counter(sink, "rizk_fleet_redirects_total",
                 "Redis Cluster redirections followed while publishing, by kind.", &lm, 1,
                 (double)atomic_load_explicit(&p->moved.v, memory_order_relaxed));
    sink_counter(sink, "rizk_fleet_redirects_total",
                 "Redis Cluster redirections followed while publishing, by kind.", &la, 1,
                 (double)atomic_load_explicit(&p->ask.v, memory_order_relaxed));
    uint_fast64_t last = atomic_load_explicit(&p->last_ms.v, memory_order_relaxed);
    if (last > 0)
        sink_gauge(sink, "rizk_fleet_last_publish_timestamp_seconds",
                   "Unix time of the last successful fleet registry publish.", NULL, 0,
                   (double)last / 1000.0);
}
