/* Delimited protobuf exposition (prometheus-formats.md §3): each family one
 * io.prometheus.client.MetricFamily packed by protobuf-c, preceded by its length as a varint.
 * The messages point into the metric set; per-family scratch (message structs, spans, repaired
 * strings) comes from a small arena freed after the family is packed.
 *
 * Native histograms: a histogram with a native part gets schema, zero threshold (always > 0 from
 * store/dhist.c: Prometheus 2.42 detects native histograms by it), zero count, spans and deltas,
 * and keeps its classic buckets, which 2.42 ignores when the native part is present. A native
 * histogram fails the whole scrape of a Prometheus started without
 * --enable-feature=native-histograms, so this body is only ever served when the Accept header
 * names it explicitly (http/negotiate.h: never for a wildcard), which only a native-enabled
 * Prometheus 2.42 sends. Keep it that way. */
#include "render/render.h"
#include "render/protobuf.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/prometheus/client/metrics.pb-c.h"

#include "core/arena.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "render/escape.h"
#include "core/banned.h"

size_t protobuf_native_spans(const struct native_bucket *b, size_t n, struct native_span *spans,
                             int64_t *deltas)
{
    size_t ns = 0;
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || b[i].index != b[i - 1].index + 1) {
            /* |index| <= 2^30, so every gap fits the sint32 offset. */
            spans[ns].offset =
                i == 0 ? b[0].index : (int32_t)((int64_t)b[i].index - b[i - 1].index - 1);
            spans[ns].length = 0;
            ns++;
        }
        spans[ns - 1].length++;
        deltas[i] = (int64_t)(b[i].count - prev);
        prev = b[i].count;
    }
    return ns;
}

/* --- per-family scratch ------------------------------------------------------------------- */

/* protobuf-c's message structs hold char *, but packing only reads the strings: this lends them
 * the metric set's const strings without a qualifier-dropping cast. */
static char *pb_unconst(const char *s)
{
    char *p;
    memcpy(&p, &s, sizeof(p));
    return p;
}

/* pb_string returns s as valid UTF-8: s itself when it already is, else a repaired copy. */
static int pb_string(struct arena *a, const char *s, char **out)
{
    size_t n = strlen(s);
    if (escape_is_utf8(s, n)) {
        *out = pb_unconst(s);
        return 0;
    }
    struct buf b;
    buf_init(&b, 3 * n + 1); /* each bad byte becomes at most 3 (U+FFFD) */
    int rc = escape_utf8(&b, s, n);
    if (rc == 0) {
        char *p = arena_calloc(a, 1, buf_len(&b) + 1);
        memcpy(p, buf_ptr(&b), buf_len(&b) + 1);
        *out = p;
    }
    buf_fini(&b);
    return rc;
}

/* --- messages ----------------------------------------------------------------------------- */

static Io__Prometheus__Client__MetricType pb_type(enum metric_type t)
{
    switch (t) {
    case METRIC_COUNTER:
        return IO__PROMETHEUS__CLIENT__METRIC_TYPE__COUNTER;
    case METRIC_GAUGE:
        return IO__PROMETHEUS__CLIENT__METRIC_TYPE__GAUGE;
    case METRIC_HISTOGRAM:
        return IO__PROMETHEUS__CLIENT__METRIC_TYPE__HISTOGRAM;
    case METRIC_UNTYPED:
        break;
    }
    return IO__PROMETHEUS__CLIENT__METRIC_TYPE__UNTYPED;
}

static void pb_native_side(struct arena *a, const struct native_bucket *b, size_t n,
                           size_t *nspan, Io__Prometheus__Client__BucketSpan ***span,
                           size_t *ndelta, int64_t **delta)
{
    if (n == 0)
        return;
    struct native_span *ns = arena_calloc(a, n, sizeof(*ns));
    *delta = arena_calloc(a, n, sizeof(**delta));
    *ndelta = n;
    size_t k = protobuf_native_spans(b, n, ns, *delta);
    *span = arena_calloc(a, k, sizeof(**span));
    Io__Prometheus__Client__BucketSpan *msgs = arena_calloc(a, k, sizeof(*msgs));
    for (size_t i = 0; i < k; i++) {
        io__prometheus__client__bucket_span__init(&msgs[i]);
        msgs[i].has_offset = 1;
        msgs[i].offset = ns[i].offset;
        msgs[i].has_length = 1;
        msgs[i].length = ns[i].length;
        (*span)[i] = &msgs[i];
    }
    *nspan = k;
}

static Io__Prometheus__Client__Histogram *pb_histogram(struct arena *a,
                                                       const struct histogram *h)
{
    Io__Prometheus__Client__Histogram *m = arena_calloc(a, 1, sizeof(*m));
    io__prometheus__client__histogram__init(m);
    m->has_sample_count = 1;
    m->sample_count = h->count;
    m->has_sample_sum = 1;
    m->sample_sum = h->sum;
    if (h->nbuckets > 0) {
        Io__Prometheus__Client__Bucket *bk = arena_calloc(a, h->nbuckets, sizeof(*bk));
        m->bucket = arena_calloc(a, h->nbuckets, sizeof(*m->bucket));
        m->n_bucket = h->nbuckets;
        for (size_t i = 0; i < h->nbuckets; i++) {
            io__prometheus__client__bucket__init(&bk[i]);
            bk[i].has_cumulative_count = 1;
            bk[i].cumulative_count = h->counts[i];
            bk[i].has_upper_bound = 1;
            bk[i].upper_bound = h->bounds[i];
            m->bucket[i] = &bk[i];
        }
    }
    if (!h->has_native)
        return m;
    m->has_schema = 1;
    m->schema = h->schema;
    m->has_zero_threshold = 1;
    m->zero_threshold = h->zero_threshold;
    m->has_zero_count = 1;
    m->zero_count = h->zero_count;
    pb_native_side(a, h->negative, h->nnegative, &m->n_negative_span, &m->negative_span,
                   &m->n_negative_delta, &m->negative_delta);
    pb_native_side(a, h->positive, h->npositive, &m->n_positive_span, &m->positive_span,
                   &m->n_positive_delta, &m->positive_delta);
    return m;
}

static int pb_metric(struct arena *a, enum metric_type t, const struct msample *s,
                     Io__Prometheus__Client__Metric *m)
{
    io__prometheus__client__metric__init(m);
    if (s->nlabels > 0) {
        Io__Prometheus__Client__LabelPair *lp = arena_calloc(a, s->nlabels, sizeof(*lp));
        m->label = arena_calloc(a, s->nlabels, sizeof(*m->label));
        m->n_label = s->nlabels;
        for (size_t i = 0; i < s->nlabels; i++) {
            io__prometheus__client__label_pair__init(&lp[i]);
            int rc = pb_string(a, s->labels[i].name, &lp[i].name);
            if (rc == 0)
                rc = pb_string(a, s->labels[i].value, &lp[i].value);
            if (rc < 0)
                return rc;
            m->label[i] = &lp[i];
        }
    }
    switch (t) {
    case METRIC_GAUGE: {
        Io__Prometheus__Client__Gauge *g = arena_calloc(a, 1, sizeof(*g));
        io__prometheus__client__gauge__init(g);
        g->has_value = 1;
        g->value = s->value;
        m->gauge = g;
        break;
    }
    case METRIC_COUNTER: {
        Io__Prometheus__Client__Counter *c = arena_calloc(a, 1, sizeof(*c));
        io__prometheus__client__counter__init(c);
        c->has_value = 1;
        c->value = s->value;
        m->counter = c;
        break;
    }
    case METRIC_HISTOGRAM:
        RIZK_ASSERT(s->histo != NULL);
        m->histogram = pb_histogram(a, s->histo);
        break;
    case METRIC_UNTYPED: {
        Io__Prometheus__Client__Untyped *u = arena_calloc(a, 1, sizeof(*u));
        io__prometheus__client__untyped__init(u);
        u->has_value = 1;
        u->value = s->value;
        m->untyped = u;
        break;
    }
    }
    return 0;
}

static int pb_family(struct arena *a, const struct mfamily *f,
                     Io__Prometheus__Client__MetricFamily *fam)
{
    io__prometheus__client__metric_family__init(fam);
    int rc = pb_string(a, f->name, &fam->name);
    if (rc == 0)
        rc = pb_string(a, f->help, &fam->help); /* always sent, even empty (§3.1) */
    if (rc < 0)
        return rc;
    fam->has_type = 1;
    fam->type = pb_type(f->type);
    Io__Prometheus__Client__Metric *ms = arena_calloc(a, f->nsamples, sizeof(*ms));
    fam->metric = arena_calloc(a, f->nsamples, sizeof(*fam->metric));
    fam->n_metric = f->nsamples;
    for (size_t i = 0; i < f->nsamples; i++) {
        rc = pb_metric(a, f->type, &f->samples[i], &ms[i]);
        if (rc < 0)
            return rc;
        fam->metric[i] = &ms[i];
    }
    return 0;
}

/* --- output ------------------------------------------------------------------------------- */

/* A ProtobufCBuffer appending to a struct buf; after the first failure (buf freed) it drops
 * everything, and rc tells the caller. */
struct pb_sink {
    ProtobufCBuffer base; /* first: protobuf-c calls append with &base */
    struct buf *out;
    int rc;
};

static void pb_sink_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
    struct pb_sink *s = (struct pb_sink *)b;
    if (s->rc == 0)
        s->rc = buf_add(s->out, data, len);
}

/* The delimited framing: each message is preceded by its length as an unsigned varint
 * (Prometheus reads at most 5 bytes of it). */
static int pb_varint(struct buf *out, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        unsigned char c = v & 0x7F;
        v >>= 7;
        tmp[n++] = (unsigned char)(c | (v ? 0x80 : 0));
    } while (v != 0);
    return buf_add(out, tmp, n);
}

int render_protobuf(const struct mset *m, struct buf *out)
{
    struct pb_sink sink = {{NULL}, out, 0};
    sink.base.append = pb_sink_append;
    int rc = 0;
    for (size_t i = 0; i < mset_nfamilies(m) && rc == 0; i++) {
        const struct mfamily *f = mset_family_at(m, i);
        if (f->nsamples == 0)
            continue; /* Prometheus skips them anyway; they are noise */
        struct arena a;
        arena_init(&a, 8192);
        Io__Prometheus__Client__MetricFamily fam;
        rc = pb_family(&a, f, &fam);
        if (rc == 0)
            rc = pb_varint(out, io__prometheus__client__metric_family__get_packed_size(&fam));
        if (rc == 0) {
            io__prometheus__client__metric_family__pack_to_buffer(&fam, &sink.base);
            rc = sink.rc;
        }
        arena_fini(&a);
    }
    if (rc < 0)
        buf_fini(out);
    return rc;
}
