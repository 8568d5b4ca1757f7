/* Fleet aggregates: the external metrics API (external.metrics.k8s.io/v1beta1) and the same
 * number as plain JSON for KEDA's metrics-api scaler (/api/v1/fleet/{ns}/{signal}). A signal
 * that is a rate or a count (requests per second, active connections) is summed over the
 * matching pods; a ratio or a time (error, cache hit, CPU, memory ratios, response times and
 * their quantiles) is averaged, unweighted. Pure. */
#ifndef RIZK_K8S_EXTERNAL_METRICS_H
#define RIZK_K8S_EXTERNAL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "k8s/custom_metrics.h"

enum external_agg { EXTERNAL_SUM = 0, EXTERNAL_MEAN };

struct external_value {
    double value;
    size_t pods;       /* how many pods contributed */
    int64_t t_ms;      /* newest contribution */
    int64_t window_ms; /* longest window among them */
    enum external_agg agg;
};

/* external_aggregation tells how signal (enum sig_id) aggregates. thread: any. */
enum external_agg external_aggregation(int signal);
/* external_agg_name returns "sum" or "mean". */
const char *external_agg_name(enum external_agg a);

/* external_aggregate folds items[0..n) of signal into *out. Errors: -ENOENT when n is 0 (no
 * value is not 0). thread: any. */
int external_aggregate(int signal, const struct k8s_item *items, size_t n,
                       struct external_value *out);

/* external_metrics_render appends an ExternalMetricValueList for metric holding one item
 * (the aggregate), or no item when v is NULL. Errors: -E2BIG (out freed). thread: any. */
int external_metrics_render(struct buf *out, const char *metric, const struct external_value *v);

/* external_fleet_render appends the KEDA document: {"namespace","metric","aggregation",
 * "value","pods","timestamp","windowSeconds"}. Errors: -E2BIG. thread: any. */
int external_fleet_render(struct buf *out, const char *ns, const char *metric,
                          const struct external_value *v);

#endif
