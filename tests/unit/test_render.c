/* Suite "render": escaping per context (exact bytes), Go-compatible number formatting, the text
 * and OpenMetrics renderers against tests/golden/metrics.{prom,om} (UPDATE_GOLDEN=1 rewrites
 * them), the renderer table, and gzip round trips through zlib's inflate. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <zlib.h>

#include "core/buf.h"
#include "render/escape.h"
#include "render/gzip.h"
#include "render/numfmt.h"
#include "render/render.h"
#include "store/mset.h"

#define CAP (1u << 20)

/* Compares the whole buffer with an expected byte string (may contain NUL) and shows both. */
#define ASSERT_BYTES(b, want, wantlen)                                                             \
    do {                                                                                           \
        bool eq_ = buf_len(b) == (wantlen) && memcmp(buf_ptr(b), (want), (wantlen)) == 0;          \
        if (!eq_)                                                                                  \
            fprintf(stderr, "\n  got  [%s]\n  want [%.*s]\n", buf_ptr(b), (int)(wantlen), (want)); \
        CU_ASSERT(eq_);                                                                            \
    } while (0)
#define ASSERT_STR(b, want) ASSERT_BYTES(b, want, strlen(want))

typedef int (*escape_fn)(struct buf *out, const char *s, size_t n);

static void check_escape(escape_fn fn, const char *in, size_t n, const char *want)
{
    struct buf b;
    buf_init(&b, CAP);
    CU_ASSERT_EQUAL(fn(&b, in, n), 0);
    ASSERT_STR(&b, want);
    buf_fini(&b);
}
#define ESC(fn, lit, want) check_escape(fn, lit, sizeof(lit) - 1, want)

static void test_escape_help_text(void)
{
    ESC(escape_help_text, "plain text", "plain text");
    ESC(escape_help_text, "a\\b\nc", "a\\\\b\\nc");
    /* '"' stays raw: expfmt rejects \" in HELP. */
    ESC(escape_help_text, "say \"hi\"", "say \"hi\"");
    ESC(escape_help_text, "tab\there\r", "tab\there\r");
    ESC(escape_help_text, "nul\0byte",
        "nul\xEF\xBF\xBD"
        "byte");
    ESC(escape_help_text, "", "");
}

static void test_escape_help_om(void)
{
    ESC(escape_help_om, "a\\b\nc", "a\\\\b\\nc");
    ESC(escape_help_om, "say \"hi\"", "say \\\"hi\\\"");
    ESC(escape_help_om, "\\\"\n", "\\\\\\\"\\n");
}

static void test_escape_label_value(void)
{
    ESC(escape_label_value, "C:\\dir\\\"x\"\nnext", "C:\\\\dir\\\\\\\"x\\\"\\nnext");
    ESC(escape_label_value, "", "");
    ESC(escape_label_value, "a\tb\rc", "a\tb\rc");
    /* Valid UTF-8 passes through: e-acute, check mark, a 4-byte emoji. */
    ESC(escape_label_value, "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80",
        "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80");
    /* Invalid UTF-8: lone continuation, truncated sequence, overlong, surrogate, > U+10FFFF. */
    ESC(escape_label_value, "a\x80z", "a\xEF\xBF\xBDz");
    ESC(escape_label_value, "a\xE2\x9C", "a\xEF\xBF\xBD");
    ESC(escape_label_value, "\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD");
    ESC(escape_label_value, "\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    ESC(escape_label_value, "\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    ESC(escape_label_value, "\xFF", "\xEF\xBF\xBD");
    /* A maximal subpart is replaced once: E2 9C followed by ASCII. */
    ESC(escape_label_value,
        "\xE2\x9C"
        "a",
        "\xEF\xBF\xBD"
        "a");
}

static void test_escape_json(void)
{
    ESC(escape_json_string, "q\"b\\s/", "q\\\"b\\\\s/");
    ESC(escape_json_string, "\b\f\n\r\t", "\\b\\f\\n\\r\\t");
    ESC(escape_json_string, "\x01\x1f\x7f", "\\u0001\\u001f\\u007f");
    ESC(escape_json_string, "nul\0", "nul\\u0000");
    ESC(escape_json_string, "\xC3\xA9\xC3", "\xC3\xA9\xEF\xBF\xBD");
}

static void test_escape_logfmt(void)
{
    ESC(escape_logfmt_value, "ready", "ready");
    ESC(escape_logfmt_value, "", "\"\"");
    ESC(escape_logfmt_value, "two words", "\"two words\"");
    ESC(escape_logfmt_value, "k=v", "\"k=v\"");
    ESC(escape_logfmt_value, "say \"x\"\n", "\"say \\\"x\\\"\\n\"");
    ESC(escape_logfmt_value, "caf\xC3\xA9", "\"caf\xC3\xA9\"");
}

static void test_escape_cap(void)
{
    struct buf b;
    buf_init(&b, 4);
    CU_ASSERT_EQUAL(escape_label_value(&b, "ab\"c", 4), -E2BIG);
    CU_ASSERT_EQUAL(buf_len(&b), 0);
    buf_fini(&b);
}

struct num_case {
    double v;
    const char *plain;
    const char *canonical;
};

static void test_numfmt_table(void)
{
    static const struct num_case cases[] = {
        {0, "0", "0.0"},
        {-0.0, "-0", "-0.0"},
        {1, "1", "1.0"},
        {-3.25, "-3.25", "-3.25"},
        {0.1, "0.1", "0.1"},
        {0.001, "0.001", "0.001"},
        {0.005, "0.005", "0.005"},
        {0.95, "0.95", "0.95"},
        {10, "10", "10.0"},
        {1e-05, "1e-05", "1e-05"},
        {0.0001, "0.0001", "0.0001"},
        {100000, "100000", "100000.0"},
        {123456.5, "123456.5", "123456.5"},
        {1e+06, "1e+06", "1e+06"},
        {1234567, "1.234567e+06", "1.234567e+06"},
        {1e+10, "1e+10", "1e+10"},
        {1.1e+23, "1.1e+23", "1.1e+23"},
        {5.144627000000001, "5.144627000000001", "5.144627000000001"},
        {0.1 + 0.2, "0.30000000000000004", "0.30000000000000004"},
        {1.0 / 3.0, "0.3333333333333333", "0.3333333333333333"},
        {9007199254740993.0, "9.007199254740992e+15", "9.007199254740992e+15"},
        {1.7976931348623157e308, "1.7976931348623157e+308", "1.7976931348623157e+308"},
        {2.2250738585072014e-308, "2.2250738585072014e-308", "2.2250738585072014e-308"},
        {5e-324, "5e-324", "5e-324"},                        /* smallest denormal */
        {4.9406564584124654e-322, "4.94e-322", "4.94e-322"}, /* 100 denormal steps */
        {7.120236347223045e-307, "7.120236347223045e-307", "7.120236347223045e-307"}, /* 2^-1017 */
        {-1e-300, "-1e-300", "-1e-300"},
        {NAN, "NaN", "NaN"},
        {INFINITY, "+Inf", "+Inf"},
        {-INFINITY, "-Inf", "-Inf"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char got[NUMFMT_MAX];
        size_t n = numfmt_format(got, cases[i].v);
        if (strcmp(got, cases[i].plain) != 0)
            fprintf(stderr, "\n  numfmt #%zu: got %s want %s\n", i, got, cases[i].plain);
        CU_ASSERT_STRING_EQUAL(got, cases[i].plain);
        CU_ASSERT_EQUAL(n, strlen(got));
        n = numfmt_format_canonical(got, cases[i].v);
        if (strcmp(got, cases[i].canonical) != 0)
            fprintf(stderr, "\n  canonical #%zu: got %s want %s\n", i, got, cases[i].canonical);
        CU_ASSERT_STRING_EQUAL(got, cases[i].canonical);
        CU_ASSERT_EQUAL(n, strlen(got));
    }
}

/* Every finite double must read back exactly; sweep exponents with awkward mantissas. */
static void test_numfmt_roundtrip(void)
{
    unsigned long long x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        memcpy(&v, &x, sizeof(v));
        if (!isfinite(v))
            continue;
        char s[NUMFMT_MAX];
        numfmt_format(s, v);
        char *end = NULL;
        double back = strtod(s, &end);
        CU_ASSERT_EQUAL(*end, '\0');
        CU_ASSERT(memcmp(&back, &v, sizeof(v)) == 0);
    }
}

static void test_numfmt_append(void)
{
    struct buf b;
    buf_init(&b, CAP);
    CU_ASSERT_EQUAL(numfmt_append(&b, 0.5), 0);
    CU_ASSERT_EQUAL(buf_addc(&b, ' '), 0);
    CU_ASSERT_EQUAL(numfmt_append_canonical(&b, 2), 0);
    ASSERT_STR(&b, "0.5 2.0");
    buf_fini(&b);
}

/* --- rendering ---------------------------------------------------------------------------- */

static void add(struct mset *m, struct mfamily *f, const char *k1, const char *v1, const char *k2,
                const char *v2, double v)
{
    struct label l[2] = {{k1, v1}, {k2, v2}};
    size_t n = k1 == NULL ? 0 : (k2 == NULL ? 1 : 2);
    CU_ASSERT_EQUAL(mset_add(m, f, l, n, v), 0);
}

static struct mfamily *fam(struct mset *m, const char *name, enum metric_type t, const char *help)
{
    struct mfamily *f = NULL;
    CU_ASSERT_EQUAL_FATAL(mset_family(m, name, t, help, &f), 0);
    return f;
}

/* The golden metric set: every escaping context, every type, the special values. */
static struct mset *golden_mset(void)
{
    struct mset *m = mset_new();
    struct mfamily *f;

    f = fam(m, "rizk_demo_requests_total", METRIC_COUNTER,
            "Requests handled. Backslash \\ newline\nand \"quotes\" in HELP.");
    add(m, f, "method", "get", "path", "C:\\dir\\\"x\"\nnext", 1027);
    add(m, f, "method", "post", "path", "h\xC3\xA9llo \xE2\x9C\x93 \xE6\x97\xA5\xE6\x9C\xAC", 3);
    add(m, f, "method", "put", "path", "", 0);
    add(m, f, "method", "tab", "path", "a\tb", 1.5);
    add(m, f, "method", "bad_utf8", "path", "x\xC3(", 1);

    f = fam(m, "rizk_demo_errors_total", METRIC_COUNTER,
            "Errors; the NaN sample appears in text only.");
    add(m, f, "kind", "nan", NULL, NULL, NAN);
    add(m, f, "kind", "ok", NULL, NULL, 2);

    f = fam(m, "rizk_demo_unknown_total", METRIC_COUNTER,
            "Only a NaN sample: absent from OpenMetrics.");
    add(m, f, NULL, NULL, NULL, NULL, NAN);

    fam(m, "rizk_demo_empty_bytes", METRIC_GAUGE, "No samples: never rendered.");

    f = fam(m, "rizk_demo_temperature_celsius", METRIC_GAUGE, "Special and awkward values.");
    add(m, f, "case", "nan", NULL, NULL, NAN);
    add(m, f, "case", "pos_inf", NULL, NULL, INFINITY);
    add(m, f, "case", "neg_inf", NULL, NULL, -INFINITY);
    add(m, f, "case", "neg_zero", NULL, NULL, -0.0);
    add(m, f, "case", "tenth", NULL, NULL, 0.1);
    add(m, f, "case", "small", NULL, NULL, 1e-05);
    add(m, f, "case", "hundred_k", NULL, NULL, 100000);
    add(m, f, "case", "million", NULL, NULL, 1e+06);
    add(m, f, "case", "long", NULL, NULL, 5.144627000000001);
    add(m, f, "case", "denormal", NULL, NULL, 5e-324);
    add(m, f, "case", "negative", NULL, NULL, -3.25);

    f = fam(m, "rizk_demo_uptime_seconds", METRIC_GAUGE, "A gauge without labels.");
    add(m, f, NULL, NULL, NULL, NULL, 12.5);

    f = fam(m, "rizk_demo_latency_seconds", METRIC_HISTOGRAM, "Request latency.");
    double bounds[] = {0.005, 0.1, 1, 10};
    uint64_t counts[] = {1, 4, 5, 6};
    struct histogram h = {
        .nbuckets = 4, .bounds = bounds, .counts = counts, .count = 7, .sum = 12.25};
    struct label hl[] = {{"handler", "/api"}};
    CU_ASSERT_EQUAL(mset_add_histogram(m, f, hl, 1, &h), 0);
    uint64_t zeros[] = {0, 0, 0, 0};
    struct histogram h0 = {.nbuckets = 4, .bounds = bounds, .counts = zeros, .count = 0, .sum = 0};
    struct label hq[] = {{"handler", "/q\"uote\\"}};
    CU_ASSERT_EQUAL(mset_add_histogram(m, f, hq, 1, &h0), 0);
    struct histogram hn = {.nbuckets = 0, .bounds = NULL, .counts = NULL, .count = 3, .sum = 1.5};
    CU_ASSERT_EQUAL(mset_add_histogram(m, f, NULL, 0, &hn), 0);

    f = fam(m, "rizk_demo_queue_length", METRIC_UNTYPED, "An untyped value.");
    add(m, f, "queue", "main", NULL, NULL, 3);
    return m;
}

static char *golden_path(const char *name)
{
    const char *dir = getenv("GOLDEN");
    size_t n = strlen(dir ? dir : "tests/golden") + strlen(name) + 2;
    char *p = malloc(n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    snprintf(p, n, "%s/%s", dir ? dir : "tests/golden", name);
    return p;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0, r;
    char *p = malloc(cap);
    while (p != NULL && (r = fread(p + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            char *q = realloc(p, cap);
            if (q == NULL) {
                free(p);
                p = NULL;
            } else {
                p = q;
            }
        }
    }
    fclose(f);
    *len = n;
    return p;
}

static void check_golden(render_fn fn, const char *name)
{
    struct mset *m = golden_mset();
    struct buf b;
    buf_init(&b, CAP);
    CU_ASSERT_EQUAL_FATAL(fn(m, &b), 0);
    char *path = golden_path(name);
    const char *update = getenv("UPDATE_GOLDEN");
    if (update != NULL && strcmp(update, "1") == 0) {
        FILE *f = fopen(path, "wb");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        CU_ASSERT_EQUAL(fwrite(buf_ptr(&b), 1, buf_len(&b), f), buf_len(&b));
        CU_ASSERT_EQUAL(fclose(f), 0);
        fprintf(stderr, "\n  rewrote %s\n", path);
    } else {
        size_t len = 0;
        char *want = read_file(path, &len);
        if (want == NULL)
            fprintf(stderr, "\n  missing %s (run with UPDATE_GOLDEN=1)\n", path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(want);
        ASSERT_BYTES(&b, want, len);
        free(want);
    }
    free(path);
    buf_fini(&b);
    mset_free(m);
}

static void test_golden_text(void)
{
    check_golden(render_prom_text, "metrics.prom");
}

static void test_golden_openmetrics(void)
{
    check_golden(render_openmetrics, "metrics.om");
}

static void test_render_exact(void)
{
    struct mset *m = mset_new();
    struct mfamily *f = fam(m, "a_total", METRIC_COUNTER, "A \"c\".");
    add(m, f, "l", "v\"", NULL, NULL, 2);
    f = fam(m, "b", METRIC_HISTOGRAM, "");
    double bounds[] = {1, INFINITY};
    uint64_t counts[] = {1, 2};
    struct histogram h = {
        .nbuckets = 2, .bounds = bounds, .counts = counts, .count = 2, .sum = 2.5};
    CU_ASSERT_EQUAL(mset_add_histogram(m, f, NULL, 0, &h), 0);

    struct buf b;
    buf_init(&b, CAP);
    CU_ASSERT_EQUAL(render_prom_text(m, &b), 0);
    ASSERT_STR(&b, "# HELP a_total A \"c\".\n"
                   "# TYPE a_total counter\n"
                   "a_total{l=\"v\\\"\"} 2\n"
                   "# TYPE b histogram\n"
                   "b_bucket{le=\"1.0\"} 1\n"
                   "b_bucket{le=\"+Inf\"} 2\n"
                   "b_sum 2.5\n"
                   "b_count 2\n");
    buf_reset(&b);
    CU_ASSERT_EQUAL(render_openmetrics(m, &b), 0);
    ASSERT_STR(&b, "# HELP a A \\\"c\\\".\n"
                   "# TYPE a counter\n"
                   "a_total{l=\"v\\\"\"} 2\n"
                   "# TYPE b histogram\n"
                   "b_bucket{le=\"1.0\"} 1\n"
                   "b_bucket{le=\"+Inf\"} 2\n"
                   "b_count 2\n"
                   "b_sum 2.5\n"
                   "# EOF\n");
    buf_fini(&b);
    mset_free(m);
}

static void test_render_om_rules(void)
{
    struct mset *m = mset_new();
    struct mfamily *f = fam(m, "neg_total", METRIC_COUNTER, "h");
    add(m, f, NULL, NULL, NULL, NULL, -1);
    f = fam(m, "raw", METRIC_COUNTER, "no _total suffix");
    add(m, f, NULL, NULL, NULL, NULL, 4);
    f = fam(m, "temp_celsius", METRIC_HISTOGRAM, "negative bounds: no _sum/_count");
    double bounds[] = {-10, 0, 10};
    uint64_t counts[] = {1, 1, 2};
    struct histogram h = {.nbuckets = 3, .bounds = bounds, .counts = counts, .count = 2, .sum = -4};
    CU_ASSERT_EQUAL(mset_add_histogram(m, f, NULL, 0, &h), 0);
    f = fam(m, "u", METRIC_UNTYPED, "");
    add(m, f, NULL, NULL, NULL, NULL, NAN);

    struct buf b;
    buf_init(&b, CAP);
    CU_ASSERT_EQUAL(render_openmetrics(m, &b), 0);
    ASSERT_STR(&b, "# HELP raw no _total suffix\n"
                   "# TYPE raw counter\n"
                   "raw_total 4\n"
                   "# HELP temp_celsius negative bounds: no _sum/_count\n"
                   "# TYPE temp_celsius histogram\n"
                   "temp_celsius_bucket{le=\"-10.0\"} 1\n"
                   "temp_celsius_bucket{le=\"0.0\"} 1\n"
                   "temp_celsius_bucket{le=\"10.0\"} 2\n"
                   "temp_celsius_bucket{le=\"+Inf\"} 2\n"
                   "# TYPE u unknown\n"
                   "u NaN\n"
                   "# EOF\n");
    buf_fini(&b);
    mset_free(m);
}

static void test_render_empty(void)
{
    struct mset *m = mset_new();
    fam(m, "nothing", METRIC_GAUGE, "never shown");
    struct buf b;
    buf_init(&b, CAP);
    CU_ASSERT_EQUAL(render_prom_text(m, &b), 0);
    CU_ASSERT_EQUAL(buf_len(&b), 0);
    CU_ASSERT_EQUAL(render_openmetrics(m, &b), 0);
    ASSERT_STR(&b, "# EOF\n");
    buf_fini(&b);
    mset_free(m);
}

static void test_render_cap(void)
{
    struct mset *m = golden_mset();
    struct buf b;
    for (size_t cap = 0; cap < 200; cap += 7) {
        buf_init(&b, cap);
        CU_ASSERT_EQUAL(render_prom_text(m, &b), -E2BIG);
        CU_ASSERT_EQUAL(buf_len(&b), 0);
        buf_init(&b, cap);
        CU_ASSERT_EQUAL(render_openmetrics(m, &b), -E2BIG);
        CU_ASSERT_EQUAL(buf_len(&b), 0);
        buf_fini(&b);
    }
    mset_free(m);
}

static void test_render_table(void)
{
    CU_ASSERT_STRING_EQUAL(render_content_type(EXPO_TEXT),
                           "text/plain; version=0.0.4; charset=utf-8");
    CU_ASSERT_STRING_EQUAL(render_content_type(EXPO_OPENMETRICS),
                           "application/openmetrics-text; version=1.0.0; charset=utf-8");
    CU_ASSERT_STRING_EQUAL(render_content_type(EXPO_PROTOBUF),
                           "application/vnd.google.protobuf; "
                           "proto=io.prometheus.client.MetricFamily; encoding=delimited");
    CU_ASSERT(render_get(EXPO_TEXT)->render == render_prom_text);
    CU_ASSERT(render_get(EXPO_OPENMETRICS)->render == render_openmetrics);
    CU_ASSERT(render_is_available(EXPO_TEXT));
    CU_ASSERT(render_is_available(EXPO_OPENMETRICS));
    CU_ASSERT(render_get(EXPO_PROTOBUF)->render == render_protobuf);
    CU_ASSERT(render_is_available(EXPO_PROTOBUF));
    for (int f = 0; f < EXPO_NFORMATS; f++)
        CU_ASSERT_EQUAL((int)render_get((enum expo_format)f)->format, f);
}

/* --- gzip ---------------------------------------------------------------------------------- */

static void check_gunzip(const struct buf *z, const char *want, size_t wantlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    CU_ASSERT_EQUAL_FATAL(inflateInit2(&zs, 15 + 16), Z_OK);
    char *outp = malloc(wantlen + 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(outp);
    zs.next_in = (Bytef *)(uintptr_t)buf_ptr(z);
    zs.avail_in = (uInt)buf_len(z);
    zs.next_out = (Bytef *)outp;
    zs.avail_out = (uInt)(wantlen + 16);
    CU_ASSERT_EQUAL(inflate(&zs, Z_FINISH), Z_STREAM_END);
    CU_ASSERT_EQUAL(zs.total_out, wantlen);
    CU_ASSERT_EQUAL(zs.avail_in, 0);
    CU_ASSERT(memcmp(outp, want, wantlen) == 0);
    inflateEnd(&zs);
    free(outp);
}

static void test_gzip_roundtrip(void)
{
    struct mset *m = golden_mset();
    struct buf text, z;
    buf_init(&text, CAP);
    CU_ASSERT_EQUAL_FATAL(render_prom_text(m, &text), 0);
    for (int level = 0; level <= 9; level++) {
        buf_init(&z, CAP);
        CU_ASSERT_EQUAL_FATAL(gzip_compress(buf_ptr(&text), buf_len(&text), level, &z), 0);
        const unsigned char *p = (const unsigned char *)buf_ptr(&z);
        CU_ASSERT(buf_len(&z) > 18 && p[0] == 0x1f && p[1] == 0x8b);
        check_gunzip(&z, buf_ptr(&text), buf_len(&text));
        buf_fini(&z);
    }
    /* Empty input is still a complete gzip member. */
    buf_init(&z, CAP);
    CU_ASSERT_EQUAL(gzip_compress("", 0, GZIP_LEVEL_DEFAULT, &z), 0);
    check_gunzip(&z, "", 0);
    buf_fini(&z);

    /* Incompressible data larger than the internal chunk. */
    size_t n = 200000;
    unsigned char *rnd = malloc(n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rnd);
    unsigned x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        rnd[i] = (unsigned char)(x >> 16);
    }
    buf_init(&z, CAP);
    CU_ASSERT_EQUAL(gzip_compress(rnd, n, GZIP_LEVEL_DEFAULT, &z), 0);
    check_gunzip(&z, (const char *)rnd, n);
    buf_fini(&z);
    free(rnd);
    buf_fini(&text);
    mset_free(m);
}

static void test_gzip_errors(void)
{
    struct buf z;
    buf_init(&z, CAP);
    CU_ASSERT_EQUAL(gzip_compress("abc", 3, 10, &z), -EINVAL);
    CU_ASSERT_EQUAL(gzip_compress("abc", 3, -1, &z), -EINVAL);
    buf_init(&z, 10);
    CU_ASSERT_EQUAL(gzip_compress("abc", 3, 6, &z), -E2BIG);
    CU_ASSERT_EQUAL(buf_len(&z), 0);
    buf_fini(&z);
}

static CU_TestInfo tests[] = {
    {"escape_help_text", test_escape_help_text},
    {"escape_help_om", test_escape_help_om},
    {"escape_label_value", test_escape_label_value},
    {"escape_json", test_escape_json},
    {"escape_logfmt", test_escape_logfmt},
    {"escape_cap", test_escape_cap},
    {"numfmt_table", test_numfmt_table},
    {"numfmt_roundtrip", test_numfmt_roundtrip},
    {"numfmt_append", test_numfmt_append},
    {"golden_text", test_golden_text},
    {"golden_openmetrics", test_golden_openmetrics},
    {"render_exact", test_render_exact},
    {"render_om_rules", test_render_om_rules},
    {"render_empty", test_render_empty},
    {"render_cap", test_render_cap},
    {"render_table", test_render_table},
    {"gzip_roundtrip", test_gzip_roundtrip},
    {"gzip_errors", test_gzip_errors},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_render = {"render", NULL, NULL, NULL, NULL, tests};
