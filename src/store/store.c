/* The history store: an array of rings indexed by enum hist_series. Every query folds the
 * window once inside the ring's read section (ring_fold_window) into a small accumulator on the
 * stack, so a query neither allocates nor copies the window, and the writer never waits. */
#include "store/store.h"

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct store {
    uint64_t capacity;
    struct ring *rings[HS_COUNT];
};

/* Everything any query needs, computed in one pass over the non-NaN samples. */
struct window_acc {
    uint64_t n;
    double sum;
    double min;
    double max;
    struct ring_sample first;
    struct ring_sample last;
    double increase;
};

int store_new(uint64_t slots, struct store **out)
{
    if (slots == 0 || slots > RING_CAP_MAX)
        return -EINVAL;
    struct store *s = xcalloc(1, sizeof(*s));
    for (int i = 0; i < HS_COUNT; i++) {
        int rc = ring_new(slots, &s->rings[i]);
        /* slots was checked against the same bound above. */
        RIZK_ASSERT(rc == 0);
    }
    s->capacity = ring_capacity(s->rings[0]);
    *out = s;
    return 0;
}

void store_free(struct store *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < HS_COUNT; i++)
        ring_free(s->rings[i]);
    free(s);
}

static struct ring *store_ring(const struct store *s, enum hist_series id)
{
    RIZK_ASSERT((unsigned)id < HS_COUNT);
    return s->rings[id];
}

int store_append(struct store *s, enum hist_series id, int64_t t_ms, double v)
{
    return ring_push(store_ring(s, id), t_ms, v);
}

uint64_t store_capacity(const struct store *s)
{
    return s->capacity;
}

uint64_t store_count(const struct store *s, enum hist_series id)
{
    return ring_count(store_ring(s, id));
}

size_t store_memory_bytes(const struct store *s)
{
    size_t n = sizeof(*s);
    for (int i = 0; i < HS_COUNT; i++)
        n += ring_memory_bytes(s->rings[i]);
    return n;
}

/* window_fold runs inside a seqlock read section: it only touches the accumulator. */
static void window_fold(void *p, const struct ring_sample *smp)
{
    struct window_acc *a = p;
    double v = smp->v;
    if (isnan(v))
        return;
    if (a->n == 0) {
        a->first = *smp;
        a->min = v;
        a->max = v;
    } else {
        /* A drop means the counter restarted from zero: all of v accrued since the reset
         * (Prometheus rate()/increase() without extrapolation). */
        a->increase += v >= a->last.v ? v - a->last.v : v;
        if (v < a->min)
            a->min = v;
        if (v > a->max)
            a->max = v;
    }
    a->sum += v;
    a->last = *smp;
    a->n++;
}

/* window_since turns (now - window, now] into the inclusive lower bound ring reads take. */
static int window_since(int64_t now_ms, int64_t window_ms, int64_t *since)
{
    if (window_ms <= 0 || now_ms < INT64_MIN + window_ms)
        return -EINVAL;
    *since = now_ms - window_ms + 1;
    return 0;
}

static int window_scan(const struct store *s, enum hist_series id, int64_t now_ms,
                       int64_t window_ms, struct window_acc *acc)
{
    static const struct window_acc empty = {0};
    int64_t since;
    int rc = window_since(now_ms, window_ms, &since);
    if (rc < 0)
        return rc;
    return ring_fold_window(store_ring(s, id), since, now_ms, window_fold, acc, &empty,
                            sizeof(*acc));
}

/* The statistics a window query can ask for; store_stat computes one from a single scan. */
enum window_stat { WS_LAST, WS_AVG, WS_MIN, WS_MAX, WS_INCREASE, WS_RATE, WS_DELTA };

static int store_stat(const struct store *s, enum hist_series id, int64_t now_ms,
                      int64_t window_ms, enum window_stat what, double *out)
{
    struct window_acc a;
    int rc = window_scan(s, id, now_ms, window_ms, &a);
    if (rc < 0)
        return rc;
    /* Counters need two samples (and, for a rate, two distinct times); gauges need one. */
    bool counter = what == WS_INCREASE || what == WS_RATE || what == WS_DELTA;
    if (a.n == 0 || (counter && a.n < 2) || (what == WS_RATE && a.last.t_ms <= a.first.t_ms))
        return -ENODATA;
    switch (what) {
    case WS_LAST:
        *out = a.last.v;
        break;
    case WS_AVG:
        *out = a.sum / (double)a.n;
        break;
    case WS_MIN:
        *out = a.min;
        break;
    case WS_MAX:
        *out = a.max;
        break;
    case WS_INCREASE:
        *out = a.increase;
        break;
    case WS_RATE:
        *out = a.increase / ((double)(a.last.t_ms - a.first.t_ms) / 1000.0);
        break;
    case WS_DELTA:
        *out = a.last.v - a.first.v;
        break;
    }
    return 0;
}

int store_last(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
               double *out)
{
    return store_stat(s, id, now_ms, window_ms, WS_LAST, out);
}

int store_avg(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
              double *out)
{
    return store_stat(s, id, now_ms, window_ms, WS_AVG, out);
}

int store_min(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
              double *out)
{
    return store_stat(s, id, now_ms, window_ms, WS_MIN, out);
}

int store_max(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
              double *out)
{
    return store_stat(s, id, now_ms, window_ms, WS_MAX, out);
}

int store_increase(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
                   double *out)
{
    return store_stat(s, id, now_ms, window_ms, WS_INCREASE, out);
}

int store_rate(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
               double *out)
{
    return store_stat(s, id, now_ms, window_ms, WS_RATE, out);
}

int store_delta(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
                double *out)
{
    return store_stat(s, id, now_ms, window_ms, WS_DELTA, out);
}

int store_copy_window(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
                      struct ring_sample *out, size_t max)
{
    int64_t since;
    int rc = window_since(now_ms, window_ms, &since);
    if (rc < 0)
        return rc;
    return ring_copy_window(store_ring(s, id), since, now_ms, out, max);
}

static void count_fold(void *p, const struct ring_sample *smp)
{
    (void)smp;
    (*(uint64_t *)p)++;
}

/* The pick pass: out is caller memory, not derived from sample values, and every write is
 * bounded by max, so a torn (retried) pass only leaves bytes the next attempt overwrites. */
struct pick_acc {
    uint64_t i; /* index of the sample being folded */
    size_t k;   /* samples copied so far */
    uint64_t n; /* samples the count pass saw */
    size_t max;
    struct ring_sample *out;
};

/* pick_index is the k-th of max indices spread evenly over 0..n-1 (n > max >= 1). */
static uint64_t pick_index(uint64_t k, uint64_t n, uint64_t max)
{
    if (max == 1)
        return n - 1;
    return (k * (n - 1) + (max - 1) / 2) / (max - 1);
}

static void pick_fold(void *p, const struct ring_sample *smp)
{
    struct pick_acc *a = p;
    if (a->k < a->max && (a->n <= a->max || a->i == pick_index(a->k, a->n, a->max)))
        a->out[a->k++] = *smp;
    a->i++;
}

int store_sample_window(const struct store *s, enum hist_series id, int64_t now_ms,
                        int64_t window_ms, struct ring_sample *out, size_t max, uint64_t *in_window)
{
    int64_t since;
    int rc = window_since(now_ms, window_ms, &since);
    if (rc < 0)
        return rc;
    if (max == 0)
        return -EINVAL;
    const struct ring *r = store_ring(s, id);
    uint64_t n = 0;
    const uint64_t zero = 0;
    rc = ring_fold_window(r, since, now_ms, count_fold, &n, &zero, sizeof(n));
    if (rc < 0)
        return rc;
    struct pick_acc acc;
    const struct pick_acc init = {.n = n, .max = max, .out = out};
    rc = ring_fold_window(r, since, now_ms, pick_fold, &acc, &init, sizeof(acc));
    if (rc < 0)
        return rc;
    *in_window = n;
    return (int)acc.k;
}
