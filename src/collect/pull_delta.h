/* Pulled counters to deltas: the pure half of the app pull channel. Each successful pull of the
 * app's /metrics (a selection made by parse/expo_select) is mapped to the app's request,
 * error, duration-histogram, cache and connection families, and turned into a struct app_delta
 * (the increase since the previous successful pull) that the collector hands to the app-stats
 * aggregate, where it adds up with the statsd and push channels (SPEC 2).
 *
 * DESIGN: the increase is computed per series, then summed, like sum(increase(x[..])) and unlike
 * increase(sum(x)): a reset of one series (one worker of a multi-process app) must not hide the
 * others' increase. Per series, as Prometheus rate() does:
 * - value >= previous: the difference; value < previous: a reset, the new value is the increase;
 * - a histogram series resets when its count or any bucket drops, or its bounds change;
 * - the first successful pull is a baseline only (rate() ignores the first sample too): the
 *   app's lifetime totals are never counted as one burst;
 * Beyond rate(), because the sidecar sees one app, not a fleet:
 * - a series first seen on a later pull counts whole (client libraries create a labelled series
 *   on its first increment: http_requests_total{status="503"} appears with value 1, which
 *   rate() would lose);
 * - a series that vanishes is remembered (up to PULL_DELTA_FORGET_PULLS pulls), so a transient
 *   gap (a skipped malformed line) is not counted twice when it comes back;
 * - when the app's start time (process_start_time_seconds by default) changes, the app
 *   restarted: every series counts whole and vanished ones are forgotten, even a counter that
 *   climbed past its old value before the pull after the restart.
 * Pure: no I/O, clock or globals. thread: one owner at a time (the sampler). */
#ifndef RIZK_COLLECT_PULL_DELTA_H
#define RIZK_COLLECT_PULL_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse/app_report.h"
#include "parse/expo_select.h"
#include "parse/pull_rules.h"

#define PULL_DELTA_MAX_RULES PULL_RULES_MAX /* alternatives of an error rule */
#define PULL_DELTA_MAX_SERIES 1024          /* series remembered; more are ignored and counted */
#define PULL_DELTA_MAX_BUCKETS APP_REPORT_MAX_BUCKETS /* classic buckets per histogram */
#define PULL_DELTA_FORGET_PULLS 300 /* a vanished series is forgotten after this many pulls */
#define PULL_DELTA_KEY_MAX 4096     /* bytes of a series identity (labels); longer: invalid */
/* Largest count or |sum| accepted (beyond, a series is invalid): exact integers in a double, and
 * sums over PULL_DELTA_MAX_SERIES series that stay finite and fit an int64. */
#define PULL_DELTA_VALUE_MAX 0x1p52

/* Which families mean what. Names are family names as parse/expo_select matches them ("x" and
 * "x_total" both select a counter); NULL or "" means "not read". Borrowed during
 * pull_delta_new only (copied). */
struct pull_map {
    const char *requests; /* counter; every series summed */
    const char *errors;   /* counter; not read when nrules > 0 */
    struct pull_error_rule rules[PULL_DELTA_MAX_RULES];
    unsigned nrules;          /* > 0: errors come from the requests series matching a rule */
    const char *duration;     /* classic histogram, seconds; every series summed per bucket */
    const char *active;       /* gauge; every series summed */
    const char *cache_hits;   /* counter with a tier label */
    const char *cache_misses; /* counter with a tier label */
    const char *tier_label;   /* label naming the tier, values "l1" and "l2" (NULL: "tier") */
    const char *start_time;   /* gauge whose change means the app restarted */
};

/* What one step saw, for self-metrics and tests. */
struct pull_delta_stats {
    bool baseline;    /* this pull was the first one: nothing counted */
    bool restarted;   /* the start time changed */
    unsigned series;  /* counter and histogram series in this pull */
    unsigned resets;  /* series whose value dropped (counter resets), restart excluded */
    unsigned invalid; /* series skipped: negative/NaN counts, bad le, unsorted or partial */
    unsigned ignored; /* series skipped by mapping: unknown tier, other histogram bounds */
    unsigned dropped; /* new series over PULL_DELTA_MAX_SERIES */
    unsigned tracked; /* series remembered after the step */
};

struct pull_delta; /* opaque */

/* pull_delta_new copies map into a new tracker (*out, free with pull_delta_free; written only on
 * success). Errors: -EINVAL when no family is named, a name is repeated, more than
 * EXPO_SELECT_MAX names, or a rule has an empty label. thread: any. */
int pull_delta_new(const struct pull_map *map, struct pull_delta **out);
void pull_delta_free(struct pull_delta *pd);

/* pull_delta_names returns the family names to select, in the order the kept samples' want
 * indexes refer to (borrowed from pd, valid until pull_delta_free). */
const char *const *pull_delta_names(const struct pull_delta *pd, unsigned *n);

/* pull_delta_step maps the families of set (selected with pull_delta_names) to cumulative
 * values, compares them with the previous step's and fills *out with the increase and the
 * current gauge. out's arrays point into pd and stay valid until the next step or free (do not
 * app_delta_fini them). *out is always written; st may be NULL. Never fails: bad series are
 * skipped and counted. thread: pd's owner. */
void pull_delta_step(struct pull_delta *pd, const struct expo_set *set, struct app_delta *out,
                     struct pull_delta_stats *st);

/* pull_delta_increase is the per-series rule on two cumulative values: cur - prev, or cur after
 * a reset (cur < prev). Exposed for the table tests. */
double pull_delta_increase(double prev, double cur);

#endif
