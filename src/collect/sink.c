/* The sample sink: validation and limits in one place so no collector can emit an invalid
 * name or unbounded series; history inputs and source status ride along for the sampler. */
#include "collect/sink.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "core/banned.h"

#define SINK_MAX_SOURCES 16

struct sample_sink {
    struct mset *m;
    size_t limit;  /* samples the current emitter may still add; 0 = unlimited */
    size_t used;   /* samples added under the current limit */
    size_t dropped;
    double hist[HS_COUNT];
    bool has_hist[HS_COUNT];
    struct {
        const char *name; /* string literal or long-lived string: borrowed */
        bool up;
    } sources[SINK_MAX_SOURCES];
    size_t nsources;
};

struct sample_sink *sink_new(struct mset *m)
{
    struct sample_sink *s = xcalloc(1, sizeof(*s));
    s->m = m;
    return s;
}

void sink_free(struct sample_sink *s)
{
    free(s);
}

void sink_set_limit(struct sample_sink *s, size_t max_samples)
{
    s->limit = max_samples;
    s->used = 0;
}

size_t sink_dropped(const struct sample_sink *s)
{
    return s->dropped;
}

struct mset *sink_mset(struct sample_sink *s)
{
    return s->m;
}

static bool sink_name_ok(const char *n, bool metric)
{
    if (n == NULL || n[0] == '\0')
        return false;
    for (const char *p = n; *p; p++) {
        char c = *p;
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                     (metric && c == ':');
        bool digit = c >= '0' && c <= '9';
        if (!(alpha || (digit && p != n)))
            return false;
    }
    return metric || !(n[0] == '_' && n[1] == '_');
}

static bool sink_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int sink_check(struct sample_sink *s, const char *name, const struct label *labels,
                      size_t nlabels)
{
    if (!sink_name_ok(name, true))
        goto invalid;
    for (size_t i = 0; i < nlabels; i++) {
        if (!sink_name_ok(labels[i].name, false) || labels[i].value == NULL)
            goto invalid;
        for (size_t j = 0; j < i; j++)
            if (strcmp(labels[i].name, labels[j].name) == 0)
                goto invalid;
    }
    if (s->limit != 0 && s->used >= s->limit) {
        s->dropped++;
        return -E2BIG;
    }
    return 0;
invalid:
    s->dropped++;
    return -EINVAL;
}

static int sink_emit(struct sample_sink *s, enum metric_type type, const char *name,
                     const char *help, const struct label *labels, size_t nlabels, double value)
{
    int rc = sink_check(s, name, labels, nlabels);
    if (rc < 0)
        return rc;
    /* Counters end in _total and only they may: both formats derive family names from it. */
    if ((type == METRIC_COUNTER) != sink_has_suffix(name, "_total") ||
        (type == METRIC_COUNTER && (isnan(value) || value < 0))) {
        s->dropped++;
        return -EINVAL;
    }
    struct mfamily *f = NULL;
    rc = mset_family(s->m, name, type, help, &f);
    if (rc < 0) {
        s->dropped++;
        return rc;
    }
    rc = mset_add(s->m, f, labels, nlabels, value);
    if (rc == 0)
        s->used++;
    return rc;
}

int sink_gauge(struct sample_sink *s, const char *name, const char *help,
               const struct label *labels, size_t nlabels, double value)
{
    return sink_emit(s, METRIC_GAUGE, name, help, labels, nlabels, value);
}

int sink_counter(struct sample_sink *s, const char *name, const char *help,
                 const struct label *labels, size_t nlabels, double value)
{
    return sink_emit(s, METRIC_COUNTER, name, help, labels, nlabels, value);
}

int sink_untyped(struct sample_sink *s, const char *name, const char *help,
                 const struct label *labels, size_t nlabels, double value)
{
    return sink_emit(s, METRIC_UNTYPED, name, help, labels, nlabels, value);
}

int sink_histogram(struct sample_sink *s, const char *name, const char *help,
                   const struct label *labels, size_t nlabels, const struct histogram *h)
{
    int rc = sink_check(s, name, labels, nlabels);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < nlabels; i++) {
        if (strcmp(labels[i].name, "le") == 0) {
            s->dropped++;
            return -EINVAL;
        }
    }
    struct mfamily *f = NULL;
    rc = mset_family(s->m, name, METRIC_HISTOGRAM, help, &f);
    if (rc == 0)
        rc = mset_add_histogram(s->m, f, labels, nlabels, h);
    if (rc < 0) {
        s->dropped++;
        return rc;
    }
    s->used++;
    return 0;
}

void sink_history(struct sample_sink *s, enum hist_series id, double value)
{
    if (id < 0 || id >= HS_COUNT)
        return;
    s->hist[id] = value;
    s->has_hist[id] = true;
}

bool sink_history_get(const struct sample_sink *s, enum hist_series id, double *value)
{
    if (id < 0 || id >= HS_COUNT || !s->has_hist[id])
        return false;
    *value = s->hist[id];
    return true;
}

void sink_source(struct sample_sink *s, const char *source, bool up)
{
    for (size_t i = 0; i < s->nsources; i++) {
        if (strcmp(s->sources[i].name, source) == 0) {
            s->sources[i].up = up;
            return;
        }
    }
    if (s->nsources == SINK_MAX_SOURCES)
        return;
    s->sources[s->nsources].name = source;
    s->sources[s->nsources].up = up;
    s->nsources++;
}

size_t sink_source_count(const struct sample_sink *s)
{
    return s->nsources;
}

void sink_source_at(const struct sample_sink *s, size_t i, const char **source, bool *up)
{
    *source = s->sources[i].name;
    *up = s->sources[i].up;
}
