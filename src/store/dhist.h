/* A duration-histogram accumulator: cumulative classic buckets (Prometheus DefBuckets,
 * 0.005 .. 10 s) fed by raw observations or by classic-bucket deltas from pull and push.
 *
 * NOTE: minimal local version written on branch `app` against the API agreed with the protobuf
 * branch, which owns this module (its version adds the native schema-3 buckets). The integrator
 * keeps the proto branch's files; nothing on branch `app` depends on anything beyond this API.
 * Owned by one thread (the sampler). */
#ifndef RIZK_STORE_DHIST_H
#define RIZK_STORE_DHIST_H

#include <stddef.h>
#include <stdint.h>

#include "store/mset.h"

struct dhist;

/* dhist_new creates an empty histogram with the default classic bounds. Caller frees. */
int dhist_new(struct dhist **out);
void dhist_free(struct dhist *h);

/* dhist_observe records n observations of value v (n > 1 for sampled statsd timings). */
void dhist_observe(struct dhist *h, double v, uint64_t n);

/* dhist_add_buckets adds a classic-bucket delta: bounds ascending (nb of them, +Inf implied),
 * cum_counts cumulative, count the +Inf count, sum the sum of the observations. Buckets whose
 * bounds are not ours are folded into the smallest of our buckets that contains them.
 * Errors: -EINVAL (bounds not ascending, counts decreasing, count < last cumulative count);
 * nothing is added then. */
int dhist_add_buckets(struct dhist *h, const double *bounds, const uint64_t *cum_counts, size_t nb,
                      uint64_t count, double sum);

/* dhist_export fills the classic part of *out; its pointers are valid until the next dhist
 * call on h. */
void dhist_export(const struct dhist *h, struct histogram *out);

uint64_t dhist_count(const struct dhist *h);
double dhist_sum(const struct dhist *h);

#endif
