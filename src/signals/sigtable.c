/* The rows of the signal table. The help texts are the exported HELP lines: change them here
 * and every format changes with them. */
#include "signals/sigtable.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "signals/scale.h"
#include "core/banned.h"

#define QUANTILE_HELP                                                                              \
    "Quantiles of the app's request duration over the signals window (histogram_quantile of the "  \
    "window's increase), in seconds."
#define TIER_HELP                                                                                  \
    "Hit ratio of one cache tier over the signals window: hits / (hits + misses) (0-1)."

static const struct sig_def sig_table[SIG_COUNT] = {
    [SIG_REQUESTS_PER_SECOND] = {.name = "rizk_requests_per_second",
                                 .help = "Rate of the app's requests over the signals window, per "
                                         "second.",
                                 .unit = SIG_UNIT_PER_SECOND,
                                 .history = HS_REQUESTS_PER_SECOND,
                                 .fleet = "rizk_requests_per_second",
                                 .scale = SCALE_RPS,
                                 .title = "Requests per second"},
    [SIG_ERROR_RATIO] = {.name = "rizk_error_ratio",
                         .help = "Failed / all requests of the app over the signals window (0-1).",
                         .unit = SIG_UNIT_RATIO,
                         .history = HS_ERROR_RATIO,
                         .fleet = "rizk_error_ratio",
                         .scale = SCALE_ERROR_RATIO,
                         .title = "Error ratio"},
    [SIG_RESPONSE_TIME] = {.name = "rizk_response_time_seconds",
                           .help = "Mean request duration of the app over the signals window, in "
                                   "seconds.",
                           .unit = SIG_UNIT_SECONDS,
                           .history = HS_RESPONSE_TIME_SECONDS,
                           .fleet = "rizk_response_time_seconds",
                           .scale = SCALE_RESPONSE_TIME,
                           .title = "Response time (mean)"},
    [SIG_CACHE_HIT_RATIO] = {.name = "rizk_cache_hit_ratio",
                             .help = "Cache hierarchy hit ratio over the signals window: (l1 hits "
                                     "+ l2 hits) / l1 lookups (0-1).",
                             .unit = SIG_UNIT_RATIO,
                             .history = HS_CACHE_HIT_RATIO,
                             .fleet = "rizk_cache_hit_ratio",
                             .scale = -1,
                             .title = "Cache hit ratio"},
    [SIG_ACTIVE_CONNECTIONS] = {.name = "rizk_active_connections",
                                .help = "Open client connections of the app: its own gauge, else "
                                        "ESTABLISHED sockets on --app.port.",
                                .unit = SIG_UNIT_COUNT,
                                .history = HS_ACTIVE_CONNECTIONS,
                                .fleet = "rizk_active_connections",
                                .scale = -1,
                                .basis = "active_connections",
                                .title = "Active connections"},
    [SIG_CPU_UTILIZATION] = {.name = "rizk_cpu_utilization_ratio",
                             .help = "CPU utilization over the signals window: container usage / "
                                     "limit when a limit is set, else node busy / total (0-1, may "
                                     "exceed 1 when bursting).",
                             .unit = SIG_UNIT_RATIO,
                             .history = HS_CPU_UTILIZATION_RATIO,
                             .fleet = "rizk_cpu_utilization_ratio",
                             .scale = SCALE_CPU,
                             .basis = "cpu",
                             .title = "CPU utilization"},
    [SIG_MEMORY_UTILIZATION] = {.name = "rizk_memory_utilization_ratio",
                                .help = "Memory utilization: container working set / limit when a "
                                        "limit is set, else 1 - MemAvailable / MemTotal (0-1).",
                                .unit = SIG_UNIT_RATIO,
                                .history = HS_MEMORY_UTILIZATION_RATIO,
                                .fleet = "rizk_memory_utilization_ratio",
                                .scale = SCALE_MEMORY,
                                .basis = "memory",
                                .title = "Memory utilization"},
    [SIG_RESPONSE_TIME_P50] = {.name = "rizk_response_time_quantile_seconds",
                               .label_name = "quantile",
                               .label_value = "0.5",
                               .help = QUANTILE_HELP,
                               .unit = SIG_UNIT_SECONDS,
                               .untyped = true,
                               .quantile = 0.5,
                               .history = HS_RESPONSE_TIME_P50,
                               .fleet = "rizk_response_time_p50_seconds",
                               .scale = -1},
    [SIG_RESPONSE_TIME_P95] = {.name = "rizk_response_time_quantile_seconds",
                               .label_name = "quantile",
                               .label_value = "0.95",
                               .help = QUANTILE_HELP,
                               .unit = SIG_UNIT_SECONDS,
                               .untyped = true,
                               .quantile = 0.95,
                               .history = HS_RESPONSE_TIME_P95,
                               .fleet = "rizk_response_time_p95_seconds",
                               .scale = -1},
    [SIG_RESPONSE_TIME_P99] = {.name = "rizk_response_time_quantile_seconds",
                               .label_name = "quantile",
                               .label_value = "0.99",
                               .help = QUANTILE_HELP,
                               .unit = SIG_UNIT_SECONDS,
                               .untyped = true,
                               .quantile = 0.99,
                               .history = HS_RESPONSE_TIME_P99,
                               .fleet = "rizk_response_time_p99_seconds",
                               .scale = -1},
    [SIG_CACHE_L1_HIT_RATIO] = {.name = "rizk_cache_tier_hit_ratio",
                                .label_name = "tier",
                                .label_value = "l1",
                                .help = TIER_HELP,
                                .unit = SIG_UNIT_RATIO,
                                .history = HS_CACHE_L1_HIT_RATIO,
                                .scale = -1},
    [SIG_CACHE_L2_HIT_RATIO] = {.name = "rizk_cache_tier_hit_ratio",
                                .label_name = "tier",
                                .label_value = "l2",
                                .help = TIER_HELP,
                                .unit = SIG_UNIT_RATIO,
                                .history = HS_CACHE_L2_HIT_RATIO,
                                .scale = -1},
};

const struct sig_def *sigtable_at(enum sig_id id)
{
    RIZK_ASSERT((unsigned)id < SIG_COUNT);
    return &sig_table[id];
}

int sigtable_fleet_lookup(const char *fleet_name)
{
    for (int i = 0; i < SIG_COUNT; i++)
        if (sig_table[i].fleet != NULL && strcmp(sig_table[i].fleet, fleet_name) == 0)
            return i;
    return -1;
}

size_t sigtable_fleet_count(void)
{
    size_t n = 0;
    for (int i = 0; i < SIG_COUNT; i++)
        n += sig_table[i].fleet != NULL;
    return n;
}

int sigtable_scale_row(int role)
{
    for (int i = 0; i < SIG_COUNT; i++)
        if (sig_table[i].scale == role)
            return i;
    return -1;
}

/* sig_of_history returns the row appended to history series id, or NULL for an input. */
static const struct sig_def *sig_of_history(enum hist_series id)
{
    for (int i = 0; i < SIG_COUNT; i++)
        if (sig_table[i].history == id)
            return &sig_table[i];
    return NULL;
}

const char *sigtable_history_name(enum hist_series id, char *buf, size_t n)
{
    const struct sig_def *d = sig_of_history(id);
    if (d == NULL)
        snprintf(buf, n, "%s", hist_series_name(id));
    else if (d->label_name == NULL)
        snprintf(buf, n, "%s", d->name);
    else
        snprintf(buf, n, "%s{%s=\"%s\"}", d->name, d->label_name, d->label_value);
    return buf;
}

int sigtable_history_lookup(const char *name)
{
    char buf[SIGTABLE_NAME_MAX];
    for (int i = 0; i < HS_COUNT; i++)
        if (strcmp(sigtable_history_name((enum hist_series)i, buf, sizeof(buf)), name) == 0 &&
            buf[0] != '\0')
            return i;
    return -1;
}
