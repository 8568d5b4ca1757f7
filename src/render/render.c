/* The renderer table: the one list of exposition formats (STYLE rule 1, explicit const table). */
#include "render/render.h"

#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "core/err.h"
#include "render/escape.h"
#include "render/numfmt.h"
#include "core/banned.h"

static const struct renderer render_table[EXPO_NFORMATS] = {
    [EXPO_TEXT] = {EXPO_TEXT, "text", RENDER_CT_TEXT, render_prom_text},
    [EXPO_OPENMETRICS] = {EXPO_OPENMETRICS, "openmetrics", RENDER_CT_OPENMETRICS,
                          render_openmetrics},
    /* Served only when Accept names it explicitly (see protobuf.c and http/negotiate.h). */
    [EXPO_PROTOBUF] = {EXPO_PROTOBUF, "protobuf", RENDER_CT_PROTOBUF, render_protobuf},
};

const struct renderer *render_get(enum expo_format f)
{
    RIZK_ASSERT((unsigned)f < EXPO_NFORMATS);
    return &render_table[f];
}

bool render_is_available(enum expo_format f)
{
    return (unsigned)f < EXPO_NFORMATS && render_table[f].render != NULL;
}

const char *render_content_type(enum expo_format f)
{
    return render_get(f)->content_type;
}

int render_series(struct buf *out, const char *name, const char *suffix, const struct msample *s,
                  const char *le)
{
    int rc = buf_adds(out, name);
    if (rc == 0)
        rc = buf_adds(out, suffix);
    if (rc < 0)
        return rc;
    if (s->nlabels == 0 && le == NULL)
        return buf_addc(out, ' ');
    char sep = '{';
    for (size_t i = 0; i < s->nlabels && rc == 0; i++) {
        const struct label *l = &s->labels[i];
        rc = buf_addc(out, sep);
        if (rc == 0)
            rc = buf_adds(out, l->name);
        if (rc == 0)
            rc = buf_add(out, "=\"", 2);
        if (rc == 0)
            rc = escape_label_value(out, l->value, strlen(l->value));
        if (rc == 0)
            rc = buf_addc(out, '"');
        sep = ',';
    }
    if (rc == 0 && le != NULL) {
        rc = buf_addc(out, sep);
        if (rc == 0)
            rc = buf_add(out, "le=\"", 4);
        if (rc == 0)
            rc = buf_adds(out, le);
        if (rc == 0)
            rc = buf_addc(out, '"');
    }
    if (rc < 0)
        return rc;
    return buf_add(out, "} ", 2);
}

int render_value_line(struct buf *out, const char *name, const char *suffix,
                      const struct msample *s, const char *le, double v)
{
    int rc = render_series(out, name, suffix, s, le);
    if (rc == 0)
        rc = numfmt_append(out, v);
    if (rc == 0)
        rc = buf_addc(out, '\n');
    return rc;
}

int render_count_line(struct buf *out, const char *name, const char *suffix,
                      const struct msample *s, const char *le, uint64_t v)
{
    int rc = render_series(out, name, suffix, s, le);
    if (rc == 0)
        rc = buf_printf(out, "%" PRIu64 "\n", v);
    return rc;
}

int render_histogram_buckets(struct buf *out, const char *name, const struct msample *s)
{
    const struct histogram *h = s->histo;
    char le[NUMFMT_MAX];
    int rc = 0;
    for (size_t i = 0; i < h->nbuckets && rc == 0; i++) {
        if (isinf(h->bounds[i]) && h->bounds[i] > 0)
            continue;
        numfmt_format_canonical(le, h->bounds[i]);
        rc = render_count_line(out, name, "_bucket", s, le, h->counts[i]);
    }
    if (rc == 0)
        rc = render_count_line(out, name, "_bucket", s, "+Inf", h->count);
    return rc;
}

const char *render_type_name(enum metric_type t, const char *untyped_name)
{
    switch (t) {
    case METRIC_COUNTER:
        return "counter";
    case METRIC_GAUGE:
        return "gauge";
    case METRIC_HISTOGRAM:
        return "histogram";
    case METRIC_UNTYPED:
        break;
    }
    return untyped_name;
}
