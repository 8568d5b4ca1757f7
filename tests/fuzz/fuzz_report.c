/* Fuzz target for the push-report decoders: the first byte picks JSON (even) or protobuf
 * (odd); the rest is the body, capped at 1 MiB (the largest --web.max-request-bytes). A report
 * that decodes must satisfy every documented invariant and apply whole to a fresh aggregate. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/app_stats.h"
#include "parse/app_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (1u << 20)

static void fuzz_check(const struct app_delta *d)
{
    if (d->requests < 0 || d->errors < 0 || d->active_connections < 0)
        abort();
    for (size_t i = 0; i < d->ndurations; i++)
        if (!isfinite(d->durations[i]) || d->durations[i] < 0)
            abort();
    if (d->has_histogram) {
        if (d->nbuckets > APP_REPORT_MAX_BUCKETS || !isfinite(d->hist_sum) || d->hist_sum < 0)
            abort();
        for (size_t i = 0; i < d->nbuckets; i++)
            if (!isfinite(d->bounds[i]) || (i > 0 && !(d->bounds[i] > d->bounds[i - 1])) ||
                (i > 0 && d->cum_counts[i] < d->cum_counts[i - 1]))
                abort();
        if (d->nbuckets > 0 && d->hist_count < d->cum_counts[d->nbuckets - 1])
            abort();
    }
    for (int t = 0; t < APP_TIERS; t++)
        if (d->cache_hits[t] < 0 || d->cache_misses[t] < 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    int proto = data[0] & 1;
    size_t n = size - 1;
    char *body = malloc(n + 1);
    if (body == NULL)
        return 0;
    memcpy(body, data + 1, n);
    body[n] = '\0';
    struct app_delta d;
    char why[APP_REPORT_WHY_MAX];
    int rc = proto ? parse_app_report_proto((const uint8_t *)body, n, &d, why)
                   : parse_app_report_json(body, n, &d, why);
    if (rc == 0) {
        fuzz_check(&d);
        struct app_stats *st = NULL;
        if (app_stats_new(&st) == 0) {
            if (app_stats_add(st, &d) != 0)
                abort();
            app_stats_free(st);
        }
        app_delta_fini(&d);
    } else {
        if (why[0] == '\0' || strlen(why) >= APP_REPORT_WHY_MAX)
            abort();
        for (const char *q = why; *q; q++)
            if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
                abort();
    }
    free(body);
    return 0;
}
