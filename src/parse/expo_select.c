/* The selection layer over parse_expo: wanted names are matched once per family block (cached in
 * select_state), kept samples and their label strings accumulate in capped buffers as offsets,
 * and select_build lays everything out in one allocation with real pointers at the end. */
#include "parse/expo_select.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/strparse.h"
#include "core/xalloc.h"
#include "core/banned.h"

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* is_metric_name checks [a-zA-Z_:][a-zA-Z0-9_:]*, the only names a selection can match. */
static bool is_metric_name(const char *s)
{
    if (s == NULL ||
        !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' || *s == ':'))
        return false;
    for (; *s != '\0'; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == ':'))
            return false;
    }
    return true;
}

/* A kept sample while parsing: labels are offsets into the string arena, fixed up at the end. */
struct raw_kept {
    unsigned want;
    enum expo_role role;
    enum expo_type type;
    unsigned first_label;
    unsigned nlabels;
    double value;
    bool has_ts;
    int64_t ts_ms;
};

struct raw_label {
    size_t name_off;
    size_t value_off;
};

struct select_state {
    const struct expo_select *sel;
    size_t wlen[EXPO_SELECT_MAX];  /* wanted base name length: "_total" stripped */
    size_t wfull[EXPO_SELECT_MAX]; /* wanted name length */
    const char *why;               /* why a callback failed */
    bool found[EXPO_SELECT_MAX];
    bool rejected[EXPO_SELECT_MAX]; /* a family of this name was invalid: none of it is kept */
    enum expo_type types[EXPO_SELECT_MAX];
    int fam_want;        /* want of the current block, -1 when not wanted */
    bool fam_fixed_role; /* untyped block matched by suffix: every sample has fam_role */
    enum expo_role fam_role;
    unsigned max_samples;
    struct buf kept;   /* struct raw_kept[] */
    struct buf labels; /* struct raw_label[] */
    struct buf strings;
    unsigned nkept;
    unsigned nlabels;
};

static size_t base_len(const char *name, size_t n)
{
    return ends_with(name, n, "_total") ? n - 6 : n;
}

/* match_untyped: an untyped block named want or want + a reserved suffix. */
static bool match_untyped(const struct select_state *S, unsigned i, const char *name, size_t n,
                          enum expo_role *role)
{
    static const struct {
        const char *suffix;
        enum expo_role role;
    } suffixes[] = {
        {"_total", EXPO_ROLE_VALUE},   {"_created", EXPO_ROLE_CREATED},
        {"_bucket", EXPO_ROLE_BUCKET}, {"_sum", EXPO_ROLE_SUM},
        {"_count", EXPO_ROLE_COUNT},   {"_gsum", EXPO_ROLE_GSUM},
        {"_gcount", EXPO_ROLE_GCOUNT},
    };
    size_t wl = S->wlen[i];
    if (n == S->wfull[i] && memcmp(name, S->sel->names[i], n) == 0) {
        *role = EXPO_ROLE_VALUE;
        return true;
    }
    if (n < wl || memcmp(name, S->sel->names[i], wl) != 0)
        return false;
    for (size_t k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
        if (sp_word_eq(name + wl, n - wl, suffixes[k].suffix)) {
            *role = suffixes[k].role;
            return true;
        }
    }
    return false;
}

static int select_family(void *cls, const struct expo_family *f)
{
    struct select_state *S = cls;
    size_t n = strlen(f->name);
    S->fam_want = -1;
    S->fam_fixed_role = false;
    for (unsigned i = 0; i < S->sel->nnames; i++) {
        if (f->type == EXPO_TYPE_UNTYPED) {
            if (!match_untyped(S, i, f->name, n, &S->fam_role))
                continue;
            S->fam_fixed_role = true;
        } else {
            size_t bl = f->type == EXPO_TYPE_COUNTER ? base_len(f->name, n) : n;
            bool exact = n == S->wfull[i] && memcmp(f->name, S->sel->names[i], n) == 0;
            if (!exact && (bl != S->wlen[i] || memcmp(f->name, S->sel->names[i], bl) != 0))
                continue;
        }
        S->fam_want = (int)i;
        S->found[i] = true;
        if (S->types[i] == EXPO_TYPE_UNTYPED)
            S->types[i] = f->type;
        break;
    }
    return 0;
}

static int select_keep(struct select_state *S, const struct raw_kept *k,
                       const struct expo_sample *s)
{
    for (unsigned i = 0; i < s->nlabels; i++) {
        struct raw_label l = {.name_off = buf_len(&S->strings)};
        int rc = buf_add(&S->strings, s->labels[i].name, strlen(s->labels[i].name) + 1);
        if (rc < 0)
            return rc;
        l.value_off = buf_len(&S->strings);
        rc = buf_add(&S->strings, s->labels[i].value, strlen(s->labels[i].value) + 1);
        if (rc < 0)
            return rc;
        rc = buf_add(&S->labels, &l, sizeof(l));
        if (rc < 0)
            return rc;
        S->nlabels++;
    }
    S->nkept++;
    return buf_add(&S->kept, k, sizeof(*k));
}

/* select_invalid drops the wanted family of an invalid block: what was kept of it (also from
 * an earlier block of the same name) is left out when the set is built. */
static int select_invalid(void *cls, const struct expo_family *f, enum expo_reason why,
                          unsigned line)
{
    struct select_state *S = cls;
    (void)f;
    (void)why;
    (void)line;
    if (S->fam_want >= 0)
        S->rejected[S->fam_want] = true;
    return 0;
}

static int select_sample(void *cls, const struct expo_family *f, const struct expo_sample *s)
{
    struct select_state *S = cls;
    if (S->fam_want < 0 || S->rejected[S->fam_want])
        return 0;
    enum expo_role role = S->fam_fixed_role ? S->fam_role : s->role;
    if (role == EXPO_ROLE_CREATED)
        return 0;
    if (S->nkept >= S->max_samples) {
        S->why = "selected samples exceed max_samples";
        return -E2BIG;
    }
    struct raw_kept k = {
        .want = (unsigned)S->fam_want,
        .role = role,
        .type = f->type,
        .first_label = S->nlabels,
        .nlabels = s->nlabels,
        .value = s->value,
        .has_ts = s->has_ts,
        .ts_ms = s->ts_ms,
    };
    int rc = select_keep(S, &k, s);
    if (rc < 0)
        S->why = "selected label bytes exceed max_bytes";
    return rc;
}

/* select_build lays the set, its samples, labels and strings out in one allocation. */
static struct expo_set *select_build(const struct select_state *S)
{
    size_t off_kept = sizeof(struct expo_set);
    size_t off_labels = off_kept + (size_t)S->nkept * sizeof(struct expo_kept);
    size_t off_strings = off_labels + (size_t)S->nlabels * sizeof(struct expo_label);
    char *mem = xcalloc(1, off_strings + buf_len(&S->strings) + 1);
    struct expo_set *set = (struct expo_set *)mem;
    struct expo_kept *kept = (struct expo_kept *)(mem + off_kept);
    struct expo_label *labels = (struct expo_label *)(mem + off_labels);
    char *strings = mem + off_strings;
    memcpy(strings, buf_ptr(&S->strings), buf_len(&S->strings));
    const struct raw_label *rl = (const struct raw_label *)buf_ptr(&S->labels);
    for (unsigned i = 0; i < S->nlabels; i++) {
        labels[i].name = strings + rl[i].name_off;
        labels[i].value = strings + rl[i].value_off;
    }
    const struct raw_kept *rk = (const struct raw_kept *)buf_ptr(&S->kept);
    unsigned n = 0;
    for (unsigned i = 0; i < S->nkept; i++) {
        if (S->rejected[rk[i].want])
            continue;
        kept[n++] = (struct expo_kept){
            .want = rk[i].want,
            .role = rk[i].role,
            .type = rk[i].type,
            .labels = rk[i].nlabels != 0 ? labels + rk[i].first_label : NULL,
            .nlabels = rk[i].nlabels,
            .value = rk[i].value,
            .has_ts = rk[i].has_ts,
            .ts_ms = rk[i].ts_ms,
        };
    }
    set->nsamples = n;
    set->samples = kept;
    set->nwants = S->sel->nnames;
    memcpy(set->found, S->found, sizeof(set->found));
    memcpy(set->rejected, S->rejected, sizeof(set->rejected));
    memcpy(set->types, S->types, sizeof(set->types));
    return set;
}

int parse_expo_select(const char *body, size_t len, enum expo_format fmt,
                      const struct expo_select *sel, struct expo_set **out, struct parse_err *err)
{
    if (sel == NULL || sel->nnames == 0 || sel->nnames > EXPO_SELECT_MAX || sel->names == NULL)
        return -EINVAL;
    for (unsigned i = 0; i < sel->nnames; i++) {
        if (!is_metric_name(sel->names[i]))
            return -EINVAL;
    }
    struct select_state S;
    memset(&S, 0, sizeof(S));
    S.sel = sel;
    S.fam_want = -1;
    S.max_samples = sel->max_samples != 0 ? sel->max_samples : 4096;
    size_t max_bytes = sel->max_bytes != 0 ? sel->max_bytes : (size_t)1 << 20;
    for (unsigned i = 0; i < sel->nnames; i++) {
        S.wfull[i] = strlen(sel->names[i]);
        S.wlen[i] = base_len(sel->names[i], S.wfull[i]);
    }
    buf_init(&S.kept, (size_t)S.max_samples * sizeof(struct raw_kept));
    /* Every kept label costs at least two bytes of strings (its NULs). */
    buf_init(&S.labels, (max_bytes / 2 + 1) * sizeof(struct raw_label));
    buf_init(&S.strings, max_bytes);
    struct expo_callbacks cb = {
        .family = select_family, .sample = select_sample, .invalid = select_invalid};
    struct expo_stats stats;
    struct parse_err perr = {0};
    int rc = parse_expo(body, len, fmt, &sel->limits, &cb, &S, &stats, &perr);
    if (rc < 0 && S.why != NULL)
        perr.what = S.why;
    if (rc < 0) {
        if (err != NULL)
            *err = perr;
        goto out;
    }
    struct expo_set *set = select_build(&S);
    set->stats = stats;
    set->format = fmt;
    *out = set;
out:
    buf_fini(&S.strings);
    buf_fini(&S.labels);
    buf_fini(&S.kept);
    return rc;
}

void expo_set_free(struct expo_set *s)
{
    free(s);
}

const char *expo_kept_label(const struct expo_kept *k, const char *name)
{
    for (unsigned i = 0; i < k->nlabels; i++) {
        if (strcmp(k->labels[i].name, name) == 0)
            return k->labels[i].value;
    }
    return NULL;
}
