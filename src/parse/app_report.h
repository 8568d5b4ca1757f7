/* Decoders for the app's push report (POST /api/v1/report): a rizk.v1.Report protobuf
 * (proto/rizk/v1/report.proto) or the same fields as a JSON object. Both produce a struct
 * app_delta, which is also what the statsd and pull channels hand to the app-stats aggregate
 * (collect/app_stats.h). Pure: bytes in, struct out; validation is complete here, so a delta
 * that decodes can be applied whole, and one that does not leaves nothing behind. */
#ifndef RIZK_PARSE_APP_REPORT_H
#define RIZK_PARSE_APP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum app_tier { APP_TIER_L1 = 0, APP_TIER_L2, APP_TIERS };

#define APP_REPORT_MAX_BUCKETS 64 /* classic histogram buckets in one report */
#define APP_REPORT_WHY_MAX 128    /* room for a rejection reason */

/* Deltas of the app's request stats since the previous report of the same channel. Counts are
 * doubles because statsd sample rates make fractional estimates (1 request at @0.3 is 3.33).
 * Arrays: a decoder's result owns them (release with app_delta_fini); a collector filling the
 * struct itself may point them at its own storage and must then not call app_delta_fini. */
struct app_delta {
    bool has_requests; /* requests and/or errors reported, possibly 0 */
    double requests;   /* >= 0 */
    double errors;     /* >= 0 */
    double *durations; /* raw request durations, seconds, finite and >= 0 */
    size_t ndurations;
    bool has_histogram;   /* a classic histogram delta of durations */
    double *bounds;       /* strictly ascending, finite; +Inf implied */
    uint64_t *cum_counts; /* cumulative, non-decreasing, nbuckets of them */
    size_t nbuckets;
    uint64_t hist_count; /* >= cum_counts[nbuckets - 1] */
    double hist_sum;     /* finite, >= 0 */
    bool has_cache[APP_TIERS];
    double cache_hits[APP_TIERS];   /* >= 0 */
    double cache_misses[APP_TIERS]; /* >= 0 */
    bool has_active_connections;
    double active_connections; /* a gauge, not a delta; >= 0 */
};

/* parse_app_report_json decodes a JSON object with the fields of rizk.v1.Report (snake_case:
 * requests, errors, durations_seconds, duration_histogram{bounds, cumulative_counts, count,
 * sum}, cache_l1{hits, misses}, cache_l2, active_connections; null means absent). On success
 * *out is filled (caller releases with app_delta_fini). On failure returns -EPROTO (malformed or
 * invalid; out untouched) and writes a one-line reason such as "unknown field \"x\"" or
 * "requests must be a non-negative integer" into why (size APP_REPORT_WHY_MAX). thread: any. */
int parse_app_report_json(const char *body, size_t len, struct app_delta *out, char *why);
/* parse_app_report_proto does the same for the protobuf encoding (unknown field numbers are
 * rejected too, so both encodings accept exactly the same reports). thread: any. */
int parse_app_report_proto(const uint8_t *body, size_t len, struct app_delta *out, char *why);

/* app_delta_fini frees the arrays of a decoded delta and zeroes it. NULL-safe. */
void app_delta_fini(struct app_delta *d);

/* app_delta_is_empty tells whether d reports nothing at all. */
bool app_delta_is_empty(const struct app_delta *d);

#endif
