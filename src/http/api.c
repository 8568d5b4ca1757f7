/* /api/v1 handlers. The per-tick documents are bodies of the snapshot (rendered by the sampler);
 * only /history does work per request: two seqlocked passes over one ring and a JSON render,
 * into memory bounded by API_HISTORY_MAX_POINTS. */
#include "http/api.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/err.h"
#include "core/strparse.h"
#include "core/xalloc.h"
#include "http/routes.h"
#include "render/api_json.h"
#include "render/json.h"
#include "signals/sigtable.h"
#include "store/snapshot.h"
#include "store/store.h"
#include "core/banned.h"

#define API_CT "application/json; charset=utf-8"

static void api_release_snapshot(void *snap)
{
    snapshot_release(snap);
}

static void api_free(void *p)
{
    free(p);
}

/* api_send renders doc (taking it over) and sends it with status. */
static enum MHD_Result api_send(const struct http_request *req, unsigned status, json_t *doc)
{
    char *data = NULL;
    size_t len = 0;
    int rc = doc != NULL ? render_json_steal(doc, API_JSON_MAX_BYTES, &data, &len) : -ENOMEM;
    json_decref(doc);
    if (rc < 0) {
        static const char oops[] = "{\"error\":\"response too large\"}\n";
        return http_reply_copy(req, MHD_HTTP_INTERNAL_SERVER_ERROR, API_CT, oops, sizeof(oops) - 1);
    }
    return http_reply_zero_copy(req, status, API_CT, NULL, false, data, len, api_free, data);
}

__attribute__((format(printf, 3, 4))) static enum MHD_Result
api_error(const struct http_request *req, unsigned status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return api_send(req, status, api_json_error(msg));
}

static enum MHD_Result api_snapshot_body(const struct http_request *req, void *ctx,
                                         enum snap_body kind)
{
    struct app_routes_ctx *c = ctx;
    struct snapshot *snap = snapshot_acquire(c->pub);
    if (snap == NULL)
        return api_error(req, MHD_HTTP_SERVICE_UNAVAILABLE,
                         "not ready: the first sampling tick has not completed");
    size_t len = 0;
    const void *body = snapshot_body(snap, kind, &len);
    if (body == NULL) {
        snapshot_release(snap);
        return api_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR,
                         "the document could not be rendered on the last tick");
    }
    return http_reply_zero_copy(req, MHD_HTTP_OK, API_CT, NULL, false, body, len,
                                api_release_snapshot, snap);
}

enum MHD_Result api_current(const struct http_request *req, void *ctx)
{
    return api_snapshot_body(req, ctx, SNAP_BODY_JSON_CURRENT);
}

enum MHD_Result api_recommendation(const struct http_request *req, void *ctx)
{
    return api_snapshot_body(req, ctx, SNAP_BODY_JSON_RECOMMENDATION);
}

enum MHD_Result api_readiness(const struct http_request *req, void *ctx)
{
    return api_snapshot_body(req, ctx, SNAP_BODY_JSON_READINESS);
}

/* api_history_args parses window= (default and cap: the retention) and points= (default and
 * cap: API_HISTORY_MAX_POINTS). On a bad value it answers 400 itself and returns false. */
static bool api_history_args(const struct http_request *req, const struct config *cfg,
                             int64_t *window_ms, size_t *points, enum MHD_Result *res)
{
    const char *w = http_query(req, "window");
    *window_ms = cfg->history_retention_ms;
    if (w != NULL) {
        int64_t ms = 0;
        if (config_parse_duration(w, &ms) < 0 || ms <= 0) {
            *res =
                api_error(req, MHD_HTTP_BAD_REQUEST,
                          "invalid window \"%.64s\": expected a duration such as 90s, 5m or 1h", w);
            return false;
        }
        if (ms < *window_ms)
            *window_ms = ms;
    }
    const char *p = http_query(req, "points");
    *points = API_HISTORY_MAX_POINTS;
    if (p != NULL) {
        const char *q = p;
        uint64_t n = 0;
        if (sp_u64(&q, &n) < 0 || *q != '\0' || n == 0) {
            *res = api_error(req, MHD_HTTP_BAD_REQUEST,
                             "invalid points \"%.64s\": expected an integer from 1 to %d", p,
                             API_HISTORY_MAX_POINTS);
            return false;
        }
        if (n < *points)
            *points = (size_t)n;
    }
    return true;
}

enum MHD_Result api_history(const struct http_request *req, void *ctx)
{
    struct app_routes_ctx *c = ctx;
    const char *series = http_query(req, "series");
    if (series == NULL || series[0] == '\0')
        return api_error(req, MHD_HTTP_BAD_REQUEST,
                         "missing query parameter series (e.g. "
                         "?series=rizk_cpu_utilization_ratio&window=1h&points=300)");
    int id = sigtable_history_lookup(series);
    if (id < 0)
        return api_error(req, MHD_HTTP_NOT_FOUND, "unknown series \"%.128s\"", series);
    int64_t window_ms = 0;
    size_t points = 0;
    enum MHD_Result res = MHD_NO;
    if (!api_history_args(req, c->cfg, &window_ms, &points, &res))
        return res;
    struct snapshot *snap = snapshot_acquire(c->pub);
    if (snap == NULL)
        return api_error(req, MHD_HTTP_SERVICE_UNAVAILABLE,
                         "not ready: the first sampling tick has not completed");
    /* The window ends at the last published tick, so the answer matches /api/v1/current. */
    int64_t now_ms = snapshot_info(snap)->wall_ms;
    snapshot_release(snap);
    struct ring_sample *pts = xcalloc(points, sizeof(*pts));
    uint64_t in_window = 0;
    int n = store_sample_window(c->store, (enum hist_series)id, now_ms, window_ms, pts, points,
                                &in_window);
    if (n < 0) {
        free(pts);
        return api_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "history read failed: %s", err_str(n));
    }
    char name[SIGTABLE_NAME_MAX];
    sigtable_history_name((enum hist_series)id, name, sizeof(name));
    json_t *doc = api_json_history(name, window_ms, now_ms, in_window, pts, (size_t)n);
    free(pts);
    return api_send(req, MHD_HTTP_OK, doc);
}
