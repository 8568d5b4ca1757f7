/* The custom metrics API (custom.metrics.k8s.io v1beta1 and v1beta2): which of the fleet's pods
 * answer a query, and the MetricValueList that carries their values. Pure: decoded fleet
 * snapshots in, items and JSON out (reference/k8s-custom-metrics.md 1.3, 1.4). */
#ifndef RIZK_K8S_CUSTOM_METRICS_H
#define RIZK_K8S_CUSTOM_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "k8s/router.h"
#include "rizk/v1/fleet.pb-c.h"

struct selector;

/* One pod's value of one signal. Strings borrowed from the snapshot they came from. */
struct k8s_item {
    const char *ns;
    const char *pod;
    double value;
    int64_t t_ms;      /* when the pod computed it (Unix ms) */
    int64_t window_ms; /* the window it was computed over */
    int64_t stale_ms;  /* when it goes stale and leaves the answers (Unix ms) */
};

/* Which pods answer: every field borrowed for the call. */
struct k8s_pod_filter {
    const char *ns;
    const char *pod;            /* NULL: every pod (pods/ *) */
    int signal;                 /* enum sig_id */
    const struct selector *sel; /* NULL: every pod */
    int64_t now_ms;
    int64_t max_age_ms; /* for snapshots without a publish interval */
};

/* k8s_select_pods writes to items (room for n) one item per pod of pods[0..n) that is in
 * f->ns, is f->pod (when set), matches f->sel, has f->signal, and is not stale: its values are
 * at most 3 of its publish intervals old (f->max_age_ms when it states no interval), as
 * its registry record would have expired by then. Returns the number written; ZSET order is
 * kept. thread: any. */
size_t k8s_select_pods(const struct k8s_pod_filter *f, Rizk__V1__PodSnapshot *const *pods, size_t n,
                       struct k8s_item *items);

/* k8s_format_time writes t_ms as RFC 3339 UTC at second precision ("2025-06-01T12:00:00Z"):
 * metav1.Time's wire form. buf needs 21 bytes. thread: any. */
void k8s_format_time(int64_t t_ms, char buf[21]);

/* custom_metrics_render appends the MetricValueList of version v for metric with one item per
 * items[i] (an item whose value has no quantity form is left out). Errors: -E2BIG (out
 * freed). thread: any. */
int custom_metrics_render(struct buf *out, enum k8s_version v, const char *metric,
                          const struct k8s_item *items, size_t n);

#endif
