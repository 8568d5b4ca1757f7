/* MetricValueList rendering and pod selection. The two versions differ only in three field
 * names: v1beta1 "metricName", "window" and a top-level item "selector"; v1beta2
 * "metric": {"name", "selector"} and "windowSeconds". The HPA keys values by
 * describedObject.name and reads value as integer milli-units (k8s/quantity.h). */
#include "k8s/custom_metrics.h"

#include <string.h>
#include <time.h>

#include "fleet/publish.h"
#include "fleet/query.h"
#include "fleet/selector.h"
#include "k8s/quantity.h"
#include "render/jsonw.h"
#include "core/banned.h"

/* cm_stale_ms: when p's values go stale (Unix ms; they are served up to and including it). */
static int64_t cm_stale_ms(const Rizk__V1__PodSnapshot *p, const struct k8s_pod_filter *f)
{
    int64_t limit = p->has_interval_ms && p->interval_ms > 0 ? 3 * p->interval_ms : f->max_age_ms;
    return p->timestamp_ms + limit;
}

static bool cm_is_stale(const Rizk__V1__PodSnapshot *p, const struct k8s_pod_filter *f)
{
    return !p->has_timestamp_ms || f->now_ms > cm_stale_ms(p, f);
}

size_t k8s_select_pods(const struct k8s_pod_filter *f, Rizk__V1__PodSnapshot *const *pods, size_t n,
                       struct k8s_item *items)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const Rizk__V1__PodSnapshot *p = pods[i];
        double v;
        if (p->pod == NULL || p->namespace_ == NULL || strcmp(p->namespace_, f->ns) != 0)
            continue;
        if (f->pod != NULL && strcmp(p->pod, f->pod) != 0)
            continue;
        if (!fleet_pod_signal(p, f->signal, &v) || cm_is_stale(p, f))
            continue;
        if (!selector_matches(f->sel, fleet_pod_label, p))
            continue;
        items[k++] = (struct k8s_item){.ns = p->namespace_,
                                       .pod = p->pod,
                                       .value = v,
                                       .t_ms = p->timestamp_ms,
                                       .window_ms = p->has_window_ms ? p->window_ms : 0,
                                       .stale_ms = cm_stale_ms(p, f)};
    }
    return k;
}

void k8s_format_time(int64_t t_ms, char buf[21])
{
    time_t t = (time_t)(t_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        buf[0] = '\0';
}

static void cm_item(struct jsonw *w, enum k8s_version v, const char *metric,
                    const struct k8s_item *it, const char *qty, const char *ts)
{
    jsonw_obj_open(w);
    jsonw_key(w, "describedObject");
    jsonw_obj_open(w);
    jsonw_key(w, "kind");
    jsonw_str(w, "Pod");
    jsonw_key(w, "namespace");
    jsonw_str(w, it->ns);
    jsonw_key(w, "name");
    jsonw_str(w, it->pod);
    jsonw_key(w, "apiVersion");
    jsonw_str(w, "v1");
    jsonw_obj_close(w);
    if (v == K8S_V1BETA2) {
        jsonw_key(w, "metric");
        jsonw_obj_open(w);
        jsonw_key(w, "name");
        jsonw_str(w, metric);
        jsonw_key(w, "selector");
        jsonw_null(w);
        jsonw_obj_close(w);
    } else {
        jsonw_key(w, "metricName");
        jsonw_str(w, metric);
    }
    jsonw_key(w, "timestamp");
    jsonw_str(w, ts);
    /* omitempty in Go: a zero window is left out (the HPA then assumes 60 s) */
    if (it->window_ms >= 1000) {
        jsonw_key(w, v == K8S_V1BETA2 ? "windowSeconds" : "window");
        jsonw_int(w, (it->window_ms + 500) / 1000);
    }
    jsonw_key(w, "value");
    jsonw_str(w, qty);
    if (v == K8S_V1BETA1) {
        jsonw_key(w, "selector");
        jsonw_null(w);
    }
    jsonw_obj_close(w);
}

int custom_metrics_render(struct buf *out, enum k8s_version v, const char *metric,
                          const struct k8s_item *items, size_t n)
{
    char api[64];
    size_t gl = strlen(k8s_group_name(K8S_GROUP_CUSTOM));
    memcpy(api, k8s_group_name(K8S_GROUP_CUSTOM), gl);
    api[gl] = '/';
    memcpy(api + gl + 1, k8s_version_name(v), strlen(k8s_version_name(v)) + 1);
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_obj_open(&w);
    jsonw_key(&w, "kind");
    jsonw_str(&w, "MetricValueList");
    jsonw_key(&w, "apiVersion");
    jsonw_str(&w, api);
    jsonw_key(&w, "metadata");
    jsonw_obj_open(&w);
    jsonw_obj_close(&w);
    jsonw_key(&w, "items");
    jsonw_arr_open(&w);
    /* the pods of a fleet publish within the same few seconds: format each second once */
    char ts[21] = "";
    int64_t ts_sec = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        char qty[QUANTITY_MAX_LEN];
        if (quantity_format(items[i].value, qty, sizeof(qty)) < 0)
            continue;
        int64_t sec = items[i].t_ms / 1000;
        if (sec != ts_sec) {
            k8s_format_time(items[i].t_ms, ts);
            ts_sec = sec;
        }
        cm_item(&w, v, metric, &items[i], qty, ts);
    }
    jsonw_arr_close(&w);
    jsonw_obj_close(&w);
    return jsonw_finish(&w);
}
