/* The JSON documents of the sidecar's /api/v1 endpoints (SPEC 6). /current, /recommendation and
 * /readiness describe one tick and are rendered once per tick into the snapshot (like the
 * /metrics bodies); /history is built per request from the store. Every builder returns a new
 * jansson tree (the caller json_decref's it) and is pure. Absent values are JSON null, never 0.
 *
 * Shapes (timestamps are Unix milliseconds, ratios 0-1, times in seconds):
 *   current:        {timestamp_ms, seq, interval_seconds, window_seconds,
 *                    signals: {<metric name>: number|null, ...the seven of SPEC 4},
 *                    sources: [{source, up, last_success_timestamp_ms|null}],
 *                    recommendation: {action, replica_change, reason},
 *                    readiness: {ready, strict_ready}}
 *   recommendation: {action, reason, replica_change, recommended_replicas|null,
 *                    current_replicas|null, current_replicas_source|null, idle, samples,
 * history_capacity, conditions_met: {up, down}, inputs: {<metric>: {current, average,
 * above_scale_up, below_scale_down}}, thresholds: {scale_up: {<metric>: n}, scale_down: {...},
 *                                 scale_up_min_conditions}, timestamp_ms}
 *   readiness:      {ready, strict_ready, errors: [msg], warnings: [msg],
 *                    checks: [{name, status, value|null, target, message}], timestamp_ms}
 *   history:        {series, window_seconds, end_ms, samples_in_window, points,
 *                    timestamps_ms: [...], values: [number|null ...]}
 *   error:          {error: msg} */
#ifndef RIZK_RENDER_API_JSON_H
#define RIZK_RENDER_API_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "signals/readiness.h"
#include "signals/scale.h"
#include "store/mset.h"
#include "store/ring.h"
#include "store/snapshot.h"

/* Largest per-tick JSON body; beyond it the body is left out and its handler answers 500. */
#define API_JSON_MAX_BYTES ((size_t)1 << 20)

/* What the per-tick documents describe. Everything is borrowed for the call. */
struct api_tick {
    const struct mset *m;              /* the tick's metric set (may be NULL) */
    const struct snapshot_info *info;  /* seq and wall time */
    int64_t interval_ms;               /* --history.interval */
    int64_t window_ms;                 /* --signals.window */
    const struct scale_advice *advice; /* this tick's recommendation */
    const struct scale_thresholds *thresholds;
    uint64_t current_replicas;   /* --scaling.current-replicas, else the fleet's; 0 = unknown */
    const char *replicas_source; /* static: "flag" or "fleet" (ignored when unknown) */
    size_t history_capacity;     /* --scaling.history */
    const struct readiness_report *readiness;
};

json_t *api_json_current(const struct api_tick *t);
json_t *api_json_recommendation(const struct api_tick *t);
json_t *api_json_readiness(const struct readiness_report *r, int64_t wall_ms);
/* api_json_history describes n samples pts (borrowed, oldest first) of series over the window
 * (end_ms - window_ms, end_ms]; NaN values are null. in_window is how many samples the window
 * held before downsampling. */
json_t *api_json_history(const char *series, int64_t window_ms, int64_t end_ms, uint64_t in_window,
                         const struct ring_sample *pts, size_t n);
/* api_json_error is {"error": msg}; msg is copied (and escaped when rendered). */
json_t *api_json_error(const char *msg);

/* render_api_bodies renders current, recommendation and readiness into snap (not yet
 * published). A document that fails is left out (its handler answers 500) and the first error
 * is returned (-E2BIG, -ENOMEM). thread: sampler. */
int render_api_bodies(struct snapshot *snap, const struct api_tick *t);

#endif
