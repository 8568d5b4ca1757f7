/* statsd collector: a statsd/DogStatsD UDP listener polled by the sampler's event loop.
 *
 * DESIGN. No thread and no lock (STYLE 3.2): the socket is one more fd in the sampler's epoll
 * set; on_readable drains it with recvmmsg, at most STATSD_BATCHES_PER_CALL batches per call so
 * a flood cannot starve the tick, and the epoll loop comes back while data is left. Names under
 * --statsd.prefix (SPEC 2: requests, errors, response_time, active_connections,
 * cache.l{1,2}.{hits,misses}) go straight into the app-stats aggregate, which is the sampler's
 * too. Every other name is aggregated here into at most --statsd.max-series rizk_app_* series
 * (fixed-capacity open-addressed table; the cap is what bounds memory) and flushed into the sink
 * on collect. Everything refused is counted: malformed lines by reason, dropped lines by reason
 * (series cap, truncated datagram, set capacity, kernel receive-buffer overflow). DogStatsD
 * events and service checks are valid input, counted by alert type and status; each service
 * check's last status is a gauge (at most STATSD_MAX_CHECKS names). */
#include "collect/collectors.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/app_stats.h"
#include "collect/sink.h"
#include "config/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "io/udp.h"
#include "parse/statsd_line.h"
#include "core/banned.h"

#define STATSD_BATCH 64            /* datagrams per recvmmsg */
#define STATSD_BATCHES_PER_CALL 64 /* recvmmsg calls per on_readable */
#define STATSD_DGRAM_MAX 8192      /* DogStatsD clients send at most 8 KiB per datagram */
#define STATSD_RCVBUF (8 * 1024 * 1024)
#define STATSD_KEY_MAX 2048    /* series identity: type, name, sorted labels */
#define STATSD_NAME_MAX 256    /* sanitized metric or label name */
#define STATSD_SET_SLOTS 65536 /* distinct set members per tick, over all sets */
#define STATSD_NBOUNDS 11
#define STATSD_MAX_CHECKS 64 /* service check names with a status gauge */

static const double statsd_bounds[STATSD_NBOUNDS] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                     0.5,   1,    2.5,   5,    10};

enum statsd_drop {
    DROP_MAX_SERIES = 0, /* a new rizk_app_* series over --statsd.max-series */
    DROP_TRUNCATED,      /* datagram longer than STATSD_DGRAM_MAX */
    DROP_SET_CAPACITY,   /* more distinct set members in one tick than STATSD_SET_SLOTS / 2 */
    DROP_TYPE_CONFLICT,  /* a series whose name another type already uses (counted once) */
    DROP_RECEIVE_BUFFER, /* datagrams the kernel dropped: the socket buffer was full */
    DROP_MAX_CHECKS,     /* a service check name beyond STATSD_MAX_CHECKS */
    DROPS
};

static const char *const statsd_drop_names[DROPS] = {
    "max_series", "truncated", "set_capacity", "type_conflict", "receive_buffer", "max_checks"};

/* A service check's last status, exported as rizk_statsd_service_check_status{check}. */
struct statsd_check {
    char name[STATSD_NAME_MAX];
    enum statsd_check_status status;
};

/* The known names under the prefix. */
enum statsd_known {
    KNOWN_NONE = 0,
    KNOWN_REQUESTS,
    KNOWN_ERRORS,
    KNOWN_RESPONSE_TIME,
    KNOWN_ACTIVE_CONNECTIONS,
    KNOWN_L1_HITS,
    KNOWN_L1_MISSES,
    KNOWN_L2_HITS,
    KNOWN_L2_MISSES,
};

struct statsd_series {
    uint64_t hash;
    char *key;
    size_t key_len;
    enum statsd_type type;
    char *metric;
    struct label *labels;
    size_t nlabels;
    bool conflict;
    double value;      /* counter total, gauge value, set members this tick */
    uint64_t *buckets; /* histograms: non-cumulative, STATSD_NBOUNDS */
    uint64_t count;
    double sum;
};

struct col_statsd {
    int fd;
    struct udp_batch *batch;
    struct app_stats *app;
    const char *prefix;
    size_t prefix_len;
    size_t max_series;
    uint64_t packets;
    uint64_t lines;
    uint64_t malformed[STATSD_REASONS];
    uint64_t dropped[DROPS];
    bool have_kernel_drops;
    uint64_t kernel_drops_last; /* last SK_MEMINFO_DROPS (a u32 that wraps) */
    /* rizk_app_* series: open addressing over table (cap a power of two > 2 x max_series) */
    struct statsd_series **table;
    size_t table_mask;
    struct statsd_series **order; /* creation order, for stable output */
    size_t nseries;
    uint64_t *sets; /* lazily allocated STATSD_SET_SLOTS member hashes; 0 = free */
    size_t sets_used;
    uint64_t events[STATSD_ALERTS];
    uint64_t check_lines[STATSD_CHECK_STATUSES];
    struct statsd_check *checks; /* lazily allocated, STATSD_MAX_CHECKS */
    size_t nchecks;
    /* scratch */
    struct statsd_line line;
    char key[STATSD_KEY_MAX];
    char lname[STATSD_MAX_TAGS][STATSD_NAME_MAX];
    unsigned tag_order[STATSD_MAX_TAGS];
};

static uint64_t statsd_hash(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static bool span_eq(const char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n == l && memcmp(p, lit, l) == 0;
}

static enum statsd_known statsd_known_name(const char *p, size_t n)
{
    if (span_eq(p, n, "requests"))
        return KNOWN_REQUESTS;
    if (span_eq(p, n, "errors"))
        return KNOWN_ERRORS;
    if (span_eq(p, n, "response_time"))
        return KNOWN_RESPONSE_TIME;
    if (span_eq(p, n, "active_connections"))
        return KNOWN_ACTIVE_CONNECTIONS;
    if (n == 13 && memcmp(p, "cache.l", 7) == 0) {
        if (span_eq(p, n, "cache.l1.hits"))
            return KNOWN_L1_HITS;
        if (span_eq(p, n, "cache.l2.hits"))
            return KNOWN_L2_HITS;
    }
    if (span_eq(p, n, "cache.l1.misses"))
        return KNOWN_L1_MISSES;
    if (span_eq(p, n, "cache.l2.misses"))
        return KNOWN_L2_MISSES;
    return KNOWN_NONE;
}

/* statsd_status_error tells whether a "status" (or "status_code") tag is >= 500. */
static bool statsd_status_error(const struct statsd_line *l)
{
    for (size_t i = 0; i < l->ntags; i++) {
        const struct statsd_tag *t = &l->tags[i];
        if (!span_eq(t->key.p, t->key.n, "status") && !span_eq(t->key.p, t->key.n, "status_code"))
            continue;
        unsigned v = 0;
        size_t j;
        for (j = 0; j < t->value.n && j < 4 && t->value.p[j] >= '0' && t->value.p[j] <= '9'; j++)
            v = v * 10 + (unsigned)(t->value.p[j] - '0');
        return j > 0 && j == t->value.n && v >= 500;
    }
    return false;
}

static bool statsd_is_counter(const struct statsd_line *l)
{
    return l->type == STATSD_COUNTER;
}

static bool statsd_is_timing(const struct statsd_line *l)
{
    return l->type == STATSD_TIMER || l->type == STATSD_HISTOGRAM || l->type == STATSD_DISTRIBUTION;
}

/* statsd_weight is how many events one sampled timing stands for. */
static uint64_t statsd_weight(double rate)
{
    double w = nearbyint(1.0 / rate);
    return w < 1.0 ? 1 : (uint64_t)w;
}

/* statsd_known_apply feeds the app-stats aggregate; returns the reject reason or STATSD_OK. */
static enum statsd_reason statsd_known_apply(struct col_statsd *c, enum statsd_known k,
                                             const struct statsd_line *l)
{
    if (k == KNOWN_ACTIVE_CONNECTIONS) {
        if (l->type != STATSD_GAUGE)
            return STATSD_BAD_TYPE;
        for (size_t i = 0; i < l->nvalues; i++) {
            if (l->relative & (1u << i))
                app_stats_adjust_active(c->app, l->values[i]);
            else
                app_stats_set_active(c->app, l->values[i]);
        }
        return STATSD_OK;
    }
    for (size_t i = 0; i < l->nvalues; i++)
        if (l->values[i] < 0)
            return STATSD_BAD_VALUE;
    if (k == KNOWN_RESPONSE_TIME) {
        if (!statsd_is_timing(l))
            return STATSD_BAD_TYPE;
        uint64_t w = statsd_weight(l->rate);
        for (size_t i = 0; i < l->nvalues; i++)
            app_stats_observe_duration(c->app, l->values[i] / 1000.0, w);
        return STATSD_OK;
    }
    if (!statsd_is_counter(l))
        return STATSD_BAD_TYPE;
    double sum = 0;
    for (size_t i = 0; i < l->nvalues; i++)
        sum += l->values[i];
    sum /= l->rate;
    switch (k) {
    case KNOWN_REQUESTS:
        app_stats_add_requests(c->app, sum, statsd_status_error(l) ? sum : 0.0);
        break;
    case KNOWN_ERRORS:
        app_stats_add_requests(c->app, 0.0, sum);
        break;
    case KNOWN_L1_HITS:
        app_stats_add_cache(c->app, APP_TIER_L1, sum, 0.0);
        break;
    case KNOWN_L1_MISSES:
        app_stats_add_cache(c->app, APP_TIER_L1, 0.0, sum);
        break;
    case KNOWN_L2_HITS:
        app_stats_add_cache(c->app, APP_TIER_L2, sum, 0.0);
        break;
    case KNOWN_L2_MISSES:
        app_stats_add_cache(c->app, APP_TIER_L2, 0.0, sum);
        break;
    default:
        break;
    }
    return STATSD_OK;
}

/* ---- rizk_app_* series ---- */

/* statsd_utf8_ok validates UTF-8 (Prometheus rejects a scrape with invalid label values). */
static bool statsd_utf8_ok(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return false;
            i++;
            continue;
        }
        size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
        if (len == 0 || (len == 3 && c > 0xef) || i + len > n)
            return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
        /* overlongs and surrogates */
        if ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] > 0x9f) ||
            (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] > 0x8f))
            return false;
        i += len;
    }
    return true;
}

/* statsd_label_names sanitizes the tag keys into c->lname and sorts them into c->tag_order,
 * dropping bare tags and later duplicates; returns how many labels remain or -1 (bad tags). */
static int statsd_label_names(struct col_statsd *c, const struct statsd_line *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->ntags; i++) {
        const struct statsd_tag *t = &l->tags[i];
        if (t->value.p == NULL)
            continue; /* a bare tag has no Prometheus equivalent */
        if (!statsd_utf8_ok(t->value.p, t->value.n))
            return -1;
        char *dst = c->lname[i];
        size_t off = 0;
        /* "__" is reserved for Prometheus and "le" for histogram buckets. */
        if ((t->key.n >= 2 && t->key.p[0] == '_' && t->key.p[1] == '_') ||
            span_eq(t->key.p, t->key.n, "le") || span_eq(t->key.p, t->key.n, "quantile")) {
            memcpy(dst, "tag_", 4);
            off = 4;
        }
        if (statsd_sanitize(t->key.p, t->key.n, false, dst + off, STATSD_NAME_MAX - off) < 0)
            return -1;
        /* equal names keep the first; insertion sort keeps the key canonical */
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = strcmp(c->lname[c->tag_order[k]], dst) == 0;
        if (dup)
            continue;
        size_t j = n;
        while (j > 0 && strcmp(c->lname[c->tag_order[j - 1]], dst) > 0)
            j--;
        memmove(&c->tag_order[j + 1], &c->tag_order[j], (n - j) * sizeof(unsigned));
        c->tag_order[j] = (unsigned)i;
        n++;
    }
    return (int)n;
}

/* statsd_key writes the series identity into c->key: type, sanitized name, then the sorted
 * labels, separated by bytes that cannot occur in any of them (values are checked above). */
static int statsd_key(struct col_statsd *c, const struct statsd_line *l, size_t nlabels,
                      size_t *len)
{
    size_t k = 0;
    c->key[k++] = (char)('0' + l->type);
    int w = statsd_sanitize(l->name.p, l->name.n, true, c->key + k, STATSD_NAME_MAX);
    if (w < 0)
        return -E2BIG;
    k += (size_t)w;
    for (size_t i = 0; i < nlabels; i++) {
        const struct statsd_tag *t = &l->tags[c->tag_order[i]];
        const char *name = c->lname[c->tag_order[i]];
        size_t nl = strlen(name);
        if (k + 2 + nl + t->value.n >= sizeof(c->key))
            return -E2BIG;
        c->key[k++] = '\x1f';
        memcpy(c->key + k, name, nl);
        k += nl;
        c->key[k++] = '\x1e';
        memcpy(c->key + k, t->value.p, t->value.n);
        k += t->value.n;
    }
    *len = k;
    return 0;
}

static const char *statsd_suffix(enum statsd_type t, const char *base)
{
    size_t n = strlen(base);
    if (t == STATSD_COUNTER)
        return (n >= 6 && strcmp(base + n - 6, "_total") == 0) ? "" : "_total";
    if (t == STATSD_TIMER)
        return (n >= 8 && strcmp(base + n - 8, "_seconds") == 0) ? "" : "_seconds";
    return "";
}

static struct statsd_series *statsd_series_new(struct col_statsd *c, const struct statsd_line *l,
                                               size_t nlabels, uint64_t hash, size_t key_len)
{
    struct statsd_series *s = xcalloc(1, sizeof(*s));
    s->hash = hash;
    s->key = xstrndup(c->key, key_len);
    s->key_len = key_len;
    s->type = l->type;
    char base[STATSD_NAME_MAX + 16];
    int w = statsd_sanitize(l->name.p, l->name.n, true, base, sizeof(base));
    RIZK_ASSERT(w >= 0); /* statsd_key sanitized the same name into less room */
    s->metric = xasprintf("rizk_app_%s%s", base, statsd_suffix(l->type, base));
    s->nlabels = nlabels;
    s->labels = xcalloc(nlabels ? nlabels : 1, sizeof(struct label));
    for (size_t i = 0; i < nlabels; i++) {
        const struct statsd_tag *t = &l->tags[c->tag_order[i]];
        s->labels[i].name = xstrdup(c->lname[c->tag_order[i]]);
        s->labels[i].value = xstrndup(t->value.p, t->value.n);
    }
    if (statsd_is_timing(l))
        s->buckets = xcalloc(STATSD_NBOUNDS, sizeof(uint64_t));
    return s;
}

static void statsd_series_free(struct statsd_series *s)
{
    for (size_t i = 0; i < s->nlabels; i++) {
        free((char *)(uintptr_t)s->labels[i].name);
        free((char *)(uintptr_t)s->labels[i].value);
    }
    free(s->labels);
    free(s->buckets);
    free(s->metric);
    free(s->key);
    free(s);
}

/* statsd_series_find returns the series of line l, creating it under the cap; NULL when the
 * cap refused it (counted) or *why says the tags are bad. */
static struct statsd_series *statsd_series_find(struct col_statsd *c, const struct statsd_line *l,
                                                enum statsd_reason *why)
{
    int nl = statsd_label_names(c, l);
    size_t key_len;
    if (nl < 0 || statsd_key(c, l, (size_t)nl, &key_len) < 0) {
        *why = nl < 0 ? STATSD_BAD_TAGS : STATSD_TOO_LONG;
        return NULL;
    }
    uint64_t h = statsd_hash(c->key, key_len, 14695981039346656037ULL);
    size_t i = (size_t)h & c->table_mask;
    for (;;) {
        struct statsd_series *s = c->table[i];
        if (s == NULL)
            break;
        if (s->hash == h && s->key_len == key_len && memcmp(s->key, c->key, key_len) == 0)
            return s;
        i = (i + 1) & c->table_mask;
    }
    if (c->nseries >= c->max_series) {
        c->dropped[DROP_MAX_SERIES]++;
        return NULL;
    }
    struct statsd_series *s = statsd_series_new(c, l, (size_t)nl, h, key_len);
    c->table[i] = s;
    c->order[c->nseries++] = s;
    return s;
}

static void statsd_set_add(struct col_statsd *c, struct statsd_series *s, struct statsd_span v)
{
    if (c->sets == NULL)
        c->sets = xcalloc(STATSD_SET_SLOTS, sizeof(uint64_t));
    uint64_t h = statsd_hash(&s, sizeof(s), 14695981039346656037ULL);
    h = statsd_hash(v.p, v.n, h) | 1;
    size_t i = (size_t)h & (STATSD_SET_SLOTS - 1);
    while (c->sets[i] != 0) {
        if (c->sets[i] == h)
            return;
        i = (i + 1) & (STATSD_SET_SLOTS - 1);
    }
    if (c->sets_used >= STATSD_SET_SLOTS / 2) {
        c->dropped[DROP_SET_CAPACITY]++;
        return;
    }
    c->sets[i] = h;
    c->sets_used++;
    s->value += 1;
}

static void statsd_observe(struct statsd_series *s, double v, uint64_t w)
{
    size_t b = 0;
    while (b < STATSD_NBOUNDS && !(v <= statsd_bounds[b]))
        b++;
    if (b < STATSD_NBOUNDS)
        s->buckets[b] += w;
    s->count += w;
    s->sum += v * (double)w;
}

static enum statsd_reason statsd_app_apply(struct col_statsd *c, const struct statsd_line *l)
{
    if (l->type == STATSD_COUNTER)
        for (size_t i = 0; i < l->nvalues; i++)
            if (l->values[i] < 0)
                return STATSD_BAD_VALUE; /* a Prometheus counter never goes down */
    enum statsd_reason why = STATSD_OK;
    struct statsd_series *s = statsd_series_find(c, l, &why);
    if (s == NULL)
        return why;
    switch (l->type) {
    case STATSD_COUNTER:
        for (size_t i = 0; i < l->nvalues; i++)
            s->value += l->values[i] / l->rate;
        break;
    case STATSD_GAUGE:
        for (size_t i = 0; i < l->nvalues; i++)
            s->value = (l->relative & (1u << i)) ? s->value + l->values[i] : l->values[i];
        break;
    case STATSD_SET:
        statsd_set_add(c, s, l->set_value);
        break;
    default: {
        uint64_t w = statsd_weight(l->rate);
        double scale = l->type == STATSD_TIMER ? 1.0 / 1000.0 : 1.0;
        for (size_t i = 0; i < l->nvalues; i++)
            statsd_observe(s, l->values[i] * scale, w);
        break;
    }
    }
    return STATSD_OK;
}

/* statsd_check_apply records a service check's status under its name (a linear search: at
 * most STATSD_MAX_CHECKS names, and checks come a few a minute). */
static void statsd_check_apply(struct col_statsd *c, const struct statsd_line *l)
{
    c->check_lines[l->status]++;
    if (l->name.n >= STATSD_NAME_MAX) {
        c->dropped[DROP_MAX_CHECKS]++;
        return;
    }
    for (size_t i = 0; i < c->nchecks; i++) {
        struct statsd_check *k = &c->checks[i];
        if (strlen(k->name) == l->name.n && memcmp(k->name, l->name.p, l->name.n) == 0) {
            k->status = l->status;
            return;
        }
    }
    if (c->nchecks == STATSD_MAX_CHECKS) {
        c->dropped[DROP_MAX_CHECKS]++;
        return;
    }
    if (c->checks == NULL)
        c->checks = xcalloc(STATSD_MAX_CHECKS, sizeof(*c->checks));
    struct statsd_check *k = &c->checks[c->nchecks++];
    memcpy(k->name, l->name.p, l->name.n);
    k->name[l->name.n] = '\0';
    k->status = l->status;
}

/* statsd_line_apply handles one line; c->line is scratch. */
static void statsd_line_apply(struct col_statsd *c, const char *p, size_t n)
{
    struct statsd_line *l = &c->line;
    enum statsd_reason why;
    c->lines++;
    if (parse_statsd_line(p, n, l, &why) < 0) {
        c->malformed[why]++;
        return;
    }
    if (l->kind == STATSD_KIND_EVENT) {
        c->events[l->alert]++;
        return;
    }
    if (l->kind == STATSD_KIND_SERVICE_CHECK) {
        statsd_check_apply(c, l);
        return;
    }
    enum statsd_known k = KNOWN_NONE;
    if (l->name.n > c->prefix_len && memcmp(l->name.p, c->prefix, c->prefix_len) == 0)
        k = statsd_known_name(l->name.p + c->prefix_len, l->name.n - c->prefix_len);
    if (k != KNOWN_NONE && c->app != NULL)
        why = statsd_known_apply(c, k, l);
    else
        why = statsd_app_apply(c, l);
    if (why != STATSD_OK)
        c->malformed[why]++;
}

static void statsd_datagram(struct col_statsd *c, const char *p, size_t n)
{
    const char *end = p + n;
    struct statsd_span line;
    while (parse_statsd_next_line(&p, end, &line))
        statsd_line_apply(c, line.p, line.n);
}

static void col_statsd_on_readable(void *ctx)
{
    struct col_statsd *c = ctx;
    for (int k = 0; k < STATSD_BATCHES_PER_CALL; k++) {
        int n = udp_recv_batch(c->fd, c->batch);
        if (n <= 0)
            return;
        for (int i = 0; i < n; i++) {
            size_t len;
            int trunc;
            const char *d = udp_batch_at(c->batch, (size_t)i, &len, &trunc);
            c->packets++;
            if (trunc) {
                /* the last line is cut: drop the whole datagram rather than guess */
                c->dropped[DROP_TRUNCATED]++;
                continue;
            }
            statsd_datagram(c, d, len);
        }
        if (n < STATSD_BATCH)
            return;
    }
}

static int col_statsd_event_fd(void *ctx)
{
    struct col_statsd *c = ctx;
    return c->fd;
}

/* ---- collect ---- */

static void statsd_emit_series(struct col_statsd *c, struct sample_sink *out,
                               struct statsd_series *s)
{
    int rc;
    switch (s->type) {
    case STATSD_COUNTER:
        rc = sink_counter(out, s->metric, "statsd counter (rizk_app_*).", s->labels, s->nlabels,
                          s->value);
        break;
    case STATSD_GAUGE:
        rc = sink_gauge(out, s->metric, "statsd gauge (rizk_app_*).", s->labels, s->nlabels,
                        s->value);
        break;
    case STATSD_SET:
        rc = sink_gauge(out, s->metric, "statsd set: distinct values in the last interval.",
                        s->labels, s->nlabels, s->value);
        s->value = 0;
        break;
    default: {
        uint64_t cum[STATSD_NBOUNDS], acc = 0;
        for (size_t i = 0; i < STATSD_NBOUNDS; i++) {
            acc += s->buckets[i];
            cum[i] = acc;
        }
        struct histogram h = {.nbuckets = STATSD_NBOUNDS,
                              .bounds = (double *)(uintptr_t)statsd_bounds,
                              .counts = cum,
                              .count = s->count,
                              .sum = s->sum};
        rc = sink_histogram(out, s->metric,
                            s->type == STATSD_TIMER ? "statsd timer, in seconds (rizk_app_*)."
                                                    : "statsd histogram (rizk_app_*).",
                            s->labels, s->nlabels, &h);
        break;
    }
    }
    if (rc == -EINVAL && !s->conflict) {
        s->conflict = true;
        c->dropped[DROP_TYPE_CONFLICT]++;
    }
}

static void statsd_emit_self(struct col_statsd *c, struct sample_sink *out)
{
    sink_counter(out, "rizk_statsd_packets_total", "statsd datagrams received.", NULL, 0,
                 (double)c->packets);
    sink_counter(out, "rizk_statsd_lines_total",
                 "statsd lines received (valid, malformed and dropped).", NULL, 0,
                 (double)c->lines);
    for (int r = STATSD_OK + 1; r < STATSD_REASONS; r++) {
        struct label l = {"reason", statsd_reason_name((enum statsd_reason)r)};
        sink_counter(out, "rizk_statsd_malformed_lines_total",
                     "statsd lines skipped because they could not be used, by reason.", &l, 1,
                     (double)c->malformed[r]);
    }
    for (int r = 0; r < DROPS; r++) {
        struct label l = {"reason", statsd_drop_names[r]};
        sink_counter(out, "rizk_statsd_dropped_total",
                     "statsd lines or datagrams dropped, by reason (series cap, truncated or "
                     "kernel-dropped datagrams, set capacity, type conflicts).",
                     &l, 1, (double)c->dropped[r]);
    }
    for (int a = 0; a < STATSD_ALERTS; a++) {
        struct label l = {"alert_type", statsd_alert_name((enum statsd_alert)a)};
        sink_counter(out, "rizk_statsd_events_total",
                     "DogStatsD events (_e{) received, by alert type.", &l, 1,
                     (double)c->events[a]);
    }
    for (int st = 0; st < STATSD_CHECK_STATUSES; st++) {
        struct label l = {"status", statsd_check_status_name((enum statsd_check_status)st)};
        sink_counter(out, "rizk_statsd_service_checks_total",
                     "DogStatsD service checks (_sc|) received, by status.", &l, 1,
                     (double)c->check_lines[st]);
    }
    for (size_t i = 0; i < c->nchecks; i++) {
        struct label l = {"check", c->checks[i].name};
        sink_gauge(out, "rizk_statsd_service_check_status",
                   "Last status of each DogStatsD service check: 0 ok, 1 warning, 2 critical, "
                   "3 unknown.",
                   &l, 1, (double)c->checks[i].status);
    }
    sink_gauge(out, "rizk_statsd_series", "rizk_app_* series held by the statsd listener.", NULL, 0,
               (double)c->nseries);
    sink_gauge(out, "rizk_statsd_max_series", "--statsd.max-series.", NULL, 0,
               (double)c->max_series);
}

static int col_statsd_collect(void *ctx, struct sample_sink *out)
{
    struct col_statsd *c = ctx;
    uint64_t drops;
    if (c->fd < 0)
        return 0;
    if (udp_drops(c->fd, &drops) == 0) {
        /* SK_MEMINFO_DROPS is a u32 that wraps; count increments only */
        if (c->have_kernel_drops)
            c->dropped[DROP_RECEIVE_BUFFER] += (uint32_t)(drops - c->kernel_drops_last);
        else
            c->dropped[DROP_RECEIVE_BUFFER] += drops;
        c->kernel_drops_last = drops;
        c->have_kernel_drops = true;
    }
    statsd_emit_self(c, out);
    for (size_t i = 0; i < c->nseries; i++)
        statsd_emit_series(c, out, c->order[i]);
    if (c->sets != NULL && c->sets_used > 0) {
        memset(c->sets, 0, STATSD_SET_SLOTS * sizeof(uint64_t));
        c->sets_used = 0;
    }
    sink_source(out, "statsd", true);
    return 0;
}

static void col_statsd_destroy(void *ctx)
{
    struct col_statsd *c = ctx;
    if (c == NULL)
        return;
    if (c->fd >= 0)
        close(c->fd);
    for (size_t i = 0; i < c->nseries; i++)
        statsd_series_free(c->order[i]);
    free(c->order);
    free(c->table);
    free(c->sets);
    free(c->checks);
    udp_batch_free(c->batch);
    free(c);
}

static int col_statsd_init(const struct config *cfg, void **ctx)
{
    struct col_statsd *c = xcalloc(1, sizeof(*c));
    c->fd = -1;
    if (cfg->statsd_listen_address == NULL || cfg->statsd_listen_address[0] == '\0') {
        /* An empty address disables the listener: no fd for the loop, nothing collected. */
        log_info("statsd", "listener disabled (--statsd.listen-address is empty)");
        *ctx = c;
        return 0;
    }
    c->prefix = cfg->statsd_prefix;
    c->prefix_len = strlen(cfg->statsd_prefix);
    c->max_series = (size_t)cfg->statsd_max_series;
    size_t cap = 16;
    while (cap < 2 * c->max_series + 2)
        cap *= 2;
    c->table = xcalloc(cap, sizeof(*c->table));
    c->table_mask = cap - 1;
    c->order = xcalloc(c->max_series ? c->max_series : 1, sizeof(*c->order));
    int rc = udp_listen(cfg->statsd_listen_address, STATSD_RCVBUF, &c->fd);
    if (rc < 0) {
        log_error("statsd", "cannot listen on udp %s: %s", cfg->statsd_listen_address, err_str(rc));
        col_statsd_destroy(c);
        return rc;
    }
    c->batch = udp_batch_new(STATSD_BATCH, STATSD_DGRAM_MAX);
    log_info("statsd", "listening on udp %s (port %u)", cfg->statsd_listen_address,
             udp_port(c->fd));
    *ctx = c;
    return 0;
}

static void col_statsd_bind(void *ctx, struct app_stats *stats)
{
    struct col_statsd *c = ctx;
    c->app = stats;
}

const struct collector_type col_statsd_type = {
    .name = "statsd",
    .help = "statsd/DogStatsD UDP listener (--statsd.*): the app's request, error, timing, "
            "connection and cache stats, other names as rizk_app_*",
    .default_enabled = true,
    .init = col_statsd_init,
    .collect = col_statsd_collect,
    .event_fd = col_statsd_event_fd,
    .on_readable = col_statsd_on_readable,
    .destroy = col_statsd_destroy,
    .bind_app_stats = col_statsd_bind,
};
