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
#include "core/arena.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "core/banned.h"

/* The snapshots' arena; protobuf-c's free is a no-op, the whole arena goes at once with
 * fleet_pods_fini. Its chunk is sized from the MGET reply (decoded snapshots take about 2.5
 * times their encoded size: 155 B -> ~390 B): the adapter keeps one decoded namespace resident
 * per namespace queried, and a 10-pod namespace holding a whole 64 KiB chunk cost 60 kB of RSS
 * per namespace (60 MB at 1000 namespaces). */
#define QUERY_ARENA_MIN (2u * 1024)
#define QUERY_ARENA_MAX (4u << 20)

static void *query_arena_alloc(void *ad, size_t n)
{
    return arena_alloc(ad, n);
}

static void query_arena_free(void *ad, void *p)
{
    (void)ad;
    (void)p;
}

static int query_members(struct redis_cluster *c, const char *zkey, int64_t cutoff,
                         struct redis_reply **members)
{
    char min[32], lim[16];
    snprintf(min, sizeof(min), "(%lld", (long long)cutoff);
    snprintf(lim, sizeof(lim), "%d", FLEET_QUERY_MAX_PODS);
    const char *zr[] = {"ZRANGEBYSCORE", zkey, min, "+inf", "LIMIT", "0", lim};
    size_t zrl[] = {13, strlen(zkey), strlen(min), 4, 5, 1, strlen(lim)};
    const char *zp[] = {"ZREMRANGEBYSCORE", zkey, "-inf", min};
    size_t zpl[] = {16, strlen(zkey), 4, strlen(min)};
    struct redis_cmd cmds[] = {{7, zr, zrl}, {4, zp, zpl}};
    struct redis_reply *r[2] = {NULL, NULL};
    int rc = redis_cluster_exec(c, zkey, strlen(zkey), 2, cmds, r);
    if (rc < 0)
        return rc;
    rc = redis_reply_error_rc(r[0]);
    if (rc == 0 && redis_reply_type(r[0]) != REDIS_R_ARRAY)
        rc = -EPROTO;
    redis_reply_free(r[1]);
    if (rc < 0) {
        redis_reply_free(r[0]);
        return rc;
    }
    *members = r[0];
    return 0;
}

static void query_prune(struct redis_cluster *c, const char *zkey,
                        const struct redis_reply_elem *members, size_t n, const bool *gone,
                        size_t ngone)
{
    const char **argv = xcalloc(ngone + 2, sizeof(*argv));
    size_t *lens = xcalloc(ngone + 2, sizeof(*lens));
    size_t k = 0;
    argv[k] = "ZREM";
    lens[k++] = 4;
    argv[k] = zkey;
    lens[k++] = strlen(zkey);
    for (size_t i = 0; i < n; i++)
        if (gone[i]) {
            argv[k] = members[i].str;
            lens[k++] = members[i].len;
        }
    struct redis_cmd cmd = {(int)k, argv, lens};
    struct redis_reply *r = NULL;
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
    struct redis_reply *members = NULL, *vals = NULL;
    char *keys = NULL;
    const char **argv = NULL;
    size_t *lens = NULL;
    bool *gone = NULL;
    struct redis_reply_elem *el = NULL; /* members' view, then values' */
    struct fleet_pods res = {0};
    arena_init(&res._arena, QUERY_ARENA_MIN);
    int rc = query_members(c, zkey, now_ms - max_age_ms, &members);
    if (rc < 0)
        goto out;
    size_t n = redis_reply_count(members);
    if (n == 0)
        goto done;
    el = xcalloc(2 * n, sizeof(*el));
    struct redis_reply_elem *mel = el, *vel = el + n;
    redis_reply_elems(members, mel);
    argv = xcalloc(n + 1, sizeof(*argv));
    lens = xcalloc(n + 1, sizeof(*lens));
    argv[0] = "MGET";
    lens[0] = 4;
    /* every key is "<prefix>fleet:{<ns>}:pod:<member>", laid out in one buffer */
    size_t stem = strlen(prefix) + strlen(ns) + strlen("fleet:{}:pod:"), total = 0;
    for (size_t i = 0; i < n; i++) {
        if (mel[i].type != REDIS_R_STRING) {
            rc = -EPROTO;
            goto out;
        }
        total += stem + mel[i].len;
    }
    keys = xmalloc(total + 1);
    char *kp = keys;
    for (size_t i = 0; i < n; i++) {
        size_t mlen = mel[i].len;
        const char *m = mel[i].str;
        int w = snprintf(kp, total + 1 - (size_t)(kp - keys), "%sfleet:{%s}:pod:", prefix, ns);
        RIZK_ASSERT(w >= 0 && (size_t)w == stem);
        memcpy(kp + w, m, mlen); /* binary-safe: the member as stored */
        argv[i + 1] = kp;
        lens[i + 1] = (size_t)w + mlen;
        kp += (size_t)w + mlen;
    }
    struct redis_cmd mget = {(int)(n + 1), argv, lens};
    rc = redis_cluster_exec(c, zkey, strlen(zkey), 1, &mget, &vals);
    if (rc < 0)
        goto out;
    rc = redis_reply_error_rc(vals);
    if (rc == 0 && (redis_reply_type(vals) != REDIS_R_ARRAY || redis_reply_count(vals) != n))
        rc = -EPROTO;
    if (rc < 0)
        goto out;
    res.pods = xcalloc(n, sizeof(*res.pods));
    gone = xcalloc(n, sizeof(*gone));
    size_t encoded = 0;
    for (size_t i = 0; i < n; i++) {
        const struct redis_reply *v = redis_reply_at(vals, i);
        size_t vlen = 0;
        if (redis_reply_type(v) == REDIS_R_STRING && redis_reply_str(v, &vlen) != NULL)
            encoded += vlen;
    }
    size_t chunk = encoded * 3 + QUERY_ARENA_MIN;
    arena_fini(&res._arena);
    arena_init(&res._arena, chunk < QUERY_ARENA_MAX ? chunk : QUERY_ARENA_MAX);
    ProtobufCAllocator pballoc = {query_arena_alloc, query_arena_free, &res._arena};
    redis_reply_elems(vals, vel);
    for (size_t i = 0; i < n; i++) {
        if (vel[i].type == REDIS_R_NIL) {
            gone[i] = true;
            res.expired++;
            continue;
        }
        Rizk__V1__PodSnapshot *s =
            vel[i].type == REDIS_R_STRING
                ? rizk__v1__pod_snapshot__unpack(&pballoc, vel[i].len, (const uint8_t *)vel[i].str)
                : NULL;
        if (s == NULL) {
            res.malformed++;
            continue;
        }
        res.pods[res.n++] = s;
    }
    if (res.expired > 0)
        query_prune(c, zkey, mel, n, gone, res.expired);
done:
    *out = res;
    res.pods = NULL;
    res.n = 0;
    arena_init(&res._arena, QUERY_ARENA_MIN); /* now *out's */
out:
    fleet_pods_fini(&res);
    free(keys);
    free(argv);
    free(lens);
    free(gone);
    free(el);
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
    arena_fini(&p->_arena);
    free(p->pods);
    p->pods = NULL;
    p->n = 0;
}

bool fleet_pod_signal(const Rizk__V1__PodSnapshot *p, int id, double *out)
{
    const ProtobufCFieldDescriptor *f = fleet_signal_field((enum sig_id)id);
    if (f == NULL)
        return false;
    const char *base = (const char *)p;
    protobuf_c_boolean has;
    memcpy(&has, base + f->quantifier_offset, sizeof(has));
    if (!has)
        return false;
    memcpy(out, base + f->offset, sizeof(double));
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
