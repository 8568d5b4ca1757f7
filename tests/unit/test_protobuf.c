/* Suite "protobuf": the delimited protobuf renderer. A golden metric set (every type, labels,
 * special values, bad UTF-8, classic and native histograms, an empty family) is rendered, every
 * length-prefixed message unpacked with protobuf-c and compared field by field with the set;
 * the exact bytes of the test vectors of prometheus-formats.md §3.2 and §3.4 (both checked
 * against protoc-c and a real Prometheus there); the cap; the per-tick bodies. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "io/prometheus/client/metrics.pb-c.h"

#include "core/buf.h"
#include "render/bodies.h"
#include "render/escape.h"
#include "render/protobuf.h"
#include "render/render.h"
#include "store/dhist.h"
#include "store/mset.h"
#include "store/snapshot.h"

#define CAP (1u << 20)
#define MAXFAM 64

typedef Io__Prometheus__Client__MetricFamily pb_family;
typedef Io__Prometheus__Client__Metric pb_metric;
typedef Io__Prometheus__Client__Histogram pb_histogram;

static struct mfamily *fam(struct mset *m, const char *name, enum metric_type t, const char *help)
{
    struct mfamily *f = NULL;
    CU_ASSERT_EQUAL_FATAL(mset_family(m, name, t, help, &f), 0);
    return f;
}

static void add(struct mset *m, struct mfamily *f, const char *k, const char *v, double value)
{
    struct label l = {k, v};
    CU_ASSERT_EQUAL(mset_add(m, f, &l, k == NULL ? 0 : 1, value), 0);
}

/* decode_all unpacks every delimited message of p[0..n) into out (max entries); returns the
 * number of messages, or -1 when the framing is wrong (prefix over 5 bytes, short message,
 * trailing bytes) or a message does not unpack. */
static int decode_all(const uint8_t *p, size_t n, pb_family **out, size_t max)
{
    size_t off = 0;
    int count = 0;
    while (off < n) {
        uint64_t len = 0;
        int shift = 0;
        for (;;) {
            if (off >= n || shift > 28)
                return -1; /* Prometheus reads at most 5 bytes of prefix */
            uint8_t c = p[off++];
            len |= (uint64_t)(c & 0x7F) << shift;
            shift += 7;
            if ((c & 0x80) == 0)
                break;
        }
        if (len > n - off || (size_t)count >= max)
            return -1;
        out[count] = io__prometheus__client__metric_family__unpack(NULL, len, p + off);
        if (out[count] == NULL)
            return -1;
        count++;
        off += len;
    }
    return count;
}

static void free_all(pb_family **f, int n)
{
    for (int i = 0; i < n; i++)
        io__prometheus__client__metric_family__free_unpacked(f[i], NULL);
}

/* Strings go out UTF-8-repaired: compare with what escape_utf8 makes of the set's string. */
static void check_string(const char *got, const char *orig)
{
    struct buf b;
    buf_init(&b, CAP);
    CU_ASSERT_EQUAL_FATAL(escape_utf8(&b, orig, strlen(orig)), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    if (strcmp(got, buf_ptr(&b)) != 0)
        fprintf(stderr, "\n  got [%s] want [%s]\n", got, buf_ptr(&b));
    CU_ASSERT_STRING_EQUAL(got, buf_ptr(&b));
    CU_ASSERT(escape_is_utf8(got, strlen(got)));
    buf_fini(&b);
}

static bool same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof(a)) == 0 || (isnan(a) && isnan(b));
}

/* Expands spans and deltas back into (index, count) and compares with the set's buckets. */
static void check_side(size_t nspan, Io__Prometheus__Client__BucketSpan **span, size_t ndelta,
                       const int64_t *delta, const struct native_bucket *want, size_t nwant)
{
    CU_ASSERT_EQUAL_FATAL(ndelta, nwant);
    size_t k = 0;
    int64_t idx = 0;
    uint64_t count = 0;
    for (size_t s = 0; s < nspan; s++) {
        CU_ASSERT_FATAL(span[s]->has_offset && span[s]->has_length);
        CU_ASSERT(span[s]->length > 0);
        idx += span[s]->offset;
        for (uint32_t j = 0; j < span[s]->length; j++, idx++, k++) {
            CU_ASSERT_FATAL(k < nwant);
            count += (uint64_t)delta[k];
            CU_ASSERT_EQUAL(idx, want[k].index);
            CU_ASSERT_EQUAL(count, want[k].count);
        }
    }
    CU_ASSERT_EQUAL(k, nwant);
}

static void check_histogram(const pb_histogram *ph, const struct histogram *h)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(ph);
    CU_ASSERT(ph->has_sample_count && ph->sample_count == h->count);
    CU_ASSERT(ph->has_sample_sum && same_double(ph->sample_sum, h->sum));
    CU_ASSERT_FALSE(ph->has_sample_count_float || ph->has_zero_count_float);
    CU_ASSERT_EQUAL_FATAL(ph->n_bucket, h->nbuckets);
    for (size_t i = 0; i < h->nbuckets; i++) {
        CU_ASSERT(ph->bucket[i]->has_cumulative_count && ph->bucket[i]->has_upper_bound);
        CU_ASSERT_EQUAL(ph->bucket[i]->cumulative_count, h->counts[i]);
        CU_ASSERT(same_double(ph->bucket[i]->upper_bound, h->bounds[i]));
        CU_ASSERT_FALSE(ph->bucket[i]->has_cumulative_count_float);
    }
    CU_ASSERT_EQUAL(ph->has_schema, h->has_native);
    CU_ASSERT_EQUAL(ph->has_zero_threshold, h->has_native);
    CU_ASSERT_EQUAL(ph->has_zero_count, h->has_native);
    CU_ASSERT_EQUAL(ph->n_negative_count + ph->n_positive_count, 0);
    if (!h->has_native) {
        CU_ASSERT_EQUAL(ph->n_positive_span + ph->n_negative_span, 0);
        CU_ASSERT_EQUAL(ph->n_positive_delta + ph->n_negative_delta, 0);
        return;
    }
    CU_ASSERT_EQUAL(ph->schema, h->schema);
    CU_ASSERT(same_double(ph->zero_threshold, h->zero_threshold));
    CU_ASSERT(ph->zero_threshold > 0); /* Prometheus 2.42 detects native histograms by it */
    CU_ASSERT_EQUAL(ph->zero_count, h->zero_count);
    check_side(ph->n_positive_span, ph->positive_span, ph->n_positive_delta, ph->positive_delta,
               h->positive, h->npositive);
    check_side(ph->n_negative_span, ph->negative_span, ph->n_negative_delta, ph->negative_delta,
               h->negative, h->nnegative);
}

static void check_metric(const pb_metric *pm, const struct mfamily *f, const struct msample *s)
{
    CU_ASSERT_FALSE(pm->has_timestamp_ms);
    CU_ASSERT_PTR_NULL(pm->summary);
    CU_ASSERT_EQUAL_FATAL(pm->n_label, s->nlabels);
    for (size_t i = 0; i < s->nlabels; i++) {
        check_string(pm->label[i]->name, s->labels[i].name);
        check_string(pm->label[i]->value, s->labels[i].value);
    }
    int set = (pm->gauge != NULL) + (pm->counter != NULL) + (pm->untyped != NULL) +
              (pm->histogram != NULL);
    CU_ASSERT_EQUAL(set, 1);
    switch (f->type) {
    case METRIC_GAUGE:
        CU_ASSERT_PTR_NOT_NULL_FATAL(pm->gauge);
        CU_ASSERT(pm->gauge->has_value && same_double(pm->gauge->value, s->value));
        break;
    case METRIC_COUNTER:
        CU_ASSERT_PTR_NOT_NULL_FATAL(pm->counter);
        CU_ASSERT(pm->counter->has_value && same_double(pm->counter->value, s->value));
        break;
    case METRIC_UNTYPED:
        CU_ASSERT_PTR_NOT_NULL_FATAL(pm->untyped);
        CU_ASSERT(pm->untyped->has_value && same_double(pm->untyped->value, s->value));
        break;
    case METRIC_HISTOGRAM:
        check_histogram(pm->histogram, s->histo);
        break;
    }
}

/* check_against_mset renders m, unpacks it and compares every non-empty family in order. */
static void check_against_mset(const struct mset *m)
{
    struct buf b;
    buf_init(&b, CAP);
    CU_ASSERT_EQUAL_FATAL(render_protobuf(m, &b), 0);
    pb_family *got[MAXFAM];
    int n = decode_all((const uint8_t *)buf_ptr(&b), buf_len(&b), got, MAXFAM);
    CU_ASSERT_FATAL(n >= 0);
    int k = 0;
    for (size_t i = 0; i < mset_nfamilies(m); i++) {
        const struct mfamily *f = mset_family_at(m, i);
        if (f->nsamples == 0)
            continue;
        CU_ASSERT_FATAL(k < n);
        pb_family *pf = got[k++];
        check_string(pf->name, f->name);
        check_string(pf->help, f->help);
        CU_ASSERT(pf->has_type);
        static const Io__Prometheus__Client__MetricType types[] = {
            [METRIC_GAUGE] = IO__PROMETHEUS__CLIENT__METRIC_TYPE__GAUGE,
            [METRIC_COUNTER] = IO__PROMETHEUS__CLIENT__METRIC_TYPE__COUNTER,
            [METRIC_HISTOGRAM] = IO__PROMETHEUS__CLIENT__METRIC_TYPE__HISTOGRAM,
            [METRIC_UNTYPED] = IO__PROMETHEUS__CLIENT__METRIC_TYPE__UNTYPED,
        };
        CU_ASSERT_EQUAL(pf->type, types[f->type]);
        CU_ASSERT_EQUAL_FATAL(pf->n_metric, f->nsamples);
        for (size_t j = 0; j < f->nsamples; j++)
            check_metric(pf->metric[j], f, &f->samples[j]);
    }
    CU_ASSERT_EQUAL(k, n);
    free_all(got, n);
    buf_fini(&b);
}

static void add_dhist(struct mset *m, struct mfamily *f, struct dhist *h, const char *k,
                      const char *v)
{
    struct histogram e;
    dhist_export(h, &e);
    struct label l = {k, v};
    CU_ASSERT_EQUAL(mset_add_histogram(m, f, &l, k == NULL ? 0 : 1, &e), 0);
}

/* The golden set; dhists are freed before returning (the set holds copies). */
static struct mset *golden_mset(void)
{
    struct mset *m = mset_new();
    struct mfamily *f;

    f = fam(m, "rizk_demo_requests_total", METRIC_COUNTER,
            "Requests handled. Backslash \\ newline\nand \"quotes\" stay raw in protobuf.");
    struct label l2[] = {{"method", "get"}, {"path", "C:\\dir\\\"x\"\nnext"}};
    CU_ASSERT_EQUAL(mset_add(m, f, l2, 2, 1027), 0);
    add(m, f, "path", "h\xC3\xA9llo \xE2\x9C\x93", 3);
    add(m, f, "path", "x\xC3(", 1); /* invalid UTF-8: repaired to U+FFFD */
    add(m, f, "path", "", 0);
    add(m, f, "kind", "nan", NAN);

    fam(m, "rizk_demo_empty_bytes", METRIC_GAUGE, "No samples: never rendered.");

    f = fam(m, "rizk_demo_temperature_celsius", METRIC_GAUGE, "Special values \xFF.");
    add(m, f, "case", "nan", NAN);
    add(m, f, "case", "pos_inf", INFINITY);
    add(m, f, "case", "neg_inf", -INFINITY);
    add(m, f, "case", "neg_zero", -0.0);
    add(m, f, "case", "denormal", 5e-324);
    add(m, f, "case", "negative", -3.25);

    f = fam(m, "rizk_demo_uptime_seconds", METRIC_GAUGE, "");
    add(m, f, NULL, NULL, 12.5);

    f = fam(m, "rizk_demo_queue_length", METRIC_UNTYPED, "An untyped value.");
    add(m, f, "queue", "main", 3);

    f = fam(m, "rizk_request_duration_seconds", METRIC_HISTOGRAM, "Request duration.");
    struct dhist *h = NULL;
    CU_ASSERT_EQUAL_FATAL(dhist_new(&h), 0);
    static const double obs[] = {0.001, 0.002, 0.0021, 0.04, 0.3, 0.31, 7, 0, -0.5, 1e-3, 250};
    for (size_t i = 0; i < sizeof(obs) / sizeof(obs[0]); i++)
        dhist_observe(h, obs[i], i + 1);
    dhist_observe(h, NAN, 1);
    add_dhist(m, f, h, "route", "/api");
    dhist_free(h);
    CU_ASSERT_EQUAL_FATAL(dhist_new(&h), 0); /* empty native histogram */
    add_dhist(m, f, h, "route", "/idle");
    static const double def[] = DHIST_BOUNDS;
    uint64_t cum[DHIST_NBOUNDS];
    for (size_t i = 0; i < DHIST_NBOUNDS; i++)
        cum[i] = 2 * i;
    CU_ASSERT_EQUAL(dhist_add_buckets(h, def, cum, DHIST_NBOUNDS, 25, 31.5), 0);
    add_dhist(m, f, h, "route", "/classic"); /* classic only: no native part */
    dhist_free(h);

    f = fam(m, "rizk_demo_latency_seconds", METRIC_HISTOGRAM, "Hand-made classic histograms.");
    double bounds[] = {-1, 0.1, 1};
    uint64_t counts[] = {0, 2, 3};
    struct histogram hc = {
        .nbuckets = 3, .bounds = bounds, .counts = counts, .count = 4, .sum = 12.25};
    CU_ASSERT_EQUAL(mset_add_histogram(m, f, NULL, 0, &hc), 0);
    struct histogram hn = {.nbuckets = 0, .count = 3, .sum = 1.5};
    CU_ASSERT_EQUAL(mset_add_histogram(m, f, NULL, 0, &hn), 0);
    return m;
}

static void test_golden_roundtrip(void)
{
    struct mset *m = golden_mset();
    check_against_mset(m);
    /* The native histogram really has both signs, several spans and the zero bucket. */
    const struct mfamily *f = mset_find(m, "rizk_request_duration_seconds");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    const struct histogram *h = f->samples[0].histo;
    CU_ASSERT(h->has_native && h->nnegative == 1 && h->npositive > 4 && h->zero_count == 8);
    CU_ASSERT(f->samples[1].histo->has_native && f->samples[1].histo->npositive == 0);
    CU_ASSERT_FALSE(f->samples[2].histo->has_native);
    mset_free(m);
}

static void test_golden_families(void)
{
    struct mset *m = golden_mset();
    struct buf b;
    buf_init(&b, CAP);
    CU_ASSERT_EQUAL_FATAL(render_protobuf(m, &b), 0);
    pb_family *got[MAXFAM];
    int n = decode_all((const uint8_t *)buf_ptr(&b), buf_len(&b), got, MAXFAM);
    CU_ASSERT_EQUAL_FATAL(n, 6); /* 7 families, the empty one skipped */
    CU_ASSERT_STRING_EQUAL(got[0]->metric[2]->label[0]->value, "x\xEF\xBF\xBD(");
    CU_ASSERT_STRING_EQUAL(got[1]->help, "Special values \xEF\xBF\xBD.");
    CU_ASSERT_STRING_EQUAL(got[2]->help, "");
    CU_ASSERT_STRING_EQUAL(got[4]->name, "rizk_request_duration_seconds");
    const pb_histogram *ph = got[4]->metric[0]->histogram;
    CU_ASSERT_EQUAL(ph->schema, 3);
    CU_ASSERT_EQUAL(ph->zero_threshold, 0x1p-128);
    CU_ASSERT_EQUAL(ph->n_bucket, DHIST_NBOUNDS);
    CU_ASSERT(ph->n_positive_span > 1);
    free_all(got, n);
    buf_fini(&b);
    mset_free(m);
}

static void hex_to_bytes(const char *hex, uint8_t *out, size_t *n)
{
    size_t k = 0;
    for (const char *p = hex; *p != '\0'; p++) {
        if (*p == ' ')
            continue;
        unsigned v = 0;
        CU_ASSERT_EQUAL_FATAL(sscanf(p, "%2x", &v), 1);
        out[k++] = (uint8_t)v;
        p++;
    }
    *n = k;
}

static void check_bytes(const struct mset *m, const char *hex)
{
    uint8_t want[512];
    size_t n = 0;
    hex_to_bytes(hex, want, &n);
    struct buf b;
    buf_init(&b, CAP);
    CU_ASSERT_EQUAL_FATAL(render_protobuf(m, &b), 0);
    bool eq = buf_len(&b) == n && memcmp(buf_ptr(&b), want, n) == 0;
    if (!eq) {
        fprintf(stderr, "\n  got  ");
        for (size_t i = 0; i < buf_len(&b); i++)
            fprintf(stderr, "%02x", (unsigned)(uint8_t)buf_ptr(&b)[i]);
        fprintf(stderr, "\n  want %s\n", hex);
    }
    CU_ASSERT(eq);
    buf_fini(&b);
}

static void test_vector_gauge(void)
{
    struct mset *m = mset_new();
    add(m, fam(m, "demo_c_gauge", METRIC_GAUGE, "x"), NULL, NULL, 21.5);
    check_bytes(m, "20 0a0c64656d6f5f635f6761756765 120178 1801 220b 1209 09 0000000000803540");
    mset_free(m);
}

static void test_vector_native_schema0(void)
{
    struct dhist *h = NULL;
    CU_ASSERT_EQUAL_FATAL(dhist_new_schema(0, DHIST_MAX_BUCKETS, &h), 0);
    static const double obs[] = {0, 0.3, 1, 1.5, 3, 3, 100, -2};
    for (size_t i = 0; i < sizeof(obs) / sizeof(obs[0]); i++)
        dhist_observe(h, obs[i], 1);
    struct histogram e;
    dhist_export(h, &e);
    e.nbuckets = 0; /* the reference message has no classic bucket */
    struct mset *m = mset_new();
    struct mfamily *f = fam(m, "demo_native_seconds", METRIC_HISTOGRAM, "Native histogram demo.");
    CU_ASSERT_EQUAL(mset_add_histogram(m, f, NULL, 0, &e), 0);
    dhist_free(h);
    check_bytes(m, "690a1364656d6f5f6e61746976655f7365636f6e647312164e617469766520686973746f6772"
                   "616d2064656d6f2e180422383a360808113333333333b35a40280031000000000000f0373801"
                   "4a0408021001500262040801100462040808100168026800680068026801");
    mset_free(m);
}

static void test_long_prefix(void)
{
    /* Families over 127 bytes take a multi-byte varint prefix. */
    struct mset *m = mset_new();
    struct mfamily *f = fam(m, "rizk_many", METRIC_GAUGE, "Many samples.");
    char v[16];
    for (int i = 0; i < 2000; i++) {
        snprintf(v, sizeof(v), "%d", i);
        add(m, f, "i", v, i);
    }
    add(m, fam(m, "rizk_after", METRIC_COUNTER, "After."), NULL, NULL, 1);
    struct buf b;
    buf_init(&b, CAP);
    CU_ASSERT_EQUAL_FATAL(render_protobuf(m, &b), 0);
    CU_ASSERT((uint8_t)buf_ptr(&b)[0] & 0x80);
    CU_ASSERT((uint8_t)buf_ptr(&b)[1] & 0x80); /* > 16383 bytes: three-byte prefix */
    buf_fini(&b);
    check_against_mset(m);
    mset_free(m);
}

static void test_cap_and_empty(void)
{
    struct mset *m = golden_mset();
    struct buf b;
    buf_init(&b, 100);
    CU_ASSERT_EQUAL(render_protobuf(m, &b), -E2BIG);
    CU_ASSERT_EQUAL(buf_len(&b), 0);
    buf_fini(&b);
    mset_free(m);

    m = mset_new();
    fam(m, "rizk_nothing", METRIC_GAUGE, "Empty.");
    buf_init(&b, CAP);
    CU_ASSERT_EQUAL(render_protobuf(m, &b), 0);
    CU_ASSERT_EQUAL(buf_len(&b), 0);
    buf_fini(&b);
    mset_free(m);
}

static void test_bodies(void)
{
    struct mset *m = golden_mset();
    struct buf b;
    buf_init(&b, CAP);
    CU_ASSERT_EQUAL_FATAL(render_protobuf(m, &b), 0);
    struct snapshot_info info = {.seq = 1, .wall_ms = 1, .mono_ms = 1, .ready = true};
    struct snapshot *snap = snapshot_new(m, &info);
    render_snapshot_bodies(snap);
    size_t len = 0;
    const void *p = snapshot_body(snap, SNAP_BODY_PROTO, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT(len == buf_len(&b) && memcmp(p, buf_ptr(&b), len) == 0);
    CU_ASSERT_PTR_NOT_NULL(snapshot_body(snap, SNAP_BODY_PROTO_GZ, &len));
    CU_ASSERT(len > 0);
    snapshot_release(snap);
    buf_fini(&b);
}

static CU_TestInfo tests[] = {
    {"golden_roundtrip", test_golden_roundtrip},
    {"golden_families", test_golden_families},
    {"vector_gauge", test_vector_gauge},
    {"vector_native_schema0", test_vector_native_schema0},
    {"long_prefix", test_long_prefix},
    {"cap_and_empty", test_cap_and_empty},
    {"bodies", test_bodies},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_protobuf = {"protobuf", NULL, NULL, NULL, NULL, tests};
