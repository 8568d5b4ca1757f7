/* A metric set: the families and samples gathered during one tick, the input of every
 * renderer. Built by the sampler through the sample sink, then frozen into a snapshot and only
 * read afterwards (by HTTP threads, through the snapshot's reference). It owns copies of every
 * string it holds.
 *
 * Counter family names end in "_total" (the 0.0.4 TYPE name); the OpenMetrics renderer strips
 * the suffix for its family name. Histograms carry classic cumulative buckets. */
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

/* Classic histogram: bounds ascending, finite; counts cumulative and non-decreasing;
 * count is the +Inf bucket. */
struct histogram {
    size_t nbuckets;
    double *bounds;
    uint64_t *counts;
    uint64_t count;
    double sum;
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
/* mset_add_histogram appends a histogram sample (bounds/counts copied). -EINVAL on a
 * non-histogram family or bounds not ascending. */
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
