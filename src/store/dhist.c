/* Minimal classic-only duration histogram (see dhist.h: the protobuf branch owns the real one). */
#include "store/dhist.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "core/banned.h"

#define DHIST_NB 11

static const double dhist_bounds[DHIST_NB] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1,    2.5,   5,    10};

struct dhist {
    uint64_t bucket[DHIST_NB]; /* non-cumulative */
    uint64_t count;
    double sum;
    /* export scratch: cumulative counts and a copy of the bounds */
    uint64_t cum[DHIST_NB];
    double bounds[DHIST_NB];
};

int dhist_new(struct dhist **out)
{
    struct dhist *h = xcalloc(1, sizeof(*h));
    memcpy(h->bounds, dhist_bounds, sizeof(dhist_bounds));
    *out = h;
    return 0;
}

void dhist_free(struct dhist *h)
{
    free(h);
}

/* dhist_index returns the first bucket whose bound is >= v, or DHIST_NB for +Inf. */
static size_t dhist_index(double v)
{
    size_t i = 0;
    while (i < DHIST_NB && !(v <= dhist_bounds[i]))
        i++;
    return i;
}

void dhist_observe(struct dhist *h, double v, uint64_t n)
{
    size_t i = dhist_index(v);
    if (i < DHIST_NB)
        h->bucket[i] += n;
    h->count += n;
    h->sum += v * (double)n;
}

int dhist_add_buckets(struct dhist *h, const double *bounds, const uint64_t *cum_counts, size_t nb,
                      uint64_t count, double sum)
{
    for (size_t i = 0; i < nb; i++) {
        if (isnan(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1])) ||
            (i > 0 && cum_counts[i] < cum_counts[i - 1]))
            return -EINVAL;
    }
    if (nb > 0 && count < cum_counts[nb - 1])
        return -EINVAL;
    uint64_t prev = 0;
    for (size_t i = 0; i < nb; i++) {
        size_t k = dhist_index(bounds[i]);
        if (k < DHIST_NB)
            h->bucket[k] += cum_counts[i] - prev;
        prev = cum_counts[i];
    }
    h->count += count;
    h->sum += sum;
    return 0;
}

void dhist_export(const struct dhist *h, struct histogram *out)
{
    struct dhist *w = (struct dhist *)(uintptr_t)h; /* scratch only: the contents do not change */
    uint64_t c = 0;
    for (size_t i = 0; i < DHIST_NB; i++) {
        c += h->bucket[i];
        w->cum[i] = c;
    }
    out->nbuckets = DHIST_NB;
    out->bounds = w->bounds;
    out->counts = w->cum;
    out->count = h->count;
    out->sum = h->sum;
}

uint64_t dhist_count(const struct dhist *h)
{
    return h->count;
}

double dhist_sum(const struct dhist *h)
{
    return h->sum;
}
