/* The cross-checks between options (scaling thresholds in order, the adapter's TLS files, the
 * pulled metric names, Redis endpoints, history and window sizes), run by config_load once
 * every source has been read. */
#include "config/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cidr.h"
#include "core/xalloc.h"
#include "parse/pull_rules.h"
#include "core/banned.h"

/* Each scaling signal's scale-down threshold must not exceed its scale-up threshold: a value
 * could then be "high" and "low" at once and the advice would flap. */
static int config_check_scaling(const struct config *cfg, FILE *err)
{
    static const struct {
        const char *down, *up;
        size_t down_off, up_off;
        bool ms;
    } pairs[] = {
        {"scaling.cpu-down", "scaling.cpu-up", offsetof(struct config, scaling_cpu_down),
         offsetof(struct config, scaling_cpu_up), false},
        {"scaling.memory-down", "scaling.memory-up", offsetof(struct config, scaling_memory_down),
         offsetof(struct config, scaling_memory_up), false},
        {"scaling.rps-down", "scaling.rps-up", offsetof(struct config, scaling_rps_down),
         offsetof(struct config, scaling_rps_up), false},
        {"scaling.response-time-down", "scaling.response-time-up",
         offsetof(struct config, scaling_response_time_down_ms),
         offsetof(struct config, scaling_response_time_up_ms), true},
        {"scaling.error-ratio-down", "scaling.error-ratio-up",
         offsetof(struct config, scaling_error_ratio_down),
         offsetof(struct config, scaling_error_ratio_up), false},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        const char *base = (const char *)cfg;
        double down, up;
        if (pairs[i].ms) {
            down = (double)*(const int64_t *)(const void *)(base + pairs[i].down_off);
            up = (double)*(const int64_t *)(const void *)(base + pairs[i].up_off);
        } else {
            down = *(const double *)(const void *)(base + pairs[i].down_off);
            up = *(const double *)(const void *)(base + pairs[i].up_off);
        }
        if (down > up) {
            fprintf(err, "rizk-metrics: invalid value for --%s: must not be above --%s\n",
                    pairs[i].down, pairs[i].up);
            return -EINVAL;
        }
    }
    return 0;
}

/* config_check_adapter: a certificate needs its key (and the other way round); with neither the
 * adapter makes a self-signed one at start (k8s/auth_setup.c). */
static int config_check_adapter(const struct config *cfg, FILE *err)
{
    if (cfg->mode != MODE_ADAPTER || cfg->insecure_http)
        return 0;
    if ((cfg->tls_cert_file == NULL) != (cfg->tls_key_file == NULL)) {
        fprintf(err, "rizk-metrics: adapter: --tls.cert-file and --tls.key-file go together "
                     "(RIZK_TLS_CERT_FILE, RIZK_TLS_KEY_FILE): set both, or neither for a "
                     "self-signed certificate\n");
        return -EINVAL;
    }
    return 0;
}

static bool config_is_metric_name(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_' || *s == ':'))
        return false;
    for (; *s != '\0'; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == ':'))
            return false;
    return true;
}

/* The pull channel's URL must name a host, its family names must be metric names and distinct,
 * and the error rule must parse: caught here so a typo exits 2 instead of pulling nothing. */
static int config_check_app(const struct config *cfg, FILE *err)
{
    const char *u = cfg->app_metrics_url;
    if (u != NULL && u[0] != '\0') {
        const char *host = u + (strncmp(u, "https://", 8) == 0 ? 8 : 7);
        if (host[0] == '\0' || host[0] == '/' || host[0] == ':' || host[0] == '?' ||
            host[0] == '#') {
            fprintf(err,
                    "rizk-metrics: invalid value \"%s\" for --app.metrics-url: expected "
                    "http://host[:port]/path or https://...\n",
                    u);
            return -EINVAL;
        }
    }
    const struct {
        const char *flag, *v;
    } names[] = {
        {"app.requests-metric", cfg->app_requests_metric},
        {"app.errors-metric", cfg->app_errors_from_label ? NULL : cfg->app_errors_metric},
        {"app.duration-metric", cfg->app_duration_metric},
        {"app.active-connections-metric", cfg->app_active_connections_metric},
        {"app.cache-hits-metric", cfg->app_cache_hits_metric},
        {"app.cache-misses-metric", cfg->app_cache_misses_metric},
        {"app.start-time-metric", cfg->app_start_time_metric},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].v == NULL)
            continue;
        if (!config_is_metric_name(names[i].v)) {
            fprintf(err,
                    "rizk-metrics: invalid value \"%s\" for --%s: expected a metric name "
                    "([a-zA-Z_:][a-zA-Z0-9_:]*)\n",
                    names[i].v, names[i].flag);
            return -EINVAL;
        }
        for (size_t j = 0; j < i; j++) {
            if (names[j].v != NULL && strcmp(names[j].v, names[i].v) == 0) {
                fprintf(err, "rizk-metrics: invalid value \"%s\" for --%s: already used by --%s\n",
                        names[i].v, names[i].flag, names[j].flag);
                return -EINVAL;
            }
        }
    }
    if (cfg->app_errors_from_label != NULL) {
        char *copy = xstrdup(cfg->app_errors_from_label);
        struct pull_error_rule rules[PULL_RULES_MAX];
        unsigned n;
        int rc = parse_pull_error_rules(copy, rules, &n);
        free(copy);
        if (rc < 0) {
            fprintf(err,
                    "rizk-metrics: invalid value \"%s\" for --app.errors-from-label: "
                    "expected label:prefix, up to %d comma-separated (e.g. status:5 or "
                    "status:5,code:5)\n",
                    cfg->app_errors_from_label, PULL_RULES_MAX);
            return -EINVAL;
        }
    }
    const char *tier = cfg->app_cache_tier_label;
    bool tier_ok = tier != NULL && (isalpha((unsigned char)tier[0]) || tier[0] == '_');
    for (const char *p = tier; tier_ok && *p != '\0'; p++)
        tier_ok = isalnum((unsigned char)*p) || *p == '_';
    if (!tier_ok) {
        fprintf(err,
                "rizk-metrics: invalid value \"%s\" for --app.cache-tier-label: expected a "
                "label name ([a-zA-Z_][a-zA-Z0-9_]*)\n",
                tier != NULL ? tier : "");
        return -EINVAL;
    }
    return 0;
}

int config_check(struct config *cfg, FILE *err)
{
    if (config_check_adapter(cfg, err) < 0)
        return -EINVAL;
    if (config_check_scaling(cfg, err) < 0)
        return -EINVAL;
    if (config_check_app(cfg, err) < 0)
        return -EINVAL;
    if (cfg->redis_addr != NULL && cfg->redis_cluster_nodes != NULL) {
        fprintf(err, "rizk-metrics: --redis.addr and --redis.cluster-nodes (REDIS_URL and "
                     "REDIS_CLUSTER_URL) are exclusive: set one\n");
        return -EINVAL;
    }
    if (cfg->redis_addr != NULL && strchr(cfg->redis_addr, ',') != NULL) {
        fprintf(err, "rizk-metrics: invalid value for --redis.addr: expected one endpoint (use "
                     "--redis.cluster-nodes for a list of cluster seeds)\n");
        return -EINVAL;
    }
    if (cfg->history_interval_ms > cfg->history_retention_ms) {
        fprintf(err, "rizk-metrics: invalid value for --history.retention: must be at least "
                     "--history.interval\n");
        return -EINVAL;
    }
    if (config_history_slots(cfg) > CONFIG_MAX_SLOTS) {
        fprintf(err,
                "rizk-metrics: invalid value for --history.retention: retention / interval "
                "must be at most %u samples (got %llu)\n",
                CONFIG_MAX_SLOTS, (unsigned long long)config_history_slots(cfg));
        return -EINVAL;
    }
    if (cfg->signals_window_ms < 2 * cfg->history_interval_ms ||
        cfg->signals_window_ms > cfg->history_retention_ms) {
        fprintf(err, "rizk-metrics: invalid value for --signals.window: expected a duration from "
                     "2 x --history.interval to --history.retention\n");
        return -EINVAL;
    }
    struct cidr_set *allow = NULL;
    if (cidr_set_parse(cfg->web_report_allow, &allow) < 0) {
        fprintf(err,
                "rizk-metrics: invalid value \"%s\" for --web.report-allow: expected "
                "comma-separated CIDRs such as 127.0.0.0/8,::1/128,10.0.0.0/8\n",
                cfg->web_report_allow);
        return -EINVAL;
    }
    cidr_set_free(allow);
    allow = NULL;
    if (cfg->web_priority_sources != NULL &&
        cidr_set_parse(cfg->web_priority_sources, &allow) < 0) {
        fprintf(err,
                "rizk-metrics: invalid value \"%s\" for --web.priority-sources: expected "
                "comma-separated CIDRs such as 10.0.0.0/8,fd00::/8 \n",
                cfg->web_priority_sources);
        return -EINVAL;
    }
    cidr_set_free(allow);
    if (cfg->web_reserved_connections >= cfg->web_max_connections) {
        fprintf(err, "rizk-metrics: invalid value for --web.reserved-connections: expected "
                     "fewer than --web.max-connections (%llu)\n",
                (unsigned long long)cfg->web_max_connections);
        return -EINVAL;
    }
    return 0;
}
