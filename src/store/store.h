/* The history store: one ring per history series (enum hist_series), all allocated when the
 * store is created, appended to by the sampler once per tick, and queried over time windows by
 * any thread. Queries take the window's end (now_ms) as a parameter and never read a clock, so
 * they are pure functions of the store's contents.
 *
 * Window convention: a window of window_ms ending at now_ms holds the samples with
 * now_ms - window_ms < t_ms <= now_ms (open at the start, closed at the end, like Prometheus 3
 * range selectors), so back-to-back windows never count a sample twice. NaN samples are stored
 * but skipped by every aggregate. Time is whatever clock the sampler appends with; it must not
 * go backwards per series (see ring_push). Wall time at start plus monotonic elapsed time gives
 * Unix timestamps for the history API that an NTP step cannot send backwards. */
#ifndef RIZK_STORE_STORE_H
#define RIZK_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/ring.h"
#include "store/series.h"

struct store;

/* store_new creates a store keeping `slots` samples per series (config_history_slots(cfg); each
 * ring is rounded up to a power of two). *out is owned by the caller (store_free).
 * Errors: -EINVAL when slots is 0 or above RING_CAP_MAX. thread: main or sampler, before any
 * reader exists. */
int store_new(uint64_t slots, struct store **out);
/* store_free releases the store and its rings. NULL-safe. No reader may still use it. */
void store_free(struct store *s);

/* store_append appends (t_ms, v) to series id (NaN allowed: "no value this tick").
 * Errors: -ERANGE when t_ms is earlier than the series' newest sample (nothing stored).
 * thread: sampler only. */
int store_append(struct store *s, enum hist_series id, int64_t t_ms, double v);

/* store_capacity returns the samples kept per series (after power-of-two rounding). thread: any. */
uint64_t store_capacity(const struct store *s);
/* store_count returns how many samples were ever appended to id. thread: any. */
uint64_t store_count(const struct store *s, enum hist_series id);
/* store_memory_bytes returns the bytes held by the store (fixed after store_new). thread: any. */
size_t store_memory_bytes(const struct store *s);

/* Window queries over (now_ms - window_ms, now_ms], skipping NaN samples. On success they write
 * *out and return 0; otherwise *out is untouched. Errors, for all of them: -EINVAL when
 * window_ms <= 0; -ENODATA when the window holds no (for rate and increase: fewer than two)
 * non-NaN samples, or for rate when those samples share one timestamp; -EAGAIN when a read lost
 * RING_READ_TRIES races with the writer (see ring.h). id must be a valid series.
 * None allocates; each is O(log capacity + samples in the window). thread: any. */

/* store_last gives the newest non-NaN value in the window. */
int store_last(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
               double *out);
/* store_avg gives the arithmetic mean of the window's values. */
int store_avg(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
              double *out);
/* store_min and store_max give the extremes of the window's values. */
int store_min(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
              double *out);
int store_max(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
              double *out);
/* store_increase gives how much a counter grew between the window's first and last samples.
 * Counter resets are handled like Prometheus increase(): when a value drops, the new value is
 * taken as the increase since the reset. No extrapolation to the window's edges. */
int store_increase(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
                   double *out);
/* store_rate gives store_increase per second of time between the first and last samples. */
int store_rate(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
               double *out);
/* store_delta is last - first over the window, with no reset handling (for counters that only
 * restart with the process, where a small step back is noise, not a reset); may be negative.
 * Errors as store_increase. thread: any. */
int store_delta(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
                double *out);

/* store_copy_window copies the raw samples of the window (NaN included) into out (caller-owned,
 * room for max), oldest first; when more match, the newest max. Returns how many were copied
 * (0 for an empty window), -EINVAL when window_ms <= 0, -EAGAIN as above. For the history API.
 * thread: any. */
int store_copy_window(const struct store *s, enum hist_series id, int64_t now_ms, int64_t window_ms,
                      struct ring_sample *out, size_t max);

/* store_sample_window copies the window's raw samples (NaN included) into out (caller-owned,
 * room for max >= 1), oldest first: all of them when they fit, else max of them evenly spaced
 * by index, the oldest and the newest always included (max 1: the newest). *in_window gets how
 * many the window held. Returns how many were copied, -EINVAL (window_ms <= 0 or max 0) or
 * -EAGAIN as above. Two passes (count, then pick) with no allocation: a sample appended in
 * between can shift the pick by one. For the history API. thread: any. */
int store_sample_window(const struct store *s, enum hist_series id, int64_t now_ms,
                        int64_t window_ms, struct ring_sample *out, size_t max,
                        uint64_t *in_window);

#endif
