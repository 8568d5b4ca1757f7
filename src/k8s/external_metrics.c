/* Fleet aggregation and its two documents. */
#include "k8s/external_metrics.h"

#include <errno.h>

#include "fleet/publish.h"
#include "k8s/quantity.h"
#include "render/jsonw.h"
#include "core/banned.h"

enum external_agg external_aggregation(int signal)
{
    return signal == SIG_REQUESTS_PER_SECOND || signal == SIG_ACTIVE_CONNECTIONS ? EXTERNAL_SUM
                                                                                 : EXTERNAL_MEAN;
}

const char *external_agg_name(enum external_agg a)
{
    return a == EXTERNAL_SUM ? "sum" : "mean";
}

int external_aggregate(int signal, const struct k8s_item *items, size_t n,
                       struct external_value *out)
{
    if (n == 0)
        return -ENOENT;
    struct external_value v = {.agg = external_aggregation(signal), .pods = n};
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += items[i].value;
        if (items[i].t_ms > v.t_ms)
            v.t_ms = items[i].t_ms;
        if (items[i].window_ms > v.window_ms)
            v.window_ms = items[i].window_ms;
    }
    v.value = v.agg == EXTERNAL_SUM ? sum : sum / (double)n;
    *out = v;
    return 0;
}

int external_metrics_render(struct buf *out, const char *metric, const struct external_value *v)
{
    char qty[QUANTITY_MAX_LEN];
    if (v != NULL && quantity_format(v->value, qty, sizeof(qty)) < 0)
        v = NULL;
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_obj_open(&w);
    jsonw_key(&w, "kind");
    jsonw_str(&w, "ExternalMetricValueList");
    jsonw_key(&w, "apiVersion");
    jsonw_str(&w, "external.metrics.k8s.io/v1beta1");
    jsonw_key(&w, "metadata");
    jsonw_obj_open(&w);
    jsonw_obj_close(&w);
    jsonw_key(&w, "items");
    jsonw_arr_open(&w);
    if (v != NULL) {
        char ts[21];
        k8s_format_time(v->t_ms, ts);
        jsonw_obj_open(&w);
        jsonw_key(&w, "metricName");
        jsonw_str(&w, metric);
        jsonw_key(&w, "metricLabels");
        jsonw_obj_open(&w);
        jsonw_obj_close(&w);
        jsonw_key(&w, "timestamp");
        jsonw_str(&w, ts);
        if (v->window_ms >= 1000) {
            jsonw_key(&w, "window");
            jsonw_int(&w, (v->window_ms + 500) / 1000);
        }
        jsonw_key(&w, "value");
        jsonw_str(&w, qty);
        jsonw_obj_close(&w);
    }
    jsonw_arr_close(&w);
    jsonw_obj_close(&w);
    return jsonw_finish(&w);
}

int external_fleet_render(struct buf *out, const char *ns, const char *metric,
                          const struct external_value *v)
{
    char ts[21];
    k8s_format_time(v->t_ms, ts);
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_obj_open(&w);
    jsonw_key(&w, "namespace");
    jsonw_str(&w, ns);
    jsonw_key(&w, "metric");
    jsonw_str(&w, metric);
    jsonw_key(&w, "aggregation");
    jsonw_str(&w, external_agg_name(v->agg));
    jsonw_key(&w, "value");
    jsonw_real(&w, v->value);
    jsonw_key(&w, "pods");
    jsonw_int(&w, (int64_t)v->pods);
    jsonw_key(&w, "timestamp");
    jsonw_str(&w, ts);
    jsonw_key(&w, "windowSeconds");
    jsonw_int(&w, (v->window_ms + 500) / 1000);
    jsonw_obj_close(&w);
    return jsonw_finish(&w);
}
