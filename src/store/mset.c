/* Metric set storage: families in a growable array with a small open-addressing index by name,
 * strings copied into an arena freed in one go with the set. */
#include "store/mset.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct mset {
    struct mfamily **fams;
    size_t nfams;
    size_t capfams;
    size_t *index; /* open addressing: family position + 1, 0 = empty */
    size_t index_cap;
    struct arena arena; /* strings, samples' labels, histograms */
};

struct mset *mset_new(void)
{
    struct mset *m = xcalloc(1, sizeof(struct mset));
    arena_init(&m->arena, 16384);
    return m;
}

void mset_free(struct mset *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->nfams; i++)
        free(m->fams[i]->samples);
    free(m->fams);
    free(m->index);
    arena_fini(&m->arena);
    free(m);
}

static size_t mset_hash(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static size_t *mset_slot(const struct mset *m, const char *name)
{
    if (m->index_cap == 0)
        return NULL;
    size_t mask = m->index_cap - 1;
    for (size_t i = mset_hash(name) & mask;; i = (i + 1) & mask) {
        size_t v = m->index[i];
        if (v == 0 || strcmp(m->fams[v - 1]->name, name) == 0)
            return &m->index[i];
    }
}

/* mset_slot_for_insert is mset_slot on an index known to exist (after mset_reindex). */
static size_t *mset_slot_for_insert(const struct mset *m, const char *name)
{
    size_t *slot = mset_slot(m, name);
    RIZK_ASSERT(slot != NULL);
    return slot;
}

static void mset_reindex(struct mset *m)
{
    free(m->index);
    m->index_cap = m->index_cap ? m->index_cap * 2 : 64;
    m->index = xcalloc(m->index_cap, sizeof(size_t));
    for (size_t i = 0; i < m->nfams; i++)
        *mset_slot_for_insert(m, m->fams[i]->name) = i + 1;
}

const struct mfamily *mset_find(const struct mset *m, const char *name)
{
    size_t *slot = mset_slot(m, name);
    return (slot != NULL && *slot != 0) ? m->fams[*slot - 1] : NULL;
}

int mset_family(struct mset *m, const char *name, enum metric_type type, const char *help,
                struct mfamily **out)
{
    size_t *slot = mset_slot(m, name);
    if (slot != NULL && *slot != 0) {
        struct mfamily *f = m->fams[*slot - 1];
        if (f->type != type)
            return -EINVAL;
        *out = f;
        return 0;
    }
    if ((m->nfams + 1) * 2 > m->index_cap)
        mset_reindex(m);
    if (m->nfams == m->capfams) {
        m->capfams = m->capfams ? m->capfams * 2 : 32;
        m->fams = xreallocarray(m->fams, m->capfams, sizeof(*m->fams));
    }
    struct mfamily *f = arena_alloc(&m->arena, sizeof(*f));
    memset(f, 0, sizeof(*f));
    f->name = arena_strdup(&m->arena, name);
    f->help = arena_strdup(&m->arena, help ? help : "");
    f->type = type;
    m->fams[m->nfams++] = f;
    *mset_slot_for_insert(m, name) = m->nfams;
    *out = f;
    return 0;
}

static struct msample *mset_push(struct mset *m, struct mfamily *f, const struct label *labels,
                                 size_t nlabels)
{
    if (f->nsamples == f->_cap) {
        f->_cap = f->_cap ? f->_cap * 2 : 4;
        f->samples = xreallocarray(f->samples, f->_cap, sizeof(*f->samples));
    }
    struct msample *s = &f->samples[f->nsamples++];
    memset(s, 0, sizeof(*s));
    if (nlabels > 0) {
        s->labels = arena_alloc(&m->arena, nlabels * sizeof(struct label));
        for (size_t i = 0; i < nlabels; i++) {
            s->labels[i].name = arena_strdup(&m->arena, labels[i].name);
            s->labels[i].value = arena_strdup(&m->arena, labels[i].value);
        }
    }
    s->nlabels = nlabels;
    return s;
}

int mset_add(struct mset *m, struct mfamily *f, const struct label *labels, size_t nlabels,
             double value)
{
    if (f->type == METRIC_HISTOGRAM)
        return -EINVAL;
    struct msample *s = mset_push(m, f, labels, nlabels);
    s->value = value;
    return 0;
}

static bool mset_native_valid(const struct native_bucket *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i].index > HISTOGRAM_INDEX_LIMIT || b[i].index < -HISTOGRAM_INDEX_LIMIT)
            return false;
        if (i > 0 && b[i].index <= b[i - 1].index)
            return false;
    }
    return true;
}

static const struct native_bucket *mset_copy_native(struct mset *m, const struct native_bucket *b,
                                                    size_t n)
{
    if (n == 0)
        return NULL;
    struct native_bucket *c = arena_alloc(&m->arena, n * sizeof(*c));
    memcpy(c, b, n * sizeof(*c));
    return c;
}

int mset_add_histogram(struct mset *m, struct mfamily *f, const struct label *labels,
                       size_t nlabels, const struct histogram *h)
{
    if (f->type != METRIC_HISTOGRAM)
        return -EINVAL;
    for (size_t i = 1; i < h->nbuckets; i++)
        if (!(h->bounds[i] > h->bounds[i - 1]))
            return -EINVAL;
    if (h->has_native) {
        if (h->schema < HISTOGRAM_SCHEMA_MIN || h->schema > HISTOGRAM_SCHEMA_MAX)
            return -EINVAL;
        if (!(h->zero_threshold >= 0))
            return -EINVAL;
        if (!mset_native_valid(h->positive, h->npositive) ||
            !mset_native_valid(h->negative, h->nnegative))
            return -EINVAL;
    }
    struct msample *s = mset_push(m, f, labels, nlabels);
    struct histogram *c = arena_alloc(&m->arena, sizeof(*c));
    memset(c, 0, sizeof(*c));
    c->nbuckets = h->nbuckets;
    c->count = h->count;
    c->sum = h->sum;
    c->bounds = arena_alloc(&m->arena, h->nbuckets * sizeof(double) + 1);
    c->counts = arena_alloc(&m->arena, h->nbuckets * sizeof(uint64_t) + 1);
    if (h->nbuckets > 0) {
        memcpy(c->bounds, h->bounds, h->nbuckets * sizeof(double));
        memcpy(c->counts, h->counts, h->nbuckets * sizeof(uint64_t));
    }
    if (h->has_native) {
        c->has_native = true;
        c->schema = h->schema;
        c->zero_threshold = h->zero_threshold;
        c->zero_count = h->zero_count;
        c->npositive = h->npositive;
        c->positive = mset_copy_native(m, h->positive, h->npositive);
        c->nnegative = h->nnegative;
        c->negative = mset_copy_native(m, h->negative, h->nnegative);
    }
    s->histo = c;
    return 0;
}

size_t mset_nfamilies(const struct mset *m)
{
    return m->nfams;
}

const struct mfamily *mset_family_at(const struct mset *m, size_t i)
{
    RIZK_ASSERT(i < m->nfams);
    return m->fams[i];
}

size_t mset_nsamples(const struct mset *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nfams; i++)
        n += m->fams[i]->nsamples;
    return n;
}
