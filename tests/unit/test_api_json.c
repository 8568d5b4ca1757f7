/* api_json: the JSON writer (shortest reals, null for NaN, escaping of every control byte and
 * invalid UTF-8), the /api/v1 documents built from fixed inputs and re-parsed with jansson, and
 * the history query behind /api/v1/history (all points when they fit, evenly downsampled
 * otherwise, oldest and newest kept). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <jansson.h>

#include "render/api_json.h"
#include "render/json.h"
#include "store/store.h"
#include "core/banned.h"

static char *dump(const json_t *v)
{
    char *data = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(render_json_steal(v, 1 << 20, &data, &len), 0);
    CU_ASSERT_PTR_NOT_NULL(data);
    return data;
}

static void test_writer(void)
{
    json_t *o = json_object();
    json_object_set_new(o, "a", json_real(0.1));
    json_object_set_new(o, "b", json_real(1.0 / 3.0));
    /* json_real(NAN) is NULL in jansson: non-finite values go through json_real_or_null */
    CU_ASSERT_PTR_NULL(json_real(NAN));
    json_object_set_new(o, "c", json_real_or_null(true, NAN));
    json_object_set_new(o, "d", json_real_or_null(false, 5));
    json_object_set_new(o, "e", json_integer(-42));
    json_object_set_new(o, "f", json_string_nocheck("q\"\\\n\x01<\xff"));
    json_object_set_new(o, "k\x02", json_true());
    json_t *arr = json_array();
    json_array_append_new(arr, json_real(100));
    json_array_append_new(arr, json_real(1e6));
    json_array_append_new(arr, json_false());
    json_array_append_new(arr, json_null());
    json_object_set_new(o, "g", arr);
    json_object_set_new(o, "h", json_real_or_null(true, INFINITY));
    char *s = dump(o);
    CU_ASSERT_STRING_EQUAL(s, "{\"a\":0.1,\"b\":0.3333333333333333,\"c\":null,\"d\":null,\"e\":-42,"
                              "\"f\":\"q\\\"\\\\\\n\\u0001<\xEF\xBF\xBD\",\"k\\u0002\":true,"
                              "\"g\":[100,1e+06,false,null],\"h\":null}\n");
    /* jansson reads back what we wrote, with the same values */
    json_error_t err;
    json_t *back = json_loads(s, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_EQUAL(json_real_value(json_object_get(back, "b")), 1.0 / 3.0);
    CU_ASSERT_EQUAL(json_number_value(json_array_get(json_object_get(back, "g"), 1)), 1e6);
    json_decref(back);
    free(s);
    json_decref(o);
    /* the cap is enforced */
    json_t *big =
        json_string("0123456789012345678901234567890123456789012345678901234567890123456789");
    char *data = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(render_json_steal(big, 16, &data, &len), -E2BIG);
    CU_ASSERT_PTR_NULL(data);
    json_decref(big);
}

static void test_history_doc(void)
{
    struct ring_sample pts[3] = {{1000, 0.5}, {2000, NAN}, {3000, 0.25}};
    json_t *d = api_json_history("rizk_cpu_utilization_ratio", 60000, 3000, 7, pts, 3);
    char *s = dump(d);
    CU_ASSERT_STRING_EQUAL(s, "{\"series\":\"rizk_cpu_utilization_ratio\",\"window_seconds\":60,"
                              "\"end_ms\":3000,\"samples_in_window\":7,\"points\":3,"
                              "\"timestamps_ms\":[1000,2000,3000],\"values\":[0.5,null,0.25]}\n");
    free(s);
    json_decref(d);
    d = api_json_error("unknown series \"x\x01\"");
    s = dump(d);
    CU_ASSERT_STRING_EQUAL(s, "{\"error\":\"unknown series \\\"x\\u0001\\\"\"}\n");
    free(s);
    json_decref(d);
}

static void test_tick_docs(void)
{
    struct mset *m = mset_new();
    struct mfamily *f = NULL;
    CU_ASSERT_EQUAL_FATAL(mset_family(m, "rizk_cpu_utilization_ratio", METRIC_GAUGE, "h", &f), 0);
    mset_add(m, f, NULL, 0, 0.75);
    CU_ASSERT_EQUAL_FATAL(mset_family(m, "rizk_source_up", METRIC_GAUGE, "h", &f), 0);
    struct label l = {"source", "sys\"tem"};
    mset_add(m, f, &l, 1, 1);
    CU_ASSERT_EQUAL_FATAL(
        mset_family(m, "rizk_source_last_success_timestamp_seconds", METRIC_GAUGE, "h", &f), 0);
    mset_add(m, f, &l, 1, 1700000000.25);
    struct snapshot_info info = {.seq = 9, .wall_ms = 1700000000250, .mono_ms = 1, .ready = true};
    struct scale_thresholds th;
    scale_thresholds_default(&th);
    struct scale_sample smp = {{true, true, true, true, true}, {0.95, 0.9, 150, 1.5, 0.1}, false};
    struct scale_sample hist[3] = {smp, smp, smp};
    struct scale_advice adv;
    scale_recommend(hist, 3, &th, &adv);
    struct readiness_in in;
    readiness_inputs_from_mset(m, &in);
    struct readiness_report rr;
    readiness_evaluate(&in, &rr);
    struct api_tick t = {.m = m,
                         .info = &info,
                         .interval_ms = 1000,
                         .window_ms = 60000,
                         .advice = &adv,
                         .thresholds = &th,
                         .current_replicas = 4,
                         .history_capacity = 100,
                         .readiness = &rr};
    json_t *cur = api_json_current(&t);
    char *s = dump(cur);
    json_error_t err;
    json_t *back = json_loads(s, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    json_t *sig = json_object_get(back, "signals");
    CU_ASSERT_EQUAL(json_object_size(sig), 7);
    CU_ASSERT_EQUAL(json_real_value(json_object_get(sig, "rizk_cpu_utilization_ratio")), 0.75);
    CU_ASSERT_TRUE(json_is_null(json_object_get(sig, "rizk_requests_per_second")));
    json_t *src = json_array_get(json_object_get(back, "sources"), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(src, "source")), "sys\"tem");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(src, "last_success_timestamp_ms")),
                    1700000000250);
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(json_object_get(back, "recommendation"), "action")),
        "scale_up");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(back, "seq")), 9);
    json_decref(back);
    free(s);
    json_decref(cur);

    json_t *rec = api_json_recommendation(&t);
    s = dump(rec);
    back = json_loads(s, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(back, "replica_change")), 3);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(back, "recommended_replicas")), 7);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(back, "current_replicas")), 4);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(back, "reason")), adv.reason);
    json_t *rps = json_object_get(json_object_get(back, "inputs"), "rizk_requests_per_second");
    CU_ASSERT_EQUAL(json_number_value(json_object_get(rps, "current")), 150);
    CU_ASSERT_TRUE(json_is_true(json_object_get(rps, "above_scale_up")));
    json_t *up = json_object_get(json_object_get(back, "thresholds"), "scale_up");
    CU_ASSERT_EQUAL(json_number_value(json_object_get(up, "rizk_error_ratio")), 0.05);
    CU_ASSERT_EQUAL(
        json_integer_value(json_object_get(json_object_get(back, "conditions_met"), "up")), 5);
    json_decref(back);
    free(s);
    json_decref(rec);
    /* unknown replica count: null, and scale-down never goes below one replica */
    t.current_replicas = 0;
    rec = api_json_recommendation(&t);
    CU_ASSERT_TRUE(json_is_null(json_object_get(rec, "recommended_replicas")));
    json_decref(rec);
    struct scale_sample low = {{true, true, true, true, true}, {0.1, 0.1, 1, 0.01, 0}, false};
    struct scale_sample lows[3] = {low, low, low};
    scale_recommend(lows, 3, &th, &adv);
    t.current_replicas = 1;
    rec = api_json_recommendation(&t);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(rec, "replica_change")), -1);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(rec, "recommended_replicas")), 1);
    json_decref(rec);

    json_t *rd = api_json_readiness(&rr, 5);
    s = dump(rd);
    back = json_loads(s, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_TRUE(json_is_false(json_object_get(back, "ready")));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(back, "checks")), READINESS_NCHECKS);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(back, "errors")), 1);
    json_t *c0 = json_array_get(json_object_get(back, "checks"), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c0, "name")), "redis");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c0, "status")), "fail");
    json_decref(back);
    free(s);
    json_decref(rd);

    struct snapshot *snap = snapshot_new(NULL, &info);
    t.m = m;
    CU_ASSERT_EQUAL(render_api_bodies(snap, &t), 0);
    size_t len = 0;
    CU_ASSERT_PTR_NOT_NULL(snapshot_body(snap, SNAP_BODY_JSON_CURRENT, &len));
    CU_ASSERT_PTR_NOT_NULL(snapshot_body(snap, SNAP_BODY_JSON_RECOMMENDATION, &len));
    CU_ASSERT_PTR_NOT_NULL(snapshot_body(snap, SNAP_BODY_JSON_READINESS, &len));
    snapshot_release(snap);
    mset_free(m);
}

static void test_sample_window(void)
{
    struct store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(store_new(64, &s), 0);
    struct ring_sample out[16];
    uint64_t in = 99;
    CU_ASSERT_EQUAL(store_sample_window(s, HS_CPU_UTILIZATION_RATIO, 1000, 1000, out, 16, &in), 0);
    CU_ASSERT_EQUAL(in, 0);
    for (int i = 1; i <= 10; i++)
        CU_ASSERT_EQUAL(store_append(s, HS_CPU_UTILIZATION_RATIO, i * 1000, i == 5 ? NAN : i), 0);
    /* all fit: every sample, NaN included, oldest first */
    CU_ASSERT_EQUAL(store_sample_window(s, HS_CPU_UTILIZATION_RATIO, 10000, 60000, out, 16, &in),
                    10);
    CU_ASSERT_EQUAL(in, 10);
    CU_ASSERT_EQUAL(out[0].t_ms, 1000);
    CU_ASSERT_TRUE(isnan(out[4].v));
    CU_ASSERT_EQUAL(out[9].v, 10);
    /* window (4000, 10000]: 6 samples */
    CU_ASSERT_EQUAL(store_sample_window(s, HS_CPU_UTILIZATION_RATIO, 10000, 6000, out, 16, &in), 6);
    CU_ASSERT_EQUAL(out[0].t_ms, 5000);
    /* 10 samples into 4 points: indices 0, 3, 6, 9 */
    CU_ASSERT_EQUAL(store_sample_window(s, HS_CPU_UTILIZATION_RATIO, 10000, 60000, out, 4, &in), 4);
    CU_ASSERT_EQUAL(in, 10);
    CU_ASSERT_EQUAL(out[0].v, 1);
    CU_ASSERT_EQUAL(out[1].v, 4);
    CU_ASSERT_EQUAL(out[2].v, 7);
    CU_ASSERT_EQUAL(out[3].v, 10);
    /* 10 into 3: 0, 5 (rounded 4.5 up), 9 */
    CU_ASSERT_EQUAL(store_sample_window(s, HS_CPU_UTILIZATION_RATIO, 10000, 60000, out, 3, &in), 3);
    CU_ASSERT_EQUAL(out[0].v, 1);
    CU_ASSERT_EQUAL(out[1].v, 6);
    CU_ASSERT_EQUAL(out[2].v, 10);
    /* one point: the newest */
    CU_ASSERT_EQUAL(store_sample_window(s, HS_CPU_UTILIZATION_RATIO, 10000, 60000, out, 1, &in), 1);
    CU_ASSERT_EQUAL(out[0].v, 10);
    /* 10 into 9: strictly increasing, ends kept */
    CU_ASSERT_EQUAL(store_sample_window(s, HS_CPU_UTILIZATION_RATIO, 10000, 60000, out, 9, &in), 9);
    CU_ASSERT_EQUAL(out[0].v, 1);
    CU_ASSERT_EQUAL(out[8].v, 10);
    for (int i = 1; i < 9; i++)
        CU_ASSERT(out[i].t_ms > out[i - 1].t_ms);
    CU_ASSERT_EQUAL(store_sample_window(s, HS_CPU_UTILIZATION_RATIO, 10000, 0, out, 4, &in),
                    -EINVAL);
    CU_ASSERT_EQUAL(store_sample_window(s, HS_CPU_UTILIZATION_RATIO, 10000, 1000, out, 0, &in),
                    -EINVAL);
    store_free(s);
}

static CU_TestInfo tests[] = {
    {"writer: shortest reals, null, escaping, cap", test_writer},
    {"history and error documents", test_history_doc},
    {"current, recommendation and readiness documents", test_tick_docs},
    {"history query: all, downsampled, bounds", test_sample_window},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_api_json = {"api_json", NULL, NULL, NULL, NULL, tests};
