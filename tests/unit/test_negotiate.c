/* Suite "negotiate": Accept and Accept-Encoding on the exact headers real clients send
 * (Prometheus 2.42 with and without native histograms, Prometheus 3, curl, browsers, Java,
 * prometheus_client), q=0 exclusions, specificity, malformed and oversized headers. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "http/negotiate.h"
#include "render/render.h"

static const char prom242[] = "application/openmetrics-text;version=1.0.0,"
                              "application/openmetrics-text;version=0.0.1;q=0.75,"
                              "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
static const char prom242_native[] =
    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,"
    "application/openmetrics-text;version=1.0.0;q=0.8,"
    "application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
/* Prometheus 3.x default (scrape_protocols OpenMetricsText1.0.0, OpenMetricsText0.0.1,
 * PrometheusText1.0.0, PrometheusText0.0.4). */
static const char prom3[] = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
                            "application/openmetrics-text;version=0.0.1;q=0.4,"
                            "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
                            "text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
static const char firefox[] =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
static const char chrome[] = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
                             "image/webp,image/apng,*/*;q=0.8,"
                             "application/signed-exchange;v=b3;q=0.7";
static const char java[] = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2";

struct fmt_case {
    const char *accept;
    bool pb;
    enum expo_format want;
    int rc;
};

static const char *fmt_name(enum expo_format f)
{
    return render_get(f)->name;
}

static void check_cases(const struct fmt_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        enum expo_format got = EXPO_NFORMATS;
        int rc = negotiate_format(cases[i].accept, cases[i].pb, &got);
        if (got != cases[i].want || rc != cases[i].rc)
            fprintf(stderr, "\n  #%zu Accept [%s] pb=%d: got %s rc=%d, want %s rc=%d\n", i,
                    cases[i].accept ? cases[i].accept : "(null)", cases[i].pb,
                    got < EXPO_NFORMATS ? fmt_name(got) : "?", rc, fmt_name(cases[i].want),
                    cases[i].rc);
        CU_ASSERT_EQUAL(got, cases[i].want);
        CU_ASSERT_EQUAL(rc, cases[i].rc);
    }
}
#define CHECK(cases) check_cases(cases, sizeof(cases) / sizeof(cases[0]))

static void test_real_clients(void)
{
    static const struct fmt_case cases[] = {
        {prom242, false, EXPO_OPENMETRICS, 0},
        {prom242, true, EXPO_OPENMETRICS, 0},
        {prom242_native, true, EXPO_PROTOBUF, 0},
        {prom242_native, false, EXPO_OPENMETRICS, 0},
        {prom3, true, EXPO_OPENMETRICS, 0},
        {"*/*", true, EXPO_TEXT, 0}, /* curl */
        {firefox, true, EXPO_TEXT, 0},
        {chrome, true, EXPO_TEXT, 0},
        {java, true, EXPO_TEXT, 0},
        /* prometheus_client's own scrapes, Grafana Agent style text-only */
        {"application/openmetrics-text; version=0.0.1; charset=utf-8", false, EXPO_OPENMETRICS, 0},
        {"text/plain;version=0.0.4", true, EXPO_TEXT, 0},
        {"text/plain", true, EXPO_TEXT, 0},
    };
    CHECK(cases);
}

static void test_missing_and_blank(void)
{
    static const struct fmt_case cases[] = {
        {NULL, true, EXPO_TEXT, 0},
        {"", true, EXPO_TEXT, 0},
        {"  \t ", true, EXPO_TEXT, 0},
    };
    CHECK(cases);
}

static void test_q_values(void)
{
    static const struct fmt_case cases[] = {
        /* OM only when strictly preferred */
        {"text/plain;q=0.5,application/openmetrics-text;q=0.5", false, EXPO_TEXT, 0},
        {"text/plain;q=0.5,application/openmetrics-text;q=0.501", false, EXPO_OPENMETRICS, 0},
        {"application/openmetrics-text", false, EXPO_OPENMETRICS, 0},
        {"application/openmetrics-text;version=1.0.0;charset=utf-8", false, EXPO_OPENMETRICS, 0},
        /* q=0 excludes, even below a wildcard */
        {"text/plain;q=0,*/*;q=0.1", false, EXPO_OPENMETRICS, 0},
        {"text/plain;q=0,application/openmetrics-text;q=0", false, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"*/*;q=0", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"text/*;q=0,*/*", false, EXPO_OPENMETRICS, 0},
        /* specificity: the exact range beats the wildcard whatever their q */
        {"*/*;q=1,text/plain;q=0.1", false, EXPO_OPENMETRICS, 0},
        {"text/*;q=0.9,text/plain;version=0.0.4;q=0.2,application/*;q=0.5", false, EXPO_OPENMETRICS,
         0},
        {"application/*", true, EXPO_OPENMETRICS, 0},
        /* case-insensitive names, blanks around separators, q=1.000 */
        {"Application/OpenMetrics-Text ; Version=1.0.0 ; Q=1.000 , text/plain ; q=0.9", false,
         EXPO_OPENMETRICS, 0},
        {"text/plain;q=1.0,application/openmetrics-text;q=0.999", false, EXPO_TEXT, 0},
    };
    CHECK(cases);
}

static void test_versions_and_params(void)
{
    static const struct fmt_case cases[] = {
        /* text 1.0.0 (Prometheus 3 UTF-8 text) is not what we serve */
        {"text/plain;version=1.0.0", false, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"text/plain;version=1.0.0,application/openmetrics-text;q=0.1", false, EXPO_OPENMETRICS, 0},
        {"application/openmetrics-text;version=2.0.0", false, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"text/plain;charset=iso-8859-1", false, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"text/plain;charset=\"UTF-8\"", false, EXPO_TEXT, 0},
        {"text/plain;format=flowed", false, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"application/openmetrics-text;version=\"1.0.0\";q=0.9", false, EXPO_OPENMETRICS, 0},
        /* accept-ext after q is ignored */
        {"application/openmetrics-text;q=0.9;foo=bar", false, EXPO_OPENMETRICS, 0},
    };
    CHECK(cases);
}

static void test_protobuf(void)
{
    static const struct fmt_case cases[] = {
        {"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
         "encoding=delimited",
         true, EXPO_PROTOBUF, 0},
        {"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
         "encoding=delimited",
         false, EXPO_TEXT, NEGOTIATE_FALLBACK},
        /* missing or wrong parameters */
        {"application/vnd.google.protobuf", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily", true, EXPO_TEXT,
         NEGOTIATE_FALLBACK},
        {"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text",
         true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"application/vnd.google.protobuf;proto=other.Msg;encoding=delimited", true, EXPO_TEXT,
         NEGOTIATE_FALLBACK},
        /* never through a wildcard */
        {"application/*", true, EXPO_OPENMETRICS, 0},
        {"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
         "encoding=delimited;q=0.5,text/plain;q=0.5",
         true, EXPO_TEXT, 0},
    };
    CHECK(cases);
}

static void test_unsupported_and_malformed(void)
{
    static const struct fmt_case cases[] = {
        {"application/json", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"text/html", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"garbage;;=", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {",,,", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"text/", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"/plain", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"*/plain", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"text/plain;q=2", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"text/plain;q=-1", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"text/plain;q=abc", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"text/plain;q=\"0.5\"", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"text/plain;q=1.5", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"text/plain;version", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        {"text/plain;version=\"0.0.4", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
        /* a malformed element does not spoil the others */
        {"text/plain;q=abc,application/openmetrics-text;q=0.3", true, EXPO_OPENMETRICS, 0},
        {"x/y;a=\"q,uoted\",application/openmetrics-text", true, EXPO_OPENMETRICS, 0},
        {"application/openmetrics-text;;q=0.7", true, EXPO_OPENMETRICS, 0},
        {"application/openmetrics-text;", true, EXPO_OPENMETRICS, 0},
        {"text/plain;a=1;b=2;c=3;d=4;e=5;f=6;g=7;h=8;i=9", true, EXPO_TEXT, NEGOTIATE_FALLBACK},
    };
    CHECK(cases);
}

static void test_oversized(void)
{
    size_t n = NEGOTIATE_HEADER_MAX + 100;
    char *h = malloc(n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    memset(h, ' ', n);
    memcpy(h, "application/openmetrics-text", 28);
    h[n] = '\0';
    enum expo_format f = EXPO_NFORMATS;
    CU_ASSERT_EQUAL(negotiate_format(h, true, &f), NEGOTIATE_FALLBACK);
    CU_ASSERT_EQUAL(f, EXPO_TEXT);
    memcpy(h, "gzip", 4);
    CU_ASSERT_FALSE(negotiate_gzip(h));
    /* exactly at the limit is still parsed */
    memcpy(h, "application/openmetrics-text", 28);
    h[NEGOTIATE_HEADER_MAX] = '\0';
    CU_ASSERT_EQUAL(negotiate_format(h, true, &f), 0);
    CU_ASSERT_EQUAL(f, EXPO_OPENMETRICS);
    free(h);
}

struct enc_case {
    const char *ae;
    bool want;
};

static void test_gzip(void)
{
    static const struct enc_case cases[] = {
        {"gzip", true}, /* Prometheus */
        {"gzip, deflate, br", true},
        {"gzip, deflate, br, zstd", true},
        {"deflate, gzip;q=1.0, *;q=0.5", true},
        {"x-gzip", true},
        {"GZIP", true},
        {"*", true},
        {"*;q=0.1", true},
        {"gzip;q=0.5", true},
        {"br;q=1, gzip;q=0.2", true},
        {NULL, false},
        {"", false},
        {"identity", false},
        {"br", false},
        {"deflate", false},
        {"gzip;q=0", false},
        {"gzip;q=0.000", false},
        {"gzip;q=0, *", false},
        {"*;q=0", false},
        {"gzip;q=0.5, identity", false},
        {"gzip;q=0.5, identity;q=0.5", true},
        {"identity;q=0, *;q=0.3", true},
        {"gzip;q=abc", false},
        {"gzip;;", true},
        {" , gzip , ", true},
        {"gzipx", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = negotiate_gzip(cases[i].ae);
        if (got != cases[i].want)
            fprintf(stderr, "\n  #%zu Accept-Encoding [%s]: got %d\n", i,
                    cases[i].ae ? cases[i].ae : "(null)", got);
        CU_ASSERT_EQUAL(got, cases[i].want);
    }
}

static void test_content_type(void)
{
    CU_ASSERT_STRING_EQUAL(negotiate_content_type(EXPO_TEXT),
                           "text/plain; version=0.0.4; charset=utf-8");
    CU_ASSERT_STRING_EQUAL(negotiate_content_type(EXPO_OPENMETRICS),
                           "application/openmetrics-text; version=1.0.0; charset=utf-8");
    CU_ASSERT_STRING_EQUAL(negotiate_content_type(EXPO_PROTOBUF),
                           "application/vnd.google.protobuf; "
                           "proto=io.prometheus.client.MetricFamily; encoding=delimited");
}

static CU_TestInfo tests[] = {
    {"real_clients", test_real_clients},
    {"missing_and_blank", test_missing_and_blank},
    {"q_values", test_q_values},
    {"versions_and_params", test_versions_and_params},
    {"protobuf", test_protobuf},
    {"unsupported_and_malformed", test_unsupported_and_malformed},
    {"oversized", test_oversized},
    {"gzip", test_gzip},
    {"content_type", test_content_type},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_negotiate = {"negotiate", NULL, NULL, NULL, NULL, tests};
