/* Fuzz target for collect/pull_delta: the input is cut at each "\n~\n" into up to 8 bodies,
 * pulled in turn (text 0.0.4, selected like the pull worker does) by two trackers, one with the
 * default names and one with an error rule and a non-default tier label. Every delta must be one
 * the app-stats aggregate accepts (non-negative finite counts; a cumulative histogram within its
 * count): app_stats_add returning an error is a bug. Inputs are capped at 256 KiB and copied to
 * NUL-terminated buffers, as the parser requires. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/app_stats.h"
#include "collect/pull_delta.h"
#include "parse/expo_select.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (256u * 1024u)
#define FUZZ_MAX_BODIES 8

static void check_delta(const struct app_delta *d)
{
    if (d->has_requests && (!(d->requests >= 0) || !(d->errors >= 0) || isinf(d->requests)))
        abort();
    for (int t = 0; t < APP_TIERS; t++)
        if (d->has_cache[t] && (!(d->cache_hits[t] >= 0) || !(d->cache_misses[t] >= 0)))
            abort();
    if (d->has_active_connections && !(d->active_connections >= 0))
        abort();
    if (!d->has_histogram)
        return;
    if (d->nbuckets > PULL_DELTA_MAX_BUCKETS || !(d->hist_sum >= 0) || isinf(d->hist_sum))
        abort();
    for (size_t i = 0; i < d->nbuckets; i++) {
        if (d->cum_counts[i] > d->hist_count || isnan(d->bounds[i]) || isinf(d->bounds[i]))
            abort();
        if (i > 0 && (d->cum_counts[i] < d->cum_counts[i - 1] || d->bounds[i] <= d->bounds[i - 1]))
            abort();
    }
}

static void pull(struct pull_delta *pd, struct app_stats *as, const char *body, size_t len)
{
    struct expo_select sel;
    memset(&sel, 0, sizeof(sel));
    sel.names = pull_delta_names(pd, &sel.nnames);
    sel.max_samples = 2048;
    struct expo_set *set = NULL;
    if (parse_expo_select(body, len, EXPO_FORMAT_TEXT, &sel, &set, NULL) < 0)
        return;
    struct app_delta d;
    struct pull_delta_stats st;
    pull_delta_step(pd, set, &d, &st);
    expo_set_free(set);
    check_delta(&d);
    if (st.tracked > PULL_DELTA_MAX_SERIES)
        abort();
    if (app_stats_add(as, &d) < 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    struct pull_map m1;
    memset(&m1, 0, sizeof(m1));
    m1.requests = "rizk_requests_total";
    m1.errors = "rizk_request_errors_total";
    m1.duration = "rizk_request_duration_seconds";
    m1.active = "rizk_active_connections";
    m1.cache_hits = "rizk_cache_hits_total";
    m1.cache_misses = "rizk_cache_misses_total";
    m1.start_time = "process_start_time_seconds";
    struct pull_map m2 = m1;
    m2.requests = "http_requests_total";
    m2.rules[0].label = "status";
    m2.rules[0].prefix = "5";
    m2.rules[1].label = "code";
    m2.rules[1].prefix = "50";
    m2.nrules = 2;
    m2.tier_label = "layer";
    struct pull_delta *pd1 = NULL, *pd2 = NULL;
    struct app_stats *as1 = NULL, *as2 = NULL;
    if (pull_delta_new(&m1, &pd1) < 0 || pull_delta_new(&m2, &pd2) < 0 || app_stats_new(&as1) < 0 ||
        app_stats_new(&as2) < 0)
        abort();

    const char *p = (const char *)data, *end = p + size;
    for (int k = 0; k < FUZZ_MAX_BODIES && p <= end; k++) {
        const char *cut = NULL;
        for (const char *q = p; q + 3 <= end; q++)
            if (q[0] == '\n' && q[1] == '~' && q[2] == '\n') {
                cut = q;
                break;
            }
        size_t len = (size_t)((cut != NULL ? cut + 1 : end) - p);
        char *body = malloc(len + 1);
        if (body == NULL)
            abort();
        memcpy(body, p, len);
        body[len] = '\0';
        pull(pd1, as1, body, len);
        pull(pd2, as2, body, len);
        free(body);
        if (cut == NULL)
            break;
        p = cut + 3;
    }
    app_stats_free(as1);
    app_stats_free(as2);
    pull_delta_free(pd1);
    pull_delta_free(pd2);
    return 0;
}
