/* The app-stats aggregate: the app's cumulative request counters, duration histogram, cache
 * lookups per tier and active-connections gauge, fed by every app channel (statsd, push, pull),
 * which add up (SPEC 2). Owned by the sampler thread: statsd adds from on_readable, the pull
 * collector from collect(), pushed reports through the app inbox (collect/app_inbox.h) drained
 * at the start of each tick. Each tick the sampler emits the raw counters and records them as
 * history inputs (app_stats_emit); the signals are computed from that history.
 *
 * A group of counters exists only once a channel reported it (requests+errors, durations, each
 * cache tier): before that its metrics and history are absent, never 0 (SPEC 4).
 *
 * For the pull channel: compute per-scrape deltas of the pulled counters (handling resets like
 * rate()), fill a struct app_delta (parse/app_report.h; arrays may point at the collector's own
 * storage) and call app_stats_add from collect(). The collector gets the aggregate through the
 * collector_type.bind_app_stats hook. */
#ifndef RIZK_COLLECT_APP_STATS_H
#define RIZK_COLLECT_APP_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "parse/app_report.h"

struct app_stats;
struct dhist;
struct sample_sink;

/* app_stats_new returns an empty aggregate (caller frees with app_stats_free). */
int app_stats_new(struct app_stats **out);
void app_stats_free(struct app_stats *st);

/* app_stats_add applies a validated delta whole, or nothing: -EINVAL when the duration
 * histogram refuses its buckets (see dhist_add_buckets). thread: sampler. */
int app_stats_add(struct app_stats *st, const struct app_delta *d);

/* The statsd hot path: one call per line, no validation beyond the caller's (values finite
 * and >= 0). thread: sampler. */
void app_stats_add_requests(struct app_stats *st, double requests, double errors);
void app_stats_observe_duration(struct app_stats *st, double seconds, uint64_t n);
void app_stats_add_cache(struct app_stats *st, enum app_tier tier, double hits, double misses);
/* app_stats_set_active sets the gauge; app_stats_adjust_active adds delta to it (from 0 when
 * never set; clamped at 0). Both mark it reported on this tick. */
void app_stats_set_active(struct app_stats *st, double v);
void app_stats_adjust_active(struct app_stats *st, double delta);

/* What the aggregate holds, for tests and the tick. */
struct app_stats_view {
    bool has_requests;
    double requests;
    double errors;
    bool has_durations;
    uint64_t duration_count;
    double duration_sum;
    bool has_cache[APP_TIERS];
    double cache_hits[APP_TIERS];
    double cache_misses[APP_TIERS];
    bool has_active;      /* ever reported */
    bool active_reported; /* reported since the last app_stats_tick_done */
    double active;
};
void app_stats_view(const struct app_stats *st, struct app_stats_view *v);
/* app_stats_durations returns the duration histogram (borrowed; sampler thread only). */
const struct dhist *app_stats_durations(const struct app_stats *st);

/* app_stats_emit writes the raw metrics (rizk_requests_total, rizk_request_errors_total,
 * rizk_request_duration_seconds, rizk_cache_{hits,misses}_total{tier}) of the groups that have
 * data, and records the HS_APP_* / HS_CACHE_* history inputs; the active-connections input only
 * when it was reported since the previous tick. thread: sampler. */
void app_stats_emit(struct app_stats *st, struct sample_sink *sink);
/* app_stats_tick_done ends the tick: the gauge counts as not reported until the next report. */
void app_stats_tick_done(struct app_stats *st);

/* app_tier_name returns "l1" or "l2". */
const char *app_tier_name(enum app_tier tier);

#endif
