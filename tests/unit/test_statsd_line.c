/* statsd_line: exact parse results for every type and extension, one table row per reject
 * reason, the datagram splitter and the name sanitizer. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "parse/statsd_line.h"
#include "unit_util.h"
#include "core/banned.h"

static int parse(const char *s, struct statsd_line *l, enum statsd_reason *why)
{
    return parse_statsd_line(s, strlen(s), l, why);
}

static bool span_is(struct statsd_span sp, const char *s)
{
    return sp.n == strlen(s) && memcmp(sp.p, s, sp.n) == 0;
}

static void test_types(void)
{
    static const struct {
        const char *line;
        enum statsd_type type;
        double value;
    } rows[] = {
        {"a:1|c", STATSD_COUNTER, 1},
        {"a:2.5|g", STATSD_GAUGE, 2.5},
        {"a:120|ms", STATSD_TIMER, 120},
        {"a:0.25|h", STATSD_HISTOGRAM, 0.25},
        {"a:1e3|d", STATSD_DISTRIBUTION, 1000},
        {"a:-3|c", STATSD_COUNTER, -3},
        {"a:.5|ms", STATSD_TIMER, 0.5},
        {"a:0.1|h", STATSD_HISTOGRAM, 0.1},
        {"a:123456789012345678|c", STATSD_COUNTER, 123456789012345678.0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct statsd_line l;
        enum statsd_reason why;
        CU_ASSERT_EQUAL_FATAL(parse(rows[i].line, &l, &why), 0);
        CU_ASSERT_EQUAL(why, STATSD_OK);
        CU_ASSERT_EQUAL(l.type, rows[i].type);
        CU_ASSERT_EQUAL(l.nvalues, 1);
        CU_ASSERT_EQUAL(l.values[0], rows[i].value);
        CU_ASSERT_EQUAL(l.rate, 1.0);
        CU_ASSERT_EQUAL(l.ntags, 0);
        CU_ASSERT_TRUE(span_is(l.name, "a"));
    }
}

static void test_full_dogstatsd(void)
{
    struct statsd_line l;
    enum statsd_reason why;
    const char *s = "rizk.requests:1:2:3|c|@0.25|#status:503,env:prod,bare|c:abc|T1700000000\r";
    CU_ASSERT_EQUAL_FATAL(parse(s, &l, &why), 0);
    CU_ASSERT_TRUE(span_is(l.name, "rizk.requests"));
    CU_ASSERT_EQUAL(l.type, STATSD_COUNTER);
    CU_ASSERT_EQUAL_FATAL(l.nvalues, 3);
    CU_ASSERT_EQUAL(l.values[0], 1);
    CU_ASSERT_EQUAL(l.values[1], 2);
    CU_ASSERT_EQUAL(l.values[2], 3);
    CU_ASSERT_EQUAL(l.rate, 0.25);
    CU_ASSERT_EQUAL_FATAL(l.ntags, 3);
    CU_ASSERT_TRUE(span_is(l.tags[0].key, "status"));
    CU_ASSERT_TRUE(span_is(l.tags[0].value, "503"));
    CU_ASSERT_TRUE(span_is(l.tags[1].key, "env"));
    CU_ASSERT_TRUE(span_is(l.tags[1].value, "prod"));
    CU_ASSERT_TRUE(span_is(l.tags[2].key, "bare"));
    CU_ASSERT_PTR_NULL(l.tags[2].value.p);
}

static void test_gauges_and_sets(void)
{
    struct statsd_line l;
    enum statsd_reason why;
    CU_ASSERT_EQUAL_FATAL(parse("conn:+3:-2:7|g", &l, &why), 0);
    CU_ASSERT_EQUAL(l.nvalues, 3);
    CU_ASSERT_EQUAL(l.values[0], 3);
    CU_ASSERT_EQUAL(l.values[1], -2);
    CU_ASSERT_EQUAL(l.values[2], 7);
    CU_ASSERT_EQUAL(l.relative, 0x3u);
    CU_ASSERT_EQUAL_FATAL(parse("users:a:b|s|#k:v", &l, &why), 0);
    CU_ASSERT_EQUAL(l.type, STATSD_SET);
    CU_ASSERT_TRUE(span_is(l.set_value, "a:b"));
    CU_ASSERT_EQUAL(l.ntags, 1);
    /* "k:v:w": the first colon splits, the value keeps the rest */
    CU_ASSERT_EQUAL_FATAL(parse("x:1|c|#k:v:w,,", &l, &why), 0);
    CU_ASSERT_EQUAL(l.ntags, 1);
    CU_ASSERT_TRUE(span_is(l.tags[0].value, "v:w"));
}

static void test_reasons(void)
{
    static const struct {
        const char *line;
        enum statsd_reason why;
    } rows[] = {
        {":1|c", STATSD_BAD_NAME},
        {"a b:1|c", STATSD_BAD_NAME},
        {"a\x01:1|c", STATSD_BAD_NAME},
        {"noval", STATSD_BAD_VALUE},
        {"a|c", STATSD_BAD_VALUE},
        {"a:|c", STATSD_BAD_VALUE},
        {"a:x|c", STATSD_BAD_VALUE},
        {"a:1::2|c", STATSD_BAD_VALUE},
        {"a:nan|g", STATSD_BAD_VALUE},
        {"a:inf|ms", STATSD_BAD_VALUE},
        {"a:1e999|ms", STATSD_BAD_VALUE},
        {"a:0x10|c", STATSD_BAD_VALUE},
        {"a:1", STATSD_BAD_TYPE},
        {"a:1|", STATSD_BAD_TYPE},
        {"a:1|x", STATSD_BAD_TYPE},
        {"a:1|msx", STATSD_BAD_TYPE},
        {"a:1|c|", STATSD_BAD_TYPE},
        {"a:1|c|zz", STATSD_BAD_TYPE},
        {"a:1|c|T12x", STATSD_BAD_TYPE},
        {"a:1|c|@0", STATSD_BAD_RATE},
        {"a:1|c|@1.5", STATSD_BAD_RATE},
        {"a:1|c|@-0.5", STATSD_BAD_RATE},
        {"a:1|c|@x", STATSD_BAD_RATE},
        {"a:1|c|#:v", STATSD_BAD_TAGS},
        {"_e{5,4}:title|text", STATSD_UNSUPPORTED},
        {"_sc|name|0", STATSD_UNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct statsd_line l;
        enum statsd_reason why = STATSD_OK;
        CU_ASSERT_EQUAL(parse(rows[i].line, &l, &why), -EPROTO);
        CU_ASSERT_EQUAL(why, rows[i].why);
        if (why != rows[i].why)
            fprintf(stderr, "\n%s: got %s want %s\n", rows[i].line, statsd_reason_name(why),
                    statsd_reason_name(rows[i].why));
    }
}

static void test_limits(void)
{
    struct statsd_line l;
    enum statsd_reason why;
    char *big = malloc(STATSD_LINE_MAX + 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'a', STATSD_LINE_MAX + 10);
    memcpy(big + STATSD_LINE_MAX + 10 - 4, ":1|c", 4);
    CU_ASSERT_EQUAL(parse_statsd_line(big, STATSD_LINE_MAX + 10, &l, &why), -EPROTO);
    CU_ASSERT_EQUAL(why, STATSD_TOO_LONG);
    free(big);
    /* 32 values fit, 33 do not; 32 tags fit, 33 do not */
    char line[512] = "a:1";
    for (int i = 1; i < STATSD_MAX_VALUES; i++)
        snprintf(line + strlen(line), sizeof(line) - strlen(line), ":1");
    snprintf(line + strlen(line), sizeof(line) - strlen(line), "|c");
    CU_ASSERT_EQUAL(parse(line, &l, &why), 0);
    CU_ASSERT_EQUAL(l.nvalues, STATSD_MAX_VALUES);
    char more[520];
    snprintf(more, sizeof(more), "a:2:%s", line + 2);
    CU_ASSERT_EQUAL(parse(more, &l, &why), -EPROTO);
    CU_ASSERT_EQUAL(why, STATSD_BAD_VALUE);
    char tags[512] = "a:1|c|#t0:0";
    for (int i = 1; i < STATSD_MAX_TAGS; i++)
        snprintf(tags + strlen(tags), sizeof(tags) - strlen(tags), ",t%d:%d", i, i);
    CU_ASSERT_EQUAL(parse(tags, &l, &why), 0);
    CU_ASSERT_EQUAL(l.ntags, STATSD_MAX_TAGS);
    snprintf(tags + strlen(tags), sizeof(tags) - strlen(tags), ",x:y");
    CU_ASSERT_EQUAL(parse(tags, &l, &why), -EPROTO);
    CU_ASSERT_EQUAL(why, STATSD_BAD_TAGS);
}

/* The fast path must agree with strtod on every value it takes. */
static void test_values_exact(void)
{
    static const char *const vals[] = {"0.1",
                                       "0.3",
                                       "1.7976931348623157",
                                       "123.456",
                                       "999999999999999",
                                       "0.000001",
                                       "42",
                                       "-0.5",
                                       "+7.25",
                                       "3.14159265358979",
                                       "100000000000000000000"};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        char line[64];
        snprintf(line, sizeof(line), "a:%s|g", vals[i]);
        struct statsd_line l;
        enum statsd_reason why;
        CU_ASSERT_EQUAL_FATAL(parse(line, &l, &why), 0);
        CU_ASSERT_EQUAL(l.values[0], strtod(vals[i], NULL));
    }
}

static void test_next_line(void)
{
    const char d[] = "a:1|c\n\r\n\nb:2|g\r\nc:3|ms";
    const char *p = d, *end = d + sizeof(d) - 1;
    struct statsd_span sp;
    const char *want[] = {"a:1|c", "b:2|g", "c:3|ms"};
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_TRUE_FATAL(parse_statsd_next_line(&p, end, &sp));
        CU_ASSERT_TRUE(span_is(sp, want[i]));
    }
    CU_ASSERT_FALSE(parse_statsd_next_line(&p, end, &sp));
    CU_ASSERT_PTR_EQUAL(p, end);
}

static void test_sanitize(void)
{
    char out[32];
    CU_ASSERT_EQUAL(statsd_sanitize("api.req-time/ok", 15, true, out, sizeof(out)), 15);
    CU_ASSERT_STRING_EQUAL(out, "api_req_time_ok");
    CU_ASSERT_EQUAL(statsd_sanitize("9lives", 6, false, out, sizeof(out)), 7);
    CU_ASSERT_STRING_EQUAL(out, "_9lives");
    CU_ASSERT_EQUAL(statsd_sanitize("9lives", 6, true, out, sizeof(out)), 6);
    CU_ASSERT_STRING_EQUAL(out, "9lives");
    CU_ASSERT_EQUAL(statsd_sanitize("\xc3\xa9t\xc3\xa9", 5, false, out, sizeof(out)), 5);
    CU_ASSERT_STRING_EQUAL(out, "__t__");
    CU_ASSERT_EQUAL(statsd_sanitize("abcdef", 6, true, out, 6), -E2BIG);
    CU_ASSERT_STRING_EQUAL(statsd_type_name(STATSD_TIMER), "ms");
    CU_ASSERT_STRING_EQUAL(statsd_reason_name(STATSD_TOO_LONG), "too_long");
}

/* The fixture datagram parses line by line into the expected reasons. */
static void test_fixture(void)
{
    size_t len = 0;
    char *d = unit_fixture_read("statsd/mixed.txt", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    const char *p = d, *end = d + len;
    struct statsd_span sp;
    unsigned ok = 0, bad[STATSD_REASONS] = {0};
    while (parse_statsd_next_line(&p, end, &sp)) {
        struct statsd_line l;
        enum statsd_reason why;
        if (parse_statsd_line(sp.p, sp.n, &l, &why) == 0)
            ok++;
        else
            bad[why]++;
    }
    CU_ASSERT_EQUAL(ok, 12);
    CU_ASSERT_EQUAL(bad[STATSD_BAD_NAME], 1);
    CU_ASSERT_EQUAL(bad[STATSD_BAD_VALUE], 1);
    CU_ASSERT_EQUAL(bad[STATSD_BAD_TYPE], 1);
    CU_ASSERT_EQUAL(bad[STATSD_BAD_RATE], 1);
    CU_ASSERT_EQUAL(bad[STATSD_UNSUPPORTED], 1);
    free(d);
}

static CU_TestInfo tests[] = {
    {"every type", test_types},
    {"DogStatsD rate, tags, container, timestamp", test_full_dogstatsd},
    {"relative gauges and sets", test_gauges_and_sets},
    {"reject reasons", test_reasons},
    {"line, value and tag limits", test_limits},
    {"values exact like strtod", test_values_exact},
    {"datagram splitter", test_next_line},
    {"sanitizer", test_sanitize},
    {"fixture datagram", test_fixture},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_statsd_line = {"statsd_line", NULL, NULL, NULL, NULL, tests};
