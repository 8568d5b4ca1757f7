/* Shared per-namespace fleet views (see view.h). The table is a fixed array of hash buckets
 * (namespaces are few: one entry each, found by FNV-1a). A refresh runs outside the lock on a
 * pooled Redis client; the entry's "refreshing" flag makes it single-flight, and the table's
 * condition variable wakes the queries that waited for it. The label index is one sorted array
 * of (key, value, pod) triples: an "=" or "in" requirement is a binary search and a run of
 * pods in ZSET order, so a selector like app=web costs one lookup instead of a label scan per
 * pod. */
#include "fleet/view.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/xalloc.h"
#include "fleet/selector.h"
#include "io/redis_pool.h"
#include "core/banned.h"

#define VIEW_BUCKETS 1024u
#define VIEW_SWEEP_NS (10 * 1000000000LL) /* idle namespaces are looked for at most this often */

struct fleet_view_label {
    const char *key;
    const char *value;
    uint32_t pod;
};

struct view_entry {
    struct view_entry *next;
    char *ns;
    struct fleet_view *view; /* the table's reference; NULL before the first good refresh */
    bool refreshing;
    uint64_t gen;    /* refreshes completed */
    int last_rc;     /* of the last completed refresh */
    int64_t used_ns; /* monotonic: last acquisition */
};

struct fleet_views {
    struct redis_pool *pool;
    const char *prefix;
    int64_t registry_max_age_ms;
    int64_t max_age_ns;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a refresh completed */
    struct view_entry *buckets[VIEW_BUCKETS];
    int64_t swept_ns;
    struct fleet_views_stats st; /* under mu */
    void (*observe)(void *cls, int rc, int64_t ns);
    void *observe_cls;
};

void fleet_views_observe(struct fleet_views *vs, void (*fn)(void *cls, int rc, int64_t ns),
                         void *cls)
{
    vs->observe = fn;
    vs->observe_cls = cls;
}

static uint32_t view_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s != '\0'; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static int view_label_cmp(const void *a, const void *b)
{
    const struct fleet_view_label *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c == 0)
        c = strcmp(x->value, y->value);
    if (c == 0)
        c = (x->pod > y->pod) - (x->pod < y->pod);
    return c;
}

static void view_index_add(struct fleet_view *v, size_t *cap, const char *k, const char *val,
                           size_t pod)
{
    if (k == NULL || val == NULL)
        return;
    if (v->_nindex == *cap) {
        *cap = *cap ? 2 * *cap : 1024;
        v->_index = xreallocarray(v->_index, *cap, sizeof(*v->_index));
    }
    v->_index[v->_nindex++] = (struct fleet_view_label){k, val, (uint32_t)pod};
}

/* view_index_build indexes what fleet_pod_label answers: every label, and region and zone
 * unless a label of that name shadows them. */
static void view_index_build(struct fleet_view *v)
{
    size_t cap = 0;
    for (size_t i = 0; i < v->pods.n; i++)
        cap += v->pods.pods[i]->n_labels + 2;
    if (cap > 0)
        v->_index = xreallocarray(NULL, cap, sizeof(*v->_index));
    for (size_t i = 0; i < v->pods.n; i++) {
        const Rizk__V1__PodSnapshot *p = v->pods.pods[i];
        for (size_t j = 0; j < p->n_labels; j++)
            view_index_add(v, &cap, p->labels[j]->key,
                           p->labels[j]->value != NULL ? p->labels[j]->value : "", i);
        if (p->region != NULL && fleet_pod_label(p, "region") == p->region)
            view_index_add(v, &cap, "region", p->region, i);
        if (p->zone != NULL && fleet_pod_label(p, "zone") == p->zone)
            view_index_add(v, &cap, "zone", p->zone, i);
    }
    if (v->_nindex > 1)
        qsort(v->_index, v->_nindex, sizeof(*v->_index), view_label_cmp);
}

/* view_index_range finds the run of (key, value) entries: [*lo, *hi). */
static void view_index_range(const struct fleet_view *v, const char *key, const char *value,
                             size_t *lo, size_t *hi)
{
    size_t a = 0, b = v->_nindex;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        int c = strcmp(v->_index[m].key, key);
        if (c == 0)
            c = strcmp(v->_index[m].value, value);
        if (c < 0)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    while (a < v->_nindex && strcmp(v->_index[a].key, key) == 0 &&
           strcmp(v->_index[a].value, value) == 0)
        a++;
    *hi = a;
}

/* One "=" / "in" requirement's candidates: how many index entries it covers. */
struct view_pick {
    const char *key;
    const char *const *values;
    size_t nvalues;
    size_t count;
};

static void view_pick_best(const struct fleet_view *v, const struct selector *s,
                           struct view_pick *best)
{
    for (size_t i = 0; i < selector_count(s); i++) {
        struct view_pick p = {0};
        if (!selector_req_values(s, i, &p.key, &p.values, &p.nvalues))
            continue;
        for (size_t k = 0; k < p.nvalues; k++) {
            size_t lo, hi;
            view_index_range(v, p.key, p.values[k], &lo, &hi);
            p.count += hi - lo;
        }
        if (best->key == NULL || p.count < best->count)
            *best = p;
    }
}

static bool view_matches(const Rizk__V1__PodSnapshot *p, const struct selector *sel,
                         const struct selector *msel)
{
    return selector_matches(sel, fleet_pod_label, p) && selector_matches(msel, fleet_pod_label, p);
}

size_t fleet_view_select(const struct fleet_view *v, const struct selector *sel,
                         const struct selector *msel, Rizk__V1__PodSnapshot **out)
{
    struct view_pick best = {0};
    view_pick_best(v, sel, &best);
    view_pick_best(v, msel, &best);
    size_t k = 0, n = v->pods.n;
    if (best.key == NULL) {
        for (size_t i = 0; i < n; i++)
            if (view_matches(v->pods.pods[i], sel, msel))
                out[k++] = v->pods.pods[i];
        return k;
    }
    if (best.nvalues == 1) {
        /* one run, already in pod (ZSET) order */
        size_t lo, hi;
        view_index_range(v, best.key, best.values[0], &lo, &hi);
        for (size_t j = lo; j < hi; j++) {
            Rizk__V1__PodSnapshot *p = v->pods.pods[v->_index[j].pod];
            if (view_matches(p, sel, msel))
                out[k++] = p;
        }
        return k;
    }
    /* "in" with several values: the runs are marked, then read back in pod order */
    uint8_t *mark = xcalloc(n ? n : 1, 1);
    for (size_t x = 0; x < best.nvalues; x++) {
        size_t lo, hi;
        view_index_range(v, best.key, best.values[x], &lo, &hi);
        for (size_t j = lo; j < hi; j++)
            mark[v->_index[j].pod] = 1;
    }
    for (size_t i = 0; i < n; i++)
        if (mark[i] && view_matches(v->pods.pods[i], sel, msel))
            out[k++] = v->pods.pods[i];
    free(mark);
    return k;
}

/* --- references --------------------------------------------------------------------------- */

struct fleet_view_answer {
    char *key;
    char *body;
    size_t len;
    long items;
    int64_t valid_until_ms;
};

bool fleet_view_memo_get(struct fleet_view *v, const char *key, int64_t now_ms, const char **body,
                         size_t *len, long *items)
{
    bool hit = false;
    pthread_mutex_lock(&v->_memo_mu);
    for (size_t i = 0; i < FLEET_VIEW_MEMO && v->_memo[i] != NULL; i++) {
        const struct fleet_view_answer *a = v->_memo[i];
        if (strcmp(a->key, key) == 0) {
            if (now_ms < a->valid_until_ms) {
                *body = a->body;
                *len = a->len;
                *items = a->items;
                hit = true;
            }
            break;
        }
    }
    pthread_mutex_unlock(&v->_memo_mu);
    return hit;
}

bool fleet_view_memo_put(struct fleet_view *v, const char *key, int64_t valid_until_ms, long items,
                         char **body, size_t *len)
{
    bool kept = false;
    pthread_mutex_lock(&v->_memo_mu);
    size_t i = 0;
    for (; i < FLEET_VIEW_MEMO && v->_memo[i] != NULL; i++) {
        struct fleet_view_answer *a = v->_memo[i];
        if (strcmp(a->key, key) != 0)
            continue;
        if (a->valid_until_ms >= valid_until_ms) {
            /* rendered first by another thread, and still the better one */
            free(*body);
            *body = a->body;
            *len = a->len;
            kept = true;
        }
        break;
    }
    /* an expired answer for the same key is not replaced in place: holders may still be
     * sending it; the query then goes unremembered until the next refresh */
    if (!kept && i < FLEET_VIEW_MEMO && v->_memo[i] == NULL) {
        struct fleet_view_answer *a = xmalloc(sizeof(*a));
        a->key = xstrdup(key);
        a->body = *body;
        a->len = *len;
        a->items = items;
        a->valid_until_ms = valid_until_ms;
        v->_memo[i] = a;
        kept = true;
    }
    pthread_mutex_unlock(&v->_memo_mu);
    return kept;
}

static void view_free(struct fleet_view *v)
{
    for (size_t i = 0; i < FLEET_VIEW_MEMO && v->_memo[i] != NULL; i++) {
        free(v->_memo[i]->key);
        free(v->_memo[i]->body);
        free(v->_memo[i]);
    }
    pthread_mutex_destroy(&v->_memo_mu);
    fleet_pods_fini(&v->pods);
    free(v->_index);
    free(v->ns);
    free(v);
}

void fleet_view_acquire(struct fleet_view *v)
{
    atomic_fetch_add_explicit(&v->_refs, 1, memory_order_relaxed);
}

void fleet_view_release(struct fleet_view *v)
{
    if (v == NULL)
        return;
    /* acq_rel: the last holder must see every other holder's reads done before it frees */
    if (atomic_fetch_sub_explicit(&v->_refs, 1, memory_order_acq_rel) == 1)
        view_free(v);
}

/* --- the table ---------------------------------------------------------------------------- */

int fleet_views_new(struct redis_pool *pool, const char *prefix, int64_t registry_max_age_ms,
                    int64_t max_age_ms, struct fleet_views **out)
{
    struct fleet_views *vs = xcalloc(1, sizeof(*vs));
    vs->pool = pool;
    vs->prefix = prefix;
    vs->registry_max_age_ms = registry_max_age_ms;
    vs->max_age_ns = max_age_ms * 1000000;
    pthread_mutex_init(&vs->mu, NULL);
    pthread_cond_init(&vs->cv, NULL);
    vs->swept_ns = clock_mono_ns();
    *out = vs;
    return 0;
}

static void view_entry_free(struct view_entry *e)
{
    fleet_view_release(e->view);
    free(e->ns);
    free(e);
}

void fleet_views_free(struct fleet_views *vs)
{
    if (vs == NULL)
        return;
    for (size_t b = 0; b < VIEW_BUCKETS; b++) {
        struct view_entry *e = vs->buckets[b];
        while (e != NULL) {
            struct view_entry *next = e->next;
            view_entry_free(e);
            e = next;
        }
    }
    pthread_cond_destroy(&vs->cv);
    pthread_mutex_destroy(&vs->mu);
    free(vs);
}

/* view_sweep drops the namespaces nobody asked for in FLEET_VIEW_IDLE_MS. Under mu. */
static void view_sweep(struct fleet_views *vs, int64_t now_ns)
{
    if (now_ns - vs->swept_ns < VIEW_SWEEP_NS)
        return;
    vs->swept_ns = now_ns;
    for (size_t b = 0; b < VIEW_BUCKETS; b++) {
        struct view_entry **pp = &vs->buckets[b];
        while (*pp != NULL) {
            struct view_entry *e = *pp;
            if (!e->refreshing && now_ns - e->used_ns > (int64_t)FLEET_VIEW_IDLE_MS * 1000000) {
                *pp = e->next;
                view_entry_free(e);
                vs->st.namespaces--;
                continue;
            }
            pp = &e->next;
        }
    }
}

static struct view_entry *view_lookup(struct fleet_views *vs, const char *ns)
{
    struct view_entry **head = &vs->buckets[view_hash(ns) % VIEW_BUCKETS];
    for (struct view_entry *e = *head; e != NULL; e = e->next)
        if (strcmp(e->ns, ns) == 0)
            return e;
    struct view_entry *e = xcalloc(1, sizeof(*e));
    e->ns = xstrdup(ns);
    e->next = *head;
    *head = e;
    vs->st.namespaces++;
    return e;
}

/* view_read reads and decodes one namespace, outside the lock. */
static int view_read(struct fleet_views *vs, const char *ns, int64_t now_ms,
                     struct fleet_view **out)
{
    struct redis_cluster *c = redis_pool_acquire(vs->pool);
    struct fleet_pods pods;
    int rc = fleet_query_pods(c, vs->prefix, ns, now_ms, vs->registry_max_age_ms, &pods);
    redis_pool_release(vs->pool, c);
    if (rc < 0)
        return rc;
    *out = fleet_view_new(ns, now_ms, &pods);
    return 0;
}

struct fleet_view *fleet_view_new(const char *ns, int64_t read_ms, struct fleet_pods *pods)
{
    struct fleet_view *v = xcalloc(1, sizeof(*v));
    v->ns = xstrdup(ns);
    v->read_ms = read_ms;
    v->pods = *pods;
    memset(pods, 0, sizeof(*pods));
    atomic_init(&v->_refs, 1);
    pthread_mutex_init(&v->_memo_mu, NULL);
    view_index_build(v);
    v->_read_mono_ns = clock_mono_ns();
    return v;
}

int fleet_views_acquire(struct fleet_views *vs, const char *ns, int64_t now_ms,
                        struct fleet_view **out)
{
    pthread_mutex_lock(&vs->mu);
    int64_t now_ns = clock_mono_ns();
    view_sweep(vs, now_ns);
    struct view_entry *e = view_lookup(vs, ns);
    e->used_ns = now_ns;
    uint64_t joined = 0; /* the generation this query waited for (0: none) */
    int rc = 0;
    for (;;) {
        if (joined != 0 && e->gen >= joined) {
            /* the refresh this query waited for is done: its outcome is the answer, even if
             * max-age (0) says the view is already old again */
            rc = e->last_rc;
            if (rc == 0 && e->view == NULL)
                rc = -EAGAIN;
            break;
        }
        int64_t age = e->view != NULL ? now_ns - e->view->_read_mono_ns : INT64_MAX;
        /* Refreshed ahead: the first query past half the max age refreshes while the others
         * keep reading the current view, so queries wait only for a view that is really too
         * old (or for the first one). */
        if (age <= vs->max_age_ns / 2 && vs->max_age_ns > 0)
            break;
        if (age <= vs->max_age_ns && e->refreshing)
            break;
        if (e->refreshing) {
            joined = e->gen + 1;
            pthread_cond_wait(&vs->cv, &vs->mu);
            continue;
        }
        e->refreshing = true;
        vs->st.refreshes++;
        pthread_mutex_unlock(&vs->mu);
        struct fleet_view *nv = NULL;
        int64_t t0 = clock_mono_ns();
        int r = view_read(vs, ns, now_ms, &nv);
        int64_t t1 = clock_mono_ns();
        if (vs->observe != NULL)
            vs->observe(vs->observe_cls, r, t1 - t0);
        pthread_mutex_lock(&vs->mu);
        vs->st.refresh_ns += (uint64_t)(t1 - t0);
        struct fleet_view *old = NULL;
        if (r == 0) {
            old = e->view;
            e->view = nv;
        } else {
            vs->st.refresh_errors++;
        }
        e->refreshing = false;
        e->last_rc = r;
        e->gen++;
        pthread_cond_broadcast(&vs->cv);
        if (r < 0) {
            pthread_mutex_unlock(&vs->mu);
            return r;
        }
        fleet_view_acquire(nv);
        pthread_mutex_unlock(&vs->mu);
        fleet_view_release(old);
        *out = nv;
        return 0;
    }
    if (rc == 0) {
        vs->st.shared++;
        fleet_view_acquire(e->view);
        *out = e->view;
    }
    pthread_mutex_unlock(&vs->mu);
    return rc;
}

void fleet_views_stats(struct fleet_views *vs, struct fleet_views_stats *out)
{
    pthread_mutex_lock(&vs->mu);
    *out = vs->st;
    pthread_mutex_unlock(&vs->mu);
}
