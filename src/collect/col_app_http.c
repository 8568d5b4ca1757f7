/* app_pull collector: the app's own /metrics (--app.metrics-url), pulled and added to the
 * app-stats aggregate next to statsd and the push reports (SPEC 2).
 *
 * DESIGN. The sampler never waits for the app: a pull worker thread (io/pull_worker) fetches
 * with libcurl every --history.interval (timeout min(--app.timeout, 0.8 x interval), body capped
 * at --app.max-body-bytes), parses only the mapped families (parse/expo_select) and leaves the
 * newest result in a one-slot mailbox; collect() takes it with a pointer swap. Fetches run half
 * an interval after the ticks (the worker starts on the first collect), so a result is ready
 * well before the tick that takes it and every tick sees about one pull: the request rate is
 * then exact to the jitter of one fetch. A result replaced before it was taken loses nothing,
 * because pulled values are cumulative: collect/pull_delta turns them into per-series increases
 * (counter resets handled like rate(), the first pull a baseline only), which go into the
 * aggregate through app_stats_add. A failed pull changes nothing but rizk_source_up{source="app"}
 * and the error counters; the next good one carries the increase since the last good one. */
#include "collect/collectors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/app_stats.h"
#include "collect/pull_delta.h"
#include "collect/sink.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "io/pull_worker.h"
#include "core/banned.h"

#define APP_PULL_URL_LOG_MAX 256

enum pull_err_kind {
    PE_TIMEOUT = 0,
    PE_REFUSED,
    PE_UNREACHABLE,
    PE_BODY_TOO_LARGE,
    PE_HTTP_STATUS,
    PE_RESET,
    PE_PROTOCOL,
    PE_PARSE,
    PE_TOO_MANY_SAMPLES,
    PE_REJECTED,
    PE_OTHER,
    PE_KINDS
};

static const char *const pull_err_names[PE_KINDS] = {
    "timeout",  "refused", "unreachable",      "body_too_large", "http_status", "connection_reset",
    "protocol", "parse",   "too_many_samples", "rejected",       "other"};

struct col_app_pull {
    struct pull_worker *worker;
    struct pull_delta *pd;
    struct app_stats *app;
    int64_t interval_ms;
    int64_t timeout_ms;
    bool started;
    bool have_result; /* an attempt has finished: the source has a verdict */
    bool up;          /* the last attempt succeeded */
    int64_t last_result_ms;
    double last_duration_s;
    double last_body_bytes;
    uint64_t pulls;
    uint64_t errors[PE_KINDS];
    uint64_t malformed[EXPO_REASON_COUNT];
    bool reason_logged[EXPO_REASON_COUNT];
    uint64_t invalid_families;
    uint64_t resets;
    uint64_t restarts;
    uint64_t skipped;
    unsigned tracked;
    struct complaint complaint;
};

/* pull_err_kind classifies a failed attempt for rizk_app_pull_errors_total{kind}. */
static enum pull_err_kind pull_err_kind(const struct pull_result *r)
{
    if (r->parse_failed)
        return r->rc == -E2BIG ? PE_TOO_MANY_SAMPLES : PE_PARSE;
    switch (r->rc) {
    case -ETIMEDOUT:
        return PE_TIMEOUT;
    case -ECONNREFUSED:
        return PE_REFUSED;
    case -EHOSTUNREACH:
        return PE_UNREACHABLE;
    case -E2BIG:
        return PE_BODY_TOO_LARGE;
    case -ECONNRESET:
        return PE_RESET;
    case -EPROTO:
        return r->http_status != 0 && (r->http_status < 200 || r->http_status > 299)
                   ? PE_HTTP_STATUS
                   : PE_PROTOCOL;
    default:
        return PE_OTHER;
    }
}

/* app_pull_apply folds one successful pull into the aggregate. */
static void app_pull_apply(struct col_app_pull *c, const struct pull_result *r, int64_t now_ms)
{
    struct app_delta d;
    struct pull_delta_stats st;
    pull_delta_step(c->pd, r->set, &d, &st);
    const struct expo_stats *es = &r->set->stats;
    for (int k = 0; k < EXPO_REASON_COUNT; k++) {
        c->malformed[k] += es->reasons[k];
        /* Once per reason for the process: a broken exporter repeats itself every pull. */
        if (es->reasons[k] != 0 && !c->reason_logged[k]) {
            c->reason_logged[k] = true;
            log_warn("app_pull",
                     "pulled body breaks the exposition rules (%s) at line %u column %u: %s; the "
                     "family is left out of the pull (logged once per reason)",
                     expo_reason_name(k), es->reason_first[k].line, es->reason_first[k].col,
                     es->reason_first[k].what);
        }
    }
    c->invalid_families += es->families_invalid;
    c->resets += st.resets;
    c->restarts += st.restarted ? 1 : 0;
    c->skipped += st.invalid + st.ignored + st.dropped;
    c->tracked = st.tracked;
    if (c->app == NULL)
        return;
    int rc = app_stats_add(c->app, &d);
    if (rc < 0) {
        /* Only the histogram can be refused; the counters must still count. */
        c->errors[PE_REJECTED]++;
        complain(&c->complaint, now_ms, "app_pull", "pulled duration histogram refused: %s",
                 err_str(rc));
        d.has_histogram = false;
        (void)app_stats_add(c->app, &d);
    }
}

static void app_pull_take(struct col_app_pull *c, int64_t now_ms)
{
    struct pull_result r;
    if (pull_worker_take(c->worker, &r) < 0)
        return;
    c->pulls++;
    c->have_result = true;
    c->last_result_ms = now_ms;
    c->last_duration_s = (double)r.elapsed_ms / 1000.0;
    c->last_body_bytes = (double)r.body_bytes;
    c->up = r.rc == 0;
    if (r.rc == 0) {
        complain_release(&c->complaint, "app_pull", "pull");
        app_pull_apply(c, &r, now_ms);
    } else {
        c->errors[pull_err_kind(&r)]++;
        complain(&c->complaint, now_ms, "app_pull", "pull failed: %s", r.error);
    }
    pull_result_fini(&r);
}

static void app_pull_emit(struct col_app_pull *c, struct sample_sink *out)
{
    sink_counter(out, "rizk_app_pulls_total", "Pulls of --app.metrics-url attempted.", NULL, 0,
                 (double)c->pulls);
    for (int k = 0; k < PE_KINDS; k++) {
        struct label l = {"kind", pull_err_names[k]};
        sink_counter(out, "rizk_app_pull_errors_total",
                     "Pulls of --app.metrics-url that failed, by kind (timeout, refused, "
                     "body_too_large, http_status, parse, ...).",
                     &l, 1, (double)c->errors[k]);
    }
    sink_gauge(out, "rizk_app_pull_duration_seconds",
               "Transfer time of the last pull of --app.metrics-url, in seconds.", NULL, 0,
               c->last_duration_s);
    sink_gauge(out, "rizk_app_pull_body_bytes",
               "Decoded size of the last body pulled from --app.metrics-url, in bytes.", NULL, 0,
               c->last_body_bytes);
    for (int k = 0; k < EXPO_REASON_COUNT; k++) {
        struct label l = {"reason", expo_reason_name(k)};
        sink_counter(out, "rizk_app_pull_malformed_lines_total",
                     "Rules of the exposition format broken in pulled bodies, by reason (syntax, "
                     "metadata, grouping, timestamp, value, labels, histogram, unit, exemplar, "
                     "eof, limit).",
                     &l, 1, (double)c->malformed[k]);
    }
    sink_counter(out, "rizk_app_pull_invalid_families_total",
                 "Families of pulled bodies left out of their pull because they broke a rule (the "
                 "rest of the body is used).",
                 NULL, 0, (double)c->invalid_families);
    sink_counter(out, "rizk_app_pull_counter_resets_total",
                 "Pulled series whose value dropped (counter resets), handled like rate().", NULL,
                 0, (double)c->resets);
    sink_counter(out, "rizk_app_pull_restarts_total",
                 "App restarts seen as a change of --app.start-time-metric.", NULL, 0,
                 (double)c->restarts);
    sink_counter(out, "rizk_app_pull_skipped_series_total",
                 "Pulled series not used: impossible values, unknown cache tier, histogram bounds "
                 "unlike the first series', or over the series cap.",
                 NULL, 0, (double)c->skipped);
    sink_gauge(out, "rizk_app_pull_series", "Pulled series tracked for increases.", NULL, 0,
               (double)c->tracked);
}

static int col_app_pull_collect(void *ctx, struct sample_sink *out)
{
    struct col_app_pull *c = ctx;
    int64_t now = clock_mono_ms();
    if (!c->started) {
        /* Started here, not in init, so the fetch phase is measured from a real tick. */
        int rc = pull_worker_start(c->worker);
        if (rc < 0)
            return rc;
        c->started = true;
    }
    app_pull_take(c, now);
    /* The worker reports every attempt within the timeout; silence for longer means it is
     * stuck, and the app must not look up. */
    if (c->have_result && now - c->last_result_ms > 2 * c->interval_ms + c->timeout_ms)
        c->up = false;
    app_pull_emit(c, out);
    if (c->have_result)
        sink_source(out, "app", c->up);
    return 0;
}

static void col_app_pull_destroy(void *ctx)
{
    struct col_app_pull *c = ctx;
    if (c == NULL)
        return;
    pull_worker_free(c->worker);
    pull_delta_free(c->pd);
    free(c);
}

/* app_pull_url_for_log copies url without its userinfo (user:password@), for logs. */
static void app_pull_url_for_log(const char *url, char *out, size_t n)
{
    const char *host = strstr(url, "://");
    host = host != NULL ? host + 3 : url;
    size_t hlen = strcspn(host, "/?#");
    const char *at = memchr(host, '@', hlen);
    if (at == NULL)
        snprintf(out, n, "%s", url);
    else
        snprintf(out, n, "%.*s<redacted>@%s", (int)(host - url), url, at + 1);
}

static int app_pull_map(const struct config *cfg, char *rules_buf, struct pull_map *m)
{
    memset(m, 0, sizeof(*m));
    m->requests = cfg->app_requests_metric;
    m->errors = cfg->app_errors_metric;
    m->duration = cfg->app_duration_metric;
    m->active = cfg->app_active_connections_metric;
    m->cache_hits = cfg->app_cache_hits_metric;
    m->cache_misses = cfg->app_cache_misses_metric;
    m->tier_label = cfg->app_cache_tier_label;
    m->start_time = cfg->app_start_time_metric;
    if (rules_buf == NULL)
        return 0;
    return parse_pull_error_rules(rules_buf, m->rules, &m->nrules);
}

static int col_app_pull_init(const struct config *cfg, void **ctx)
{
    if (cfg->app_metrics_url == NULL || cfg->app_metrics_url[0] == '\0')
        return COLLECTOR_INACTIVE;
    struct col_app_pull *c = xcalloc(1, sizeof(*c));
    char *rules = cfg->app_errors_from_label ? xstrdup(cfg->app_errors_from_label) : NULL;
    struct pull_map map;
    int rc = app_pull_map(cfg, rules, &map);
    if (rc == 0)
        rc = pull_delta_new(&map, &c->pd);
    free(rules);
    if (rc < 0) {
        free(c);
        return rc;
    }
    c->interval_ms = cfg->history_interval_ms;
    c->timeout_ms = cfg->app_timeout_ms;
    if (c->timeout_ms > c->interval_ms * 8 / 10)
        c->timeout_ms = c->interval_ms * 8 / 10;
    unsigned nnames;
    const char *const *names = pull_delta_names(c->pd, &nnames);
    struct pull_worker_opts o = {
        .fetch = {.url = cfg->app_metrics_url,
                  .timeout_ms = c->timeout_ms,
                  .max_body = (size_t)cfg->app_max_body_bytes},
        .interval_ms = c->interval_ms,
        .first_delay_ms = c->interval_ms / 2,
        .names = names,
        .nnames = nnames,
    };
    rc = pull_worker_new(&o, &c->worker);
    if (rc < 0) {
        pull_delta_free(c->pd);
        free(c);
        return rc;
    }
    char shown[APP_PULL_URL_LOG_MAX];
    app_pull_url_for_log(cfg->app_metrics_url, shown, sizeof(shown));
    log_info("app_pull", "pulling %s every %lldms (timeout %lldms, body cap %llu bytes)", shown,
             (long long)c->interval_ms, (long long)c->timeout_ms,
             (unsigned long long)cfg->app_max_body_bytes);
    *ctx = c;
    return 0;
}

static void col_app_pull_bind(void *ctx, struct app_stats *stats)
{
    struct col_app_pull *c = ctx;
    c->app = stats;
}

const struct collector_type col_app_pull_type = {
    .name = "app_pull",
    .help = "the app's Prometheus/OpenMetrics /metrics pulled from --app.metrics-url (off "
            "unless set): requests, errors, durations, cache and connections",
    .default_enabled = true,
    .init = col_app_pull_init,
    .collect = col_app_pull_collect,
    .destroy = col_app_pull_destroy,
    .bind_app_stats = col_app_pull_bind,
};
