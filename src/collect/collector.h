/* The collector interface: one const instance per collect/col_<name>.c, listed in the explicit
 * table of registry.c (no constructor self-registration: a static library would drop them).
 * A collector reads through io/, parses with parse/, and emits through the sink; it never
 * touches the store and never logs the same failure every tick (it returns an error and the
 * registry rate-limits the log). */
#ifndef RIZK_COLLECT_COLLECTOR_H
#define RIZK_COLLECT_COLLECTOR_H

#include <stdbool.h>

struct app_stats;
struct config;

/* init's "nothing to collect here" answer (positive: not an error). */
#define COLLECTOR_INACTIVE 1
struct sample_sink;

struct collector_type {
    const char *name;     /* "cgroup": --collector.cgroup / --no-collector.cgroup */
    const char *help;     /* one line for --help */
    bool default_enabled;
    /* init: optional; may fail (negative errno) -> collector disabled with one log line; or
     * return COLLECTOR_INACTIVE (ctx left NULL) when its source is not configured -> the
     * collector stays off silently and emits nothing, not even its self-metrics. */
    int (*init)(const struct config *cfg, void **ctx);
    /* collect: mandatory; sampler thread only; negative errno marks this tick failed. */
    int (*collect)(void *ctx, struct sample_sink *out);
    /* push sources (statsd) expose an fd to the sampler's loop and drain it on readiness. */
    int (*event_fd)(void *ctx);
    void (*on_readable)(void *ctx);
    /* destroy: optional; must accept a half-initialised ctx. */
    void (*destroy)(void *ctx);
    /* bind_app_stats: optional; app channels (statsd, pull) get the sampler's app-stats
     * aggregate once after init (borrowed, outlives the collector; sampler thread only). */
    void (*bind_app_stats)(void *ctx, struct app_stats *stats);
};

#endif
