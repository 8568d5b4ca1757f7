/* Routes of the sidecar: /metrics (negotiated format and encoding, zero-copy from the snapshot),
 * liveness and readiness probes, and the landing page. */
#include "http/routes.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "core/buf.h"
#include "core/clock.h"
#include "http/negotiate.h"
#include "http/report.h"
#include "render/escape.h"
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
    bool proto = snapshot_body(snap, SNAP_BODY_PROTO, &len) != NULL;
    /* A header that accepts nothing we serve still gets text (as node_exporter does). */
    negotiate_format(http_header(req, MHD_HTTP_HEADER_ACCEPT), proto, &fmt);
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

/* The landing page: links and source status from the snapshot's metric set. */
static void routes_landing_sources(struct buf *b, const struct mset *m)
{
    const struct mfamily *up = m ? mset_find(m, "rizk_source_up") : NULL;
    const struct mfamily *last = m ? mset_find(m, "rizk_source_last_success_timestamp_seconds")
                                   : NULL;
    buf_adds(b, "<table><tr><th>source</th><th>status</th><th>last success (UTC)</th></tr>\n");
    for (size_t i = 0; up != NULL && i < up->nsamples; i++) {
        const struct msample *s = &up->samples[i];
        const char *name = s->nlabels > 0 ? s->labels[0].value : "";
        double ts = 0;
        for (size_t j = 0; last != NULL && j < last->nsamples; j++)
            if (last->samples[j].nlabels > 0 &&
                strcmp(last->samples[j].labels[0].value, name) == 0)
                ts = last->samples[j].value;
        buf_adds(b, "<tr><td>");
        escape_html(b, name, strlen(name));
        buf_printf(b, "</td><td class=\"%s\">%s</td><td>", s->value > 0 ? "up" : "down",
                   s->value > 0 ? "up" : "down");
        if (ts > 0) {
            time_t t = (time_t)ts;
            struct tm tm;
            gmtime_r(&t, &tm);
            char when[32];
            strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
            buf_adds(b, when);
        } else {
            buf_adds(b, "never");
        }
        buf_adds(b, "</td></tr>\n");
    }
    buf_adds(b, "</table>\n");
}

static enum MHD_Result routes_landing(const struct http_request *req, void *ctx)
{
    struct app_routes_ctx *c = ctx;
    struct snapshot *snap = snapshot_acquire(c->pub);
    struct buf b;
    buf_init(&b, 1 << 20);
    buf_adds(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<title>rizk-metrics</title><style>body{font-family:sans-serif;margin:2em}"
                 "td,th{padding:.2em 1em;text-align:left}.up{color:#080}.down{color:#b00}"
                 "</style></head><body>\n<h1>rizk-metrics</h1>\n<ul>\n<li><a href=\"");
    escape_html(&b, c->cfg->web_telemetry_path, strlen(c->cfg->web_telemetry_path));
    buf_adds(&b, "\">Metrics</a></li>\n<li><a href=\"/health\">Health</a></li>\n"
                 "<li><a href=\"/ready\">Readiness</a></li>\n</ul>\n<h2>Sources</h2>\n");
    routes_landing_sources(&b, snap ? snapshot_mset(snap) : NULL);
    buf_adds(&b, "</body></html>\n");
    snapshot_release(snap);
    enum MHD_Result r = http_reply_copy(req, MHD_HTTP_OK, "text/html; charset=utf-8",
                                        buf_ptr(&b), buf_len(&b));
    buf_fini(&b);
    return r;
}

const struct http_route app_routes[] = {
    {"/", HTTP_GET, routes_landing},
    {"/health", HTTP_GET, routes_health},
    {"/healthz", HTTP_GET, routes_health},
    {"/ready", HTTP_GET, routes_ready},
    {"/readyz", HTTP_GET, routes_ready},
    {"/api/v1/report", HTTP_POST, report_handle},
    {NULL, 0, NULL},
};
