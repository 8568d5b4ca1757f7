/* A fixed-capacity ring of timestamped samples: one writer (the sampler), any number of readers
 * in any thread. The capacity is exactly what was asked for (not rounded up; see ring.c) and
 * allocated once; a uint64_t write count picks the slot (count % capacity), so the number of
 * valid samples is min(count, capacity). A sample takes 12 bytes: its value, and its time as a
 * 32-bit millisecond offset from a per-ring base. Readers go through a per-ring seqlock
 * (ck_sequence discipline): they never block the writer, never see a torn sample, and retry when
 * a write overlapped their read. */
#ifndef RIZK_STORE_RING_H
#define RIZK_STORE_RING_H

#include <stddef.h>
#include <stdint.h>

/* Largest capacity ring_new accepts (16 Mi slots, 192 MiB): a bound on config mistakes. */
#define RING_CAP_MAX ((uint64_t)1 << 24)

/* How many times a reader retries a read section that overlapped a write before giving up with
 * -EAGAIN. At one push per tick a retry is rare; the bound only stops a reader from spinning
 * forever against a writer that never pauses (tests). */
#define RING_READ_TRIES 100000

/* Times are kept exactly for samples at most this far behind the newest one (2^31 ms, about
 * 24.8 days). Only a ring whose samples span more than that (a clock jump, or a series pushed
 * that rarely) is affected: when the time offsets must be rebased, samples older than
 * newest - RING_EXACT_SPAN_MS keep their value and order but read back with the time
 * newest - RING_EXACT_SPAN_MS (they are never moved past a newer sample). Retention is at most
 * 7 days, so no window the store is asked for reaches them. */
#define RING_EXACT_SPAN_MS ((int64_t)1 << 31)

/* One sample, as redis's latencySample: time in milliseconds (the caller's clock) and value. */
struct ring_sample {
    int64_t t_ms;
    double v;
};

struct ring;

/* ring_new allocates a ring holding the last `capacity` samples (exactly that many); all memory
 * is reserved here, never later. *out is owned by the caller (ring_free).
 * Errors: -EINVAL when capacity is 0 or above RING_CAP_MAX. thread: any (before sharing). */
int ring_new(uint64_t capacity, struct ring **out);
/* ring_free releases r. NULL-safe. No reader may still use r. thread: the owner. */
void ring_free(struct ring *r);

/* ring_push appends (t_ms, v), overwriting the oldest sample once full. O(1), except when t_ms is
 * 2^32 - 1 ms or more past the ring's base time (about 49.7 days of pushes, or a clock jump): the
 * time offsets are then rebased, O(capacity), which leaves at least RING_EXACT_SPAN_MS before the
 * next rebase. Any v is stored, NaN included. Times must not go backwards, so that window reads
 * can bisect: a t_ms earlier than the newest sample's is refused with -ERANGE and nothing is
 * stored.
 * thread: the single writer (sampler); never concurrently with another ring_push. */
int ring_push(struct ring *r, int64_t t_ms, double v);

/* ring_capacity returns the capacity given to ring_new. thread: any. */
uint64_t ring_capacity(const struct ring *r);
/* ring_count returns how many samples were ever pushed (not capped by the capacity); the ring
 * holds min(count, capacity) of them. The value may be stale as soon as it returns.
 * thread: any. */
uint64_t ring_count(const struct ring *r);
/* ring_memory_bytes returns the bytes reserved for r: a small header and 12 bytes per slot
 * (8 for the value, 4 for the time offset). Pages no sample was written to yet cost no RSS.
 * thread: any. */
size_t ring_memory_bytes(const struct ring *r);

/* ring_last writes the newest sample to *out (NaN values included).
 * Errors: -ENODATA when the ring is empty, -EAGAIN after RING_READ_TRIES torn reads.
 * thread: any. */
int ring_last(const struct ring *r, struct ring_sample *out);

/* ring_copy_window copies the samples with since_t_ms <= t_ms <= until_t_ms into out
 * (caller-owned, room for max), oldest first, and returns how many it copied. When more than max
 * match, the newest max are copied. Pass INT64_MAX as until_t_ms for "up to the newest".
 * Returns 0 for an empty ring or window; -EAGAIN after RING_READ_TRIES torn reads (out is then
 * unspecified). thread: any. */
int ring_copy_window(const struct ring *r, int64_t since_t_ms, int64_t until_t_ms,
                     struct ring_sample *out, size_t max);

/* A reducer for ring_fold_window: called once per sample, oldest first, inside a read section.
 * It may only update *acc: the read may be torn and thrown away, so it must not act on values
 * (no I/O, no pointers derived from them). typedef: function-pointer type (STYLE 3.4). */
typedef void (*ring_fold_fn)(void *acc, const struct ring_sample *s);

/* ring_fold_window runs fn over the samples with since_t_ms <= t_ms <= until_t_ms, oldest
 * first, without copying them. acc (acc_size bytes, caller-owned) is reset from init before
 * every attempt, so on success it holds the fold of one consistent view of the ring.
 * Errors: -EAGAIN after RING_READ_TRIES torn reads (acc then unspecified). thread: any. */
int ring_fold_window(const struct ring *r, int64_t since_t_ms, int64_t until_t_ms, ring_fold_fn fn,
                     void *acc, const void *init, size_t acc_size);

#endif
