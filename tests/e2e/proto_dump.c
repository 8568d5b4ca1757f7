/* proto_dump: writes the protobuf body the renderer makes for a fixed set of observations, and
 * what a Prometheus that ingests it must report, for tests/e2e/test_prometheus_native.sh.
 *   proto_dump BODY_FILE EXPECT_FILE
 * BODY_FILE gets render_protobuf's bytes for three families: rizk_request_duration_seconds (a
 * dhist fed known observations: native + classic), rizk_demo_classic_seconds (a classic-only
 * dhist) and the gauge rizk_demo_gauge. EXPECT_FILE gets one JSON object: count, sum, the true
 * median, schema, the native buckets as Prometheus's query API lists them
 * ([boundary_rule, lower, upper, count], rule 0 = (lo,hi], 1 = [lo,hi), 3 = [lo,hi]) and the
 * classic-only family's count and sum. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "render/render.h"
#include "store/dhist.h"
#include "store/mset.h"

#define NOBS 230

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void print_bucket(FILE *f, int rule, double lo, double hi, unsigned long long n, int *first)
{
    fprintf(f, "%s[%d, %.17g, %.17g, %llu]", *first ? "" : ", ", rule, lo, hi, n);
    *first = 0;
}

static void write_expect(FILE *f, const struct histogram *e, double median, const struct dhist *c)
{
    double w = ldexp(1.0, -e->schema); /* log2 of the growth factor */
    int first = 1;
    fprintf(f, "{\"count\": %llu, \"sum\": %.17g, \"median\": %.17g, \"schema\": %d,\n",
            (unsigned long long)e->count, e->sum, median, e->schema);
    fprintf(f, " \"buckets\": [");
    /* Prometheus lists negative buckets from the most negative, then zero, then positive. */
    for (size_t i = e->nnegative; i-- > 0;) {
        int32_t k = e->negative[i].index;
        print_bucket(f, 1, -exp2(k * w), -exp2((k - 1) * w),
                     (unsigned long long)e->negative[i].count, &first);
    }
    if (e->zero_count > 0)
        print_bucket(f, 3, -e->zero_threshold, e->zero_threshold, (unsigned long long)e->zero_count,
                     &first);
    for (size_t i = 0; i < e->npositive; i++) {
        int32_t k = e->positive[i].index;
        print_bucket(f, 0, exp2((k - 1) * w), exp2(k * w), (unsigned long long)e->positive[i].count,
                     &first);
    }
    fprintf(f, "],\n \"classic_count\": %llu, \"classic_sum\": %.17g}\n",
            (unsigned long long)dhist_count(c), dhist_sum(c));
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s BODY_FILE EXPECT_FILE\n", argv[0]);
        return 2;
    }
    /* 200 durations k/256 s (exact in binary, so the sum is exact), 20 zeros, 10 at -0.5. */
    double obs[NOBS];
    size_t n = 0;
    for (int k = 1; k <= 200; k++)
        obs[n++] = k / 256.0;
    for (int k = 0; k < 20; k++)
        obs[n++] = 0;
    for (int k = 0; k < 10; k++)
        obs[n++] = -0.5;

    struct dhist *h = NULL, *c = NULL;
    if (dhist_new(&h) < 0 || dhist_new(&c) < 0)
        return 1;
    for (size_t i = 0; i < n; i++)
        dhist_observe(h, obs[i], 1);
    qsort(obs, n, sizeof(obs[0]), cmp_double);
    double median = (obs[n / 2 - 1] + obs[n / 2]) / 2;

    static const double def[] = DHIST_BOUNDS;
    uint64_t cum[DHIST_NBOUNDS];
    for (size_t i = 0; i < DHIST_NBOUNDS; i++)
        cum[i] = 3 * (i + 1);
    if (dhist_add_buckets(c, def, cum, DHIST_NBOUNDS, 40, 77.25) < 0)
        return 1;

    struct mset *m = mset_new();
    struct mfamily *f = NULL;
    struct histogram e, ec;
    dhist_export(h, &e);
    dhist_export(c, &ec);
    struct label route = {"route", "/api"};
    int rc =
        mset_family(m, "rizk_request_duration_seconds", METRIC_HISTOGRAM, "Request duration.", &f);
    if (rc == 0)
        rc = mset_add_histogram(m, f, &route, 1, &e);
    if (rc == 0)
        rc = mset_family(m, "rizk_demo_classic_seconds", METRIC_HISTOGRAM, "Classic only.", &f);
    if (rc == 0)
        rc = mset_add_histogram(m, f, NULL, 0, &ec);
    if (rc == 0)
        rc = mset_family(m, "rizk_demo_gauge", METRIC_GAUGE, "A gauge.", &f);
    if (rc == 0)
        rc = mset_add(m, f, NULL, 0, 21.5);
    struct buf b;
    buf_init(&b, (size_t)1 << 20);
    if (rc == 0)
        rc = render_protobuf(m, &b);
    FILE *out = rc == 0 ? fopen(argv[1], "wb") : NULL;
    FILE *exp = out != NULL ? fopen(argv[2], "w") : NULL;
    if (exp == NULL || fwrite(buf_ptr(&b), 1, buf_len(&b), out) != buf_len(&b)) {
        fprintf(stderr, "proto_dump: failed (rc %d)\n", rc);
        return 1;
    }
    write_expect(exp, &e, median, c);
    fclose(out);
    fclose(exp);
    buf_fini(&b);
    mset_free(m);
    dhist_free(h);
    dhist_free(c);
    return 0;
}
