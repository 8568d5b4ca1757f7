/* Push-report decoders. Both encodings decode into a struct app_delta first and then run the
 * same app_report_check, so JSON and protobuf accept and reject exactly the same reports. */
#include "parse/app_report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/xalloc.h"
#include "rizk/v1/report.pb-c.h"
#include "core/banned.h"

__attribute__((format(printf, 2, 3))) static int app_report_fail(char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, APP_REPORT_WHY_MAX, fmt, ap);
    va_end(ap);
    /* The reason goes back to the client in a text body and into a log line: printable only. */
    for (char *p = why; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            *p = '?';
    return -EPROTO;
}

void app_delta_fini(struct app_delta *d)
{
    if (d == NULL)
        return;
    free(d->durations);
    free(d->bounds);
    free(d->cum_counts);
    memset(d, 0, sizeof(*d));
}

bool app_delta_is_empty(const struct app_delta *d)
{
    return !d->has_requests && d->ndurations == 0 && !d->has_histogram &&
           !d->has_cache[APP_TIER_L1] && !d->has_cache[APP_TIER_L2] && !d->has_active_connections;
}

/* app_report_check validates what both encodings share; d is fully decoded. */
static int app_report_check(const struct app_delta *d, char *why)
{
    for (size_t i = 0; i < d->ndurations; i++)
        if (!isfinite(d->durations[i]) || d->durations[i] < 0)
            return app_report_fail(why, "durations_seconds[%zu] must be a finite number >= 0", i);
    if (d->has_histogram) {
        if (d->nbuckets > APP_REPORT_MAX_BUCKETS)
            return app_report_fail(why, "duration_histogram has more than %d buckets",
                                   APP_REPORT_MAX_BUCKETS);
        for (size_t i = 0; i < d->nbuckets; i++) {
            if (!isfinite(d->bounds[i]))
                return app_report_fail(why, "duration_histogram.bounds[%zu] must be finite", i);
            if (i > 0 && !(d->bounds[i] > d->bounds[i - 1]))
                return app_report_fail(why, "duration_histogram.bounds must be strictly "
                                            "ascending");
            if (i > 0 && d->cum_counts[i] < d->cum_counts[i - 1])
                return app_report_fail(why, "duration_histogram.cumulative_counts must be "
                                            "non-decreasing");
        }
        if (d->nbuckets > 0 && d->hist_count < d->cum_counts[d->nbuckets - 1])
            return app_report_fail(why, "duration_histogram.count must be >= the last "
                                        "cumulative count");
        if (!isfinite(d->hist_sum) || d->hist_sum < 0)
            return app_report_fail(why, "duration_histogram.sum must be a finite number >= 0");
    }
    return 0;
}

/* ---- JSON ---- */

/* json_count reads an optional non-negative integer; *present tells whether it was there. */
static int json_count(json_t *v, const char *name, double *out, char *why)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return app_report_fail(why, "%s must be a non-negative integer", name);
    *out = (double)json_integer_value(v);
    return 0;
}

static int json_doubles(json_t *v, const char *name, double **out, size_t *n, char *why)
{
    if (!json_is_array(v))
        return app_report_fail(why, "%s must be an array of numbers", name);
    size_t len = json_array_size(v);
    double *a = xcalloc(len ? len : 1, sizeof(double));
    for (size_t i = 0; i < len; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_number(e)) {
            free(a);
            return app_report_fail(why, "%s[%zu] must be a number", name, i);
        }
        a[i] = json_number_value(e);
    }
    *out = a;
    *n = len;
    return 0;
}

static int json_u64s(json_t *v, const char *name, uint64_t **out, size_t *n, char *why)
{
    if (!json_is_array(v))
        return app_report_fail(why, "%s must be an array of integers", name);
    size_t len = json_array_size(v);
    uint64_t *a = xcalloc(len ? len : 1, sizeof(uint64_t));
    for (size_t i = 0; i < len; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_integer(e) || json_integer_value(e) < 0) {
            free(a);
            return app_report_fail(why, "%s[%zu] must be a non-negative integer", name, i);
        }
        a[i] = (uint64_t)json_integer_value(e);
    }
    *out = a;
    *n = len;
    return 0;
}

static int json_histogram(json_t *h, struct app_delta *d, char *why)
{
    const char *key;
    json_t *v;
    size_t nb = 0, nc = 0;
    bool has_count = false;
    if (!json_is_object(h))
        return app_report_fail(why, "duration_histogram must be an object");
    json_object_foreach(h, key, v)
    {
        int rc = 0;
        double x = 0;
        if (json_is_null(v))
            continue;
        if (strcmp(key, "bounds") == 0) {
            rc = json_doubles(v, "duration_histogram.bounds", &d->bounds, &nb, why);
        } else if (strcmp(key, "cumulative_counts") == 0) {
            rc = json_u64s(v, "duration_histogram.cumulative_counts", &d->cum_counts, &nc, why);
        } else if (strcmp(key, "count") == 0) {
            rc = json_count(v, "duration_histogram.count", &x, why);
            d->hist_count = (uint64_t)json_integer_value(v);
            has_count = true;
        } else if (strcmp(key, "sum") == 0) {
            if (!json_is_number(v))
                rc = app_report_fail(why, "duration_histogram.sum must be a number");
            else
                d->hist_sum = json_number_value(v);
        } else {
            rc = app_report_fail(why, "unknown field \"duration_histogram.%.40s\"", key);
        }
        if (rc < 0)
            return rc;
    }
    if (nb != nc)
        return app_report_fail(why, "duration_histogram.bounds and cumulative_counts must have "
                                    "the same length");
    d->nbuckets = nb;
    if (!has_count)
        d->hist_count = nb ? d->cum_counts[nb - 1] : 0;
    d->has_histogram = true;
    return 0;
}

static int json_tier(json_t *t, const char *name, struct app_delta *d, enum app_tier tier,
                     char *why)
{
    const char *key;
    json_t *v;
    char field[48];
    if (!json_is_object(t))
        return app_report_fail(why, "%s must be an object", name);
    json_object_foreach(t, key, v)
    {
        if (json_is_null(v))
            continue;
        double *dst;
        if (strcmp(key, "hits") == 0)
            dst = &d->cache_hits[tier];
        else if (strcmp(key, "misses") == 0)
            dst = &d->cache_misses[tier];
        else
            return app_report_fail(why, "unknown field \"%s.%.40s\"", name, key);
        snprintf(field, sizeof(field), "%s.%s", name, key);
        if (json_count(v, field, dst, why) < 0)
            return -EPROTO;
    }
    d->has_cache[tier] = true;
    return 0;
}

static int json_field(const char *key, json_t *v, struct app_delta *d, char *why)
{
    if (strcmp(key, "requests") == 0 || strcmp(key, "errors") == 0) {
        d->has_requests = true;
        return json_count(v, key, key[0] == 'r' ? &d->requests : &d->errors, why);
    }
    if (strcmp(key, "durations_seconds") == 0)
        return json_doubles(v, key, &d->durations, &d->ndurations, why);
    if (strcmp(key, "duration_histogram") == 0)
        return json_histogram(v, d, why);
    if (strcmp(key, "cache_l1") == 0)
        return json_tier(v, key, d, APP_TIER_L1, why);
    if (strcmp(key, "cache_l2") == 0)
        return json_tier(v, key, d, APP_TIER_L2, why);
    if (strcmp(key, "active_connections") == 0) {
        d->has_active_connections = true;
        return json_count(v, key, &d->active_connections, why);
    }
    return app_report_fail(why, "unknown field \"%.60s\"", key);
}

int parse_app_report_json(const char *body, size_t len, struct app_delta *out, char *why)
{
    struct app_delta d = {0};
    json_error_t jerr;
    int rc;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return app_report_fail(why, "malformed JSON at line %d column %d: %.60s", jerr.line,
                               jerr.column, jerr.text);
    if (!json_is_object(root)) {
        rc = app_report_fail(why, "the report must be a JSON object");
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (json_is_null(v))
            continue;
        rc = json_field(key, v, &d, why);
        if (rc < 0)
            goto out;
    }
    rc = app_report_check(&d, why);
out:
    json_decref(root);
    if (rc < 0) {
        app_delta_fini(&d);
        return rc;
    }
    *out = d;
    return 0;
}

/* ---- protobuf ---- */

static int proto_count(bool has, int64_t v, const char *name, double *out, char *why)
{
    if (!has)
        return 0;
    if (v < 0)
        return app_report_fail(why, "%s must be a non-negative integer", name);
    *out = (double)v;
    return 0;
}

static int proto_unknown(const ProtobufCMessage *m, const char *where, char *why)
{
    if (m->n_unknown_fields == 0)
        return 0;
    return app_report_fail(why, "unknown field number %u in %s", m->unknown_fields[0].tag, where);
}

static int proto_tier(const Rizk__V1__CacheTier *t, const char *name, struct app_delta *d,
                      enum app_tier tier, char *why)
{
    char field[48];
    if (t == NULL)
        return 0;
    if (proto_unknown(&t->base, name, why) < 0)
        return -EPROTO;
    snprintf(field, sizeof(field), "%s.hits", name);
    if (proto_count(t->has_hits, t->hits, field, &d->cache_hits[tier], why) < 0)
        return -EPROTO;
    snprintf(field, sizeof(field), "%s.misses", name);
    if (proto_count(t->has_misses, t->misses, field, &d->cache_misses[tier], why) < 0)
        return -EPROTO;
    d->has_cache[tier] = true;
    return 0;
}

static int proto_histogram(const Rizk__V1__DurationHistogram *h, struct app_delta *d, char *why)
{
    if (h == NULL)
        return 0;
    if (proto_unknown(&h->base, "duration_histogram", why) < 0)
        return -EPROTO;
    if (h->n_bounds != h->n_cumulative_counts)
        return app_report_fail(why, "duration_histogram.bounds and cumulative_counts must have "
                                    "the same length");
    if (h->n_bounds > APP_REPORT_MAX_BUCKETS)
        return app_report_fail(why, "duration_histogram has more than %d buckets",
                               APP_REPORT_MAX_BUCKETS);
    size_t nb = h->n_bounds;
    d->bounds = xcalloc(nb ? nb : 1, sizeof(double));
    d->cum_counts = xcalloc(nb ? nb : 1, sizeof(uint64_t));
    if (nb > 0) {
        memcpy(d->bounds, h->bounds, nb * sizeof(double));
        memcpy(d->cum_counts, h->cumulative_counts, nb * sizeof(uint64_t));
    }
    d->nbuckets = nb;
    d->hist_count = h->has_count ? h->count : (nb ? h->cumulative_counts[nb - 1] : 0);
    d->hist_sum = h->has_sum ? h->sum : 0;
    d->has_histogram = true;
    return 0;
}

static int proto_fill(const Rizk__V1__Report *r, struct app_delta *d, char *why)
{
    if (proto_unknown(&r->base, "Report", why) < 0)
        return -EPROTO;
    d->has_requests = r->has_requests || r->has_errors;
    if (proto_count(r->has_requests, r->requests, "requests", &d->requests, why) < 0 ||
        proto_count(r->has_errors, r->errors, "errors", &d->errors, why) < 0)
        return -EPROTO;
    if (r->n_durations_seconds > 0) {
        d->durations = xcalloc(r->n_durations_seconds, sizeof(double));
        memcpy(d->durations, r->durations_seconds, r->n_durations_seconds * sizeof(double));
        d->ndurations = r->n_durations_seconds;
    }
    if (proto_histogram(r->duration_histogram, d, why) < 0 ||
        proto_tier(r->cache_l1, "cache_l1", d, APP_TIER_L1, why) < 0 ||
        proto_tier(r->cache_l2, "cache_l2", d, APP_TIER_L2, why) < 0)
        return -EPROTO;
    d->has_active_connections = r->has_active_connections;
    if (proto_count(r->has_active_connections, r->active_connections, "active_connections",
                    &d->active_connections, why) < 0)
        return -EPROTO;
    return app_report_check(d, why);
}

int parse_app_report_proto(const uint8_t *body, size_t len, struct app_delta *out, char *why)
{
    struct app_delta d = {0};
    Rizk__V1__Report *r = rizk__v1__report__unpack(NULL, len, body);
    if (r == NULL)
        return app_report_fail(why, "malformed protobuf: not a rizk.v1.Report");
    int rc = proto_fill(r, &d, why);
    rizk__v1__report__free_unpacked(r, NULL);
    if (rc < 0) {
        app_delta_fini(&d);
        return rc;
    }
    *out = d;
    return 0;
}
