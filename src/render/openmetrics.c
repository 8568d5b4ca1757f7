/* OpenMetrics 1.0.0 text (prometheus-formats.md §2). What differs from 0.0.4: a counter family is
 * named without "_total" while its samples keep it; "unknown" replaces "untyped"; HELP also
 * escapes '"'; counter-like samples may not be NaN or negative, so such samples are skipped and
 * a family left with nothing to show is skipped whole (a TYPE with no samples is legal but
 * useless); the body must end with "# EOF" or Prometheus fails the scrape. No _created samples:
 * Prometheus 2.42 would store them as ordinary series. */
#include "render/render.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "render/escape.h"
#include "render/numfmt.h"
#include "core/banned.h"

static const char om_total[] = "_total";

static bool om_has_total_suffix(const char *name, size_t len)
{
    size_t k = sizeof(om_total) - 1;
    return len > k && memcmp(name + len - k, om_total, k) == 0;
}

/* om_sample_is_shown: counter values are counter-like ("!(v >= 0)" catches NaN too). */
static bool om_sample_is_shown(const struct mfamily *f, const struct msample *s)
{
    return f->type != METRIC_COUNTER || s->value >= 0;
}

/* om_histogram_has_sum: OM forbids _sum when a bucket bound is negative, _sum is counter-like
 * otherwise, and _count must appear exactly when _sum does. */
static bool om_histogram_has_sum(const struct histogram *h)
{
    if (!(h->sum >= 0))
        return false;
    return h->nbuckets == 0 || h->bounds[0] >= 0;
}

static int om_histogram(struct buf *out, const char *name, const struct msample *s)
{
    const struct histogram *h = s->histo;
    int rc = render_histogram_buckets(out, name, s);
    if (rc == 0 && om_histogram_has_sum(h)) {
        rc = render_count_line(out, name, "_count", s, NULL, h->count);
        if (rc == 0)
            rc = render_value_line(out, name, "_sum", s, NULL, h->sum);
    }
    return rc;
}

static int om_metadata(struct buf *out, const struct mfamily *f, size_t famlen)
{
    int rc = 0;
    if (f->help[0] != '\0') {
        rc = buf_add(out, "# HELP ", 7);
        if (rc == 0)
            rc = buf_add(out, f->name, famlen);
        if (rc == 0)
            rc = buf_addc(out, ' ');
        if (rc == 0)
            rc = escape_help_om(out, f->help, strlen(f->help));
        if (rc == 0)
            rc = buf_addc(out, '\n');
    }
    if (rc == 0)
        rc = buf_add(out, "# TYPE ", 7);
    if (rc == 0)
        rc = buf_add(out, f->name, famlen);
    if (rc == 0)
        rc = buf_printf(out, " %s\n", render_type_name(f->type, "unknown"));
    return rc;
}

static int om_family(struct buf *out, const struct mfamily *f)
{
    size_t len = strlen(f->name);
    size_t famlen = len;
    const char *suffix = "";
    size_t shown = 0;
    int rc;

    for (size_t i = 0; i < f->nsamples; i++)
        shown += om_sample_is_shown(f, &f->samples[i]);
    if (shown == 0)
        return 0;
    if (f->type == METRIC_COUNTER) {
        /* The sink guarantees "_total"; a bare name still gets a valid family. */
        if (om_has_total_suffix(f->name, len))
            famlen = len - (sizeof(om_total) - 1);
        else
            suffix = om_total;
    }
    rc = om_metadata(out, f, famlen);
    for (size_t i = 0; i < f->nsamples && rc == 0; i++) {
        const struct msample *s = &f->samples[i];
        if (!om_sample_is_shown(f, s))
            continue;
        if (f->type == METRIC_HISTOGRAM)
            rc = om_histogram(out, f->name, s);
        else
            rc = render_value_line(out, f->name, suffix, s, NULL, s->value);
    }
    return rc;
}

int render_openmetrics(const struct mset *m, struct buf *out)
{
    size_t n = mset_nfamilies(m);
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++)
        rc = om_family(out, mset_family_at(m, i));
    if (rc == 0)
        rc = buf_add(out, "# EOF\n", 6);
    if (rc < 0)
        buf_fini(out);
    return rc;
}
