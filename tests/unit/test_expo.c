/* Unit tests for parse/expo: exact results on bodies captured from python3-prometheus-client 0.16
 * (both formats, same registry: the selections must agree), node_exporter 1.5, and hand-made
 * edge cases in tests/fixtures/app, plus the caps and the fatal cases built in memory. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "parse/expo_select.h"
#include "unit_util.h"

static char *fixture(const char *rel, size_t *len)
{
    char *t = unit_fixture_read(rel, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

/* ---- a recording callback pair ---- */

#define REC_MAX 64

struct rec {
    unsigned nfam, nsmp;
    char fam[REC_MAX][64];
    enum expo_type fam_type[REC_MAX];
    char help[REC_MAX][128];
    char unit[REC_MAX][32];
    char name[REC_MAX][64];
    char labels[REC_MAX][256]; /* "k=v|k=v|" */
    enum expo_role role[REC_MAX];
    double value[REC_MAX];
    bool has_ts[REC_MAX];
    int64_t ts_ms[REC_MAX];
    unsigned line[REC_MAX];
    int stop_at; /* sample index whose callback fails with -ECANCELED; -1: never */
};

static int rec_family(void *cls, const struct expo_family *f)
{
    struct rec *r = cls;
    if (r->nfam < REC_MAX) {
        snprintf(r->fam[r->nfam], sizeof(r->fam[0]), "%s", f->name);
        r->fam_type[r->nfam] = f->type;
        snprintf(r->help[r->nfam], sizeof(r->help[0]), "%s", f->help ? f->help : "(none)");
        snprintf(r->unit[r->nfam], sizeof(r->unit[0]), "%s", f->unit ? f->unit : "(none)");
        CU_ASSERT_EQUAL(f->seq, r->nfam);
    }
    r->nfam++;
    return 0;
}

static int rec_sample(void *cls, const struct expo_family *f, const struct expo_sample *s)
{
    struct rec *r = cls;
    (void)f;
    if (r->stop_at >= 0 && r->nsmp == (unsigned)r->stop_at)
        return -ECANCELED;
    if (r->nsmp < REC_MAX) {
        unsigned i = r->nsmp;
        snprintf(r->name[i], sizeof(r->name[0]), "%s", s->name);
        r->labels[i][0] = '\0';
        size_t off = 0;
        for (unsigned k = 0; k < s->nlabels && off < sizeof(r->labels[0]); k++)
            off += (size_t)snprintf(r->labels[i] + off, sizeof(r->labels[0]) - off, "%s=%s|",
                                    s->labels[k].name, s->labels[k].value);
        r->role[i] = s->role;
        r->value[i] = s->value;
        r->has_ts[i] = s->has_ts;
        r->ts_ms[i] = s->ts_ms;
        r->line[i] = s->line;
    }
    r->nsmp++;
    return 0;
}

static const struct expo_callbacks rec_cb = {.family = rec_family, .sample = rec_sample};

static int rec_parse(const char *body, size_t len, enum expo_format fmt, struct rec *r,
                     struct expo_stats *st, struct parse_err *e)
{
    memset(r, 0, sizeof(*r));
    r->stop_at = -1;
    return parse_expo(body, len, fmt, NULL, &rec_cb, r, st, e);
}

static int rec_parse_str(const char *body, enum expo_format fmt, struct rec *r,
                         struct expo_stats *st, struct parse_err *e)
{
    return rec_parse(body, strlen(body), fmt, r, st, e);
}

/* ---- selection helpers ---- */

static const char *const app_names[] = {
    "rizk_requests_total",           "rizk_request_errors_total", "http_requests_total",
    "rizk_request_duration_seconds", "rizk_active_connections",   "rizk_cache_hits_total",
    "rizk_cache_misses_total",
};
enum { W_REQ, W_ERR, W_HTTP, W_DUR, W_ACTIVE, W_HITS, W_MISSES, W_N };

static struct expo_set *select_fixture(const char *rel, enum expo_format fmt,
                                       const char *const *names, unsigned n)
{
    size_t len;
    char *t = fixture(rel, &len);
    struct expo_select sel = {.names = names, .nnames = n};
    struct expo_set *set = NULL;
    struct parse_err e = {0};
    int rc = parse_expo_select(t, len, fmt, &sel, &set, &e);
    free(t);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc < 0)
        fprintf(stderr, "%s: %d at %u:%u %s\n", rel, rc, e.line, e.col, e.what);
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    return set;
}

/* find returns the kept sample of want w and role with label name=value (name NULL: any). */
static const struct expo_kept *find(const struct expo_set *s, unsigned w, enum expo_role role,
                                    const char *name, const char *value)
{
    for (unsigned i = 0; i < s->nsamples; i++) {
        const struct expo_kept *k = &s->samples[i];
        if (k->want != w || k->role != role)
            continue;
        if (name == NULL)
            return k;
        const char *v = expo_kept_label(k, name);
        if (v != NULL && strcmp(v, value) == 0)
            return k;
    }
    return NULL;
}

static unsigned count(const struct expo_set *s, unsigned w, enum expo_role role)
{
    unsigned n = 0;
    for (unsigned i = 0; i < s->nsamples; i++)
        n += s->samples[i].want == w && s->samples[i].role == role;
    return n;
}

static double value_of(const struct expo_set *s, unsigned w, enum expo_role role, const char *name,
                       const char *value)
{
    const struct expo_kept *k = find(s, w, role, name, value);
    CU_ASSERT_PTR_NOT_NULL(k);
    return k != NULL ? k->value : -12345.0;
}

/* ---- python client bodies ---- */

static void check_python_app_set(const struct expo_set *s)
{
    CU_ASSERT_EQUAL(s->nwants, W_N);
    for (unsigned w = 0; w < W_N; w++)
        CU_ASSERT_TRUE(s->found[w]);
    CU_ASSERT_EQUAL(s->types[W_REQ], EXPO_TYPE_COUNTER);
    CU_ASSERT_EQUAL(s->types[W_HTTP], EXPO_TYPE_COUNTER);
    CU_ASSERT_EQUAL(s->types[W_DUR], EXPO_TYPE_HISTOGRAM);
    CU_ASSERT_EQUAL(s->types[W_ACTIVE], EXPO_TYPE_GAUGE);
    CU_ASSERT_EQUAL(s->types[W_HITS], EXPO_TYPE_COUNTER);
    /* 1 + 1 + 4 + (15 buckets + count + sum) + 1 + 2 + 2; no _created anywhere */
    CU_ASSERT_EQUAL(s->nsamples, 28);
    for (unsigned i = 0; i < s->nsamples; i++) {
        CU_ASSERT_NOT_EQUAL(s->samples[i].role, EXPO_ROLE_CREATED);
        CU_ASSERT_FALSE(s->samples[i].has_ts);
    }
    CU_ASSERT_EQUAL(value_of(s, W_REQ, EXPO_ROLE_VALUE, NULL, NULL), 1027.0);
    CU_ASSERT_EQUAL(value_of(s, W_ERR, EXPO_ROLE_VALUE, NULL, NULL), 10.0);
    CU_ASSERT_EQUAL(count(s, W_HTTP, EXPO_ROLE_VALUE), 4);
    const struct expo_kept *k = find(s, W_HTTP, EXPO_ROLE_VALUE, "status", "503");
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    if (k == NULL) /* unreachable: tells the compiler what the FATAL assert means */
        return;
    CU_ASSERT_EQUAL(k->value, 7.0);
    CU_ASSERT_EQUAL(k->nlabels, 2);
    CU_ASSERT_STRING_EQUAL(k->labels[0].name, "method");
    CU_ASSERT_STRING_EQUAL(k->labels[0].value, "get");
    CU_ASSERT_EQUAL(value_of(s, W_HTTP, EXPO_ROLE_VALUE, "status", "500"), 3.0);
    CU_ASSERT_EQUAL(value_of(s, W_HTTP, EXPO_ROLE_VALUE, "status", "200"), 900.0);
    CU_ASSERT_EQUAL(count(s, W_DUR, EXPO_ROLE_BUCKET), 15);
    CU_ASSERT_EQUAL(value_of(s, W_DUR, EXPO_ROLE_BUCKET, "le", "0.005"), 400.0);
    CU_ASSERT_EQUAL(value_of(s, W_DUR, EXPO_ROLE_BUCKET, "le", "0.05"), 701.0);
    CU_ASSERT_EQUAL(value_of(s, W_DUR, EXPO_ROLE_BUCKET, "le", "1.0"), 1021.0);
    CU_ASSERT_EQUAL(value_of(s, W_DUR, EXPO_ROLE_BUCKET, "le", "+Inf"), 1028.0);
    CU_ASSERT_EQUAL(value_of(s, W_DUR, EXPO_ROLE_COUNT, NULL, NULL), 1028.0);
    CU_ASSERT_EQUAL(value_of(s, W_DUR, EXPO_ROLE_SUM, NULL, NULL), 89.24000000000005);
    CU_ASSERT_EQUAL(value_of(s, W_ACTIVE, EXPO_ROLE_VALUE, NULL, NULL), 12.0);
    CU_ASSERT_EQUAL(value_of(s, W_HITS, EXPO_ROLE_VALUE, "tier", "l1"), 800.0);
    CU_ASSERT_EQUAL(value_of(s, W_HITS, EXPO_ROLE_VALUE, "tier", "l2"), 150.0);
    CU_ASSERT_EQUAL(value_of(s, W_MISSES, EXPO_ROLE_VALUE, "tier", "l1"), 200.0);
    CU_ASSERT_EQUAL(value_of(s, W_MISSES, EXPO_ROLE_VALUE, "tier", "l2"), 50.0);
}

static void test_python_text(void)
{
    struct expo_set *s = select_fixture("app/python_client.prom", EXPO_FORMAT_TEXT, app_names, W_N);
    check_python_app_set(s);
    CU_ASSERT_EQUAL(s->format, EXPO_FORMAT_TEXT);
    CU_ASSERT_EQUAL(s->stats.lines, 65);
    CU_ASSERT_EQUAL(s->stats.samples, 39); /* with the 11 _created gauges */
    CU_ASSERT_EQUAL(s->stats.families, 13);
    CU_ASSERT_EQUAL(s->stats.malformed, 0);
    CU_ASSERT_EQUAL(s->stats.reopened, 0);
    CU_ASSERT_FALSE(s->stats.eof);
    expo_set_free(s);
}

static void test_python_openmetrics(void)
{
    struct expo_set *s =
        select_fixture("app/python_client.om", EXPO_FORMAT_OPENMETRICS, app_names, W_N);
    check_python_app_set(s);
    CU_ASSERT_EQUAL(s->stats.lines, 54);
    CU_ASSERT_EQUAL(s->stats.samples, 39);
    CU_ASSERT_EQUAL(s->stats.families, 7);
    CU_ASSERT_EQUAL(s->stats.exemplars, 2);
    CU_ASSERT_EQUAL(s->stats.malformed, 0);
    CU_ASSERT_TRUE(s->stats.eof); /* "# EOF" without a final LF, as the client writes it */

    /* Same registry, other format: sample for sample the same selection. */
    struct expo_set *t = select_fixture("app/python_client.prom", EXPO_FORMAT_TEXT, app_names, W_N);
    CU_ASSERT_EQUAL_FATAL(s->nsamples, t->nsamples);
    for (unsigned i = 0; i < s->nsamples; i++) {
        const struct expo_kept *a = &s->samples[i], *b = &t->samples[i];
        CU_ASSERT_EQUAL(a->want, b->want);
        CU_ASSERT_EQUAL(a->role, b->role);
        CU_ASSERT_EQUAL(a->value, b->value);
        CU_ASSERT_EQUAL_FATAL(a->nlabels, b->nlabels);
        for (unsigned k = 0; k < a->nlabels; k++) {
            CU_ASSERT_STRING_EQUAL(a->labels[k].name, b->labels[k].name);
            CU_ASSERT_STRING_EQUAL(a->labels[k].value, b->labels[k].value);
        }
    }
    expo_set_free(t);
    expo_set_free(s);

    /* The OM family names select the same: "rizk_requests" is the counter's base name. */
    static const char *const base[] = {"rizk_requests", "http_requests", "rizk_cache_hits"};
    s = select_fixture("app/python_client.om", EXPO_FORMAT_OPENMETRICS, base, 3);
    CU_ASSERT_EQUAL(s->nsamples, 1 + 4 + 2);
    CU_ASSERT_EQUAL(value_of(s, 0, EXPO_ROLE_VALUE, NULL, NULL), 1027.0);
    expo_set_free(s);
    s = select_fixture("app/python_client.prom", EXPO_FORMAT_TEXT, base, 3);
    CU_ASSERT_EQUAL(s->nsamples, 1 + 4 + 2);
    expo_set_free(s);
}

static void test_python_callbacks(void)
{
    size_t len;
    char *t = fixture("app/python_client.om", &len);
    struct rec *r = malloc(sizeof(*r));
    struct expo_stats st;
    struct parse_err e = {0};
    CU_ASSERT_EQUAL_FATAL(rec_parse(t, len, EXPO_FORMAT_OPENMETRICS, r, &st, &e), 0);
    CU_ASSERT_EQUAL(r->nfam, 7);
    CU_ASSERT_STRING_EQUAL(r->fam[0], "rizk_requests");
    CU_ASSERT_EQUAL(r->fam_type[0], EXPO_TYPE_COUNTER);
    CU_ASSERT_STRING_EQUAL(r->help[0], "Requests handled by the Rizk SDK.");
    CU_ASSERT_STRING_EQUAL(r->name[0], "rizk_requests_total");
    CU_ASSERT_EQUAL(r->role[0], EXPO_ROLE_VALUE);
    CU_ASSERT_STRING_EQUAL(r->name[1], "rizk_requests_created");
    CU_ASSERT_EQUAL(r->role[1], EXPO_ROLE_CREATED);
    CU_ASSERT_EQUAL(r->value[1], 1.7957245166781745e+09);
    CU_ASSERT_EQUAL(r->line[1], 4);
    CU_ASSERT_STRING_EQUAL(r->labels[4], "method=get|status=200|");
    CU_ASSERT_EQUAL(r->nsmp, 39);
    free(r);
    free(t);
}

/* ---- node_exporter ---- */

static void test_node_exporter(void)
{
    static const char *const names[] = {"node_load1", "node_cpu_seconds_total",
                                        "node_memory_MemTotal_bytes", "go_gc_duration_seconds",
                                        "absent_metric"};
    struct expo_set *s = select_fixture("app/node_exporter.prom", EXPO_FORMAT_TEXT, names, 5);
    CU_ASSERT_EQUAL(s->stats.lines, 472);
    CU_ASSERT_EQUAL(s->stats.samples, 208);
    CU_ASSERT_EQUAL(s->stats.families, 132);
    CU_ASSERT_EQUAL(s->stats.malformed, 0);
    CU_ASSERT_EQUAL(value_of(s, 0, EXPO_ROLE_VALUE, NULL, NULL), 2.82);
    CU_ASSERT_EQUAL(s->types[1], EXPO_TYPE_COUNTER);
    const struct expo_kept *k = NULL;
    for (unsigned i = 0; i < s->nsamples; i++) {
        const struct expo_kept *c = &s->samples[i];
        if (c->want == 1 && strcmp(expo_kept_label(c, "cpu"), "0") == 0 &&
            strcmp(expo_kept_label(c, "mode"), "idle") == 0)
            k = c;
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    if (k == NULL) /* unreachable: tells the compiler what the FATAL assert means */
        return;
    CU_ASSERT_EQUAL(k->value, 829.81);
    CU_ASSERT_EQUAL(count(s, 1, EXPO_ROLE_VALUE), 16); /* 2 CPUs x 8 modes */
    CU_ASSERT_EQUAL(value_of(s, 2, EXPO_ROLE_VALUE, NULL, NULL), 2.5276502016e+10);
    CU_ASSERT_EQUAL(s->types[3], EXPO_TYPE_SUMMARY);
    CU_ASSERT_EQUAL(count(s, 3, EXPO_ROLE_VALUE), 5); /* quantiles */
    CU_ASSERT_EQUAL(value_of(s, 3, EXPO_ROLE_VALUE, "quantile", "0.5"), 0.0);
    CU_ASSERT_EQUAL(count(s, 3, EXPO_ROLE_COUNT), 1);
    CU_ASSERT_FALSE(s->found[4]);
    CU_ASSERT_EQUAL(count(s, 4, EXPO_ROLE_VALUE), 0);
    expo_set_free(s);
}

/* ---- edge cases ---- */

static void test_escapes(void)
{
    size_t len;
    char *t = fixture("app/edge_escapes.prom", &len);
    struct rec *r = malloc(sizeof(*r));
    struct expo_stats st;
    CU_ASSERT_EQUAL_FATAL(rec_parse(t, len, EXPO_FORMAT_TEXT, r, &st, NULL), 0);
    CU_ASSERT_STRING_EQUAL(r->help[0], "Backslash \\ newline \n and a \"quote\" kept raw.");
    CU_ASSERT_EQUAL(r->nsmp, 3);
    /* \\ \" \n unescaped; '}' ',' '=' inside quotes are data; \t is kept as two bytes. */
    CU_ASSERT_STRING_EQUAL(r->labels[0], "path=C:\\dir\\\"x\"\nnext|q=a}b,c=\"d\"|t=tab\\tkept|");
    CU_ASSERT_EQUAL(r->value[0], 1027.0);
    CU_ASSERT_STRING_EQUAL(r->labels[1], "path=spaced|empty=|"); /* blanks, trailing comma */
    CU_ASSERT_STRING_EQUAL(r->labels[2], "");
    CU_ASSERT_EQUAL(st.malformed, 0);
    free(r);
    free(t);
}

static void test_values_and_timestamps(void)
{
    size_t len;
    char *t = fixture("app/edge_values.prom", &len);
    struct rec *r = malloc(sizeof(*r));
    struct expo_stats st;
    CU_ASSERT_EQUAL_FATAL(rec_parse(t, len, EXPO_FORMAT_TEXT, r, &st, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(r->nsmp, 10);
    CU_ASSERT_TRUE(isnan(r->value[0]));
    CU_ASSERT_TRUE(isinf(r->value[1]) && r->value[1] > 0);
    CU_ASSERT_TRUE(isinf(r->value[2]) && r->value[2] < 0);
    CU_ASSERT_TRUE(isinf(r->value[3]) && r->value[3] > 0);
    CU_ASSERT_TRUE(isnan(r->value[4]));
    CU_ASSERT_EQUAL(r->value[5], 1.5e6);
    CU_ASSERT_TRUE(r->value[6] == 0.0 && signbit(r->value[6]));
    CU_ASSERT_FALSE(r->has_ts[6]);
    CU_ASSERT_TRUE(r->has_ts[7]);
    CU_ASSERT_EQUAL(r->ts_ms[7], 1700000000123);
    CU_ASSERT_EQUAL(r->ts_ms[8], -1000);
    /* tabs between tokens and trailing blanks: tolerated like Prometheus's lexer */
    CU_ASSERT_EQUAL(r->value[9], 9.0);
    CU_ASSERT_EQUAL(r->ts_ms[9], 1700000000000);
    CU_ASSERT_EQUAL(st.malformed, 0);
    free(t);

    /* OM timestamps are seconds, fractional allowed; ms in 0.0.4 must be integers. */
    CU_ASSERT_EQUAL(
        rec_parse_str("a 1 1700000000.5\n# EOF\n", EXPO_FORMAT_OPENMETRICS, r, &st, NULL), 0);
    CU_ASSERT_EQUAL(r->ts_ms[0], 1700000000500);
    CU_ASSERT_EQUAL(rec_parse_str("a 1 1700000000.5\nb 2\n", EXPO_FORMAT_TEXT, r, &st, NULL), 0);
    CU_ASSERT_EQUAL(r->nsmp, 1);
    CU_ASSERT_EQUAL(st.malformed, 1);
    CU_ASSERT_EQUAL(st.first_malformed.line, 1);
    CU_ASSERT_EQUAL(st.first_malformed.col, 5);
    CU_ASSERT_EQUAL(
        rec_parse_str("a 1 inf\nb 2 1e400\nc 3\n# EOF\n", EXPO_FORMAT_OPENMETRICS, r, &st, NULL),
        0);
    CU_ASSERT_EQUAL(r->nsmp, 1);
    CU_ASSERT_EQUAL(st.malformed, 2);
    free(r);
}

static void test_openmetrics_types(void)
{
    size_t len;
    char *t = fixture("app/edge_openmetrics.om", &len);
    struct rec *r = malloc(sizeof(*r));
    struct expo_stats st;
    CU_ASSERT_EQUAL_FATAL(rec_parse(t, len, EXPO_FORMAT_OPENMETRICS, r, &st, NULL), 0);
    CU_ASSERT_EQUAL(st.samples, 21);
    CU_ASSERT_EQUAL(st.families, 7);
    CU_ASSERT_EQUAL(st.exemplars, 2);
    CU_ASSERT_TRUE(st.eof);
    CU_ASSERT_EQUAL(st.malformed, 0);
    CU_ASSERT_STRING_EQUAL(r->unit[0], "(none)"); /* "# UNIT req ": empty, the same as none */
    CU_ASSERT_STRING_EQUAL(r->unit[1], "seconds");
    CU_ASSERT_STRING_EQUAL(r->unit[2], "(none)");
    const enum expo_type types[] = {
        EXPO_TYPE_COUNTER,  EXPO_TYPE_HISTOGRAM, EXPO_TYPE_GAUGEHISTOGRAM, EXPO_TYPE_INFO,
        EXPO_TYPE_STATESET, EXPO_TYPE_SUMMARY,   EXPO_TYPE_UNTYPED};
    for (unsigned i = 0; i < 7; i++)
        CU_ASSERT_EQUAL(r->fam_type[i], types[i]);
    CU_ASSERT_TRUE(r->has_ts[0]);
    CU_ASSERT_EQUAL(r->ts_ms[0], 1700000000123);
    CU_ASSERT_EQUAL(r->value[0], 1027.0); /* exemplar skipped, not read as the value */
    CU_ASSERT_EQUAL(r->role[1], EXPO_ROLE_CREATED);
    CU_ASSERT_EQUAL(r->role[2], EXPO_ROLE_BUCKET);
    CU_ASSERT_EQUAL(r->role[5], EXPO_ROLE_COUNT);
    CU_ASSERT_EQUAL(r->role[6], EXPO_ROLE_SUM);
    CU_ASSERT_EQUAL(r->role[10], EXPO_ROLE_GCOUNT);
    CU_ASSERT_EQUAL(r->role[11], EXPO_ROLE_GSUM);
    CU_ASSERT_STRING_EQUAL(r->name[12], "build_info");
    CU_ASSERT_EQUAL(r->role[12], EXPO_ROLE_VALUE);
    CU_ASSERT_STRING_EQUAL(r->labels[13], "state=a|");
    CU_ASSERT_STRING_EQUAL(r->labels[15], "quantile=0.5|");
    CU_ASSERT_EQUAL(r->role[20], EXPO_ROLE_VALUE);

    static const char *const names[] = {"req", "lat_seconds", "queue", "rpc_seconds"};
    struct expo_set *s =
        select_fixture("app/edge_openmetrics.om", EXPO_FORMAT_OPENMETRICS, names, 4);
    CU_ASSERT_EQUAL(s->nsamples, 1 + 5 + 4 + 4); /* _created dropped */
    CU_ASSERT_EQUAL(s->samples[0].ts_ms, 1700000000123);
    CU_ASSERT_TRUE(s->samples[0].has_ts);
    CU_ASSERT_EQUAL(value_of(s, 2, EXPO_ROLE_GSUM, NULL, NULL), 2.5);
    CU_ASSERT_EQUAL(value_of(s, 3, EXPO_ROLE_VALUE, "quantile", "0.99"), 0.3);
    expo_set_free(s);
    free(r);
    free(t);
}

static void test_crlf(void)
{
    size_t len;
    char *t = fixture("app/edge_crlf.om", &len);
    struct rec *r = malloc(sizeof(*r));
    struct expo_stats st;
    /* Both formats forbid CR (Prometheus fails the scrape on "gauge\r"): every line is
     * counted, and the family it belongs to is left out. */
    CU_ASSERT_EQUAL_FATAL(rec_parse(t, len, EXPO_FORMAT_OPENMETRICS, r, &st, NULL), 0);
    CU_ASSERT_EQUAL(st.crlf, 6);
    CU_ASSERT_EQUAL(st.blank, 1);
    CU_ASSERT_TRUE(st.eof);
    CU_ASSERT_EQUAL(st.reasons[EXPO_REASON_SYNTAX], 7); /* 6 CR, 1 blank line */
    CU_ASSERT_EQUAL(st.reason_first[EXPO_REASON_SYNTAX].line, 1);
    CU_ASSERT_EQUAL(st.families_invalid, 1);
    CU_ASSERT_EQUAL(r->nsmp, 0);
    free(t);
    t = fixture("app/edge_crlf.prom", &len);
    CU_ASSERT_EQUAL_FATAL(rec_parse(t, len, EXPO_FORMAT_TEXT, r, &st, NULL), 0);
    CU_ASSERT_EQUAL(st.crlf, 3);
    CU_ASSERT_EQUAL(r->fam_type[0], EXPO_TYPE_COUNTER); /* "counter\r": the TYPE is read */
    CU_ASSERT_EQUAL(st.malformed, 3);
    CU_ASSERT_EQUAL(st.reasons[EXPO_REASON_SYNTAX], 3);
    CU_ASSERT_EQUAL(r->nsmp, 0);
    free(r);
    free(t);
}

static void test_missing_eof(void)
{
    size_t len;
    char *t = fixture("app/edge_missing_eof.om", &len);
    struct expo_stats st;
    struct parse_err e = {0};
    struct rec *r = malloc(sizeof(*r));
    CU_ASSERT_EQUAL(rec_parse(t, len, EXPO_FORMAT_OPENMETRICS, r, &st, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.line, 4);
    CU_ASSERT_EQUAL(e.col, 1);
    CU_ASSERT_PTR_NOT_NULL(e.what);
    /* The same body as 0.0.4 is fine. */
    CU_ASSERT_EQUAL(rec_parse(t, len, EXPO_FORMAT_TEXT, r, &st, &e), 0);
    CU_ASSERT_EQUAL(r->nsmp, 2);

    static const char *const names[] = {"req"};
    struct expo_select sel = {.names = names, .nnames = 1};
    struct expo_set *set = (struct expo_set *)(uintptr_t)0x1;
    CU_ASSERT_EQUAL(parse_expo_select(t, len, EXPO_FORMAT_OPENMETRICS, &sel, &set, &e), -EPROTO);
    CU_ASSERT_EQUAL(set, (struct expo_set *)(uintptr_t)0x1); /* untouched on failure */

    /* unterminated last line: the position is the end of that line */
    CU_ASSERT_EQUAL(rec_parse_str("a 1\nb 22", EXPO_FORMAT_OPENMETRICS, r, &st, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.line, 2);
    CU_ASSERT_EQUAL(e.col, 5);
    /* lines after # EOF are ignored and counted */
    CU_ASSERT_EQUAL(rec_parse_str("a 1\n# EOF\nb 2\n\n", EXPO_FORMAT_OPENMETRICS, r, &st, &e), 0);
    CU_ASSERT_EQUAL(r->nsmp, 1);
    CU_ASSERT_EQUAL(st.after_eof, 2);
    /* "# EOF" in 0.0.4 is a comment */
    CU_ASSERT_EQUAL(rec_parse_str("a 1\n# EOF\nb 2\n", EXPO_FORMAT_TEXT, r, &st, &e), 0);
    CU_ASSERT_EQUAL(r->nsmp, 2);
    CU_ASSERT_EQUAL(st.comments, 1);
    /* empty bodies */
    CU_ASSERT_EQUAL(rec_parse_str("", EXPO_FORMAT_TEXT, r, &st, &e), 0);
    CU_ASSERT_EQUAL(st.samples, 0);
    CU_ASSERT_EQUAL(rec_parse_str("", EXPO_FORMAT_OPENMETRICS, r, &st, &e), -EPROTO);
    CU_ASSERT_EQUAL(rec_parse_str("# EOF", EXPO_FORMAT_OPENMETRICS, r, &st, &e), 0);
    free(r);
    free(t);
}

static void test_interleaved_and_duplicates(void)
{
    size_t len;
    char *t = fixture("app/edge_interleaved.prom", &len);
    struct rec *r = malloc(sizeof(*r));
    struct expo_stats st;
    CU_ASSERT_EQUAL_FATAL(rec_parse(t, len, EXPO_FORMAT_TEXT, r, &st, NULL), 0);
    CU_ASSERT_EQUAL(st.families, 5); /* g h g h g */
    CU_ASSERT_EQUAL(st.reopened, 3);
    /* the second TYPE g after g's samples; "h 4" repeats the series "h 2"; TYPE h and HELP g
     * come back for names that already had a block */
    CU_ASSERT_EQUAL(st.malformed, 4);
    CU_ASSERT_EQUAL(st.reasons[EXPO_REASON_METADATA], 1);
    CU_ASSERT_EQUAL(st.reason_first[EXPO_REASON_METADATA].line, 3);
    CU_ASSERT_EQUAL(st.reasons[EXPO_REASON_GROUPING], 3);
    CU_ASSERT_EQUAL(st.reason_first[EXPO_REASON_GROUPING].line, 7);
    /* delivered before their block was judged: g{l=a}, h 2, g{l=b}, and g{l=c} (a clash is
     * known when the block ends); the selection below drops them by name */
    CU_ASSERT_EQUAL(r->nsmp, 4);

    static const char *const names[] = {"g", "h"};
    struct expo_set *s = select_fixture("app/edge_interleaved.prom", EXPO_FORMAT_TEXT, names, 2);
    CU_ASSERT_EQUAL(s->nsamples, 0); /* both families left out, also what came before */
    CU_ASSERT_TRUE(s->found[0] && s->rejected[0]);
    CU_ASSERT_TRUE(s->found[1] && s->rejected[1]);
    expo_set_free(s);
    free(t);
    /* An untyped block of samples only may come back in 0.0.4 (series by series, as
     * Prometheus takes it); its series are new. */
    CU_ASSERT_EQUAL(rec_parse_str("x_bucket{le=\"1\"} 1\nx_sum 2\nx_bucket{le=\"+Inf\"} 3\n",
                                  EXPO_FORMAT_TEXT, r, &st, NULL),
                    0);
    CU_ASSERT_EQUAL(st.malformed, 0);
    CU_ASSERT_EQUAL(st.reopened, 1);
    CU_ASSERT_EQUAL(r->nsmp, 3);

    /* duplicate TYPE and HELP before samples: counted, the family left out */
    CU_ASSERT_EQUAL(rec_parse_str("# TYPE x gauge\n# TYPE x counter\n# HELP x a\n# HELP x b\nx 1\n",
                                  EXPO_FORMAT_TEXT, r, &st, NULL),
                    0);
    CU_ASSERT_EQUAL(r->fam_type[0], EXPO_TYPE_GAUGE);
    CU_ASSERT_STRING_EQUAL(r->help[0], "(none)"); /* announced when it went bad, before HELP */
    CU_ASSERT_EQUAL(st.malformed, 2);
    CU_ASSERT_EQUAL(st.families, 1);
    CU_ASSERT_EQUAL(st.families_invalid, 1);
    CU_ASSERT_EQUAL(r->nsmp, 0);
    /* metadata only: the family is still announced */
    CU_ASSERT_EQUAL(rec_parse_str("# HELP lonely nothing here\n", EXPO_FORMAT_TEXT, r, &st, NULL),
                    0);
    CU_ASSERT_EQUAL(r->nfam, 1);
    CU_ASSERT_STRING_EQUAL(r->help[0], "nothing here");
    free(r);
}

static void test_malformed_lines(void)
{
    size_t len;
    char *t = fixture("app/edge_malformed.prom", &len);
    struct rec *r = malloc(sizeof(*r));
    struct expo_stats st;
    CU_ASSERT_EQUAL_FATAL(rec_parse(t, len, EXPO_FORMAT_TEXT, r, &st, NULL), 0);
    CU_ASSERT_EQUAL(st.lines, 15);
    CU_ASSERT_EQUAL(st.malformed, 12);
    CU_ASSERT_EQUAL(st.first_malformed.line, 3);
    CU_ASSERT_EQUAL(st.first_malformed.col, 1);
    CU_ASSERT_EQUAL(st.families_invalid, 1); /* "ok": every later line of it is counted */
    CU_ASSERT_EQUAL(r->nsmp, 1);             /* "ok 1", before the family went bad */
    CU_ASSERT_EQUAL(r->value[0], 1.0);
    CU_ASSERT_EQUAL(r->fam_type[0], EXPO_TYPE_GAUGE);
    free(t);

    /* Each of these lines alone: malformed, and with no valid line the body is rejected. */
    static const char *const bad[] = {
        "x{l=\"a\\\"} 1\n", "x{l=\"a\"",  "x{=\"a\"} 1\n",
        "x{l \"a\"} 1\n",   "x{l=a} 1\n", "x{l=\"a\" m=\"b\"} 1\n",
        "x 1 2 3\n",        "x\n",        "x -\n",
        "x 1_000\n",        "x 0x1p3\n",  "x 1 # {a=\"b\"} 1\n", /* no exemplars in 0.0.4 */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct parse_err e = {0};
        CU_ASSERT_EQUAL(rec_parse_str(bad[i], EXPO_FORMAT_TEXT, r, &st, &e), -EPROTO);
        CU_ASSERT_EQUAL(st.malformed, 1);
        CU_ASSERT_EQUAL(e.line, 1);
        CU_ASSERT_PTR_NOT_NULL(e.what);
    }
    free(r);
}

static void test_untyped_selection(void)
{
    static const char *const names[] = {"lat", "reqs_total"};
    struct expo_set *s =
        select_fixture("app/edge_untyped_histogram.prom", EXPO_FORMAT_TEXT, names, 2);
    CU_ASSERT_EQUAL(s->nsamples, 5);
    CU_ASSERT_EQUAL(count(s, 0, EXPO_ROLE_BUCKET), 2);
    CU_ASSERT_EQUAL(value_of(s, 0, EXPO_ROLE_BUCKET, "le", "+Inf"), 2.0);
    CU_ASSERT_EQUAL(value_of(s, 0, EXPO_ROLE_SUM, NULL, NULL), 0.7);
    CU_ASSERT_EQUAL(value_of(s, 0, EXPO_ROLE_COUNT, NULL, NULL), 2.0);
    CU_ASSERT_EQUAL(count(s, 1, EXPO_ROLE_VALUE), 1); /* reqs_total_other is another metric */
    CU_ASSERT_EQUAL(value_of(s, 1, EXPO_ROLE_VALUE, NULL, NULL), 9.0);
    CU_ASSERT_EQUAL(s->types[0], EXPO_TYPE_UNTYPED);
    expo_set_free(s);

    /* A gauge literally named x_total is found by its full name; "y_total" does not pick up an
     * untyped "y". */
    static const char *const odd[] = {"x_total", "y_total"};
    const char *body = "# TYPE x_total gauge\nx_total 3\ny 4\n";
    struct expo_select sel = {.names = odd, .nnames = 2};
    CU_ASSERT_EQUAL_FATAL(parse_expo_select(body, strlen(body), EXPO_FORMAT_TEXT, &sel, &s, NULL),
                          0);
    CU_ASSERT_EQUAL(s->nsamples, 1);
    CU_ASSERT_EQUAL(s->samples[0].want, 0);
    CU_ASSERT_FALSE(s->found[1]);
    expo_set_free(s);
}

static void test_not_an_exposition(void)
{
    struct rec *r = malloc(sizeof(*r));
    struct expo_stats st;
    struct parse_err e = {0};
    size_t len;
    char *t = fixture("app/edge_html.txt", &len);
    CU_ASSERT_EQUAL(rec_parse(t, len, EXPO_FORMAT_TEXT, r, &st, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.line, 1);
    CU_ASSERT_EQUAL(st.malformed, 3);
    free(t);
    /* an undecoded gzip body: NUL and control bytes on the first line */
    static const char gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd";
    CU_ASSERT_EQUAL(rec_parse(gz, sizeof(gz) - 1, EXPO_FORMAT_TEXT, r, &st, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.line, 1);
    CU_ASSERT_EQUAL(e.col, 1);
    CU_ASSERT_EQUAL(r->nsmp, 0);
    /* a NUL further down: valid in OM, refused in a label value (names are C strings), at its
     * position; the rest counts. In HELP text it is taken. */
    static const char nul[] = "a 1\nb 2\nc{l=\"x\0y\"} 3\n";
    CU_ASSERT_EQUAL(rec_parse(nul, sizeof(nul) - 1, EXPO_FORMAT_TEXT, r, &st, &e), 0);
    CU_ASSERT_EQUAL(st.reasons[EXPO_REASON_LIMIT], 1);
    CU_ASSERT_EQUAL(st.reason_first[EXPO_REASON_LIMIT].line, 3);
    CU_ASSERT_EQUAL(st.reason_first[EXPO_REASON_LIMIT].col, 7);
    CU_ASSERT_EQUAL(r->nsmp, 2);
    static const char nul_help[] = "# TYPE a counter\n# HELP a he\0lp\na_total 1\n# EOF\n";
    CU_ASSERT_EQUAL(rec_parse(nul_help, sizeof(nul_help) - 1, EXPO_FORMAT_OPENMETRICS, r, &st, &e),
                    0);
    CU_ASSERT_EQUAL(st.malformed, 0);
    CU_ASSERT_EQUAL(r->nsmp, 1);
    /* a control byte after the first line is only a malformed line (outside a label value) */
    CU_ASSERT_EQUAL(rec_parse_str("a 1\nb\x01 2\nc{l=\"\x01\"} 3\n", EXPO_FORMAT_TEXT, r, &st, &e),
                    0);
    CU_ASSERT_EQUAL(r->nsmp, 2);
    CU_ASSERT_EQUAL(st.malformed, 1);
    /* comments only: an empty exposition, not an error; a BOM is skipped */
    CU_ASSERT_EQUAL(rec_parse_str("# just a comment\n\n", EXPO_FORMAT_TEXT, r, &st, &e), 0);
    CU_ASSERT_EQUAL(rec_parse_str("\xEF\xBB\xBFx 1\n", EXPO_FORMAT_TEXT, r, &st, &e), 0);
    CU_ASSERT_EQUAL(r->nsmp, 1);
    free(r);
}

static void test_caps(void)
{
    struct rec *r = malloc(sizeof(*r));
    struct expo_stats st;
    struct parse_err e = {0};
    /* an overlong line (> 64 KiB) is skipped, the others are kept */
    struct buf b;
    buf_init(&b, 1 << 20);
    CU_ASSERT_EQUAL(buf_adds(&b, "a 1\nlong{v=\""), 0);
    char *filler = malloc(70 * 1024);
    CU_ASSERT_PTR_NOT_NULL_FATAL(filler);
    memset(filler, 'x', 70 * 1024);
    CU_ASSERT_EQUAL(buf_add(&b, filler, 70 * 1024), 0);
    free(filler);
    CU_ASSERT_EQUAL(buf_adds(&b, "\"} 2\nc 3\n"), 0);
    CU_ASSERT_EQUAL(rec_parse(buf_ptr(&b), buf_len(&b), EXPO_FORMAT_TEXT, r, &st, &e), 0);
    CU_ASSERT_EQUAL(r->nsmp, 2);
    CU_ASSERT_EQUAL(st.malformed, 1);
    CU_ASSERT_EQUAL(st.first_malformed.line, 2);
    CU_ASSERT_EQUAL(st.first_malformed.col, 64 * 1024 + 1);
    buf_fini(&b);

    /* 64 labels pass, 65 do not; caller limits are honoured */
    buf_init(&b, 1 << 20);
    CU_ASSERT_EQUAL(buf_adds(&b, "m{"), 0);
    for (int i = 0; i < 64; i++)
        CU_ASSERT_EQUAL(buf_printf(&b, "l%d=\"%d\",", i, i), 0);
    CU_ASSERT_EQUAL(buf_adds(&b, "} 1\nm{"), 0);
    for (int i = 0; i < 65; i++)
        CU_ASSERT_EQUAL(buf_printf(&b, "l%d=\"%d\",", i, i), 0);
    CU_ASSERT_EQUAL(buf_adds(&b, "} 2\n"), 0);
    CU_ASSERT_EQUAL(rec_parse(buf_ptr(&b), buf_len(&b), EXPO_FORMAT_TEXT, r, &st, &e), 0);
    CU_ASSERT_EQUAL(r->nsmp, 1);
    CU_ASSERT_EQUAL(st.malformed, 1);
    CU_ASSERT_EQUAL(st.first_malformed.line, 2);
    buf_fini(&b);

    struct expo_limits lim = {.max_labels = 1, .max_line = 16, .max_samples = 3};
    memset(r, 0, sizeof(*r));
    r->stop_at = -1;
    const char *body = "a{x=\"1\"} 1\nb{x=\"1\",y=\"2\"} 2\nc 123456789012345\nd 4\ne 5\nf 6\n";
    CU_ASSERT_EQUAL(parse_expo(body, strlen(body), EXPO_FORMAT_TEXT, &lim, &rec_cb, r, &st, &e),
                    -E2BIG);
    CU_ASSERT_EQUAL(st.malformed, 2);
    CU_ASSERT_EQUAL(r->nsmp, 3);
    CU_ASSERT_EQUAL(e.line, 6);
    CU_ASSERT_EQUAL(e.col, 1);

    /* selection caps: kept samples and label bytes */
    static const char *const names[] = {"a"};
    const char *many = "a{l=\"1\"} 1\na{l=\"2\"} 2\na{l=\"3\"} 3\nb 4\n";
    struct expo_select sel = {.names = names, .nnames = 1, .max_samples = 2};
    struct expo_set *s = NULL;
    CU_ASSERT_EQUAL(parse_expo_select(many, strlen(many), EXPO_FORMAT_TEXT, &sel, &s, &e), -E2BIG);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_EQUAL(e.line, 3);
    CU_ASSERT_STRING_EQUAL(e.what, "selected samples exceed max_samples");
    sel.max_samples = 3;
    sel.max_bytes = 8; /* "l\0" "1\0" per sample: 4 bytes each */
    CU_ASSERT_EQUAL(parse_expo_select(many, strlen(many), EXPO_FORMAT_TEXT, &sel, &s, &e), -E2BIG);
    CU_ASSERT_STRING_EQUAL(e.what, "selected label bytes exceed max_bytes");
    sel.max_bytes = 12;
    CU_ASSERT_EQUAL_FATAL(parse_expo_select(many, strlen(many), EXPO_FORMAT_TEXT, &sel, &s, &e), 0);
    CU_ASSERT_EQUAL(s->nsamples, 3);
    CU_ASSERT_STRING_EQUAL(s->samples[2].labels[0].value, "3");
    expo_set_free(s);
    free(r);
}

static void test_callback_stops(void)
{
    struct rec *r = malloc(sizeof(*r));
    memset(r, 0, sizeof(*r));
    r->stop_at = 1;
    struct parse_err e = {0};
    const char *body = "a 1\nb 2\nc 3\n";
    CU_ASSERT_EQUAL(parse_expo(body, strlen(body), EXPO_FORMAT_TEXT, NULL, &rec_cb, r, NULL, &e),
                    -ECANCELED);
    CU_ASSERT_EQUAL(e.line, 2);
    CU_ASSERT_EQUAL(r->nsmp, 1);
    free(r);
}

static void test_select_invalid(void)
{
    const char *body = "a 1\n";
    struct expo_set *s = NULL;
    static const char *const bad_name[] = {"9a"};
    static const char *const empty[] = {""};
    struct expo_select sel = {.names = bad_name, .nnames = 1};
    CU_ASSERT_EQUAL(parse_expo_select(body, 4, EXPO_FORMAT_TEXT, &sel, &s, NULL), -EINVAL);
    sel.names = empty;
    CU_ASSERT_EQUAL(parse_expo_select(body, 4, EXPO_FORMAT_TEXT, &sel, &s, NULL), -EINVAL);
    sel.nnames = 0;
    CU_ASSERT_EQUAL(parse_expo_select(body, 4, EXPO_FORMAT_TEXT, &sel, &s, NULL), -EINVAL);
    sel.nnames = EXPO_SELECT_MAX + 1;
    CU_ASSERT_EQUAL(parse_expo_select(body, 4, EXPO_FORMAT_TEXT, &sel, &s, NULL), -EINVAL);
    CU_ASSERT_EQUAL(parse_expo_select(body, 4, EXPO_FORMAT_TEXT, NULL, &s, NULL), -EINVAL);
    CU_ASSERT_PTR_NULL(s);
    expo_set_free(NULL);
}

static void test_content_type(void)
{
    CU_ASSERT_EQUAL(expo_format_from_content_type(NULL), EXPO_FORMAT_TEXT);
    CU_ASSERT_EQUAL(expo_format_from_content_type(""), EXPO_FORMAT_TEXT);
    CU_ASSERT_EQUAL(expo_format_from_content_type("text/plain; version=0.0.4; charset=utf-8"),
                    EXPO_FORMAT_TEXT);
    CU_ASSERT_EQUAL(
        expo_format_from_content_type("application/openmetrics-text; version=0.0.1; charset=utf-8"),
        EXPO_FORMAT_OPENMETRICS);
    CU_ASSERT_EQUAL(expo_format_from_content_type("Application/OpenMetrics-Text;version=1.0.0"),
                    EXPO_FORMAT_OPENMETRICS);
    CU_ASSERT_EQUAL(expo_format_from_content_type(" application/openmetrics-text"),
                    EXPO_FORMAT_OPENMETRICS);
    CU_ASSERT_EQUAL(expo_format_from_content_type("application/openmetrics-textual"),
                    EXPO_FORMAT_TEXT);
    CU_ASSERT_EQUAL(expo_format_from_content_type("application/json"), EXPO_FORMAT_TEXT);
    CU_ASSERT_STRING_EQUAL(expo_type_name(EXPO_TYPE_GAUGEHISTOGRAM), "gaugehistogram");
    CU_ASSERT_STRING_EQUAL(expo_type_name(EXPO_TYPE_UNTYPED), "untyped");
}

/* ---- the validity rules, one valid and at least one invalid exposition each ----
 * Written from OpenMetrics 1.0 (ABNF, sections "Data model" and "Text format") and from the
 * 0.0.4 text format: the reason, the line of its first occurrence, and the family (selected by
 * the name `fam`) that the pull must leave out; VALID rows must give no violation at all. */
#define VALID ((int)EXPO_REASON_COUNT)
#define OM EXPO_FORMAT_OPENMETRICS
#define TXT EXPO_FORMAT_TEXT
static const struct rule_case {
    enum expo_format fmt;
    const char *body;
    int reason; /* enum expo_reason, or VALID */
    unsigned line;
    const char *fam; /* family left out (NULL: the violation belongs to no family) */
} rule_cases[] = {
    /* names, labels, escaping */
    {OM, "a:b_c 1\n# EOF\n", VALID, 0, NULL},
    {OM, "1a 1\n# EOF\n", EXPO_REASON_SYNTAX, 1, NULL},
    {OM, "a-b 1\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {OM, "a{_x=\"1\",y2=\"\"} 1\n# EOF\n", VALID, 0, NULL},
    {OM, "a{2=\"1\"} 1\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {OM, "a{x=\"1\",x=\"2\"} 1\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {OM, "a{x=\"1\",} 1\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {TXT, "a{x=\"1\",} 1\n", VALID, 0, NULL},
    {OM, "a{x=\"1\" ,y=\"2\"} 1\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {TXT, "a{x = \"1\" , y=\"2\"} 1\n", VALID, 0, NULL},
    {OM, "a{x=1} 1\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {OM, "a{x=\"1} 1\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {OM, "a{x=\"q\\\"\\n\\\\\\z\"} 1\n# EOF\n", VALID, 0, NULL},
    {OM, "a{__name__=\"b\"} 1\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    /* separators, blank lines, comments, CR */
    {OM, "a  1\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {TXT, "a \t 1\n", VALID, 0, NULL},
    {OM, "a 1 \n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {OM, " a 1\n# EOF\n", EXPO_REASON_SYNTAX, 1, NULL},
    {OM, "a 1\n\n# EOF\n", EXPO_REASON_SYNTAX, 2, NULL},
    {TXT, "a 1\n\n# a comment\n", VALID, 0, NULL},
    {OM, "# a comment\na 1\n# EOF\n", EXPO_REASON_SYNTAX, 1, NULL},
    {OM, "a 1\r\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {TXT, "a 1\r\n", EXPO_REASON_SYNTAX, 1, "a"},
    {OM,
     "\xEF\xBB\xBF"
     "a 1\n# EOF\n",
     EXPO_REASON_SYNTAX, 1, NULL},
    /* numbers */
    {OM, "a 0042\nb 1.5e-3\nc .5\nd 1.\ne -Inf\nf +inf\ng NaN\nh Infinity\n# EOF\n", VALID, 0,
     NULL},
    {OM, "a 0x1\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {OM, "a 1_000\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {OM, "a -nan\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {OM, "a 1e\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    {OM, "a\n# EOF\n", EXPO_REASON_SYNTAX, 1, "a"},
    /* timestamps */
    {OM, "a 1 000\nb 1 0.0\nc 1 1.5e3\nd 1 12345678901234567890.5\ne 1 -1\n# EOF\n", VALID, 0,
     NULL},
    {OM, "a 1 NaN\n# EOF\n", EXPO_REASON_TIMESTAMP, 1, "a"},
    {OM, "a 1 Inf\n# EOF\n", EXPO_REASON_TIMESTAMP, 1, "a"},
    {OM, "a 1 1z\n# EOF\n", EXPO_REASON_TIMESTAMP, 1, "a"},
    {TXT, "a 1 1700000000000\n", VALID, 0, NULL},
    {TXT, "z 1\na 1 1700000000.5\n", EXPO_REASON_TIMESTAMP, 2, "a"},
    {OM, "a 1 1\na 2 2\n# EOF\n", VALID, 0, NULL},
    {OM, "a 1 2\na 2 1\n# EOF\n", EXPO_REASON_TIMESTAMP, 2, "a"},
    {OM, "a 1\na 2 1\n# EOF\n", EXPO_REASON_TIMESTAMP, 2, "a"},
    /* metadata: syntax, order, repetition */
    {OM, "# TYPE a gauge\n# UNIT a \n# HELP a \na 1\n# EOF\n", VALID, 0, NULL},
    {OM, "# HELP a\n# EOF\n", EXPO_REASON_METADATA, 1, "a"},
    {TXT, "# HELP a\na 1\n", VALID, 0, NULL},
    {OM, "# TYPE a\n# EOF\n", EXPO_REASON_METADATA, 1, "a"},
    {OM, "# TYPE a gauge \n# EOF\n", EXPO_REASON_METADATA, 1, "a"},
    {OM, "# TYPE a untyped\n# EOF\n", EXPO_REASON_METADATA, 1, "a"},
    {TXT, "# TYPE a untyped\na 1\n", VALID, 0, NULL},
    {TXT, "z 1\n# TYPE a stateset\na 1\n", EXPO_REASON_METADATA, 2, "a"},
    {OM, "# FOO a x\n# EOF\n", EXPO_REASON_SYNTAX, 1, NULL},
    {OM, "# HELP a x\n# HELP a x\n# EOF\n", EXPO_REASON_METADATA, 2, "a"},
    {TXT, "# TYPE a gauge\n# TYPE a gauge\na 1\n", EXPO_REASON_METADATA, 2, "a"},
    {OM, "# TYPE a gauge\na 1\n# HELP a x\n# EOF\n", EXPO_REASON_METADATA, 3, "a"},
    {TXT, "# HELP a x\na 1\n# TYPE a gauge\n", EXPO_REASON_METADATA, 3, "a"},
    /* families and series: grouping, clashes, repetition */
    {OM, "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# EOF\n", VALID, 0, NULL},
    {OM, "a 1\nb 1\na{x=\"1\"} 2\n# EOF\n", EXPO_REASON_GROUPING, 3, "a"},
    {TXT, "# TYPE a gauge\na 1\nb 1\n# TYPE a gauge\na{x=\"1\"} 2\n", EXPO_REASON_GROUPING, 5, "a"},
    {TXT, "a 1\nb 1\na{x=\"1\"} 2\n", VALID, 0, NULL},
    {OM, "# TYPE a_created gauge\na_created 1\n# TYPE a counter\na_total 1\n# EOF\n",
     EXPO_REASON_GROUPING, 4, "a"},
    {OM, "# TYPE a counter\na 1\n# EOF\n", EXPO_REASON_GROUPING, 2, "a"},
    {OM, "# TYPE a_total counter\na_total 1\n# EOF\n", EXPO_REASON_GROUPING, 2, "a_total"},
    {TXT, "# TYPE a_total counter\na_total 1\n", VALID, 0, NULL},
    {OM, "# TYPE a summary\na_sum{x=\"1\"} 1\na_sum{x=\"2\"} 1\na_count{x=\"1\"} 1\n# EOF\n",
     EXPO_REASON_GROUPING, 4, "a"},
    {TXT, "a{x=\"1\"} 1\na{x=\"1\"} 2\n", EXPO_REASON_GROUPING, 2, "a"},
    {OM, "a{x=\"1\"} 1\na{x=\"1\"} 2\n# EOF\n", VALID, 0, NULL},
    /* counter, gauge, info, stateset values and sample names */
    {OM, "# TYPE a counter\na_total 0\na_created 1.5\n# EOF\n", VALID, 0, NULL},
    {OM, "# TYPE a counter\na_total -1\n# EOF\n", EXPO_REASON_VALUE, 2, "a"},
    {OM, "# TYPE a counter\na_total NaN\n# EOF\n", EXPO_REASON_VALUE, 2, "a"},
    {TXT, "# TYPE a_total counter\na_total NaN\n", EXPO_REASON_VALUE, 2, "a_total"},
    {TXT, "# TYPE a gauge\na -1\nb NaN\n", VALID, 0, NULL},
    {OM, "# TYPE a info\na_info{v=\"1\"} 1\n# EOF\n", VALID, 0, NULL},
    {OM, "# TYPE a info\na_info{v=\"1\"} 2\n# EOF\n", EXPO_REASON_VALUE, 2, "a"},
    {OM, "# TYPE a stateset\na{a=\"x\"} 1\na{a=\"y\"} 0\n# EOF\n", VALID, 0, NULL},
    {OM, "# TYPE a stateset\na{a=\"x\"} 2\n# EOF\n", EXPO_REASON_VALUE, 2, "a"},
    {OM, "# TYPE a stateset\na{b=\"x\"} 1\n# EOF\n", EXPO_REASON_LABELS, 2, "a"},
    /* histogram and gaugehistogram buckets */
    {OM,
     "# TYPE a histogram\na_bucket{le=\"0.1\"} 1\na_bucket{le=\"1e1\"} 2\n"
     "a_bucket{le=\"+Inf\"} 3\na_count 3\na_sum 2.5\n# EOF\n",
     VALID, 0, NULL},
    {TXT, "# TYPE a histogram\na_bucket{le=\"0.1\"} 1\na_bucket{le=\"+Inf\"} 3\na_count 3\n", VALID,
     0, NULL},
    {OM, "# TYPE a histogram\na_bucket{le=\"1\"} 1\n# EOF\n", EXPO_REASON_HISTOGRAM, 2, "a"},
    {TXT, "# TYPE a histogram\na_bucket{le=\"1\"} 1\na_count 1\n", EXPO_REASON_HISTOGRAM, 3, "a"},
    {OM,
     "# TYPE a histogram\na_bucket{le=\"2\"} 1\na_bucket{le=\"1\"} 1\na_bucket{le=\"+Inf\"} 1\n"
     "# EOF\n",
     EXPO_REASON_HISTOGRAM, 3, "a"},
    {TXT, "# TYPE a histogram\na_bucket{le=\"1\"} 2\na_bucket{le=\"+Inf\"} 1\n",
     EXPO_REASON_HISTOGRAM, 3, "a"},
    {TXT, "# TYPE a histogram\na_bucket{le=\"+Inf\"} 2\na_count 3\n", EXPO_REASON_HISTOGRAM, 3,
     "a"},
    {OM, "# TYPE a histogram\na_bucket{le=\"+Inf\"} 2\na_count 2\n# EOF\n", EXPO_REASON_HISTOGRAM,
     3, "a"},
    {OM, "# TYPE a histogram\na_bucket{le=\"+Inf\"} 2\na_sum 2\n# EOF\n", EXPO_REASON_HISTOGRAM, 3,
     "a"},
    {OM, "# TYPE a histogram\na_bucket{le=\"-1\"} 1\na_bucket{le=\"+Inf\"} 2\n# EOF\n", VALID, 0,
     NULL},
    {OM,
     "# TYPE a histogram\na_bucket{le=\"-1\"} 1\na_bucket{le=\"+Inf\"} 2\na_count 2\n"
     "a_sum 1\n# EOF\n",
     EXPO_REASON_HISTOGRAM, 5, "a"},
    {OM, "# TYPE a histogram\na_bucket{le=\"+Inf\"} 1.5\n# EOF\n", EXPO_REASON_VALUE, 2, "a"},
    {OM, "# TYPE a histogram\na_bucket{le=\"+Inf\"} -1\n# EOF\n", EXPO_REASON_VALUE, 2, "a"},
    {OM, "# TYPE a histogram\na_bucket 1\n# EOF\n", EXPO_REASON_LABELS, 2, "a"},
    {OM, "# TYPE a histogram\na_bucket{le=\"Inf\"} 1\n# EOF\n", EXPO_REASON_LABELS, 2, "a"},
    {TXT, "# TYPE a histogram\na_bucket{le=\"Inf\"} 1\na_count 1\n", VALID, 0, NULL},
    {OM, "# TYPE a histogram\na_bucket{le=\"NaN\"} 1\n# EOF\n", EXPO_REASON_LABELS, 2, "a"},
    {OM, "# TYPE a histogram\na_bucket{le=\"+Inf\"} 1\na_count{le=\"1\"} 1\n# EOF\n",
     EXPO_REASON_LABELS, 3, "a"},
    {OM,
     "# TYPE a gaugehistogram\na_bucket{le=\"-1\"} 1\na_bucket{le=\"+Inf\"} 2\na_gcount 2\n"
     "a_gsum -3\n# EOF\n",
     VALID, 0, NULL},
    {OM, "# TYPE a gaugehistogram\na_bucket{le=\"+Inf\"} 2\na_gcount 2\na_gsum -3\n# EOF\n",
     EXPO_REASON_HISTOGRAM, 4, "a"},
    {OM, "# TYPE a gaugehistogram\na_bucket{le=\"+Inf\"} 2\na_gsum 1\n# EOF\n",
     EXPO_REASON_HISTOGRAM, 3, "a"},
    {OM, "# TYPE a gaugehistogram\na_bucket{le=\"+Inf\"} 2\na_gcount 2\na_gsum NaN\n# EOF\n",
     EXPO_REASON_VALUE, 4, "a"},
    /* summary quantiles */
    {OM,
     "# TYPE a summary\na{quantile=\"0.9\"} 2\na{quantile=\"0.5\"} NaN\na_count 3\n"
     "a_sum 4\n# EOF\n",
     VALID, 0, NULL},
    {TXT, "# TYPE a summary\na{quantile=\"0.9\"} 2\na{quantile=\"0.5\"} 1\n", EXPO_REASON_HISTOGRAM,
     3, "a"},
    {OM, "# TYPE a summary\na 1\n# EOF\n", EXPO_REASON_LABELS, 2, "a"},
    {OM, "# TYPE a summary\na{quantile=\"1.5\"} 1\n# EOF\n", EXPO_REASON_LABELS, 2, "a"},
    {OM, "# TYPE a summary\na{quantile=\"0.5\"} -1\n# EOF\n", EXPO_REASON_VALUE, 2, "a"},
    {OM, "# TYPE a summary\na_count 1.5\n# EOF\n", EXPO_REASON_VALUE, 2, "a"},
    {TXT, "# TYPE a summary\na_count -1\n", EXPO_REASON_VALUE, 2, "a"},
    /* units */
    {OM, "# TYPE a_seconds gauge\n# UNIT a_seconds seconds\na_seconds 1\n# EOF\n", VALID, 0, NULL},
    {OM, "# TYPE a_seconds gauge\n# UNIT a_seconds bytes\na_seconds 1\n# EOF\n", EXPO_REASON_UNIT,
     3, "a_seconds"},
    {OM, "# TYPE xseconds gauge\n# UNIT xseconds seconds\nxseconds 1\n# EOF\n", EXPO_REASON_UNIT, 3,
     "xseconds"},
    {OM, "# TYPE a_u info\n# UNIT a_u u\na_u_info 1\n# EOF\n", EXPO_REASON_UNIT, 3, "a_u"},
    {TXT, "# UNIT a_seconds bytes\na_seconds 1\n", VALID, 0, NULL}, /* a comment in 0.0.4 */
    /* exemplars */
    {OM, "# TYPE a counter\na_total 1 # {t=\"x\"} 0.5 1.5\n# EOF\n", VALID, 0, NULL},
    {OM, "# TYPE a histogram\na_bucket{le=\"+Inf\"} 1 # {} 1\n# EOF\n", VALID, 0, NULL},
    {OM, "# TYPE a gauge\na 1 # {t=\"x\"} 1\n# EOF\n", EXPO_REASON_EXEMPLAR, 2, "a"},
    {OM, "# TYPE a counter\na_created 1 # {t=\"x\"} 1\n# EOF\n", EXPO_REASON_EXEMPLAR, 2, "a"},
    {OM, "# TYPE a counter\na_total 1 # {t=\"x\"}\n# EOF\n", EXPO_REASON_EXEMPLAR, 2, "a"},
    {OM, "# TYPE a counter\na_total 1 # {t=\"x\"} 1 NaN\n# EOF\n", EXPO_REASON_EXEMPLAR, 2, "a"},
    {OM, "# TYPE a counter\na_total 1 #{} 1\n# EOF\n", EXPO_REASON_EXEMPLAR, 2, "a"},
    {OM,
     "# TYPE a counter\na_total 1 # {t=\"123456789012345678901234567890123456789012345678901234"
     "567890123456789012345678901234567890123456789012345678901234567890123456789\"} 1\n"
     "# EOF\n",
     EXPO_REASON_EXEMPLAR, 2, "a"},
    {TXT, "z 1\na_total 1 # {t=\"x\"} 1\n", EXPO_REASON_EXEMPLAR, 2, "a_total"},
    /* # EOF */
    {OM, "a 1\n# EOF", VALID, 0, NULL},
    {OM, "a 1\n# EOF\nb 2\n", EXPO_REASON_EOF, 3, NULL},
    {OM, "a 1\n# EOF \n# EOF\n", EXPO_REASON_EOF, 2, NULL},
    /* caps */
    {TXT, "z 1\na{l=\"x\0y\"} 1\n", EXPO_REASON_LIMIT, 2, "a"},
};

static void test_rules_table(void)
{
    for (size_t i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]); i++) {
        const struct rule_case *c = &rule_cases[i];
        size_t len = strlen(c->body);
        if (c->reason == EXPO_REASON_LIMIT)
            len += strlen(c->body + len + 1) + 1; /* the body holds a NUL */
        char *b = xmalloc(len + 1);
        memcpy(b, c->body, len);
        b[len] = '\0';
        struct expo_callbacks cb = {0};
        struct expo_stats st;
        struct parse_err e = {0};
        int rc = parse_expo(b, len, c->fmt, NULL, &cb, NULL, &st, &e);
        bool ok = rc == 0;
        if (c->reason == VALID) {
            ok = ok && st.malformed == 0 && st.families_invalid == 0;
        } else {
            ok = ok && st.reasons[c->reason] >= 1 && st.reason_first[c->reason].line == c->line &&
                 (c->fam != NULL) == (st.families_invalid > 0);
        }
        if (ok && c->fam != NULL) {
            const char *names[] = {c->fam};
            struct expo_select sel = {.names = names, .nnames = 1};
            struct expo_set *set = NULL;
            ok = parse_expo_select(b, len, c->fmt, &sel, &set, NULL) == 0 && set->found[0] &&
                 set->rejected[0] && set->nsamples == 0;
            expo_set_free(set);
        }
        if (!ok) {
            fprintf(stderr, "rule case %zu (%s, %s line %u): rc %d, malformed %u", i,
                    c->fmt == OM ? "om" : "text",
                    c->reason == VALID ? "valid" : expo_reason_name(c->reason), c->line, rc,
                    st.malformed);
            for (int k = 0; k < EXPO_REASON_COUNT; k++) {
                if (st.reasons[k] != 0)
                    fprintf(stderr, " %s@%u(%s)", expo_reason_name(k), st.reason_first[k].line,
                            st.reason_first[k].what);
            }
            fprintf(stderr, "\n  %s\n", c->body);
        }
        CU_ASSERT_TRUE(ok);
        free(b);
    }
}

static CU_TestInfo expo_tests[] = {
    {"python client 0.0.4 body", test_python_text},
    {"python client OpenMetrics body", test_python_openmetrics},
    {"python client callbacks", test_python_callbacks},
    {"node_exporter body", test_node_exporter},
    {"label and HELP escapes", test_escapes},
    {"values and timestamps", test_values_and_timestamps},
    {"OpenMetrics types, units, exemplars", test_openmetrics_types},
    {"CRLF", test_crlf},
    {"missing and early # EOF", test_missing_eof},
    {"interleaved families, duplicate metadata", test_interleaved_and_duplicates},
    {"malformed lines are skipped and counted", test_malformed_lines},
    {"untyped families selected by suffix", test_untyped_selection},
    {"not an exposition", test_not_an_exposition},
    {"caps", test_caps},
    {"callback stops the parse", test_callback_stops},
    {"invalid selections", test_select_invalid},
    {"content type detection", test_content_type},
    {"validity rules of both formats", test_rules_table},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_expo = {"expo", NULL, NULL, NULL, NULL, expo_tests};
