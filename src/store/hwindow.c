/* Histogram window ring (see hwindow.h). Slot i holds t, count, sum and nb cumulative counts in
 * one flat array; the ring index is seq % nslots. */
#include "store/hwindow.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "core/banned.h"

struct hwindow_slot {
    int64_t t_ms;
    uint64_t count;
    double sum;
};

struct hwindow {
    size_t nslots;
    int64_t min_gap_ms; /* thinning: keep a snapshot only this long after the previous one */
    uint64_t seq;       /* snapshots ever pushed since the last restart */
    size_t nb;
    double bounds[HWINDOW_MAX_BUCKETS];
    struct hwindow_slot *slots;
    uint64_t *cum; /* nslots * HWINDOW_MAX_BUCKETS */
};

int hwindow_new(int64_t window_ms, int64_t interval_ms, struct hwindow **out)
{
    if (window_ms <= 0 || interval_ms <= 0)
        return -EINVAL;
    struct hwindow *w = xcalloc(1, sizeof(*w));
    /* +2: the snapshot at the window's open start is excluded, and one more covers jitter. */
    uint64_t want = (uint64_t)(window_ms / interval_ms) + 2;
    w->nslots = want > HWINDOW_MAX_SLOTS ? HWINDOW_MAX_SLOTS : (size_t)want;
    w->min_gap_ms = want > HWINDOW_MAX_SLOTS ? window_ms / (HWINDOW_MAX_SLOTS - 2) : 0;
    w->slots = xcalloc(w->nslots, sizeof(*w->slots));
    w->cum = xcalloc(w->nslots * HWINDOW_MAX_BUCKETS, sizeof(uint64_t));
    *out = w;
    return 0;
}

void hwindow_free(struct hwindow *w)
{
    if (w == NULL)
        return;
    free(w->slots);
    free(w->cum);
    free(w);
}

static size_t hwindow_index(const struct hwindow *w, uint64_t seq)
{
    return (size_t)(seq % w->nslots);
}

/* hwindow_compatible: same bounds and nothing went down since the newest snapshot. */
static bool hwindow_compatible(const struct hwindow *w, const struct histogram *h)
{
    if (w->seq == 0 || h->nbuckets != w->nb ||
        memcmp(h->bounds, w->bounds, w->nb * sizeof(double)) != 0)
        return false;
    size_t last = hwindow_index(w, w->seq - 1);
    const uint64_t *prev = &w->cum[last * HWINDOW_MAX_BUCKETS];
    if (h->count < w->slots[last].count)
        return false;
    for (size_t i = 0; i < w->nb; i++)
        if (h->counts[i] < prev[i])
            return false;
    return true;
}

void hwindow_push(struct hwindow *w, int64_t t_ms, const struct histogram *h)
{
    if (h->nbuckets > HWINDOW_MAX_BUCKETS) {
        w->seq = 0;
        return;
    }
    if (!hwindow_compatible(w, h)) {
        w->seq = 0;
        w->nb = h->nbuckets;
        memcpy(w->bounds, h->bounds, h->nbuckets * sizeof(double));
    } else if (w->min_gap_ms > 0 &&
               t_ms - w->slots[hwindow_index(w, w->seq - 1)].t_ms < w->min_gap_ms) {
        return;
    }
    size_t i = hwindow_index(w, w->seq);
    w->slots[i].t_ms = t_ms;
    w->slots[i].count = h->count;
    w->slots[i].sum = h->sum;
    memcpy(&w->cum[i * HWINDOW_MAX_BUCKETS], h->counts, h->nbuckets * sizeof(uint64_t));
    w->seq++;
}

int hwindow_delta(const struct hwindow *w, int64_t now_ms, int64_t window_ms, uint64_t *counts,
                  struct histogram *out)
{
    if (w->seq < 2 || window_ms <= 0)
        return -ENODATA;
    uint64_t kept = w->seq < w->nslots ? w->seq : w->nslots;
    uint64_t newest = w->seq - 1, oldest = newest;
    if (w->slots[hwindow_index(w, newest)].t_ms > now_ms)
        return -ENODATA;
    /* Walk back while the previous snapshot is still inside (now - window, now]. */
    while (newest - oldest + 1 < kept &&
           w->slots[hwindow_index(w, oldest - 1)].t_ms > now_ms - window_ms)
        oldest--;
    if (oldest == newest || w->slots[hwindow_index(w, newest)].t_ms <= now_ms - window_ms)
        return -ENODATA;
    const struct hwindow_slot *a = &w->slots[hwindow_index(w, oldest)];
    const struct hwindow_slot *b = &w->slots[hwindow_index(w, newest)];
    const uint64_t *ca = &w->cum[hwindow_index(w, oldest) * HWINDOW_MAX_BUCKETS];
    const uint64_t *cb = &w->cum[hwindow_index(w, newest) * HWINDOW_MAX_BUCKETS];
    for (size_t i = 0; i < w->nb; i++)
        counts[i] = cb[i] - ca[i];
    memset(out, 0, sizeof(*out)); /* classic only: no native part */
    out->nbuckets = w->nb;
    out->bounds = (double *)(uintptr_t)w->bounds;
    out->counts = counts;
    out->count = b->count - a->count;
    out->sum = b->sum - a->sum;
    return 0;
}
