/* Routes of the sidecar: /metrics (negotiated format and encoding, zero-copy from the snapshot),
 * liveness and readiness probes, the JSON API (http/api.c) and the landing page
 * (http/landing.c). */
#include "http/routes.h"

#include <stdio.h>

#include "config/config.h"
#include "core/clock.h"
#include "http/api.h"
#include "http/landing.h"
#include "http/negotiate.h"
#include "http/report.h"
#include "render/escape.h"
#include "render/render.h"
#include "store/snapshot.h"
#include "core/banned.h"

static void routes_release(void *snap)
{
    snapshot_release(snap);
}

static enum MHD_Result routes_not_ready(const struct http_request *req)
{
    return http_reply_text(req, MHD_HTTP_SERVICE_UNAVAILABLE,
                           "not ready: the first sampling tick has not completed\n");
}

enum MHD_Result app_routes_metrics(const struct http_request *req, void *ctx)
{
    struct app_routes_ctx *c = ctx;
    struct snapshot *snap = snapshot_acquire(c->pub);
    if (snap == NULL)
        return routes_not_ready(req);
    enum expo_format fmt = EXPO_TEXT;
    size_t len = 0;
    const char *accept = http_header(req, MHD_HTTP_HEADER_ACCEPT);
    /* A header that accepts nothing we serve still gets text (as node_exporter does). */
    negotiate_format(accept, render_is_available(EXPO_PROTOBUF), &fmt);
    /* A protobuf body that could not be rendered this tick: negotiate without it. */
    if (fmt == EXPO_PROTOBUF && snapshot_body(snap, SNAP_BODY_PROTO, &len) == NULL)
        negotiate_format(accept, false, &fmt);
    bool gz = negotiate_gzip(http_header(req, MHD_HTTP_HEADER_ACCEPT_ENCODING));
    enum snap_body kind = fmt == EXPO_OPENMETRICS ? SNAP_BODY_OM
                          : fmt == EXPO_PROTOBUF  ? SNAP_BODY_PROTO
                                                  : SNAP_BODY_TEXT;
    const void *body = NULL;
    if (gz)
        body = snapshot_body(snap, (enum snap_body)(kind + 1), &len);
    if (body == NULL) {
        gz = false;
        body = snapshot_body(snap, kind, &len);
    }
    if (body == NULL) {
        snapshot_release(snap);
        return http_reply_text(req, MHD_HTTP_INTERNAL_SERVER_ERROR,
                               "metrics could not be rendered on the last tick\n");
    }
    return http_reply_zero_copy(req, MHD_HTTP_OK, negotiate_content_type(fmt), gz ? "gzip" : NULL,
                                true, body, len, routes_release, snap);
}

static enum MHD_Result routes_health(const struct http_request *req, void *ctx)
{
    struct app_routes_ctx *c = ctx;
    struct snapshot *snap = snapshot_acquire(c->pub);
    if (snap == NULL)
        return http_reply_text(req, MHD_HTTP_SERVICE_UNAVAILABLE,
                               "unhealthy: the sampler has not ticked yet\n");
    int64_t age = clock_mono_ms() - snapshot_info(snap)->mono_ms;
    snapshot_release(snap);
    if (age > 3 * c->cfg->history_interval_ms) {
        char msg[128];
        snprintf(msg, sizeof(msg), "unhealthy: last sampler tick %lld ms ago\n", (long long)age);
        return http_reply_text(req, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
    }
    return http_reply_text(req, MHD_HTTP_OK, "ok\n");
}

static enum MHD_Result routes_ready(const struct http_request *req, void *ctx)
{
    struct app_routes_ctx *c = ctx;
    struct snapshot *snap = snapshot_acquire(c->pub);
    bool ready = snap != NULL && snapshot_info(snap)->ready;
    snapshot_release(snap);
    if (!ready)
        return routes_not_ready(req);
    return http_reply_text(req, MHD_HTTP_OK, "ready\n");
}

const struct http_route app_routes[] = {
    {"/", HTTP_GET, landing_page},
    {"/health", HTTP_GET, routes_health},
    {"/healthz", HTTP_GET, routes_health},
    {"/ready", HTTP_GET, routes_ready},
    {"/readyz", HTTP_GET, routes_ready},
    {"/api/v1/current", HTTP_GET, api_current},
    {"/api/v1/history", HTTP_GET, api_history},
    {"/api/v1/recommendation", HTTP_GET, api_recommendation},
    {"/api/v1/readiness", HTTP_GET, api_readiness},
    {"/api/v1/report", HTTP_POST, report_handle},
    {NULL, 0, NULL},
};
