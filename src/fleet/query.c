/* Fleet registry read side. Round trip 1: ZRANGEBYSCORE <pods> (cutoff +inf LIMIT 0 max, with
 * ZREMRANGEBYSCORE -inf (cutoff pipelined behind it (pruning by score costs no extra trip).
 * Round trip 2: MGET of every member's key. A nil means the record expired before its member
 * did (TTL and score disagree after a clock step or a changed interval): ZREM those.
 * The decoded snapshots of one query live in one bump arena (protobuf-c's allocator hook):
 * a 1000-pod answer is some 10000 small objects, and allocating and freeing them one by one
 * was half the CPU time of a query. */
#include "fleet/query.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/publish.h"
#include "io/redis_cluster.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "core/banned.h"

/* A bump arena: alloc is a pointer bump, free a no-op, the whole arena goes at once. Its first
 * chunk is sized from the MGET reply, further ones double from 2 KiB up to 64 KiB: the adapter
 * keeps one decoded namespace resident per namespace queried, and a 10-pod namespace should not
 * hold a whole 64 KiB chunk. */
#define QUERY_ARENA_FIRST (2u * 1024)
#define QUERY_ARENA_CHUNK (64u * 1024)

struct query_chunk {
    struct query_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

static void *query_arena_alloc(void *ad, size_t n)
{
    struct query_chunk **head = ad;
    size_t need = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct query_chunk *c = *head;
    if (c == NULL || c->cap - c->used < need) {
        size_t cap = c == NULL ? QUERY_ARENA_FIRST
                               : (c->cap >= QUERY_ARENA_CHUNK ? QUERY_ARENA_CHUNK : 2 * c->cap);
        if (cap < need)
            cap = need;
        c = xmalloc(sizeof(*c) + cap);
        c->used = 0;
        c->cap = cap;
        c->next = *head;
        *head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += need;
    return p;
}

/* query_arena_reserve starts the arena with one chunk of cap bytes (decoding then rarely needs
 * a second one). */
static void query_arena_reserve(void *ad, size_t cap)
{
    struct query_chunk **head = ad;
    struct query_chunk *c = xmalloc(sizeof(*c) + cap);
    c->used = 0;
    c->cap = cap;
    c->next = *head;
    *head = c;
}

static void query_arena_free(void *ad, void *p)
{
    (void)ad;
    (void)p;
}

static void query_arena_release(struct query_chunk *c)
{
    while (c != NULL) {
        struct query_chunk *next = c->next;
        free(c);
        c = next;
    }
}

static int query_members(struct redis_cluster *c, const char *zkey, int64_t cutoff,
                         redisReply **members)
{
    char min[32], lim[16];
    snprintf(min, sizeof(min), "(%lld", (long long)cutoff);
    snprintf(lim, sizeof(lim), "%d", FLEET_QUERY_MAX_PODS);
    const char *zr[] = {"ZRANGEBYSCORE", zkey, min, "+inf", "LIMIT", "0", lim};
    size_t zrl[] = {13, strlen(zkey), strlen(min), 4, 5, 1, strlen(lim)};
    const char *zp[] = {"ZREMRANGEBYSCORE", zkey, "-inf", min};
    size_t zpl[] = {16, strlen(zkey), 4, strlen(min)};
    struct redis_cmd cmds[] = {{7, zr, zrl}, {4, zp, zpl}};
    redisReply *r[2] = {NULL, NULL};
    int rc = redis_cluster_exec(c, zkey, strlen(zkey), 2, cmds, r);
    if (rc < 0)
        return rc;
    rc = redis_reply_error_rc(r[0]);
    if (rc == 0 && r[0]->type != REDIS_REPLY_ARRAY)
        rc = -EPROTO;
    redis_reply_free(r[1]);
    if (rc < 0) {
        redis_reply_free(r[0]);
        return rc;
    }
    *members = r[0];
    return 0;
}

static void query_prune(struct redis_cluster *c, const char *zkey, const redisReply *members,
                        const bool *gone, size_t ngone)
{
    const char **argv = xcalloc(ngone + 2, sizeof(*argv));
    size_t *lens = xcalloc(ngone + 2, sizeof(*lens));
    size_t k = 0;
    argv[k] = "ZREM";
    lens[k++] = 4;
    argv[k] = zkey;
    lens[k++] = strlen(zkey);
    for (size_t i = 0; i < members->elements; i++)
        if (gone[i]) {
            argv[k] = members->element[i]->str;
            lens[k++] = members->element[i]->len;
        }
    struct redis_cmd cmd = {(int)k, argv, lens};
    redisReply *r = NULL;
    /* Best effort: a failed prune is retried by the next query. */
    (void)redis_cluster_exec(c, zkey, strlen(zkey), 1, &cmd, &r);
    redis_reply_free(r);
    free(lens);
    free(argv);
}

int fleet_query_pods(struct redis_cluster *c, const char *prefix, const char *ns, int64_t now_ms,
                     int64_t max_age_ms, struct fleet_pods *out)
{
    char *zkey = fleet_key_pods(prefix, ns);
    redisReply *members = NULL, *vals = NULL;
    char *keys = NULL;
    const char **argv = NULL;
    size_t *lens = NULL;
    bool *gone = NULL;
    struct fleet_pods res = {0};
    int rc = query_members(c, zkey, now_ms - max_age_ms, &members);
    if (rc < 0)
        goto out;
    size_t n = members->elements;
    if (n == 0)
        goto done;
    argv = xcalloc(n + 1, sizeof(*argv));
    lens = xcalloc(n + 1, sizeof(*lens));
    argv[0] = "MGET";
    lens[0] = 4;
    /* every key is "<prefix>fleet:{<ns>}:pod:<member>", laid out in one buffer */
    size_t stem = strlen(prefix) + strlen(ns) + strlen("fleet:{}:pod:"), total = 0;
    for (size_t i = 0; i < n; i++) {
        const redisReply *m = members->element[i];
        if (m->type != REDIS_REPLY_STRING) {
            rc = -EPROTO;
            goto out;
        }
        total += stem + m->len;
    }
    keys = xmalloc(total + 1);
    char *kp = keys;
    for (size_t i = 0; i < n; i++) {
        const redisReply *m = members->element[i];
        int w = snprintf(kp, total + 1 - (size_t)(kp - keys), "%sfleet:{%s}:pod:", prefix, ns);
        RIZK_ASSERT(w >= 0 && (size_t)w == stem);
        memcpy(kp + w, m->str, m->len); /* binary-safe: the member as stored */
        argv[i + 1] = kp;
        lens[i + 1] = (size_t)w + m->len;
        kp += (size_t)w + m->len;
    }
    struct redis_cmd mget = {(int)(n + 1), argv, lens};
    rc = redis_cluster_exec(c, zkey, strlen(zkey), 1, &mget, &vals);
    if (rc < 0)
        goto out;
    rc = redis_reply_error_rc(vals);
    if (rc == 0 && (vals->type != REDIS_REPLY_ARRAY || vals->elements != n))
        rc = -EPROTO;
    if (rc < 0)
        goto out;
    res.pods = xcalloc(n, sizeof(*res.pods));
    gone = xcalloc(n, sizeof(*gone));
    ProtobufCAllocator arena = {query_arena_alloc, query_arena_free, &res._arena};
    /* decoded snapshots take about 2.5 times their encoded size (measured: 155 B -> ~390 B) */
    size_t encoded = 0;
    for (size_t i = 0; i < n; i++)
        if (vals->element[i]->type == REDIS_REPLY_STRING)
            encoded += vals->element[i]->len;
    query_arena_reserve(&res._arena, encoded * 3 + QUERY_ARENA_FIRST);
    for (size_t i = 0; i < n; i++) {
        const redisReply *v = vals->element[i];
        if (v->type == REDIS_REPLY_NIL) {
            gone[i] = true;
            res.expired++;
            continue;
        }
        Rizk__V1__PodSnapshot *s =
            v->type == REDIS_REPLY_STRING
                ? rizk__v1__pod_snapshot__unpack(&arena, v->len, (const uint8_t *)v->str)
                : NULL;
        if (s == NULL) {
            res.malformed++;
            continue;
        }
        res.pods[res.n++] = s;
    }
    if (res.expired > 0)
        query_prune(c, zkey, members, gone, res.expired);
done:
    *out = res;
    res.pods = NULL;
    res.n = 0;
    res._arena = NULL;
out:
    fleet_pods_fini(&res);
    free(keys);
    free(argv);
    free(lens);
    free(gone);
    redis_reply_free(vals);
    redis_reply_free(members);
    free(zkey);
    return rc;
}

void fleet_pods_fini(struct fleet_pods *p)
{
    if (p == NULL)
        return;
    /* the snapshots live in the arena: no free_unpacked one by one */
    query_arena_release(p->_arena);
    p->_arena = NULL;
    free(p->pods);
    p->pods = NULL;
    p->n = 0;
}

bool fleet_pod_signal(const Rizk__V1__PodSnapshot *p, int id, double *out)
{
    /* The generated struct has one has_/value pair per signal, in enum fleet_signal order. */
    const struct {
        protobuf_c_boolean has;
        double v;
    } f[FLEET_SIG_COUNT] = {
        [FLEET_SIG_REQUESTS_PER_SECOND] = {p->has_requests_per_second, p->requests_per_second},
        [FLEET_SIG_ERROR_RATIO] = {p->has_error_ratio, p->error_ratio},
        [FLEET_SIG_RESPONSE_TIME_SECONDS] = {p->has_response_time_seconds,
                                             p->response_time_seconds},
        [FLEET_SIG_CACHE_HIT_RATIO] = {p->has_cache_hit_ratio, p->cache_hit_ratio},
        [FLEET_SIG_ACTIVE_CONNECTIONS] = {p->has_active_connections, p->active_connections},
        [FLEET_SIG_CPU_UTILIZATION_RATIO] = {p->has_cpu_utilization_ratio,
                                             p->cpu_utilization_ratio},
        [FLEET_SIG_MEMORY_UTILIZATION_RATIO] = {p->has_memory_utilization_ratio,
                                                p->memory_utilization_ratio},
        [FLEET_SIG_RESPONSE_TIME_P50_SECONDS] = {p->has_response_time_p50_seconds,
                                                 p->response_time_p50_seconds},
        [FLEET_SIG_RESPONSE_TIME_P95_SECONDS] = {p->has_response_time_p95_seconds,
                                                 p->response_time_p95_seconds},
        [FLEET_SIG_RESPONSE_TIME_P99_SECONDS] = {p->has_response_time_p99_seconds,
                                                 p->response_time_p99_seconds},
    };
    if (id < 0 || id >= FLEET_SIG_COUNT || !f[id].has)
        return false;
    *out = f[id].v;
    return true;
}

const char *fleet_pod_label(const void *pod, const char *key)
{
    const Rizk__V1__PodSnapshot *p = pod;
    for (size_t i = 0; i < p->n_labels; i++)
        if (p->labels[i]->key != NULL && strcmp(p->labels[i]->key, key) == 0)
            return p->labels[i]->value != NULL ? p->labels[i]->value : "";
    /* SPEC 6: the selectors also match the snapshot's region and zone; a pod label of the
     * same name (looked up first) wins. */
    if (p->region != NULL && strcmp(key, "region") == 0)
        return p->region;
    if (p->zone != NULL && strcmp(key, "zone") == 0)
        return p->zone;
    return NULL;
}
