/* A histogram window: per-tick copies of a classic histogram's cumulative bucket counts in a
 * small ring, so quantiles over --signals.window can be taken from the window's delta (what
 * histogram_quantile(q, increase(h[window])) does in PromQL). Bounded: at most
 * HWINDOW_MAX_SLOTS snapshots of at most HWINDOW_MAX_BUCKETS buckets, allocated at creation;
 * when window / interval needs more slots, snapshots are thinned to every k-th tick.
 * Owned by the sampler thread. */
#ifndef RIZK_STORE_HWINDOW_H
#define RIZK_STORE_HWINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "store/mset.h"

#define HWINDOW_MAX_SLOTS 1024
#define HWINDOW_MAX_BUCKETS 64

struct hwindow;

/* hwindow_new sizes the ring for window_ms at one snapshot per interval_ms (both > 0).
 * Caller frees with hwindow_free. */
int hwindow_new(int64_t window_ms, int64_t interval_ms, struct hwindow **out);
void hwindow_free(struct hwindow *w);

/* hwindow_push records h at t_ms (non-decreasing). A histogram with other bounds than the
 * previous snapshots (or more than HWINDOW_MAX_BUCKETS) restarts the window. Counts that go
 * down (a reset) restart it too. */
void hwindow_push(struct hwindow *w, int64_t t_ms, const struct histogram *h);

/* hwindow_delta writes into out the increase between the oldest snapshot in
 * (now_ms - window_ms, now_ms] and the newest: out->bounds points at the window's bounds
 * (valid until the next push), out->counts at counts (caller storage, HWINDOW_MAX_BUCKETS).
 * -ENODATA with fewer than two snapshots in the window. */
int hwindow_delta(const struct hwindow *w, int64_t now_ms, int64_t window_ms, uint64_t *counts,
                  struct histogram *out);

#endif
