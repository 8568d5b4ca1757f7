/* store: window aggregates on hand-fed series with exact expected values, the window boundary
 * convention (now - window, now], counter resets in rate/increase, NaN skipping, and the
 * -ENODATA/-EINVAL cases. */
#include <errno.h>
#include <math.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "store/store.h"
#include "core/banned.h"

#define G HS_NODE_MEMORY_TOTAL_BYTES /* a gauge series */
#define C HS_NODE_CPU_BUSY_SECONDS   /* a counter series */

static struct store *store_make(uint64_t slots)
{
    struct store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(store_new(slots, &s), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    return s;
}

static void feed(struct store *s, enum hist_series id, const int64_t *t, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL(store_append(s, id, t[i], v[i]), 0);
}

static void test_new_and_memory(void)
{
    struct store *s = NULL;
    CU_ASSERT_EQUAL(store_new(0, &s), -EINVAL);
    CU_ASSERT_EQUAL(store_new(RING_CAP_MAX + 1, &s), -EINVAL);
    CU_ASSERT_PTR_NULL(s);
    s = store_make(3600);
    CU_ASSERT_EQUAL(store_capacity(s), 4096);
    /* 1 h at 1 s: 4096 slots of 16 bytes per series, allocated up front. */
    CU_ASSERT(store_memory_bytes(s) >= (size_t)HS_COUNT * 4096 * 16);
    CU_ASSERT(store_memory_bytes(s) < (size_t)HS_COUNT * 4096 * 16 + 4096);
    for (int i = 0; i < HS_COUNT; i++)
        CU_ASSERT_EQUAL(store_count(s, (enum hist_series)i), 0);
    store_free(s);
    store_free(NULL);
}

static void test_gauge_aggregates(void)
{
    struct store *s = store_make(16);
    const int64_t t[] = {1000, 2000, 3000, 4000, 5000};
    const double v[] = {4, 8, 6, 2, 10};
    double out;
    feed(s, G, t, v, 5);
    CU_ASSERT_EQUAL(store_count(s, G), 5);

    CU_ASSERT_EQUAL_FATAL(store_avg(s, G, 5000, 5000, &out), 0);
    CU_ASSERT_EQUAL(out, 6.0);
    CU_ASSERT_EQUAL_FATAL(store_min(s, G, 5000, 5000, &out), 0);
    CU_ASSERT_EQUAL(out, 2.0);
    CU_ASSERT_EQUAL_FATAL(store_max(s, G, 5000, 5000, &out), 0);
    CU_ASSERT_EQUAL(out, 10.0);
    CU_ASSERT_EQUAL_FATAL(store_last(s, G, 5000, 5000, &out), 0);
    CU_ASSERT_EQUAL(out, 10.0);

    /* (2000, 4000] = {6, 2}. */
    CU_ASSERT_EQUAL_FATAL(store_avg(s, G, 4000, 2000, &out), 0);
    CU_ASSERT_EQUAL(out, 4.0);
    CU_ASSERT_EQUAL_FATAL(store_max(s, G, 4000, 2000, &out), 0);
    CU_ASSERT_EQUAL(out, 6.0);
    store_free(s);
}

static void test_window_boundaries(void)
{
    struct store *s = store_make(16);
    const int64_t t[] = {1000, 2000, 3000, 4000, 5000};
    const double v[] = {4, 8, 6, 2, 10};
    double out;
    feed(s, G, t, v, 5);

    /* Open at the start: (3000, 4000] holds only t=4000. */
    CU_ASSERT_EQUAL_FATAL(store_avg(s, G, 4000, 1000, &out), 0);
    CU_ASSERT_EQUAL(out, 2.0);
    /* One more millisecond takes in t=3000. */
    CU_ASSERT_EQUAL_FATAL(store_avg(s, G, 4000, 1001, &out), 0);
    CU_ASSERT_EQUAL(out, 4.0);
    /* Closed at the end: (2999, 3999] holds only t=3000. */
    CU_ASSERT_EQUAL_FATAL(store_last(s, G, 3999, 1000, &out), 0);
    CU_ASSERT_EQUAL(out, 6.0);
    /* Samples after now are not in the window. */
    CU_ASSERT_EQUAL_FATAL(store_last(s, G, 4500, 100000, &out), 0);
    CU_ASSERT_EQUAL(out, 2.0);
    CU_ASSERT_EQUAL_FATAL(store_max(s, G, 4500, 100000, &out), 0);
    CU_ASSERT_EQUAL(out, 8.0);
    /* A window between samples, and one before all of them. */
    out = -1.0;
    CU_ASSERT_EQUAL(store_avg(s, G, 4999, 999, &out), -ENODATA);
    CU_ASSERT_EQUAL(store_last(s, G, 999, 1000, &out), -ENODATA);
    CU_ASSERT_EQUAL(out, -1.0); /* untouched on error */
    store_free(s);
}

static void test_rate_with_counter_reset(void)
{
    struct store *s = store_make(16);
    /* 100 -> 150 -> 200, restart, 30 -> 80: increase 50 + 50 + 30 + 50 = 180 over 40 s (as
     * Prometheus: last - first + value before each reset = 80 - 100 + 200). */
    const int64_t t[] = {0, 10000, 20000, 30000, 40000};
    const double v[] = {100, 150, 200, 30, 80};
    double out;
    feed(s, C, t, v, 5);
    CU_ASSERT_EQUAL_FATAL(store_increase(s, C, 40000, 60000, &out), 0);
    CU_ASSERT_EQUAL(out, 180.0);
    CU_ASSERT_EQUAL_FATAL(store_rate(s, C, 40000, 60000, &out), 0);
    CU_ASSERT_EQUAL(out, 4.5);
    /* No extrapolation: (0, 40000] spans 10 s..40 s, increase 130 over 30 s. */
    CU_ASSERT_EQUAL_FATAL(store_increase(s, C, 40000, 40000, &out), 0);
    CU_ASSERT_EQUAL(out, 130.0);
    CU_ASSERT_EQUAL_FATAL(store_rate(s, C, 40000, 40000, &out), 0);
    CU_ASSERT_DOUBLE_EQUAL(out, 130.0 / 30.0, 1e-12);
    /* Just the reset pair: (20000, 30000] has one sample, (10000, 30000] two. */
    CU_ASSERT_EQUAL(store_rate(s, C, 30000, 10000, &out), -ENODATA);
    CU_ASSERT_EQUAL_FATAL(store_increase(s, C, 30000, 20000, &out), 0);
    CU_ASSERT_EQUAL(out, 30.0);
    /* delta ignores the reset: last - first, negative here */
    CU_ASSERT_EQUAL_FATAL(store_delta(s, C, 40000, 60000, &out), 0);
    CU_ASSERT_EQUAL(out, -20.0);
    CU_ASSERT_EQUAL_FATAL(store_delta(s, C, 20000, 60000, &out), 0);
    CU_ASSERT_EQUAL(out, 100.0);
    CU_ASSERT_EQUAL(store_delta(s, C, 0, 60000, &out), -ENODATA); /* one sample */
    store_free(s);
}

static void test_empty_and_single(void)
{
    struct store *s = store_make(8);
    double out = -1.0;
    CU_ASSERT_EQUAL(store_last(s, G, 1000, 1000, &out), -ENODATA);
    CU_ASSERT_EQUAL(store_avg(s, G, 1000, 1000, &out), -ENODATA);
    CU_ASSERT_EQUAL(store_min(s, G, 1000, 1000, &out), -ENODATA);
    CU_ASSERT_EQUAL(store_max(s, G, 1000, 1000, &out), -ENODATA);
    CU_ASSERT_EQUAL(store_rate(s, C, 1000, 1000, &out), -ENODATA);
    CU_ASSERT_EQUAL(store_increase(s, C, 1000, 1000, &out), -ENODATA);
    CU_ASSERT_EQUAL(out, -1.0);

    CU_ASSERT_EQUAL(store_append(s, G, 500, 7.0), 0);
    CU_ASSERT_EQUAL(store_append(s, C, 500, 7.0), 0);
    CU_ASSERT_EQUAL_FATAL(store_avg(s, G, 1000, 1000, &out), 0);
    CU_ASSERT_EQUAL(out, 7.0);
    CU_ASSERT_EQUAL_FATAL(store_last(s, G, 1000, 1000, &out), 0);
    CU_ASSERT_EQUAL(out, 7.0);
    out = -1.0;
    CU_ASSERT_EQUAL(store_rate(s, C, 1000, 1000, &out), -ENODATA);
    CU_ASSERT_EQUAL(store_increase(s, C, 1000, 1000, &out), -ENODATA);
    CU_ASSERT_EQUAL(out, -1.0);

    /* Two samples at one instant: an increase, but no rate (no division by zero time). */
    CU_ASSERT_EQUAL(store_append(s, C, 500, 9.0), 0);
    CU_ASSERT_EQUAL(store_rate(s, C, 1000, 1000, &out), -ENODATA);
    CU_ASSERT_EQUAL_FATAL(store_increase(s, C, 1000, 1000, &out), 0);
    CU_ASSERT_EQUAL(out, 2.0);
    store_free(s);
}

static void test_nan_skipped(void)
{
    struct store *s = store_make(16);
    const int64_t t[] = {1000, 2000, 3000, 4000};
    const double g[] = {1, NAN, 3, NAN};
    const double c[] = {10, NAN, 20, 26};
    double out;
    feed(s, G, t, g, 4);
    feed(s, C, t, c, 4);
    CU_ASSERT_EQUAL_FATAL(store_avg(s, G, 4000, 10000, &out), 0);
    CU_ASSERT_EQUAL(out, 2.0);
    CU_ASSERT_EQUAL_FATAL(store_min(s, G, 4000, 10000, &out), 0);
    CU_ASSERT_EQUAL(out, 1.0);
    CU_ASSERT_EQUAL_FATAL(store_max(s, G, 4000, 10000, &out), 0);
    CU_ASSERT_EQUAL(out, 3.0);
    /* The newest sample is NaN: last is the newest real value. */
    CU_ASSERT_EQUAL_FATAL(store_last(s, G, 4000, 10000, &out), 0);
    CU_ASSERT_EQUAL(out, 3.0);
    /* A window holding only NaN is empty. */
    CU_ASSERT_EQUAL(store_avg(s, G, 4000, 1000, &out), -ENODATA);
    /* Counter: NaN does not break the chain, 10 -> 20 -> 26 over 3 s. */
    CU_ASSERT_EQUAL_FATAL(store_increase(s, C, 4000, 10000, &out), 0);
    CU_ASSERT_EQUAL(out, 16.0);
    CU_ASSERT_EQUAL_FATAL(store_rate(s, C, 4000, 10000, &out), 0);
    CU_ASSERT_DOUBLE_EQUAL(out, 16.0 / 3.0, 1e-12);
    /* (1000, 3000] holds NaN and 20: one real sample, no rate. */
    CU_ASSERT_EQUAL(store_rate(s, C, 3000, 2000, &out), -ENODATA);
    store_free(s);
}

static void test_invalid_window_and_order(void)
{
    struct store *s = store_make(8);
    double out = -1.0;
    CU_ASSERT_EQUAL(store_append(s, G, 1000, 1.0), 0);
    CU_ASSERT_EQUAL(store_avg(s, G, 1000, 0, &out), -EINVAL);
    CU_ASSERT_EQUAL(store_rate(s, G, 1000, -5, &out), -EINVAL);
    CU_ASSERT_EQUAL(store_last(s, G, INT64_MIN, 1000, &out), -EINVAL);
    CU_ASSERT_EQUAL(out, -1.0);
    /* Time going backwards in one series is refused; other series are independent. */
    CU_ASSERT_EQUAL(store_append(s, G, 999, 2.0), -ERANGE);
    CU_ASSERT_EQUAL(store_append(s, C, 999, 2.0), 0);
    CU_ASSERT_EQUAL(store_count(s, G), 1);
    store_free(s);
}

static void test_copy_window(void)
{
    struct store *s = store_make(8);
    const int64_t t[] = {1000, 2000, 3000, 4000, 5000};
    const double v[] = {1, NAN, 3, 4, 5};
    struct ring_sample out[8];
    feed(s, G, t, v, 5);
    /* (2000, 4000]: 3 and 4. */
    CU_ASSERT_EQUAL_FATAL(store_copy_window(s, G, 4000, 2000, out, 8), 2);
    CU_ASSERT_EQUAL(out[0].t_ms, 3000);
    CU_ASSERT_EQUAL(out[1].v, 4.0);
    /* Raw samples: NaN included; max keeps the newest. */
    CU_ASSERT_EQUAL_FATAL(store_copy_window(s, G, 5000, 10000, out, 8), 5);
    CU_ASSERT(isnan(out[1].v));
    CU_ASSERT_EQUAL_FATAL(store_copy_window(s, G, 5000, 10000, out, 2), 2);
    CU_ASSERT_EQUAL(out[0].t_ms, 4000);
    CU_ASSERT_EQUAL(out[1].t_ms, 5000);
    CU_ASSERT_EQUAL(store_copy_window(s, G, 5000, 0, out, 8), -EINVAL);
    CU_ASSERT_EQUAL(store_copy_window(s, C, 5000, 1000, out, 8), 0);
    store_free(s);
}

static void test_retention_wraps(void)
{
    struct store *s = store_make(4);
    double out;
    /* 1 s ticks; the ring keeps 4, so a 10 s window sees t = 6..9 s only. */
    for (int64_t i = 0; i < 10; i++)
        CU_ASSERT_EQUAL(store_append(s, G, i * 1000, (double)i), 0);
    CU_ASSERT_EQUAL_FATAL(store_min(s, G, 9000, 10000, &out), 0);
    CU_ASSERT_EQUAL(out, 6.0);
    CU_ASSERT_EQUAL_FATAL(store_avg(s, G, 9000, 10000, &out), 0);
    CU_ASSERT_EQUAL(out, 7.5);
    store_free(s);
}

static CU_TestInfo tests[] = {
    {"new, capacity and memory", test_new_and_memory},
    {"gauge avg/min/max/last exact", test_gauge_aggregates},
    {"window is (now - window, now]", test_window_boundaries},
    {"rate, increase and delta across a counter reset", test_rate_with_counter_reset},
    {"empty and single-sample windows", test_empty_and_single},
    {"NaN samples skipped", test_nan_skipped},
    {"invalid window, time going backwards", test_invalid_window_and_order},
    {"copy window for the history API", test_copy_window},
    {"retention wraps", test_retention_wraps},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_store = {"store", NULL, NULL, NULL, NULL, tests};
