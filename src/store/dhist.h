/* The duration-histogram accumulator behind rizk_request_duration_seconds: classic buckets (the
 * Prometheus DefBuckets) and a native (sparse exponential) histogram from the same observations,
 * exported as a struct histogram (store/mset.h) that the protobuf renderer sends as a native
 * histogram and the text renderers as a classic one.
 *
 * Native part, as client_golang 1.16 computes it (prometheus-formats.md §3.4): start at schema
 * DHIST_SCHEMA, zero bucket |v| <= DHIST_ZERO_THRESHOLD (2^-128, client_golang's default and
 * > 0 so Prometheus 2.42 detects the histogram as native), negative values in the negative
 * buckets, NaN in count and sum only (the sum becomes NaN, as in client_golang), +-Inf in the
 * bucket after the one holding +-DBL_MAX.
 *
 * Bounded memory: at most max_buckets (DHIST_MAX_BUCKETS = 160, client_golang's customary
 * NativeHistogramMaxBucketNumber) populated buckets per sign. When an observation would exceed
 * that, the resolution is halved (schema--, each pair of buckets merged into one, both signs) until
 * it fits, as client_golang's doubleBucketWidth does; resolution never comes back for the life of
 * the accumulator. The cap counts each sign on its own (client_golang counts both together) so
 * that it can always be met: at schema -4 a sign spans at most 133 buckets over all doubles.
 *
 * Classic-only data (dhist_add_buckets) cannot be placed in native buckets without inventing
 * where inside a classic bucket each observation fell. Rather than lie, the first non-empty
 * classic-only addition switches the accumulator to classic-only for good: from then on
 * dhist_export reports has_native false, protobuf carries the classic buckets alone and
 * Prometheus ingests _bucket/_count/_sum series (the native series goes stale once, on the switch).
 *
 * Ownership and thread: a dhist is owned by one thread (the sampler) and is not locked. */
#ifndef RIZK_STORE_DHIST_H
#define RIZK_STORE_DHIST_H

#include <stddef.h>
#include <stdint.h>

#include "store/mset.h"

#define DHIST_SCHEMA 3
#define DHIST_MAX_BUCKETS 160
#define DHIST_ZERO_THRESHOLD 0x1p-128
/* Prometheus DefBuckets, in seconds. */
#define DHIST_NBOUNDS 11
#define DHIST_BOUNDS                                                                               \
    {                                                                                              \
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10                                    \
    }

struct dhist;

/* dhist_new creates an empty accumulator: classic bounds DHIST_BOUNDS, native schema
 * DHIST_SCHEMA, zero threshold DHIST_ZERO_THRESHOLD, DHIST_MAX_BUCKETS per sign. The caller
 * frees it with dhist_free. Returns 0 (allocation failure aborts, xalloc). */
int dhist_new(struct dhist **out);

/* dhist_new_schema is dhist_new with another starting schema (HISTOGRAM_SCHEMA_MIN..MAX) and
 * per-sign cap (>= 1; the cap can only be exceeded at schema -4, which needs fewer than 134).
 * For tests, the fuzzer and tuning. Errors: -EINVAL outside those ranges (*out untouched). */
int dhist_new_schema(int32_t schema, size_t max_buckets, struct dhist **out);

/* dhist_free releases h. NULL-safe. */
void dhist_free(struct dhist *h);

/* dhist_observe records n observations of v (n == 0: nothing): classic and native buckets, sum
 * (+= v * n) and count. Never fails; may lower the native schema (see above). */
void dhist_observe(struct dhist *h, double v, uint64_t n);

/* Positive, not an error: dhist_add_buckets folded buckets (the given bounds do not include all
 * of ours), so our classic counts are lower bounds for those observations. */
#define DHIST_FOLDED 1

/* dhist_add_buckets adds classic-bucket data without native information (pulled or pushed
 * totals of new observations): nb bounds strictly ascending and not NaN (a last bound of +Inf is
 * allowed and must carry count; none at all means every observation is above our bounds),
 * cum_counts cumulative (non-decreasing, <= count), count and sum (any double, NaN included).
 * Each given bucket is added to the smallest of our buckets that contains it: our cumulative
 * count at bound B grows by the given one at the largest given bound <= B. That is exact when
 * every one of our bounds is among the given ones (DefBuckets, or a finer set containing them),
 * and otherwise never counts an observation below its true value: a quantile estimated from
 * folded buckets errs high, never low, which is the safe side for latency and scaling. Returns
 * 0 when exact, DHIST_FOLDED when folded. With count > 0 the accumulator becomes classic-only
 * (see above). Errors: -EINVAL for malformed input, and nothing changes then. */
int dhist_add_buckets(struct dhist *h, const double *bounds, const uint64_t *cum_counts, size_t nb,
                      uint64_t count, double sum);

/* dhist_export fills *out (every field) with the current state: classic bounds and cumulative
 * counts, count, sum and, unless classic-only, the native part. The pointers in *out borrow h's
 * storage and stay valid until the next dhist call on h (mset_add_histogram copies them). */
void dhist_export(const struct dhist *h, struct histogram *out);

/* dhist_count / dhist_sum return the number (NaN included) and the sum of all observations. */
uint64_t dhist_count(const struct dhist *h);
double dhist_sum(const struct dhist *h);

/* dhist_schema returns the current native schema (lower than the start once the cap was hit). */
int32_t dhist_schema(const struct dhist *h);

/* dhist_index returns the native bucket index of |v| at schema (HISTOGRAM_SCHEMA_MIN..MAX) for a
 * finite non-zero or infinite v: ceil(log2|v| * 2^schema), exact at powers of two, +-Inf one past
 * +-DBL_MAX. Pure; exposed for the unit tests and the fuzzer. */
int32_t dhist_index(int32_t schema, double v);

#endif
