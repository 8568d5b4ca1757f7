/* Pulled counters to deltas (see pull_delta.h). Each step builds a table of this pull's series
 * (identity: role + sorted labels, le excluded for histograms), compares every series with the
 * previous table, and then makes this pull's table the new state, carrying over vanished series
 * for a while. Both tables are open-addressed hash indexes over at most PULL_DELTA_MAX_SERIES
 * entries, rebuilt every step, so no deletion logic is needed. */
#include "collect/pull_delta.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strparse.h"
#include "core/xalloc.h"
#include "core/banned.h"

enum pd_role {
    PD_REQUESTS = 0,
    PD_ERRORS,
    PD_DURATION,
    PD_ACTIVE,
    PD_HITS,
    PD_MISSES,
    PD_START,
    PD_ROLES
};

#define PD_SLOTS 2048                            /* power of two, > 2 x PULL_DELTA_MAX_SERIES */
#define PD_HIST_CAP (PULL_DELTA_MAX_BUCKETS + 1) /* finite bounds + the +Inf bucket */

struct pd_series {
    uint64_t hash;
    char *key;
    size_t key_len;
    enum pd_role role;
    int tier;   /* PD_HITS/PD_MISSES: enum app_tier */
    bool error; /* PD_REQUESTS: matches an error rule */
    bool invalid;
    double value;
    /* histograms */
    unsigned nb;
    double *bounds; /* PD_HIST_CAP, +Inf included when present */
    double *cum;
    bool has_count;
    double count;
    double sum;
    uint64_t seen; /* step of the last pull that had it */
};

struct pd_table {
    struct pd_series *items[PULL_DELTA_MAX_SERIES];
    size_t n;
    struct pd_series *slots[PD_SLOTS];
};

struct pull_delta {
    char *names[EXPO_SELECT_MAX];
    enum pd_role role_of[EXPO_SELECT_MAX];
    unsigned nnames;
    char *rule_label[PULL_DELTA_MAX_RULES];
    char *rule_prefix[PULL_DELTA_MAX_RULES];
    unsigned nrules;
    char *tier_label;
    bool primed;
    uint64_t step;
    bool has_start;
    double start;
    struct pd_table state;
    struct pd_table cur;
    /* the last step's output arrays */
    double out_bounds[PULL_DELTA_MAX_BUCKETS];
    uint64_t out_cum[PULL_DELTA_MAX_BUCKETS];
    double acc_cum[PULL_DELTA_MAX_BUCKETS];
    char key[PULL_DELTA_KEY_MAX];
};

double pull_delta_increase(double prev, double cur)
{
    return cur >= prev ? cur - prev : cur;
}

static void series_free(struct pd_series *s)
{
    if (s == NULL)
        return;
    free(s->key);
    free(s->bounds);
    free(s->cum);
    free(s);
}

void pull_delta_free(struct pull_delta *pd)
{
    if (pd == NULL)
        return;
    for (size_t i = 0; i < pd->state.n; i++)
        series_free(pd->state.items[i]);
    for (size_t i = 0; i < pd->cur.n; i++)
        series_free(pd->cur.items[i]);
    for (unsigned i = 0; i < pd->nnames; i++)
        free(pd->names[i]);
    for (unsigned i = 0; i < pd->nrules; i++) {
        free(pd->rule_label[i]);
        free(pd->rule_prefix[i]);
    }
    free(pd->tier_label);
    free(pd);
}

static bool set_name(const char *s)
{
    return s != NULL && s[0] != '\0';
}

int pull_delta_new(const struct pull_map *map, struct pull_delta **out)
{
    const char *by_role[PD_ROLES] = {
        [PD_REQUESTS] = map->requests, [PD_ERRORS] = map->nrules > 0 ? NULL : map->errors,
        [PD_DURATION] = map->duration, [PD_ACTIVE] = map->active,
        [PD_HITS] = map->cache_hits,   [PD_MISSES] = map->cache_misses,
        [PD_START] = map->start_time,
    };
    if (map->nrules > PULL_DELTA_MAX_RULES || (map->nrules > 0 && !set_name(map->requests)))
        return -EINVAL;
    for (unsigned i = 0; i < map->nrules; i++)
        if (!set_name(map->rules[i].label) || map->rules[i].prefix == NULL)
            return -EINVAL;
    unsigned n = 0;
    for (int r = 0; r < PD_ROLES; r++) {
        if (!set_name(by_role[r]))
            continue;
        for (int q = 0; q < r; q++)
            if (set_name(by_role[q]) && strcmp(by_role[q], by_role[r]) == 0)
                return -EINVAL;
        n++;
    }
    if (n == 0 || n == (set_name(map->start_time) ? 1u : 0u))
        return -EINVAL;
    struct pull_delta *pd = xcalloc(1, sizeof(*pd));
    for (int r = 0; r < PD_ROLES; r++) {
        if (!set_name(by_role[r]))
            continue;
        pd->role_of[pd->nnames] = (enum pd_role)r;
        pd->names[pd->nnames++] = xstrdup(by_role[r]);
    }
    for (unsigned i = 0; i < map->nrules; i++) {
        pd->rule_label[i] = xstrdup(map->rules[i].label);
        pd->rule_prefix[i] = xstrdup(map->rules[i].prefix);
    }
    pd->nrules = map->nrules;
    pd->tier_label = xstrdup(set_name(map->tier_label) ? map->tier_label : "tier");
    *out = pd;
    return 0;
}

const char *const *pull_delta_names(const struct pull_delta *pd, unsigned *n)
{
    *n = pd->nnames;
    return (const char *const *)pd->names;
}

/* ---- series identity ---- */

static uint64_t pd_hash(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* pd_key writes role + sorted labels (le skipped for histograms) into pd->key; -E2BIG when the
 * identity does not fit. Separators 0x1e/0x1f cannot clash with names; values may hold them,
 * which at worst merges two absurd series. */
static int pd_key(struct pull_delta *pd, const struct expo_kept *k, enum pd_role role, size_t *len)
{
    unsigned order[EXPO_LABELS_MAX_DEFAULT];
    unsigned n = 0;
    for (unsigned i = 0; i < k->nlabels && n < EXPO_LABELS_MAX_DEFAULT; i++) {
        if (role == PD_DURATION && strcmp(k->labels[i].name, "le") == 0)
            continue;
        unsigned j = n;
        while (j > 0 && strcmp(k->labels[order[j - 1]].name, k->labels[i].name) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
        n++;
    }
    size_t off = 0;
    pd->key[off++] = (char)('A' + role);
    for (unsigned i = 0; i < n; i++) {
        const struct expo_label *l = &k->labels[order[i]];
        size_t nl = strlen(l->name), vl = strlen(l->value);
        if (off + nl + vl + 2 > sizeof(pd->key))
            return -E2BIG;
        pd->key[off++] = '\x1f';
        memcpy(pd->key + off, l->name, nl);
        off += nl;
        pd->key[off++] = '\x1e';
        memcpy(pd->key + off, l->value, vl);
        off += vl;
    }
    *len = off;
    return 0;
}

static struct pd_series **pd_slot(struct pd_table *t, uint64_t h, const char *key, size_t len)
{
    size_t i = (size_t)h & (PD_SLOTS - 1);
    for (;;) {
        struct pd_series *s = t->slots[i];
        if (s == NULL || (s->hash == h && s->key_len == len && memcmp(s->key, key, len) == 0))
            return &t->slots[i];
        i = (i + 1) & (PD_SLOTS - 1);
    }
}

static struct pd_series *pd_find(struct pd_table *t, const struct pd_series *like)
{
    return *pd_slot(t, like->hash, like->key, like->key_len);
}

static void pd_insert(struct pd_table *t, struct pd_series *s)
{
    RIZK_ASSERT(t->n < PULL_DELTA_MAX_SERIES);
    struct pd_series **slot = pd_slot(t, s->hash, s->key, s->key_len);
    RIZK_ASSERT(*slot == NULL);
    *slot = s;
    t->items[t->n++] = s;
}

static void pd_table_clear(struct pd_table *t)
{
    memset(t->slots, 0, sizeof(t->slots));
    t->n = 0;
}

/* ---- building this pull's table ---- */

static int pd_tier(const struct pull_delta *pd, const struct expo_kept *k)
{
    const char *v = expo_kept_label(k, pd->tier_label);
    if (v == NULL)
        return -1;
    if (strcmp(v, "l1") == 0)
        return APP_TIER_L1;
    if (strcmp(v, "l2") == 0)
        return APP_TIER_L2;
    return -1;
}

static bool pd_is_error(const struct pull_delta *pd, const struct expo_kept *k)
{
    for (unsigned i = 0; i < pd->nrules; i++) {
        const char *v = expo_kept_label(k, pd->rule_label[i]);
        if (v != NULL && strncmp(v, pd->rule_prefix[i], strlen(pd->rule_prefix[i])) == 0)
            return true;
    }
    return false;
}

/* pd_series_get returns this pull's series for sample k, creating it; NULL when it cannot be
 * tracked (counted in st). *fresh tells whether it was just created. */
static struct pd_series *pd_series_get(struct pull_delta *pd, const struct expo_kept *k,
                                       enum pd_role role, struct pull_delta_stats *st, bool *fresh)
{
    size_t len;
    if (pd_key(pd, k, role, &len) < 0) {
        st->invalid++;
        return NULL;
    }
    uint64_t h = pd_hash(pd->key, len);
    struct pd_series **slot = pd_slot(&pd->cur, h, pd->key, len);
    *fresh = *slot == NULL;
    if (*slot != NULL)
        return *slot;
    if (pd->cur.n == PULL_DELTA_MAX_SERIES) {
        st->dropped++;
        return NULL;
    }
    struct pd_series *s = xcalloc(1, sizeof(*s));
    s->hash = h;
    s->key = xmalloc(len);
    memcpy(s->key, pd->key, len);
    s->key_len = len;
    s->role = role;
    s->tier = -1;
    if (role == PD_DURATION) {
        s->bounds = xcalloc(PD_HIST_CAP, sizeof(double));
        s->cum = xcalloc(PD_HIST_CAP, sizeof(double));
        s->sum = NAN;
    }
    s->seen = pd->step;
    pd_insert(&pd->cur, s);
    return s;
}

static bool pd_count_ok(double v)
{
    return v >= 0 && v <= PULL_DELTA_VALUE_MAX; /* false for NaN */
}

static void pd_add_counter(struct pull_delta *pd, const struct expo_kept *k, enum pd_role role,
                           struct pull_delta_stats *st)
{
    if (k->role != EXPO_ROLE_VALUE)
        return; /* a histogram or summary under a counter's name: not ours */
    int tier = -1;
    if (role == PD_HITS || role == PD_MISSES) {
        tier = pd_tier(pd, k);
        if (tier < 0) {
            st->ignored++;
            return;
        }
    }
    bool fresh;
    struct pd_series *s = pd_series_get(pd, k, role, st, &fresh);
    if (s == NULL)
        return;
    if (!fresh || !pd_count_ok(k->value)) {
        s->invalid = true; /* a duplicate series or an impossible count */
        return;
    }
    s->tier = tier;
    s->error = role == PD_REQUESTS && pd_is_error(pd, k);
    s->value = k->value;
}

static void pd_add_hist(struct pull_delta *pd, const struct expo_kept *k,
                        struct pull_delta_stats *st)
{
    if (k->role != EXPO_ROLE_BUCKET && k->role != EXPO_ROLE_SUM && k->role != EXPO_ROLE_COUNT)
        return;
    bool fresh;
    struct pd_series *s = pd_series_get(pd, k, PD_DURATION, st, &fresh);
    if (s == NULL || s->invalid)
        return;
    if (k->role == EXPO_ROLE_SUM) {
        if (!isnan(s->sum) || !(fabs(k->value) <= PULL_DELTA_VALUE_MAX))
            s->invalid = true;
        s->sum = k->value;
        return;
    }
    if (!pd_count_ok(k->value)) {
        s->invalid = true;
        return;
    }
    if (k->role == EXPO_ROLE_COUNT) {
        if (s->has_count)
            s->invalid = true;
        s->has_count = true;
        s->count = k->value;
        return;
    }
    const char *le = expo_kept_label(k, "le");
    const char *p = le;
    double b;
    if (le == NULL || sp_double(&p, &b) < 0 || *p != '\0' || isnan(b) || s->nb == PD_HIST_CAP) {
        s->invalid = true;
        return;
    }
    s->bounds[s->nb] = b;
    s->cum[s->nb] = k->value;
    s->nb++;
}

/* pd_hist_finish sorts the buckets and checks the series is a usable histogram: distinct
 * bounds, cumulative counts that never drop, a count (_count, else the +Inf bucket). */
static void pd_hist_finish(struct pd_series *s)
{
    if (s->invalid)
        return;
    for (unsigned i = 1; i < s->nb; i++) {
        double b = s->bounds[i], c = s->cum[i];
        unsigned j = i;
        while (j > 0 && s->bounds[j - 1] > b) {
            s->bounds[j] = s->bounds[j - 1];
            s->cum[j] = s->cum[j - 1];
            j--;
        }
        s->bounds[j] = b;
        s->cum[j] = c;
    }
    for (unsigned i = 1; i < s->nb; i++)
        if (s->bounds[i] == s->bounds[i - 1] || s->cum[i] < s->cum[i - 1])
            s->invalid = true;
    bool has_inf = s->nb > 0 && isinf(s->bounds[s->nb - 1]);
    if (has_inf && s->bounds[s->nb - 1] < 0)
        s->invalid = true;
    if (!s->has_count && has_inf) {
        s->has_count = true;
        s->count = s->cum[s->nb - 1];
    }
    if (!s->has_count || isnan(s->sum) || (s->nb > 0 && s->cum[s->nb - 1] > s->count))
        s->invalid = true;
}

/* ---- comparing with the previous pull ---- */

static bool pd_same_bounds(const struct pd_series *a, const struct pd_series *b)
{
    return a->nb == b->nb && memcmp(a->bounds, b->bounds, a->nb * sizeof(double)) == 0;
}

/* pd_hist_reset: a histogram series reset when its bounds changed or any count dropped. */
static bool pd_hist_reset(const struct pd_series *prev, const struct pd_series *cur)
{
    if (!pd_same_bounds(prev, cur) || cur->count < prev->count)
        return true;
    for (unsigned i = 0; i < cur->nb; i++)
        if (cur->cum[i] < prev->cum[i])
            return true;
    return false;
}

struct pd_acc {
    bool has_requests;
    double requests, errors;
    bool has_cache[APP_TIERS];
    double hits[APP_TIERS], misses[APP_TIERS];
    bool has_hist;
    unsigned nfinite;              /* finite bounds of the output histogram */
    const struct pd_series *shape; /* the series whose bounds the output uses */
    double count, sum;
};

static unsigned pd_finite(const struct pd_series *s)
{
    return s->nb > 0 && isinf(s->bounds[s->nb - 1]) ? s->nb - 1 : s->nb;
}

static void pd_acc_hist(struct pull_delta *pd, struct pd_acc *a, const struct pd_series *cur,
                        const struct pd_series *prev, struct pull_delta_stats *st)
{
    if (a->shape == NULL) {
        a->shape = cur;
        a->nfinite = pd_finite(cur);
        memcpy(pd->out_bounds, cur->bounds, a->nfinite * sizeof(double));
        memset(pd->acc_cum, 0, sizeof(pd->acc_cum));
    } else if (!pd_same_bounds(a->shape, cur)) {
        st->ignored++; /* one output histogram: series with other bounds cannot be summed */
        return;
    }
    a->has_hist = true;
    for (unsigned i = 0; i < a->nfinite; i++)
        pd->acc_cum[i] += prev != NULL ? cur->cum[i] - prev->cum[i] : cur->cum[i];
    a->count += prev != NULL ? cur->count - prev->count : cur->count;
    double ds = prev != NULL ? cur->sum - prev->sum : cur->sum;
    a->sum += ds > 0 ? ds : 0;
}

static void pd_compare(struct pull_delta *pd, bool restarted, struct pd_acc *a,
                       struct pull_delta_stats *st)
{
    for (size_t i = 0; i < pd->cur.n; i++) {
        struct pd_series *s = pd->cur.items[i];
        if (s->invalid)
            continue;
        st->series++;
        struct pd_series *prev = restarted ? NULL : pd_find(&pd->state, s);
        if (s->role == PD_DURATION) {
            if (prev != NULL && pd_hist_reset(prev, s)) {
                st->resets++;
                prev = NULL;
            }
            pd_acc_hist(pd, a, s, prev, st);
            continue;
        }
        double inc = s->value;
        if (prev != NULL) {
            if (s->value < prev->value)
                st->resets++;
            inc = pull_delta_increase(prev->value, s->value);
        }
        switch (s->role) {
        case PD_REQUESTS:
            a->has_requests = true;
            a->requests += inc;
            if (s->error)
                a->errors += inc;
            break;
        case PD_ERRORS:
            a->has_requests = true;
            a->errors += inc;
            break;
        case PD_HITS:
            a->has_cache[s->tier] = true;
            a->hits[s->tier] += inc;
            break;
        case PD_MISSES:
            a->has_cache[s->tier] = true;
            a->misses[s->tier] += inc;
            break;
        default:
            break;
        }
    }
}

static uint64_t pd_round(double v)
{
    return v > 0 ? (uint64_t)llround(v) : 0;
}

static void pd_output(struct pull_delta *pd, const struct pd_acc *a, struct app_delta *out)
{
    out->has_requests = a->has_requests;
    out->requests = a->requests;
    out->errors = a->errors;
    for (int t = 0; t < APP_TIERS; t++) {
        out->has_cache[t] = a->has_cache[t];
        out->cache_hits[t] = a->hits[t];
        out->cache_misses[t] = a->misses[t];
    }
    if (!a->has_hist)
        return;
    /* Counts read while the app observes can be a little inconsistent (bucket by bucket,
     * without a lock): keep the delta cumulative and within its count, as dhist requires. */
    uint64_t prev = 0;
    for (unsigned i = 0; i < a->nfinite; i++) {
        uint64_t c = pd_round(pd->acc_cum[i]);
        pd->out_cum[i] = c > prev ? c : prev;
        prev = pd->out_cum[i];
    }
    uint64_t count = pd_round(a->count);
    out->has_histogram = true;
    out->bounds = pd->out_bounds;
    out->cum_counts = pd->out_cum;
    out->nbuckets = a->nfinite;
    out->hist_count = count > prev ? count : prev;
    out->hist_sum = a->sum;
}

/* pd_rotate makes this pull's valid series the state, then carries over vanished series
 * (unless the app restarted) while they are recent and room is left. */
static void pd_rotate(struct pull_delta *pd, bool restarted)
{
    struct pd_table *next = xcalloc(1, sizeof(*next));
    for (size_t i = 0; i < pd->cur.n; i++) {
        struct pd_series *s = pd->cur.items[i];
        if (s->invalid)
            continue;
        pd_insert(next, s);
        pd->cur.items[i] = NULL;
    }
    for (size_t i = 0; i < pd->state.n; i++) {
        struct pd_series *s = pd->state.items[i];
        bool keep = !restarted && next->n < PULL_DELTA_MAX_SERIES &&
                    pd->step - s->seen <= PULL_DELTA_FORGET_PULLS && pd_find(next, s) == NULL;
        if (keep)
            pd_insert(next, s);
        else
            series_free(s);
    }
    for (size_t i = 0; i < pd->cur.n; i++)
        series_free(pd->cur.items[i]);
    pd_table_clear(&pd->cur);
    memcpy(&pd->state, next, sizeof(*next));
    free(next);
}

void pull_delta_step(struct pull_delta *pd, const struct expo_set *set, struct app_delta *out,
                     struct pull_delta_stats *st)
{
    struct pull_delta_stats local;
    if (st == NULL)
        st = &local;
    memset(st, 0, sizeof(*st));
    memset(out, 0, sizeof(*out));
    pd->step++;

    bool has_active = false, has_start = false;
    double active = 0, start = 0;
    for (unsigned i = 0; set != NULL && i < set->nsamples; i++) {
        const struct expo_kept *k = &set->samples[i];
        if (k->want >= pd->nnames)
            continue;
        enum pd_role role = pd->role_of[k->want];
        switch (role) {
        case PD_ACTIVE:
            if (k->role == EXPO_ROLE_VALUE && fabs(k->value) <= PULL_DELTA_VALUE_MAX) {
                has_active = true;
                active += k->value;
            }
            break;
        case PD_START:
            if (k->role == EXPO_ROLE_VALUE && !has_start && isfinite(k->value)) {
                has_start = true;
                start = k->value;
            }
            break;
        case PD_DURATION:
            pd_add_hist(pd, k, st);
            break;
        default:
            pd_add_counter(pd, k, role, st);
            break;
        }
    }
    for (size_t i = 0; i < pd->cur.n; i++) {
        struct pd_series *s = pd->cur.items[i];
        if (s->role == PD_DURATION)
            pd_hist_finish(s);
        if (s->invalid)
            st->invalid++;
    }
    if (has_active) {
        out->has_active_connections = true;
        out->active_connections = active > 0 ? active : 0;
    }

    bool restarted = pd->primed && has_start && pd->has_start && start != pd->start;
    if (has_start) {
        pd->has_start = true;
        pd->start = start;
    }
    st->restarted = restarted;
    if (!pd->primed) {
        /* rate() ignores a series' first sample: the lifetime totals are only a baseline. */
        pd->primed = true;
        st->baseline = true;
        for (size_t i = 0; i < pd->cur.n; i++)
            st->series += pd->cur.items[i]->invalid ? 0 : 1;
    } else {
        struct pd_acc a;
        memset(&a, 0, sizeof(a));
        pd_compare(pd, restarted, &a, st);
        pd_output(pd, &a, out);
    }
    pd_rotate(pd, restarted);
    st->tracked = (unsigned)pd->state.n;
}
