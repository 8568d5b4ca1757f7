/* A metric set: the families and samples gathered during one tick, the input of every
 * renderer. Built by the sampler through the sample sink, then frozen into a snapshot and only
 * read afterwards (by HTTP threads, through the snapshot's reference). It owns copies of every
 * string it holds.
 *
 * Counter family names end in "_total" (the 0.0.4 TYPE name); the OpenMetrics renderer strips
 * the suffix for its family name. Histograms carry classic cumulative buckets and, optionally, a
 * native (sparse exponential) part that only the protobuf renderer emits; the text formats have
 * no way to express it and keep using the classic buckets. */
#ifndef RIZK_STORE_MSET_H
#define RIZK_STORE_MSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum metric_type { METRIC_GAUGE = 0, METRIC_COUNTER, METRIC_HISTOGRAM, METRIC_UNTYPED };

struct label {
    const char *name;
    const char *value;
};

/* One populated native-histogram bucket: index i covers (base^(i-1), base^i] for positive
 * values and [-base^i, -base^(i-1)) for negative ones, base = 2^(2^-schema). */
struct native_bucket {
    int32_t index;
    uint64_t count; /* observations in this bucket alone (not cumulative) */
};

/* Native schemas Prometheus accepts, and the index range mset_add_histogram admits (wide enough
 * for every double at schema 8, narrow enough that index gaps fit a protobuf sint32). */
#define HISTOGRAM_SCHEMA_MIN (-4)
#define HISTOGRAM_SCHEMA_MAX 8
#define HISTOGRAM_INDEX_LIMIT (1 << 30)

/* Classic histogram: bounds ascending, finite; counts cumulative and non-decreasing;
 * count is the +Inf bucket.
 * Native part, meaningful only when has_native: positive/negative hold the populated buckets
 * sorted by strictly ascending index; every observation v with |v| <= zero_threshold is in
 * zero_count instead. count also covers NaN observations, which are in no bucket. Initialise
 * with designated initialisers: the native fields left out are zero (has_native false). */
struct histogram {
    size_t nbuckets;
    double *bounds;
    uint64_t *counts;
    uint64_t count;
    double sum;
    bool has_native;
    int32_t schema; /* HISTOGRAM_SCHEMA_MIN..MAX */
    double zero_threshold;
    uint64_t zero_count;
    size_t npositive;
    const struct native_bucket *positive;
    size_t nnegative;
    const struct native_bucket *negative;
};

struct msample {
    struct label *labels; /* in the order given by the collector */
    size_t nlabels;
    double value;            /* gauges, counters, untyped */
    struct histogram *histo; /* histograms only */
};

struct mfamily {
    const char *name;
    const char *help;
    enum metric_type type;
    struct msample *samples;
    size_t nsamples;
    size_t _cap;
};

struct mset;

/* mset_new returns an empty set (caller frees with mset_free). thread: any. */
struct mset *mset_new(void);
/* mset_free releases the set and everything it owns. NULL-safe. */
void mset_free(struct mset *m);

/* mset_family returns the family called name, creating it with type and help when it does not
 * exist yet. Errors: -EINVAL when it exists with another type. The pointer stays valid until
 * the set is freed. thread: the builder. */
int mset_family(struct mset *m, const char *name, enum metric_type type, const char *help,
                struct mfamily **out);
/* mset_add appends one sample with copies of the labels. Errors: -EINVAL for a histogram family. */
int mset_add(struct mset *m, struct mfamily *f, const struct label *labels, size_t nlabels,
             double value);
/* mset_add_histogram appends a histogram sample, deep-copying bounds, counts and the native
 * buckets. -EINVAL on a non-histogram family, bounds not ascending, or (has_native) a schema
 * outside HISTOGRAM_SCHEMA_MIN..MAX, a negative or NaN zero_threshold, native indices not
 * strictly ascending or beyond +-HISTOGRAM_INDEX_LIMIT. */
int mset_add_histogram(struct mset *m, struct mfamily *f, const struct label *labels,
                       size_t nlabels, const struct histogram *h);

/* Iteration, in creation order. */
size_t mset_nfamilies(const struct mset *m);
const struct mfamily *mset_family_at(const struct mset *m, size_t i);
/* mset_find returns the family called name or NULL. */
const struct mfamily *mset_find(const struct mset *m, const char *name);
/* mset_nsamples counts samples over all families. */
size_t mset_nsamples(const struct mset *m);

#endif
