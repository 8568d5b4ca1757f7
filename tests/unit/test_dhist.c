/* Suite "dhist": the duration-histogram accumulator. Native bucket indices against the table of
 * prometheus-formats.md §3.4 (checked there against a real Prometheus), the schema-0 worked
 * example down to spans and deltas, classic DefBuckets counts, NaN and infinities, the schema
 * reduction under the bucket cap (exact: equal to observing at the lower schema from the start),
 * classic-only additions, and the deep copy into a metric set. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "render/protobuf.h"
#include "store/dhist.h"
#include "store/mset.h"

static struct dhist *mk(int32_t schema, size_t cap)
{
    struct dhist *h = NULL;
    CU_ASSERT_EQUAL_FATAL(dhist_new_schema(schema, cap, &h), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    return h;
}

static void test_index_table(void)
{
    static const struct {
        double v;
        int32_t want;
    } s3[] = {{0.3, -13}, {1.0, 0}, {1.05, 1}, {1.1, 2}, {1.5, 5}, {2.0, 8}, {3.0, 13}, {100, 54}};
    for (size_t i = 0; i < sizeof(s3) / sizeof(s3[0]); i++) {
        CU_ASSERT_EQUAL(dhist_index(3, s3[i].v), s3[i].want);
        CU_ASSERT_EQUAL(dhist_index(3, -s3[i].v), s3[i].want); /* the sign only picks the side */
    }
    /* Schema 0 (the worked example) and the negative schemas, where C's '/' would truncate. */
    CU_ASSERT_EQUAL(dhist_index(0, 0.3), -1);
    CU_ASSERT_EQUAL(dhist_index(0, 1.0), 0);
    CU_ASSERT_EQUAL(dhist_index(0, 1.5), 1);
    CU_ASSERT_EQUAL(dhist_index(0, 3.0), 2);
    CU_ASSERT_EQUAL(dhist_index(0, 100), 7);
    CU_ASSERT_EQUAL(dhist_index(-1, 0.3), 0);   /* ceil(-1.74 / 2) */
    CU_ASSERT_EQUAL(dhist_index(-1, 0.1), -1);  /* k = -3: ceil(-1.5) = -1, not 0 or -2 */
    CU_ASSERT_EQUAL(dhist_index(-2, 0.01), -1); /* k = -6: ceil(-1.5) */
    CU_ASSERT_EQUAL(dhist_index(-4, 0x1p-17), -1);
    CU_ASSERT_EQUAL(dhist_index(-4, 0x1p-16), -1);
    CU_ASSERT_EQUAL(dhist_index(-4, 0x1p-15), 0);
    /* Exact at powers of two for every schema: 2^k is the upper bound of bucket k * 2^s. */
    for (int32_t s = HISTOGRAM_SCHEMA_MIN; s <= HISTOGRAM_SCHEMA_MAX; s++) {
        for (int k = -1074; k <= 1023; k += 7) {
            int64_t want = s >= 0 ? (int64_t)k * ((int64_t)1 << s)
                                  : (int64_t)ceil((double)k / (double)(1 << -s));
            CU_ASSERT_EQUAL(dhist_index(s, ldexp(1, k)), want);
        }
    }
    /* Between bounds, ceil(log2(v) * 2^s) (values chosen away from any bound). */
    for (int32_t s = HISTOGRAM_SCHEMA_MIN; s <= HISTOGRAM_SCHEMA_MAX; s++) {
        for (int k = -400; k <= 400; k++) {
            double x = (k + 0.5) / ldexp(1, s); /* log2(v), mid-bucket */
            if (fabs(x) > 1000)
                continue;
            int32_t want = (int32_t)ceil(x * ldexp(1, s));
            CU_ASSERT_EQUAL(dhist_index(s, exp2(x)), want);
        }
    }
    /* Extremes: the smallest subnormal, DBL_MAX, and Inf one bucket beyond it. */
    CU_ASSERT_EQUAL(dhist_index(0, 5e-324), -1074);
    CU_ASSERT_EQUAL(dhist_index(3, DBL_MAX), 8192);
    CU_ASSERT_EQUAL(dhist_index(3, INFINITY), 8193);
    CU_ASSERT_EQUAL(dhist_index(3, -INFINITY), 8193);
    CU_ASSERT_EQUAL(dhist_index(-4, INFINITY), 65);
    CU_ASSERT_EQUAL(dhist_index(8, 5e-324), -1074 * 256);
}

static void check_buckets(const struct native_bucket *b, size_t n, const int32_t *idx,
                          const uint64_t *cnt, size_t want_n)
{
    CU_ASSERT_EQUAL_FATAL(n, want_n);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(b[i].index, idx[i]);
        CU_ASSERT_EQUAL(b[i].count, cnt[i]);
    }
}

static void test_schema0_example(void)
{
    struct dhist *h = mk(0, DHIST_MAX_BUCKETS);
    static const double obs[] = {0, 0.3, 1, 1.5, 3, 3, 100, -2};
    for (size_t i = 0; i < sizeof(obs) / sizeof(obs[0]); i++)
        dhist_observe(h, obs[i], 1);
    struct histogram e;
    dhist_export(h, &e);
    CU_ASSERT_EQUAL(e.count, 8);
    CU_ASSERT_EQUAL(e.sum, 106.8);
    CU_ASSERT(e.has_native);
    CU_ASSERT_EQUAL(e.schema, 0);
    CU_ASSERT_EQUAL(e.zero_threshold, 0x1p-128);
    CU_ASSERT_EQUAL(e.zero_count, 1);
    static const int32_t pi[] = {-1, 0, 1, 2, 7};
    static const uint64_t pc[] = {1, 1, 1, 2, 1};
    check_buckets(e.positive, e.npositive, pi, pc, 5);
    static const int32_t ni[] = {1};
    static const uint64_t nc[] = {1};
    check_buckets(e.negative, e.nnegative, ni, nc, 1);

    struct native_span sp[5];
    int64_t d[5];
    CU_ASSERT_EQUAL_FATAL(protobuf_native_spans(e.positive, e.npositive, sp, d), 2);
    CU_ASSERT(sp[0].offset == -1 && sp[0].length == 4);
    CU_ASSERT(sp[1].offset == 4 && sp[1].length == 1);
    CU_ASSERT(d[0] == 1 && d[1] == 0 && d[2] == 0 && d[3] == 1 && d[4] == -1);
    CU_ASSERT_EQUAL_FATAL(protobuf_native_spans(e.negative, e.nnegative, sp, d), 1);
    CU_ASSERT(sp[0].offset == 1 && sp[0].length == 1 && d[0] == 1);
    dhist_free(h);
}

static void test_spans_spec_example(void)
{
    /* The native-histogram spec's example: a new span at every gap. */
    static const struct native_bucket b[] = {{-2, 3}, {-1, 5}, {2, 1}, {4, 3}, {5, 2}};
    struct native_span sp[5];
    int64_t d[5];
    CU_ASSERT_EQUAL_FATAL(protobuf_native_spans(b, 5, sp, d), 3);
    CU_ASSERT(sp[0].offset == -2 && sp[0].length == 2);
    CU_ASSERT(sp[1].offset == 2 && sp[1].length == 1);
    CU_ASSERT(sp[2].offset == 1 && sp[2].length == 2);
    static const int64_t want[] = {3, 2, -4, 2, -1};
    CU_ASSERT_EQUAL(memcmp(d, want, sizeof(want)), 0);
    CU_ASSERT_EQUAL(protobuf_native_spans(b, 0, sp, d), 0);
}

static void test_classic(void)
{
    struct dhist *h = NULL;
    CU_ASSERT_EQUAL_FATAL(dhist_new(&h), 0);
    dhist_observe(h, 0.005, 1); /* on a bound: inclusive */
    dhist_observe(h, 0.007, 2);
    dhist_observe(h, 0.3, 1);
    dhist_observe(h, 1, 1);
    dhist_observe(h, 11, 1);  /* above 10: +Inf only */
    dhist_observe(h, -1, 1);  /* below all: every bucket */
    dhist_observe(h, 0.2, 0); /* n == 0: nothing */
    struct histogram e;
    dhist_export(h, &e);
    static const double bounds[] = DHIST_BOUNDS;
    static const uint64_t want[] = {2, 4, 4, 4, 4, 4, 5, 6, 6, 6, 6};
    CU_ASSERT_EQUAL_FATAL(e.nbuckets, DHIST_NBOUNDS);
    CU_ASSERT_EQUAL(memcmp(e.bounds, bounds, sizeof(bounds)), 0);
    CU_ASSERT_EQUAL(memcmp(e.counts, want, sizeof(want)), 0);
    CU_ASSERT_EQUAL(e.count, 7);
    CU_ASSERT_EQUAL(dhist_count(h), 7);
    CU_ASSERT_DOUBLE_EQUAL(dhist_sum(h), 0.005 + 0.014 + 0.3 + 1 + 11 - 1, 1e-12);
    CU_ASSERT_EQUAL(dhist_schema(h), DHIST_SCHEMA);
    CU_ASSERT(e.has_native);
    CU_ASSERT_EQUAL(e.schema, 3);
    CU_ASSERT_EQUAL(e.zero_threshold, DHIST_ZERO_THRESHOLD);
    dhist_free(h);
    dhist_free(NULL);
}

static void test_nan_inf_zero(void)
{
    struct dhist *h = mk(3, DHIST_MAX_BUCKETS);
    dhist_observe(h, NAN, 2);
    dhist_observe(h, INFINITY, 1);
    dhist_observe(h, -INFINITY, 1);
    dhist_observe(h, -0.0, 1);
    dhist_observe(h, 0x1p-128, 1);  /* on the threshold: zero bucket */
    dhist_observe(h, -0x1p-129, 1); /* inside it */
    dhist_observe(h, 0x1p-127, 1);  /* just outside: bucket -127 * 8 */
    struct histogram e;
    dhist_export(h, &e);
    CU_ASSERT_EQUAL(e.count, 8);
    CU_ASSERT(isnan(e.sum)); /* client_golang adds NaN to the sum as well */
    CU_ASSERT_EQUAL(e.zero_count, 3);
    static const int32_t pi[] = {-127 * 8, 8193};
    static const uint64_t pc[] = {1, 1};
    check_buckets(e.positive, e.npositive, pi, pc, 2);
    static const int32_t ni[] = {8193};
    static const uint64_t nc[] = {1};
    check_buckets(e.negative, e.nnegative, ni, nc, 1);
    /* Classic: NaN and +Inf in no finite bucket, -Inf and the zeros in all. */
    CU_ASSERT_EQUAL(e.counts[0], 5);
    CU_ASSERT_EQUAL(e.counts[DHIST_NBOUNDS - 1], 5);
    dhist_free(h);
}

static void test_multiplicity(void)
{
    struct dhist *a = mk(3, DHIST_MAX_BUCKETS), *b = mk(3, DHIST_MAX_BUCKETS);
    dhist_observe(a, 0.042, 5);
    for (int i = 0; i < 5; i++)
        dhist_observe(b, 0.042, 1);
    struct histogram ea, eb;
    dhist_export(a, &ea);
    dhist_export(b, &eb);
    CU_ASSERT_EQUAL(ea.count, eb.count);
    CU_ASSERT_DOUBLE_EQUAL(ea.sum, eb.sum, 1e-15);
    CU_ASSERT_EQUAL(memcmp(ea.counts, eb.counts, DHIST_NBOUNDS * sizeof(uint64_t)), 0);
    CU_ASSERT_EQUAL_FATAL(ea.npositive, 1);
    CU_ASSERT_EQUAL_FATAL(eb.npositive, 1);
    CU_ASSERT(ea.positive[0].index == eb.positive[0].index && ea.positive[0].count == 5);
    dhist_free(a);
    dhist_free(b);
}

static void same_native(const struct histogram *x, const struct histogram *y)
{
    CU_ASSERT_EQUAL(x->schema, y->schema);
    CU_ASSERT_EQUAL(x->zero_count, y->zero_count);
    CU_ASSERT_EQUAL_FATAL(x->npositive, y->npositive);
    CU_ASSERT_EQUAL_FATAL(x->nnegative, y->nnegative);
    /* Field by field: memcmp would compare the padding after index. */
    for (size_t i = 0; i < x->npositive; i++)
        CU_ASSERT(x->positive[i].index == y->positive[i].index &&
                  x->positive[i].count == y->positive[i].count);
    for (size_t i = 0; i < x->nnegative; i++)
        CU_ASSERT(x->negative[i].index == y->negative[i].index &&
                  x->negative[i].count == y->negative[i].count);
}

static void test_resolution_reduction(void)
{
    /* 200 values one schema-3 bucket apart: the 161st distinct bucket halves the resolution. */
    struct dhist *h = NULL, *ref = mk(2, 100000);
    CU_ASSERT_EQUAL_FATAL(dhist_new(&h), 0);
    uint64_t total = 0;
    for (int k = 0; k < 200; k++) {
        double v = exp2((k - 0.5) / 8); /* mid-bucket k at schema 3 */
        dhist_observe(h, v, (uint64_t)k + 1);
        dhist_observe(h, -v, 1);
        dhist_observe(ref, v, (uint64_t)k + 1);
        dhist_observe(ref, -v, 1);
        total += (uint64_t)k + 2;
        struct histogram e;
        dhist_export(h, &e);
        CU_ASSERT(e.npositive <= DHIST_MAX_BUCKETS && e.nnegative <= DHIST_MAX_BUCKETS);
        if (k == 159)
            CU_ASSERT_EQUAL(e.schema, 3); /* exactly 160: still full resolution */
        if (k == 160)
            CU_ASSERT_EQUAL(e.schema, 2);
    }
    struct histogram e, r;
    dhist_export(h, &e);
    dhist_export(ref, &r);
    CU_ASSERT_EQUAL(dhist_schema(h), 2);
    CU_ASSERT_EQUAL(e.npositive, 101); /* ceil(k / 2) for k = 0..199 */
    /* Merging is exact: the same buckets as observing at schema 2 from the start. */
    same_native(&e, &r);
    uint64_t sum = e.zero_count;
    for (size_t i = 0; i < e.npositive; i++)
        sum += e.positive[i].count;
    for (size_t i = 0; i < e.nnegative; i++)
        sum += e.negative[i].count;
    CU_ASSERT_EQUAL(sum, total);
    CU_ASSERT_EQUAL(e.count, total);
    dhist_free(h);
    dhist_free(ref);

    /* A tiny cap reduces several steps at once; one sign over the cap reduces both. */
    h = mk(3, 4);
    ref = mk(-1, 100);
    static const double v[] = {1, 2, 4, 8, 16, -3};
    for (size_t i = 0; i < 6; i++) {
        dhist_observe(h, v[i], 1);
        dhist_observe(ref, v[i], 1);
    }
    dhist_export(h, &e);
    dhist_export(ref, &r);
    CU_ASSERT_EQUAL(e.schema, -1); /* indices 0,1,1,2,2 at base 4: 3 buckets */
    same_native(&e, &r);

    /* At schema -4 the resolution cannot drop further: the cap gives way, nothing is lost. */
    dhist_free(h);
    dhist_free(ref);
    h = mk(-4, 1);
    dhist_observe(h, 1, 1);
    dhist_observe(h, 0x1p100, 1);
    dhist_observe(h, 0x1p-100, 1);
    dhist_export(h, &e);
    CU_ASSERT_EQUAL(e.schema, -4);
    CU_ASSERT_EQUAL(e.npositive, 3);
    dhist_free(h);
}

static void test_new_errors(void)
{
    struct dhist *h = NULL; /* must stay untouched */
    CU_ASSERT_EQUAL(dhist_new_schema(-5, 10, &h), -EINVAL);
    CU_ASSERT_EQUAL(dhist_new_schema(9, 10, &h), -EINVAL);
    CU_ASSERT_EQUAL(dhist_new_schema(0, 0, &h), -EINVAL);
    CU_ASSERT_PTR_NULL(h);
}

static void test_add_buckets(void)
{
    static const double def[] = DHIST_BOUNDS;
    struct dhist *h = NULL;
    CU_ASSERT_EQUAL_FATAL(dhist_new(&h), 0);
    dhist_observe(h, 0.02, 1);
    struct histogram before, e;
    uint64_t snap[DHIST_NBOUNDS];
    dhist_export(h, &before);
    memcpy(snap, before.counts, sizeof(snap));

    /* Malformed: refused, and nothing changes. */
    static const double unsorted[] = {0.1, 0.05};
    static const uint64_t uc[] = {1, 1};
    CU_ASSERT_EQUAL(dhist_add_buckets(h, unsorted, uc, 2, 1, 0.1), -EINVAL);
    static const uint64_t decreasing[] = {2, 1};
    static const double two[] = {0.05, 0.1};
    CU_ASSERT_EQUAL(dhist_add_buckets(h, two, decreasing, 2, 2, 0.1), -EINVAL);
    CU_ASSERT_EQUAL(dhist_add_buckets(h, two, uc, 2, 0, 0), -EINVAL); /* cum > count */
    static const double nan_b[] = {NAN};
    CU_ASSERT_EQUAL(dhist_add_buckets(h, nan_b, uc, 1, 1, 0), -EINVAL);
    static const double inf_mid[] = {INFINITY, 1e300};
    CU_ASSERT_EQUAL(dhist_add_buckets(h, inf_mid, uc, 2, 1, 0), -EINVAL);
    static const double ninf[] = {-INFINITY};
    CU_ASSERT_EQUAL(dhist_add_buckets(h, ninf, uc, 1, 1, 0), -EINVAL);
    CU_ASSERT_EQUAL(dhist_add_buckets(h, NULL, NULL, 2, 4, 1), -EINVAL);
    dhist_export(h, &e);
    CU_ASSERT_EQUAL(e.count, 1);
    CU_ASSERT_EQUAL(memcmp(e.counts, snap, sizeof(snap)), 0);
    CU_ASSERT(e.has_native);

    /* Nothing observed: accepted, the native part stays. */
    CU_ASSERT_EQUAL(dhist_add_buckets(h, NULL, NULL, 0, 0, 0), 0);
    dhist_export(h, &e);
    CU_ASSERT(e.has_native);

    /* Exactly our bounds plus +Inf: added exactly; the native part is gone for good. */
    uint64_t cum[DHIST_NBOUNDS + 1];
    double bounds[DHIST_NBOUNDS + 1];
    for (size_t i = 0; i < DHIST_NBOUNDS; i++) {
        bounds[i] = def[i];
        cum[i] = i + 1;
        snap[i] += i + 1;
    }
    bounds[DHIST_NBOUNDS] = INFINITY;
    cum[DHIST_NBOUNDS] = 20;
    /* +Inf must carry count. */
    CU_ASSERT_EQUAL(dhist_add_buckets(h, bounds, cum, DHIST_NBOUNDS + 1, 21, 2), -EINVAL);
    CU_ASSERT_EQUAL(dhist_add_buckets(h, bounds, cum, DHIST_NBOUNDS + 1, 20, 2.5), 0);
    dhist_export(h, &e);
    CU_ASSERT_FALSE(e.has_native);
    CU_ASSERT_EQUAL(e.npositive + e.nnegative + e.zero_count, 0);
    CU_ASSERT_EQUAL(e.count, 21);
    CU_ASSERT_DOUBLE_EQUAL(e.sum, 2.52, 1e-12);
    CU_ASSERT_EQUAL(memcmp(e.counts, snap, sizeof(snap)), 0);

    /* A finer set containing ours maps exactly (0.075 and 0.75 fall in 0.1 and 1). */
    double fine[DHIST_NBOUNDS + 2];
    uint64_t fc[DHIST_NBOUNDS + 2];
    size_t n = 0;
    for (size_t i = 0; i < DHIST_NBOUNDS; i++) {
        fine[n] = def[i];
        fc[n++] = 2 * i;
        snap[i] += 2 * i;
        if (def[i] == 0.05 || def[i] == 0.5) {
            fine[n] = def[i] * 1.5;
            fc[n++] = 2 * i + 1;
        }
    }
    CU_ASSERT_EQUAL(dhist_add_buckets(h, fine, fc, n, 30, 1), 0);
    dhist_export(h, &e);
    CU_ASSERT_EQUAL(memcmp(e.counts, snap, sizeof(snap)), 0);
    CU_ASSERT_EQUAL(e.count, 51);

    /* Other bounds fold into the smallest bucket of ours containing them: 0.003 -> 0.005,
     * (0.003, 0.07] -> 0.1, (0.07, 0.3] -> 0.5, (0.3, 20] and above -> +Inf only. */
    static const double odd[] = {0.003, 0.07, 0.3, 20};
    static const uint64_t oc[] = {1, 3, 6, 10};
    static const uint64_t add[DHIST_NBOUNDS] = {1, 1, 1, 1, 3, 3, 6, 6, 6, 6, 6};
    for (size_t i = 0; i < DHIST_NBOUNDS; i++)
        snap[i] += add[i];
    CU_ASSERT_EQUAL(dhist_add_buckets(h, odd, oc, 4, 12, 40), DHIST_FOLDED);
    dhist_export(h, &e);
    CU_ASSERT_EQUAL(memcmp(e.counts, snap, sizeof(snap)), 0);
    CU_ASSERT_EQUAL(e.count, 63);
    /* A subset of ours is folded too (0.05 is missing: its count is a lower bound). */
    static const double sub[] = {0.01, 0.1};
    static const uint64_t sc[] = {1, 2};
    CU_ASSERT_EQUAL(dhist_add_buckets(h, sub, sc, 2, 2, 0.1), DHIST_FOLDED);
    static const uint64_t add2[DHIST_NBOUNDS] = {0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2};
    for (size_t i = 0; i < DHIST_NBOUNDS; i++)
        snap[i] += add2[i];
    /* No buckets at all: the observations are above every bound of ours. */
    CU_ASSERT_EQUAL(dhist_add_buckets(h, NULL, NULL, 0, 4, 100), DHIST_FOLDED);
    dhist_export(h, &e);
    CU_ASSERT_EQUAL(memcmp(e.counts, snap, sizeof(snap)), 0);
    CU_ASSERT_EQUAL(e.count, 69);

    /* Observations after the switch still count, classic only. */
    dhist_observe(h, 0.02, 1);
    dhist_export(h, &e);
    CU_ASSERT_FALSE(e.has_native);
    CU_ASSERT_EQUAL(e.count, 70);
    CU_ASSERT_EQUAL(e.counts[DHIST_NBOUNDS - 1], snap[DHIST_NBOUNDS - 1] + 1);
    CU_ASSERT_EQUAL(e.counts[1], snap[1]);
    CU_ASSERT_EQUAL(e.counts[2], snap[2] + 1);
    dhist_free(h);
}

static void test_mset_copy(void)
{
    struct dhist *h = mk(3, DHIST_MAX_BUCKETS);
    dhist_observe(h, 0.5, 1);
    dhist_observe(h, -0.25, 2);
    dhist_observe(h, 0, 1);
    struct histogram e;
    dhist_export(h, &e);
    struct mset *m = mset_new();
    struct mfamily *f = NULL;
    CU_ASSERT_EQUAL_FATAL(
        mset_family(m, "rizk_request_duration_seconds", METRIC_HISTOGRAM, "D.", &f), 0);
    CU_ASSERT_EQUAL_FATAL(mset_add_histogram(m, f, NULL, 0, &e), 0);
    /* Later observations must not show through the copy (bucket 0.5 gains, 0.75 is new). */
    dhist_observe(h, 0.5, 7);
    dhist_observe(h, 0.75, 1);
    const struct histogram *c = f->samples[0].histo;
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT(c->has_native);
    CU_ASSERT_EQUAL(c->count, 4);
    CU_ASSERT_EQUAL(c->schema, 3);
    CU_ASSERT_EQUAL(c->zero_threshold, DHIST_ZERO_THRESHOLD);
    CU_ASSERT_EQUAL(c->zero_count, 1);
    CU_ASSERT_EQUAL_FATAL(c->npositive, 1);
    CU_ASSERT(c->positive[0].index == -8 && c->positive[0].count == 1);
    CU_ASSERT_EQUAL_FATAL(c->nnegative, 1);
    CU_ASSERT(c->negative[0].index == -16 && c->negative[0].count == 2);
    CU_ASSERT_EQUAL(c->counts[5], 3); /* le 0.25: -0.25 twice and 0 */
    CU_ASSERT_EQUAL(c->counts[6], 4); /* le 0.5: and 0.5 */

    /* Invalid native parts are refused. */
    struct native_bucket bad[] = {{3, 1}, {3, 1}};
    struct histogram x = e;
    x.positive = bad;
    x.npositive = 2;
    CU_ASSERT_EQUAL(mset_add_histogram(m, f, NULL, 0, &x), -EINVAL);
    x = e;
    x.schema = 9;
    CU_ASSERT_EQUAL(mset_add_histogram(m, f, NULL, 0, &x), -EINVAL);
    x = e;
    x.zero_threshold = NAN;
    CU_ASSERT_EQUAL(mset_add_histogram(m, f, NULL, 0, &x), -EINVAL);
    struct native_bucket far[] = {{HISTOGRAM_INDEX_LIMIT + 1, 1}};
    x = e;
    x.negative = far;
    x.nnegative = 1;
    CU_ASSERT_EQUAL(mset_add_histogram(m, f, NULL, 0, &x), -EINVAL);
    CU_ASSERT_EQUAL(f->nsamples, 1);
    mset_free(m);
    dhist_free(h);
}

static CU_TestInfo tests[] = {
    {"index_table", test_index_table},
    {"schema0_example", test_schema0_example},
    {"spans_spec_example", test_spans_spec_example},
    {"classic", test_classic},
    {"nan_inf_zero", test_nan_inf_zero},
    {"multiplicity", test_multiplicity},
    {"resolution_reduction", test_resolution_reduction},
    {"new_errors", test_new_errors},
    {"add_buckets", test_add_buckets},
    {"mset_copy", test_mset_copy},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_dhist = {"dhist", NULL, NULL, NULL, NULL, tests};
