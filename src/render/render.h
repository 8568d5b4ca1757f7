/* Renderers: one exposition format per file (prom_text.c, openmetrics.c, protobuf.c),
 * each a const descriptor in one explicit table indexed by enum expo_format. The sampler renders
 * every format once per tick into the snapshot; HTTP threads only pick a body.
 *
 * Shared rules: families in the metric set's order, each one contiguous with HELP (omitted when
 * empty) then TYPE before its samples; families with no sample to show are skipped entirely;
 * histogram le values in the OpenMetrics canonical form (0.005, 1.0, +Inf) in every format so
 * series identities do not depend on the negotiated format; sample values via render/numfmt.h;
 * all text via render/escape.h; no timestamps. */
#ifndef RIZK_RENDER_RENDER_H
#define RIZK_RENDER_RENDER_H

#include <stdbool.h>

#include "core/buf.h"
#include "store/mset.h"

/* Exposition formats, in order of preference when a client rates them equally. */
enum expo_format {
    EXPO_TEXT = 0,    /* Prometheus text 0.0.4 */
    EXPO_OPENMETRICS, /* OpenMetrics 1.0.0 text */
    EXPO_PROTOBUF,    /* delimited io.prometheus.client.MetricFamily, with native histograms */
    EXPO_NFORMATS
};

#define RENDER_CT_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define RENDER_CT_OPENMETRICS "application/openmetrics-text; version=1.0.0; charset=utf-8"
#define RENDER_CT_PROTOBUF                                                                         \
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"

/* render_fn appends the whole exposition of m to out. m is borrowed and only read, so several
 * threads may render one frozen set at once. On error out is freed (never half-written).
 * Errors: -E2BIG when out's cap is reached. */
typedef int (*render_fn)(const struct mset *m, struct buf *out);

struct renderer {
    enum expo_format format;
    const char *name;         /* "text", "openmetrics", "protobuf": for logs and self-metrics */
    const char *content_type; /* the exact Content-Type header value */
    render_fn render;         /* NULL while the format is not implemented */
};

/* render_get returns the descriptor of f (static storage, never NULL for f < EXPO_NFORMATS).
 * thread: any. */
const struct renderer *render_get(enum expo_format f);

/* render_is_available tells whether f has a renderer. thread: any. */
bool render_is_available(enum expo_format f);

/* render_content_type returns f's Content-Type (static string). thread: any. */
const char *render_content_type(enum expo_format f);

/* render_series appends "<name><suffix>{<labels>[,le="<le>"]} " (with the trailing space; no
 * braces when there are no labels) for the text formats: label values escaped, le (may be NULL)
 * already formatted. Errors: -E2BIG (out freed). thread: any. */
int render_series(struct buf *out, const char *name, const char *suffix, const struct msample *s,
                  const char *le);
/* render_type_name returns the TYPE keyword of t ("counter", "gauge", "histogram"), or
 * untyped_name for METRIC_UNTYPED ("untyped" in 0.0.4, "unknown" in OpenMetrics). */
const char *render_type_name(enum metric_type t, const char *untyped_name);
/* render_value_line appends one "<series> <value>\n" sample line with v formatted by numfmt;
 * render_count_line the same with an integer count. 0 or -E2BIG. thread: any. */
int render_value_line(struct buf *out, const char *name, const char *suffix,
                      const struct msample *s, const char *le, double v);
int render_count_line(struct buf *out, const char *name, const char *suffix,
                      const struct msample *s, const char *le, uint64_t v);
/* render_histogram_buckets appends the cumulative _bucket lines of s->histo in ascending le
 * order (canonical form), ending with le="+Inf" equal to the count; a stored +Inf bound is
 * never written twice. Shared by both text formats. 0 or -E2BIG. thread: any. */
int render_histogram_buckets(struct buf *out, const char *name, const struct msample *s);

/* render_prom_text renders text format 0.0.4 (see render_fn). Counters keep their "_total"
 * family name; untyped families are TYPE untyped; NaN and negative values are written as is. */
int render_prom_text(const struct mset *m, struct buf *out);

/* render_openmetrics renders OpenMetrics 1.0.0 (see render_fn), ending with "# EOF\n".
 * Counters: family name without "_total", samples "<family>_total", no "_created"; a NaN or
 * negative counter sample is skipped (OM forbids it). Untyped families are TYPE unknown.
 * Histograms: _sum and _count are left out when a bound is negative or the sum is negative or
 * NaN (OM forbids _sum then and wants _count only alongside _sum).
 * Not checked here, the sample sink's job: families whose OM names clash (counter "x_total" with
 * a gauge "x" or "x_total": "Clashing name" in prometheus_client). A lone gauge named "*_total"
 * is rendered as is (prometheus_client 0.16 accepts it; OM reserves the suffix for counters). */
int render_openmetrics(const struct mset *m, struct buf *out);

/* render_protobuf renders delimited io.prometheus.client.MetricFamily messages (see render_fn):
 * each family with HELP (possibly empty) and type, every sample with its labels and no
 * timestamp; histograms carry their classic buckets and, when present, their native part.
 * Strings are UTF-8-repaired (render/escape.h), not escaped. Families without samples are
 * skipped. Only to be served when the Accept header asks for protobuf (see protobuf.c). */
int render_protobuf(const struct mset *m, struct buf *out);

#endif
