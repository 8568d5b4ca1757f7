/* Unit tests for the sample sink and the metric set: validation, limits, grouping, history. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "collect/sink.h"
#include "store/mset.h"

static void test_grouping_and_labels(void)
{
    struct mset *m = mset_new();
    struct sample_sink *s = sink_new(m);
    struct label a = {"device", "eth0"}, b = {"device", "lo"};
    CU_ASSERT_EQUAL(sink_counter(s, "x_bytes_total", "X.", &a, 1, 10), 0);
    CU_ASSERT_EQUAL(sink_gauge(s, "y", "Y.", NULL, 0, 1), 0);
    CU_ASSERT_EQUAL(sink_counter(s, "x_bytes_total", "X.", &b, 1, 20), 0);
    CU_ASSERT_EQUAL(mset_nfamilies(m), 2);
    const struct mfamily *f = mset_find(m, "x_bytes_total");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->type, METRIC_COUNTER);
    CU_ASSERT_EQUAL(f->nsamples, 2);
    CU_ASSERT_STRING_EQUAL(f->samples[1].labels[0].value, "lo");
    CU_ASSERT_EQUAL(f->samples[1].value, 20);
    CU_ASSERT_EQUAL(mset_nsamples(m), 3);
    CU_ASSERT_EQUAL(sink_dropped(s), 0);
    sink_free(s);
    mset_free(m);
}

static void test_validation(void)
{
    struct mset *m = mset_new();
    struct sample_sink *s = sink_new(m);
    struct label bad = {"__name__", "x"}, dup[] = {{"a", "1"}, {"a", "2"}}, digit = {"1a", "x"};
    CU_ASSERT_EQUAL(sink_gauge(s, "9lives", "", NULL, 0, 1), -EINVAL);
    CU_ASSERT_EQUAL(sink_gauge(s, "a-b", "", NULL, 0, 1), -EINVAL);
    CU_ASSERT_EQUAL(sink_gauge(s, "ok", "", &bad, 1, 1), -EINVAL);
    CU_ASSERT_EQUAL(sink_gauge(s, "ok", "", dup, 2, 1), -EINVAL);
    CU_ASSERT_EQUAL(sink_gauge(s, "ok", "", &digit, 1, 1), -EINVAL);
    CU_ASSERT_EQUAL(sink_counter(s, "requests", "", NULL, 0, 1), -EINVAL);     /* no _total */
    CU_ASSERT_EQUAL(sink_gauge(s, "requests_total", "", NULL, 0, 1), -EINVAL); /* _total gauge */
    CU_ASSERT_EQUAL(sink_counter(s, "c_total", "", NULL, 0, NAN), -EINVAL);
    CU_ASSERT_EQUAL(sink_counter(s, "c_total", "", NULL, 0, -1), -EINVAL);
    CU_ASSERT_EQUAL(sink_gauge(s, "g", "", NULL, 0, NAN), 0); /* gauges may be NaN */
    CU_ASSERT_EQUAL(sink_counter(s, "g_total", "", NULL, 0, 1), 0);
    CU_ASSERT_EQUAL(sink_gauge(s, "g_total", "", NULL, 0, 1), -EINVAL);
    CU_ASSERT_EQUAL(sink_dropped(s), 10);
    CU_ASSERT_EQUAL(mset_nsamples(m), 2);
    sink_free(s);
    mset_free(m);
}

static void test_limit(void)
{
    struct mset *m = mset_new();
    struct sample_sink *s = sink_new(m);
    sink_set_limit(s, 2);
    CU_ASSERT_EQUAL(sink_gauge(s, "a", "", NULL, 0, 1), 0);
    CU_ASSERT_EQUAL(sink_gauge(s, "b", "", NULL, 0, 1), 0);
    CU_ASSERT_EQUAL(sink_gauge(s, "c", "", NULL, 0, 1), -E2BIG);
    sink_set_limit(s, 0);
    CU_ASSERT_EQUAL(sink_gauge(s, "c", "", NULL, 0, 1), 0);
    CU_ASSERT_EQUAL(sink_dropped(s), 1);
    sink_free(s);
    mset_free(m);
}

static void test_histogram(void)
{
    struct mset *m = mset_new();
    struct sample_sink *s = sink_new(m);
    double bounds[] = {0.1, 1};
    uint64_t counts[] = {3, 5};
    struct histogram h = {
        .nbuckets = 2, .bounds = bounds, .counts = counts, .count = 7, .sum = 4.5};
    CU_ASSERT_EQUAL(sink_histogram(s, "d_seconds", "D.", NULL, 0, &h), 0);
    const struct mfamily *f = mset_find(m, "d_seconds");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->samples[0].histo);
    CU_ASSERT_EQUAL(f->samples[0].histo->counts[1], 5);
    CU_ASSERT_EQUAL(f->samples[0].histo->count, 7);
    double unsorted[] = {1, 0.1};
    struct histogram bad = {
        .nbuckets = 2, .bounds = unsorted, .counts = counts, .count = 7, .sum = 4.5};
    CU_ASSERT_EQUAL(sink_histogram(s, "d_seconds", "D.", NULL, 0, &bad), -EINVAL);
    struct label le = {"le", "1"};
    CU_ASSERT_EQUAL(sink_histogram(s, "d_seconds", "D.", &le, 1, &h), -EINVAL);
    sink_free(s);
    mset_free(m);
}

static void test_history_and_sources(void)
{
    struct mset *m = mset_new();
    struct sample_sink *s = sink_new(m);
    double v = 0;
    CU_ASSERT_FALSE(sink_history_get(s, HS_NODE_MEMORY_TOTAL_BYTES, &v));
    sink_history(s, HS_NODE_MEMORY_TOTAL_BYTES, 1);
    sink_history(s, HS_NODE_MEMORY_TOTAL_BYTES, 2);
    CU_ASSERT_TRUE(sink_history_get(s, HS_NODE_MEMORY_TOTAL_BYTES, &v));
    CU_ASSERT_EQUAL(v, 2);
    sink_source(s, "system", true);
    sink_source(s, "cgroup", false);
    sink_source(s, "system", false);
    CU_ASSERT_EQUAL(sink_source_count(s), 2);
    const char *name;
    bool up = true;
    sink_source_at(s, 0, &name, &up);
    CU_ASSERT_STRING_EQUAL(name, "system");
    CU_ASSERT_FALSE(up);
    sink_free(s);
    mset_free(m);
}

static void test_mset_type_clash(void)
{
    struct mset *m = mset_new();
    struct mfamily *f = NULL;
    CU_ASSERT_EQUAL(mset_family(m, "a", METRIC_GAUGE, "h", &f), 0);
    CU_ASSERT_EQUAL(mset_family(m, "a", METRIC_COUNTER, "h", &f), -EINVAL);
    /* many families: the index grows and lookups stay right */
    char name[32];
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof(name), "fam_%d", i);
        CU_ASSERT_EQUAL(mset_family(m, name, METRIC_GAUGE, "", &f), 0);
        CU_ASSERT_EQUAL(mset_add(m, f, NULL, 0, i), 0);
    }
    const struct mfamily *g = mset_find(m, "fam_321");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(g->samples[0].value, 321);
    CU_ASSERT_PTR_NULL(mset_find(m, "fam_500"));
    CU_ASSERT_EQUAL(mset_nfamilies(m), 501);
    mset_free(m);
}

static CU_TestInfo sink_tests[] = {
    {"grouping and labels", test_grouping_and_labels},
    {"validation", test_validation},
    {"limit", test_limit},
    {"histogram", test_histogram},
    {"history and sources", test_history_and_sources},
    {"mset type clash and index growth", test_mset_type_clash},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_sink = {"sink", NULL, NULL, NULL, NULL, sink_tests};
