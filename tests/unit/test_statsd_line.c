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

/* DogStatsD events as hot-shots and datadog-go send them: lengths in bytes, every field. */
static void test_events(void)
{
    struct statsd_line l;
    enum statsd_reason why;
    const char *s = "_e{14,18}:deploy|done \xc3\xa9|line one\\nline|two|d:1700000000|h:web-1|"
                    "k:agg|p:low|s:rizk|t:warning|#env:prod,team:a|c:abc";
    CU_ASSERT_EQUAL_FATAL(parse(s, &l, &why), 0);
    CU_ASSERT_EQUAL(l.kind, STATSD_KIND_EVENT);
    CU_ASSERT_TRUE(span_is(l.name, "deploy|done \xc3\xa9"));
    CU_ASSERT_TRUE(span_is(l.text, "line one\\nline|two"));
    CU_ASSERT_EQUAL(l.timestamp, 1700000000);
    CU_ASSERT_TRUE(span_is(l.hostname, "web-1"));
    CU_ASSERT_TRUE(l.low_priority);
    CU_ASSERT_EQUAL(l.alert, STATSD_ALERT_WARNING);
    CU_ASSERT_EQUAL_FATAL(l.ntags, 2);
    CU_ASSERT_TRUE(span_is(l.tags[1].key, "team"));
    CU_ASSERT_TRUE(span_is(l.tags[1].value, "a"));

    CU_ASSERT_EQUAL_FATAL(parse("_e{5,0}:title|", &l, &why), 0);
    CU_ASSERT_EQUAL(l.alert, STATSD_ALERT_INFO);
    CU_ASSERT_FALSE(l.low_priority);
    CU_ASSERT_EQUAL(l.text.n, 0);
    CU_ASSERT_EQUAL(l.ntags, 0);
    /* hot-shots counts UTF-16 units, not bytes: "caf\xc3\xa9 \xe2\x9c\x93" is 6 units, 9 bytes; an
     * emoji (4 bytes) is 2 units */
    CU_ASSERT_EQUAL_FATAL(
        parse("_e{6,10}:caf\xc3\xa9 \xe2\x9c\x93|na\xc3\xafve text|t:error", &l, &why), 0);
    CU_ASSERT_TRUE(span_is(l.name, "caf\xc3\xa9 \xe2\x9c\x93"));
    CU_ASSERT_TRUE(span_is(l.text, "na\xc3\xafve text"));
    CU_ASSERT_EQUAL(l.alert, STATSD_ALERT_ERROR);
    CU_ASSERT_EQUAL_FATAL(parse("_e{3,2}:a\xf0\x9f\x98\x80|ok", &l, &why), 0);
    CU_ASSERT_TRUE(span_is(l.name, "a\xf0\x9f\x98\x80"));
    CU_ASSERT_EQUAL(parse("_e{6,2}:caf\xc3\xa9|ok", &l, &why), -EPROTO); /* fits neither way */
    CU_ASSERT_EQUAL(why, STATSD_BAD_EVENT);
    CU_ASSERT_STRING_EQUAL(statsd_alert_name(STATSD_ALERT_ERROR), "error");
    CU_ASSERT_STRING_EQUAL(statsd_reason_name(STATSD_BAD_EVENT), "bad_event");
}

/* Service checks: status 0-3, fields, and a message that runs to the end of the line. */
static void test_service_checks(void)
{
    struct statsd_line l;
    enum statsd_reason why;
    CU_ASSERT_EQUAL_FATAL(
        parse("_sc|rizk.redis|2|d:1700000000|h:web-1|#env:prod|m:down | since 12:00", &l, &why),
        0);
    CU_ASSERT_EQUAL(l.kind, STATSD_KIND_SERVICE_CHECK);
    CU_ASSERT_TRUE(span_is(l.name, "rizk.redis"));
    CU_ASSERT_EQUAL(l.status, STATSD_CHECK_CRITICAL);
    CU_ASSERT_EQUAL(l.timestamp, 1700000000);
    CU_ASSERT_TRUE(span_is(l.hostname, "web-1"));
    CU_ASSERT_EQUAL_FATAL(l.ntags, 1);
    CU_ASSERT_TRUE(span_is(l.message, "down | since 12:00"));
    CU_ASSERT_EQUAL_FATAL(parse("_sc|app.up|0", &l, &why), 0);
    CU_ASSERT_EQUAL(l.status, STATSD_CHECK_OK);
    CU_ASSERT_EQUAL(l.message.n, 0);
    CU_ASSERT_EQUAL_FATAL(parse("_sc|app.up|3|m:", &l, &why), 0);
    CU_ASSERT_EQUAL(l.status, STATSD_CHECK_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(statsd_check_status_name(STATSD_CHECK_UNKNOWN), "unknown");
    /* a metric line still says it is one */
    CU_ASSERT_EQUAL_FATAL(parse("a:1|c", &l, &why), 0);
    CU_ASSERT_EQUAL(l.kind, STATSD_KIND_METRIC);
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
        {"_e{5,4}:titl|text", STATSD_BAD_EVENT},      /* title shorter than announced */
        {"_e{5,4}:title|text|x:1", STATSD_BAD_EVENT}, /* unknown field */
        {"_e{5,4}:title|textmore", STATSD_BAD_EVENT}, /* text longer than announced */
        {"_e{0,4}:|text", STATSD_BAD_EVENT},          /* empty title */
        {"_e{5,4}:title|text|t:fatal", STATSD_BAD_EVENT},
        {"_e{5,4}:title|text|p:high", STATSD_BAD_EVENT},
        {"_e{5,4}:title|text|d:12a", STATSD_BAD_EVENT},
        {"_e{5,4}title|text", STATSD_BAD_EVENT},
        {"_e{x,4}:title|text", STATSD_BAD_EVENT},
        {"_sc||0", STATSD_BAD_SERVICE_CHECK},
        {"_sc|name", STATSD_BAD_SERVICE_CHECK},
        {"_sc|name|4", STATSD_BAD_SERVICE_CHECK},
        {"_sc|name|01", STATSD_BAD_SERVICE_CHECK},
        {"_sc|name|0|t:error", STATSD_BAD_SERVICE_CHECK}, /* t: is for events only */
        {"_sc|na me|0", STATSD_BAD_SERVICE_CHECK},
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
    CU_ASSERT_EQUAL(ok, 13); /* the event "_e{1,1}:a|b" is valid */
    CU_ASSERT_EQUAL(bad[STATSD_BAD_NAME], 1);
    CU_ASSERT_EQUAL(bad[STATSD_BAD_VALUE], 1);
    CU_ASSERT_EQUAL(bad[STATSD_BAD_TYPE], 1);
    CU_ASSERT_EQUAL(bad[STATSD_BAD_RATE], 1);
    free(d);
}

static CU_TestInfo tests[] = {
    {"every type", test_types},
    {"DogStatsD rate, tags, container, timestamp", test_full_dogstatsd},
    {"DogStatsD events", test_events},
    {"DogStatsD service checks", test_service_checks},
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
