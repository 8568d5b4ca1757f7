/* The app-stats aggregate (see app_stats.h). Counts are doubles: sampled statsd counters add
 * 1/rate per event, and a double counts integers exactly up to 2^53. */
#include "collect/app_stats.h"

#include <errno.h>
#include <stdlib.h>

#include "collect/sink.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "store/dhist.h"
#include "core/banned.h"

struct app_stats {
    bool has_requests;
    double requests;
    double errors;
    bool has_durations;
    struct dhist *durations;
    bool has_cache[APP_TIERS];
    double hits[APP_TIERS];
    double misses[APP_TIERS];
    bool has_active;
    bool active_reported;
    double active;
};

const char *app_tier_name(enum app_tier tier)
{
    return tier == APP_TIER_L2 ? "l2" : "l1";
}

int app_stats_new(struct app_stats **out)
{
    struct app_stats *st = xcalloc(1, sizeof(*st));
    int rc = dhist_new(&st->durations);
    if (rc < 0) {
        free(st);
        return rc;
    }
    *out = st;
    return 0;
}

void app_stats_free(struct app_stats *st)
{
    if (st == NULL)
        return;
    dhist_free(st->durations);
    free(st);
}

void app_stats_add_requests(struct app_stats *st, double requests, double errors)
{
    st->has_requests = true;
    st->requests += requests;
    st->errors += errors;
}

void app_stats_observe_duration(struct app_stats *st, double seconds, uint64_t n)
{
    st->has_durations = true;
    dhist_observe(st->durations, seconds, n);
}

void app_stats_add_cache(struct app_stats *st, enum app_tier tier, double hits, double misses)
{
    RIZK_ASSERT((unsigned)tier < APP_TIERS);
    st->has_cache[tier] = true;
    st->hits[tier] += hits;
    st->misses[tier] += misses;
}

void app_stats_set_active(struct app_stats *st, double v)
{
    st->active = v < 0 ? 0 : v;
    st->has_active = true;
    st->active_reported = true;
}

void app_stats_adjust_active(struct app_stats *st, double delta)
{
    app_stats_set_active(st, st->active + delta);
}

int app_stats_add(struct app_stats *st, const struct app_delta *d)
{
    /* The histogram is the only part that can refuse: apply it first so a refusal leaves
     * everything untouched. */
    if (d->has_histogram) {
        int rc = dhist_add_buckets(st->durations, d->bounds, d->cum_counts, d->nbuckets,
                                   d->hist_count, d->hist_sum);
        if (rc < 0)
            return rc;
        st->has_durations = true;
    }
    for (size_t i = 0; i < d->ndurations; i++)
        app_stats_observe_duration(st, d->durations[i], 1);
    if (d->has_requests)
        app_stats_add_requests(st, d->requests, d->errors);
    for (int t = 0; t < APP_TIERS; t++)
        if (d->has_cache[t])
            app_stats_add_cache(st, (enum app_tier)t, d->cache_hits[t], d->cache_misses[t]);
    if (d->has_active_connections)
        app_stats_set_active(st, d->active_connections);
    return 0;
}

void app_stats_view(const struct app_stats *st, struct app_stats_view *v)
{
    v->has_requests = st->has_requests;
    v->requests = st->requests;
    v->errors = st->errors;
    v->has_durations = st->has_durations;
    v->duration_count = dhist_count(st->durations);
    v->duration_sum = dhist_sum(st->durations);
    for (int t = 0; t < APP_TIERS; t++) {
        v->has_cache[t] = st->has_cache[t];
        v->cache_hits[t] = st->hits[t];
        v->cache_misses[t] = st->misses[t];
    }
    v->has_active = st->has_active;
    v->active_reported = st->active_reported;
    v->active = st->active;
}

const struct dhist *app_stats_durations(const struct app_stats *st)
{
    return st->durations;
}

static void app_stats_emit_cache(struct app_stats *st, struct sample_sink *sink)
{
    static const enum hist_series hits_id[APP_TIERS] = {HS_CACHE_L1_HITS, HS_CACHE_L2_HITS};
    static const enum hist_series misses_id[APP_TIERS] = {HS_CACHE_L1_MISSES, HS_CACHE_L2_MISSES};
    for (int t = 0; t < APP_TIERS; t++) {
        if (!st->has_cache[t])
            continue;
        struct label l = {"tier", app_tier_name((enum app_tier)t)};
        sink_counter(sink, "rizk_cache_hits_total",
                     "Cache lookups answered by the tier (l1 in-process, l2 Redis), as reported "
                     "by the app.",
                     &l, 1, st->hits[t]);
        sink_history(sink, hits_id[t], st->hits[t]);
    }
    for (int t = 0; t < APP_TIERS; t++) {
        if (!st->has_cache[t])
            continue;
        struct label l = {"tier", app_tier_name((enum app_tier)t)};
        sink_counter(sink, "rizk_cache_misses_total",
                     "Cache lookups the tier could not answer (an l1 miss goes on to l2), as "
                     "reported by the app.",
                     &l, 1, st->misses[t]);
        sink_history(sink, misses_id[t], st->misses[t]);
    }
}

void app_stats_emit(struct app_stats *st, struct sample_sink *sink)
{
    if (st->has_requests) {
        sink_counter(sink, "rizk_requests_total",
                     "Requests handled by the app (statsd, push and pull channels added up).", NULL,
                     0, st->requests);
        sink_counter(sink, "rizk_request_errors_total",
                     "Requests of the app that failed (errors, or status >= 500).", NULL, 0,
                     st->errors);
        sink_history(sink, HS_APP_REQUESTS, st->requests);
        sink_history(sink, HS_APP_ERRORS, st->errors);
    }
    if (st->has_durations) {
        struct histogram h;
        dhist_export(st->durations, &h);
        sink_histogram(sink, "rizk_request_duration_seconds",
                       "Duration of the app's requests, in seconds.", NULL, 0, &h);
        sink_history(sink, HS_APP_DURATION_SUM, dhist_sum(st->durations));
        sink_history(sink, HS_APP_DURATION_COUNT, (double)dhist_count(st->durations));
    }
    app_stats_emit_cache(st, sink);
    if (st->active_reported)
        sink_history(sink, HS_APP_ACTIVE_CONNECTIONS, st->active);
}

void app_stats_tick_done(struct app_stats *st)
{
    st->active_reported = false;
}
