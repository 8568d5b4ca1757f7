/* Unit tests for signals/sigtable: the one signal table is complete and consistent, and the
 * names every other module derives from it are the public ones. */
#include <string.h>

#include <CUnit/CUnit.h>

#include "signals/scale.h"
#include "signals/sigtable.h"
#include "store/series.h"

static void test_rows(void)
{
    bool seen[HS_COUNT] = {false};
    for (int i = 0; i < SIG_COUNT; i++) {
        const struct sig_def *d = sigtable_at((enum sig_id)i);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d->name);
        CU_ASSERT_EQUAL(strncmp(d->name, "rizk_", 5), 0);
        CU_ASSERT_PTR_NOT_NULL(d->help);
        CU_ASSERT_TRUE(d->help != NULL && d->help[0] != '\0');
        /* each row has a history series of its own, and none is an input's */
        CU_ASSERT_TRUE_FATAL((unsigned)d->history < HS_COUNT);
        CU_ASSERT_FALSE(seen[d->history]);
        seen[d->history] = true;
        CU_ASSERT_STRING_EQUAL(hist_series_name(d->history), "");
        CU_ASSERT_EQUAL((d->label_name == NULL), (d->label_value == NULL));
        CU_ASSERT_EQUAL(d->untyped, d->quantile > 0); /* a gauge may not carry "quantile" */
    }
    CU_ASSERT_STRING_EQUAL(sigtable_at(SIG_RESPONSE_TIME_P95)->label_name, "quantile");
    CU_ASSERT_EQUAL(sigtable_at(SIG_RESPONSE_TIME_P95)->quantile, 0.95);
    CU_ASSERT_STRING_EQUAL(sigtable_at(SIG_CACHE_L2_HIT_RATIO)->label_value, "l2");
}

/* SPEC 4's seven, in the spec's order: what /api/v1/current and the landing page list. */
static void test_spec_order(void)
{
    static const char *const want[] = {
        "rizk_requests_per_second",      "rizk_error_ratio",        "rizk_response_time_seconds",
        "rizk_cache_hit_ratio",          "rizk_active_connections", "rizk_cpu_utilization_ratio",
        "rizk_memory_utilization_ratio",
    };
    size_t n = 0;
    for (int i = 0; i < SIG_COUNT; i++) {
        const struct sig_def *d = sigtable_at((enum sig_id)i);
        if (d->title == NULL)
            continue;
        CU_ASSERT_TRUE_FATAL(n < sizeof(want) / sizeof(want[0]));
        CU_ASSERT_STRING_EQUAL(d->name, want[n]);
        n++;
    }
    CU_ASSERT_EQUAL(n, 7);
}

static void test_roles(void)
{
    for (int r = 0; r < SCALE_NSIGNALS; r++) {
        int rows = 0;
        for (int i = 0; i < SIG_COUNT; i++)
            rows += sigtable_at((enum sig_id)i)->scale == r;
        CU_ASSERT_EQUAL(rows, 1);
        CU_ASSERT_TRUE(sigtable_scale_row(r) >= 0);
    }
    CU_ASSERT_EQUAL(sigtable_scale_row(SCALE_NSIGNALS), -1);
    CU_ASSERT_STRING_EQUAL(scale_signal_name(SCALE_CPU), "rizk_cpu_utilization_ratio");
    CU_ASSERT_STRING_EQUAL(scale_signal_name(SCALE_RPS), "rizk_requests_per_second");
    CU_ASSERT_STRING_EQUAL(scale_signal_name(SCALE_RESPONSE_TIME), "rizk_response_time_seconds");
    CU_ASSERT_STRING_EQUAL(scale_signal_name(SCALE_NSIGNALS), "");
    CU_ASSERT_EQUAL(sigtable_fleet_lookup("rizk_response_time_p99_seconds"), SIG_RESPONSE_TIME_P99);
    CU_ASSERT_EQUAL(sigtable_fleet_lookup("rizk_cache_tier_hit_ratio"), -1);
    CU_ASSERT_EQUAL(sigtable_fleet_count(), 10);
    CU_ASSERT_STRING_EQUAL(sigtable_at(SIG_CPU_UTILIZATION)->basis, "cpu");
    CU_ASSERT_STRING_EQUAL(sigtable_at(SIG_ACTIVE_CONNECTIONS)->basis, "active_connections");
}

/* Every history series has one public name and it maps back (the history API's ?series=). */
static void test_history_names(void)
{
    char buf[SIGTABLE_NAME_MAX];
    for (int i = 0; i < HS_COUNT; i++) {
        sigtable_history_name((enum hist_series)i, buf, sizeof(buf));
        CU_ASSERT_TRUE(buf[0] != '\0');
        CU_ASSERT_EQUAL(sigtable_history_lookup(buf), i);
    }
    CU_ASSERT_STRING_EQUAL(sigtable_history_name(HS_RESPONSE_TIME_P95, buf, sizeof(buf)),
                           "rizk_response_time_quantile_seconds{quantile=\"0.95\"}");
    CU_ASSERT_STRING_EQUAL(sigtable_history_name(HS_CACHE_L1_HIT_RATIO, buf, sizeof(buf)),
                           "rizk_cache_tier_hit_ratio{tier=\"l1\"}");
    CU_ASSERT_STRING_EQUAL(sigtable_history_name(HS_CPU_UTILIZATION_RATIO, buf, sizeof(buf)),
                           "rizk_cpu_utilization_ratio");
    CU_ASSERT_EQUAL(sigtable_history_lookup("rizk_system_cpu_busy_seconds_total"),
                    HS_NODE_CPU_BUSY_SECONDS);
    CU_ASSERT_EQUAL(sigtable_history_lookup("rizk_scaling_recommended_replica_change"),
                    HS_SCALING_REPLICA_CHANGE);
    CU_ASSERT_EQUAL(sigtable_history_lookup("rizk_cache_tier_hit_ratio"), -1);
    CU_ASSERT_EQUAL(sigtable_history_lookup(""), -1);
    CU_ASSERT_EQUAL(hist_series_lookup("rizk_cpu_utilization_ratio"), -1);
}

static CU_TestInfo tests[] = {
    {"rows complete, one history series each", test_rows},
    {"SPEC 4's seven in order", test_spec_order},
    {"scaling roles, fleet names, bases", test_roles},
    {"history names round trip", test_history_names},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_sigtable = {"sigtable", NULL, NULL, NULL, NULL, tests};
