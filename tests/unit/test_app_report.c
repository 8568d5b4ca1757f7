/* app_report: the push report decoders. The JSON fixture and the same report packed with the
 * generated protobuf-c code decode to identical deltas; one table row per rejection, with the
 * exact reason, for each encoding. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "parse/app_report.h"
#include "rizk/v1/report.pb-c.h"
#include "unit_util.h"
#include "core/banned.h"

static void check_full(const struct app_delta *d)
{
    CU_ASSERT_TRUE(d->has_requests);
    CU_ASSERT_EQUAL(d->requests, 120);
    CU_ASSERT_EQUAL(d->errors, 3);
    CU_ASSERT_EQUAL_FATAL(d->ndurations, 2);
    CU_ASSERT_EQUAL(d->durations[0], 0.25);
    CU_ASSERT_EQUAL(d->durations[1], 0.5);
    CU_ASSERT_TRUE(d->has_histogram);
    CU_ASSERT_EQUAL_FATAL(d->nbuckets, 3);
    CU_ASSERT_EQUAL(d->bounds[1], 0.5);
    CU_ASSERT_EQUAL(d->cum_counts[2], 10);
    CU_ASSERT_EQUAL(d->hist_count, 11);
    CU_ASSERT_EQUAL(d->hist_sum, 3.5);
    CU_ASSERT_TRUE(d->has_cache[APP_TIER_L1]);
    CU_ASSERT_EQUAL(d->cache_hits[APP_TIER_L1], 80);
    CU_ASSERT_EQUAL(d->cache_misses[APP_TIER_L1], 20);
    CU_ASSERT_TRUE(d->has_cache[APP_TIER_L2]);
    CU_ASSERT_EQUAL(d->cache_hits[APP_TIER_L2], 15);
    CU_ASSERT_EQUAL(d->cache_misses[APP_TIER_L2], 5);
    CU_ASSERT_TRUE(d->has_active_connections);
    CU_ASSERT_EQUAL(d->active_connections, 7);
}

static void test_json_full(void)
{
    size_t len;
    char *body = unit_fixture_read("app/report_full.json", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    struct app_delta d;
    char why[APP_REPORT_WHY_MAX] = "";
    CU_ASSERT_EQUAL_FATAL(parse_app_report_json(body, len, &d, why), 0);
    check_full(&d);
    app_delta_fini(&d);
    free(body);
}

/* pack_full builds the fixture's report with the generated code (caller frees). */
static uint8_t *pack_full(size_t *len, int64_t requests)
{
    Rizk__V1__Report r = RIZK__V1__REPORT__INIT;
    Rizk__V1__DurationHistogram h = RIZK__V1__DURATION_HISTOGRAM__INIT;
    Rizk__V1__CacheTier l1 = RIZK__V1__CACHE_TIER__INIT, l2 = RIZK__V1__CACHE_TIER__INIT;
    double durs[] = {0.25, 0.5}, bounds[] = {0.1, 0.5, 1};
    uint64_t cum[] = {4, 9, 10};
    r.has_requests = 1;
    r.requests = requests;
    r.has_errors = 1;
    r.errors = 3;
    r.n_durations_seconds = 2;
    r.durations_seconds = durs;
    h.n_bounds = 3;
    h.bounds = bounds;
    h.n_cumulative_counts = 3;
    h.cumulative_counts = cum;
    h.has_count = 1;
    h.count = 11;
    h.has_sum = 1;
    h.sum = 3.5;
    r.duration_histogram = &h;
    l1.has_hits = l1.has_misses = 1;
    l1.hits = 80;
    l1.misses = 20;
    l2.has_hits = l2.has_misses = 1;
    l2.hits = 15;
    l2.misses = 5;
    r.cache_l1 = &l1;
    r.cache_l2 = &l2;
    r.has_active_connections = 1;
    r.active_connections = 7;
    *len = rizk__v1__report__get_packed_size(&r);
    uint8_t *buf = malloc(*len ? *len : 1);
    rizk__v1__report__pack(&r, buf);
    return buf;
}

static void test_proto_full(void)
{
    size_t len;
    uint8_t *buf = pack_full(&len, 120);
    struct app_delta d;
    char why[APP_REPORT_WHY_MAX] = "";
    CU_ASSERT_EQUAL_FATAL(parse_app_report_proto(buf, len, &d, why), 0);
    check_full(&d);
    app_delta_fini(&d);
    free(buf);
}

static void test_presence(void)
{
    struct app_delta d;
    char why[APP_REPORT_WHY_MAX];
    /* "0 requests" is data (the app is idle), an absent field is not */
    CU_ASSERT_EQUAL_FATAL(parse_app_report_json("{\"requests\":0}", 14, &d, why), 0);
    CU_ASSERT_TRUE(d.has_requests);
    CU_ASSERT_FALSE(d.has_active_connections);
    CU_ASSERT_FALSE(app_delta_is_empty(&d));
    app_delta_fini(&d);
    CU_ASSERT_EQUAL_FATAL(parse_app_report_json("{\"errors\":null}", 15, &d, why), 0);
    CU_ASSERT_TRUE(app_delta_is_empty(&d));
    app_delta_fini(&d);
    CU_ASSERT_EQUAL_FATAL(parse_app_report_proto((const uint8_t *)"", 0, &d, why), 0);
    CU_ASSERT_TRUE(app_delta_is_empty(&d));
    app_delta_fini(&d);
    /* histogram count defaults to the last cumulative count */
    const char *h = "{\"duration_histogram\":{\"bounds\":[1],\"cumulative_counts\":[4]}}";
    CU_ASSERT_EQUAL_FATAL(parse_app_report_json(h, strlen(h), &d, why), 0);
    CU_ASSERT_EQUAL(d.hist_count, 4);
    app_delta_fini(&d);
}

static void test_json_errors(void)
{
    static const struct {
        const char *body;
        const char *why;
    } rows[] = {
        {"", "malformed JSON at line 1 column 0: '[' or '{' expected near end of file"},
        {"[1]", "the report must be a JSON object"},
        {"{\"requests\":1,\"requests\":2}",
         "malformed JSON at line 1 column 24: duplicate object key near '\"requests\"'"},
        {"{\"reqs\":1}", "unknown field \"reqs\""},
        {"{\"requests\":-1}", "requests must be a non-negative integer"},
        {"{\"requests\":1.5}", "requests must be a non-negative integer"},
        {"{\"errors\":\"3\"}", "errors must be a non-negative integer"},
        {"{\"durations_seconds\":[0.1,-2]}", "durations_seconds[1] must be a finite number >= 0"},
        {"{\"durations_seconds\":[0.1,\"x\"]}", "durations_seconds[1] must be a number"},
        {"{\"durations_seconds\":3}", "durations_seconds must be an array of numbers"},
        {"{\"cache_l1\":{\"hits\":1,\"lookups\":2}}", "unknown field \"cache_l1.lookups\""},
        {"{\"cache_l2\":{\"misses\":-4}}", "cache_l2.misses must be a non-negative integer"},
        {"{\"cache_l2\":5}", "cache_l2 must be an object"},
        {"{\"active_connections\":-1}", "active_connections must be a non-negative integer"},
        {"{\"duration_histogram\":{\"bounds\":[1,0.5],\"cumulative_counts\":[1,2]}}",
         "duration_histogram.bounds must be strictly ascending"},
        {"{\"duration_histogram\":{\"bounds\":[1,2],\"cumulative_counts\":[3,2]}}",
         "duration_histogram.cumulative_counts must be non-decreasing"},
        {"{\"duration_histogram\":{\"bounds\":[1],\"cumulative_counts\":[3],\"count\":2}}",
         "duration_histogram.count must be >= the last cumulative count"},
        {"{\"duration_histogram\":{\"bounds\":[1],\"cumulative_counts\":[]}}",
         "duration_histogram.bounds and cumulative_counts must have the same length"},
        {"{\"duration_histogram\":{\"bounds\":[1],\"cumulative_counts\":[1],\"sum\":-1}}",
         "duration_histogram.sum must be a finite number >= 0"},
        {"{\"duration_histogram\":{\"le\":[1]}}", "unknown field \"duration_histogram.le\""},
        {"{\"\\u0001\":1}", "unknown field \"?\""},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct app_delta d;
        char why[APP_REPORT_WHY_MAX] = "";
        CU_ASSERT_EQUAL(parse_app_report_json(rows[i].body, strlen(rows[i].body), &d, why),
                        -EPROTO);
        CU_ASSERT_STRING_EQUAL(why, rows[i].why);
        if (strcmp(why, rows[i].why) != 0)
            fprintf(stderr, "\n%s\n got: %s\nwant: %s\n", rows[i].body, why, rows[i].why);
    }
}

static void test_proto_errors(void)
{
    struct app_delta d;
    char why[APP_REPORT_WHY_MAX];
    static const uint8_t junk[] = {0xff, 0xff, 0xff};
    CU_ASSERT_EQUAL(parse_app_report_proto(junk, sizeof(junk), &d, why), -EPROTO);
    CU_ASSERT_STRING_EQUAL(why, "malformed protobuf: not a rizk.v1.Report");
    /* field 15 (varint 1) is not in rizk.v1.Report */
    static const uint8_t unknown[] = {0x78, 0x01};
    CU_ASSERT_EQUAL(parse_app_report_proto(unknown, sizeof(unknown), &d, why), -EPROTO);
    CU_ASSERT_STRING_EQUAL(why, "unknown field number 15 in Report");
    size_t len;
    uint8_t *buf = pack_full(&len, -5);
    CU_ASSERT_EQUAL(parse_app_report_proto(buf, len, &d, why), -EPROTO);
    CU_ASSERT_STRING_EQUAL(why, "requests must be a non-negative integer");
    free(buf);
    /* a histogram with mismatched lengths, hand-encoded: field 4 { bounds [1.0] } */
    static const uint8_t hist[] = {0x22, 0x0c, 0x0a, 0x08, 0,    0,    0,
                                   0,    0,    0,    0xf0, 0x3f, 0x18, 0x01};
    CU_ASSERT_EQUAL(parse_app_report_proto(hist, sizeof(hist), &d, why), -EPROTO);
    CU_ASSERT_STRING_EQUAL(why, "duration_histogram.bounds and cumulative_counts must have the "
                                "same length");
}

static CU_TestInfo tests[] = {
    {"JSON fixture", test_json_full},
    {"protobuf of the same report", test_proto_full},
    {"presence: zero is data, null and empty are not", test_presence},
    {"JSON rejections with exact reasons", test_json_errors},
    {"protobuf rejections with exact reasons", test_proto_errors},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_app_report = {"app_report", NULL, NULL, NULL, NULL, tests};
