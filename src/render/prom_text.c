/* Prometheus text format 0.0.4 (prometheus-formats.md §1). The TYPE name is the sample name for
 * counters and gauges (x_total) and the base name for histograms. Only "\\" and "\n" are escaped
 * in HELP: expfmt rejects "\"" there. le is written OM-canonical (1.0, not 1) so a series keeps
 * the same identity whichever format Prometheus negotiated (§0 item 8). */
#include "render/render.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/escape.h"
#include "render/numfmt.h"
#include "core/banned.h"

static int prom_text_histogram(struct buf *out, const char *name, const struct msample *s)
{
    const struct histogram *h = s->histo;
    int rc = render_histogram_buckets(out, name, s);
    if (rc == 0)
        rc = render_value_line(out, name, "_sum", s, NULL, h->sum);
    if (rc == 0)
        rc = render_count_line(out, name, "_count", s, NULL, h->count);
    return rc;
}

static int prom_text_family(struct buf *out, const struct mfamily *f)
{
    int rc = 0;

    if (f->nsamples == 0)
        return 0;
    if (f->help[0] != '\0') {
        rc = buf_printf(out, "# HELP %s ", f->name);
        if (rc == 0)
            rc = escape_help_text(out, f->help, strlen(f->help));
        if (rc == 0)
            rc = buf_addc(out, '\n');
    }
    if (rc == 0)
        rc = buf_printf(out, "# TYPE %s %s\n", f->name, render_type_name(f->type, "untyped"));
    for (size_t i = 0; i < f->nsamples && rc == 0; i++) {
        const struct msample *s = &f->samples[i];
        if (f->type == METRIC_HISTOGRAM)
            rc = prom_text_histogram(out, f->name, s);
        else
            rc = render_value_line(out, f->name, "", s, NULL, s->value);
    }
    return rc;
}

int render_prom_text(const struct mset *m, struct buf *out)
{
    size_t n = mset_nfamilies(m);
    for (size_t i = 0; i < n; i++) {
        int rc = prom_text_family(out, mset_family_at(m, i));
        if (rc < 0) {
            buf_fini(out);
            return rc;
        }
    }
    return 0;
}
