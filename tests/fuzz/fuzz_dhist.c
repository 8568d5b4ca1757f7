/* fuzz_dhist: random observations into a duration histogram, then its invariants.
 * Input: byte 0 picks the starting schema (-4..8), byte 1 the per-sign cap (1..256), then
 * 10-byte records: a tag byte, a multiplicity byte and 8 bytes of value. The tag picks the value
 * form (raw IEEE bits, which reach NaN, infinities and subnormals, or k/1000 and 2^k from the
 * low bytes, which hit bucket bounds) and, rarely, a classic-only dhist_add_buckets with one of
 * a few bound sets (ours, a subset, others, none), exact or folded.
 * Checked after every record: count, classic counts against a recount, every native bucket
 * ascending and non-empty, the cap (except at schema -4), native counts + zero count == count
 * minus NaN observations, and the native buckets equal to those of a reference accumulator at
 * schema -4 once reduced to it (resolution reduction is exact). At the end the histogram goes
 * through render_protobuf, is unpacked with protobuf-c and the spans and deltas must rebuild
 * the same buckets. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/prometheus/client/metrics.pb-c.h"

#include "core/buf.h"
#include "render/protobuf.h"
#include "render/render.h"
#include "store/dhist.h"
#include "store/mset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 4096
#define REC 10

#define CHECK(e)                                                                                   \
    do {                                                                                           \
        if (!(e))                                                                                  \
            abort();                                                                               \
    } while (0)

static double fuzz_value(uint8_t tag, const uint8_t *p)
{
    double v;
    memcpy(&v, p, sizeof(v));
    int16_t k;
    memcpy(&k, p, sizeof(k));
    switch (tag % 4) {
    case 0:
        return v;
    case 1:
        return k / 1000.0;
    case 2:
        return ldexp(p[2] & 1 ? -1.0 : 1.0, k % 1100);
    default:
        return (double)k;
    }
}

/* ceil(i / 2), as the reduction merges buckets. */
static int32_t half(int32_t i)
{
    return i >= 0 ? (i + 1) / 2 : -((-i) / 2);
}

/* reduce_to rewrites b (sorted) from schema from to schema to, merging in place. */
static size_t reduce_to(struct native_bucket *b, size_t n, int32_t from, int32_t to)
{
    for (; from > to; from--) {
        size_t w = 0;
        for (size_t r = 0; r < n; r++) {
            int32_t key = half(b[r].index);
            if (w > 0 && b[w - 1].index == key) {
                b[w - 1].count += b[r].count;
            } else {
                b[w].index = key;
                b[w].count = b[r].count;
                w++;
            }
        }
        n = w;
    }
    return n;
}

static uint64_t side_check(const struct native_bucket *b, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK(b[i].count > 0);
        CHECK(i == 0 || b[i].index > b[i - 1].index);
        sum += b[i].count;
    }
    return sum;
}

static void side_same_reduced(const struct native_bucket *b, size_t n, int32_t schema,
                              const struct native_bucket *ref, size_t nref)
{
    struct native_bucket *tmp = malloc((n + 1) * sizeof(*tmp));
    CHECK(tmp != NULL);
    if (n > 0)
        memcpy(tmp, b, n * sizeof(*tmp));
    size_t m = reduce_to(tmp, n, schema, HISTOGRAM_SCHEMA_MIN);
    CHECK(m == nref);
    for (size_t i = 0; i < m; i++) /* not memcmp: struct padding after index */
        CHECK(tmp[i].index == ref[i].index && tmp[i].count == ref[i].count);
    free(tmp);
}

static void side_decode(Io__Prometheus__Client__BucketSpan **span, size_t nspan,
                        const int64_t *delta, size_t ndelta, const struct native_bucket *b,
                        size_t n)
{
    CHECK(ndelta == n);
    size_t k = 0;
    int64_t idx = 0;
    uint64_t c = 0;
    for (size_t s = 0; s < nspan; s++) {
        CHECK(span[s]->length > 0);
        CHECK(s == 0 || span[s]->offset > 0);
        idx += span[s]->offset;
        for (uint32_t j = 0; j < span[s]->length; j++, idx++, k++) {
            CHECK(k < n);
            c += (uint64_t)delta[k];
            CHECK(idx == b[k].index && c == b[k].count);
        }
    }
    CHECK(k == n);
}

static void check_protobuf(const struct histogram *e)
{
    struct mset *m = mset_new();
    struct mfamily *f = NULL;
    CHECK(mset_family(m, "rizk_request_duration_seconds", METRIC_HISTOGRAM, "D.", &f) == 0);
    CHECK(mset_add_histogram(m, f, NULL, 0, e) == 0);
    struct buf b;
    buf_init(&b, (size_t)1 << 20);
    CHECK(render_protobuf(m, &b) == 0);
    const uint8_t *p = (const uint8_t *)buf_ptr(&b);
    size_t len = 0, off = 0;
    int shift = 0;
    do {
        CHECK(off < buf_len(&b) && shift <= 28);
        len |= (size_t)(p[off] & 0x7F) << shift;
        shift += 7;
    } while (p[off++] & 0x80);
    CHECK(off + len == buf_len(&b));
    Io__Prometheus__Client__MetricFamily *pf =
        io__prometheus__client__metric_family__unpack(NULL, len, p + off);
    CHECK(pf != NULL && pf->n_metric == 1 && pf->metric[0]->histogram != NULL);
    const Io__Prometheus__Client__Histogram *h = pf->metric[0]->histogram;
    CHECK(h->sample_count == e->count && h->has_schema == e->has_native);
    if (e->has_native) {
        CHECK(h->schema == e->schema && h->zero_count == e->zero_count && h->zero_threshold > 0);
        side_decode(h->positive_span, h->n_positive_span, h->positive_delta, h->n_positive_delta,
                    e->positive, e->npositive);
        side_decode(h->negative_span, h->n_negative_span, h->negative_delta, h->n_negative_delta,
                    e->negative, e->nnegative);
    }
    io__prometheus__client__metric_family__free_unpacked(pf, NULL);
    buf_fini(&b);
    mset_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const double def[DHIST_NBOUNDS] = DHIST_BOUNDS;
    static const double coarse[] = {0.1, 1};
    static const double odd[] = {0.003, 0.07, 0.3, 0.5, 20, 1e300};
    if (size < 2 || size > FUZZ_MAX_INPUT)
        return 0;
    int32_t schema0 = (int32_t)(data[0] % 13) - 4;
    size_t cap = (size_t)data[1] + 1;
    struct dhist *h = NULL, *ref = NULL;
    CHECK(dhist_new_schema(schema0, cap, &h) == 0);
    CHECK(dhist_new_schema(HISTOGRAM_SCHEMA_MIN, 1000, &ref) == 0);
    uint64_t count = 0, nan = 0, classic[DHIST_NBOUNDS] = {0};
    bool native = true;

    for (size_t off = 2; off + REC <= size; off += REC) {
        uint8_t tag = data[off];
        uint64_t n = data[off + 1];
        double v = fuzz_value(tag, data + off + 2);
        if (tag >= 0xF8) {
            /* Classic-only data: one of a few bound sets with made-up cumulative counts. */
            const double *b = def;
            size_t nb = DHIST_NBOUNDS;
            switch (tag & 3) {
            case 1:
                b = coarse;
                nb = sizeof(coarse) / sizeof(coarse[0]);
                break;
            case 2:
                b = odd;
                nb = sizeof(odd) / sizeof(odd[0]);
                break;
            case 3:
                nb = 0;
                break;
            }
            uint64_t cum[DHIST_NBOUNDS], c = 0;
            for (size_t i = 0; i < nb; i++) {
                c += data[off + 2 + i % 8] & 3;
                cum[i] = c;
            }
            uint64_t total = c + n;
            bool exact = true;
            for (size_t k = 0; k < DHIST_NBOUNDS; k++) {
                uint64_t at = 0; /* cumulative count at the largest given bound <= ours */
                bool found = false;
                for (size_t i = 0; i < nb; i++) {
                    if (b[i] <= def[k])
                        at = cum[i];
                    found = found || b[i] == def[k];
                }
                classic[k] += total > 0 ? at : 0;
                exact = exact && found;
            }
            int want = total == 0 || exact ? 0 : DHIST_FOLDED;
            CHECK(dhist_add_buckets(h, nb ? b : NULL, nb ? cum : NULL, nb, total, v) == want);
            count += total;
            if (total > 0)
                native = false;
        } else {
            dhist_observe(h, v, n);
            dhist_observe(ref, v, n);
            count += n;
            if (isnan(v))
                nan += n;
            for (size_t i = 0; i < DHIST_NBOUNDS; i++)
                if (v <= def[i])
                    classic[i] += n;
        }

        struct histogram e, r;
        dhist_export(h, &e);
        CHECK(e.count == count && dhist_count(h) == count);
        CHECK(e.nbuckets == DHIST_NBOUNDS && memcmp(e.counts, classic, sizeof(classic)) == 0);
        CHECK(e.has_native == native);
        if (!native) {
            CHECK(e.npositive == 0 && e.nnegative == 0 && e.zero_count == 0);
            continue;
        }
        CHECK(e.schema <= schema0 && e.schema >= HISTOGRAM_SCHEMA_MIN);
        CHECK(e.zero_threshold == DHIST_ZERO_THRESHOLD);
        if (e.schema > HISTOGRAM_SCHEMA_MIN)
            CHECK(e.npositive <= cap && e.nnegative <= cap);
        uint64_t total = e.zero_count + side_check(e.positive, e.npositive) +
                         side_check(e.negative, e.nnegative);
        CHECK(total == count - nan);
        dhist_export(ref, &r);
        CHECK(r.schema == HISTOGRAM_SCHEMA_MIN && r.zero_count == e.zero_count);
        side_same_reduced(e.positive, e.npositive, e.schema, r.positive, r.npositive);
        side_same_reduced(e.negative, e.nnegative, e.schema, r.negative, r.nnegative);
    }

    struct histogram e;
    dhist_export(h, &e);
    check_protobuf(&e);
    dhist_free(ref);
    dhist_free(h);
    return 0;
}
