/* Prometheus text 0.0.4 / OpenMetrics 1.0 parser: one pass over the lines, each line parsed on
 * its own into a fixed scratch area (so a label pointer stays valid for the whole callback), and
 * only the current family block kept as state, plus what the validity rules need to remember:
 * - a hash set of the sample names every closed family reserves (clashes, reopened blocks);
 * - per family, a table of its series groups (a group is a series without le/quantile/state:
 *   one histogram, one summary) holding the running bucket, quantile and timestamp checks;
 * - in 0.0.4, a hash set of whole series (a series may appear once).
 * Sets are bounded; past their caps the checks they feed stop (counted nowhere, a floor). */
#include "parse/expo.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/strparse.h"
#include "core/xalloc.h"
#include "core/banned.h"

#define SEEN_SLOTS_MAX 65536u   /* reserved sample names; power of two, tracked up to 3/4 */
#define GROUP_SLOTS_MAX 8192u   /* series groups of one family; power of two, up to 3/4 */
#define SERIES_SLOTS_MAX 65536u /* 0.0.4 series of the body; power of two, up to 3/4 */
#define EXEMPLAR_RUNES_MAX 128u /* OM: code points of an exemplar's label names and values */

/* Group flags. */
enum {
    G_TS = 1u << 0,         /* the group's last sample had a timestamp */
    G_BUCKETS = 1u << 1,    /* a bucket seen in the current point */
    G_INF = 1u << 2,        /* the +Inf bucket seen */
    G_COUNT = 1u << 3,      /* _count or _gcount seen */
    G_SUM = 1u << 4,        /* _sum seen */
    G_GSUM = 1u << 5,       /* _gsum seen */
    G_NEG_BUCKET = 1u << 6, /* a bucket with a negative le */
    G_NEG_GSUM = 1u << 7,   /* a negative _gsum */
    G_QUANTILE = 1u << 8,   /* a quantile seen (0.0.4 order check) */
    G_ANY = 1u << 9,        /* the group has had a sample */
};

struct group {
    uint64_t key; /* 0: free slot */
    unsigned gen; /* family seq + 1 when in use by the current family */
    unsigned flags;
    unsigned line; /* last line of the group, for the end-of-point checks */
    double last_le, last_bucket, inf_value, count, last_q;
    double ts; /* seconds (OM) or ms (0.0.4) of the last sample */
};

/* The current family block. Buffers hold the longest line + 1 bytes: any name or text fits. */
struct fam_state {
    char *name;
    size_t name_len;
    char *help;
    char *unit;
    size_t unit_len;
    bool has_help, has_unit;
    enum expo_type type;
    bool typed;
    bool open;
    bool announced;
    bool has_samples;
    bool invalid;         /* judged invalid: samples no longer delivered */
    bool invalid_pending; /* the invalid callback is still owed */
    enum expo_reason invalid_why;
    unsigned invalid_line;
    unsigned seq;
    unsigned last_line; /* the block's last line, where end-of-block findings are reported */
    uint64_t cur_group; /* key of the group of the previous sample (0: none) */
    unsigned ngroups;   /* entries of group_list in use */
};

/* A set of nonzero 64-bit hashes, open addressing, doubled when 3/4 full up to max slots; past
 * that it stops growing and stops adding (its checks then become a floor). */
struct hset {
    uint64_t *v;
    unsigned mask;
    unsigned n;
    unsigned max;
};

struct parser {
    const char *body;
    enum expo_format fmt;
    bool om;
    unsigned max_labels;
    size_t max_line;
    unsigned max_samples;
    const struct expo_callbacks *cb;
    void *cls;
    struct expo_stats st;
    unsigned line;          /* 1-based number of the line being parsed */
    const char *line_start; /* its first byte, for columns */
    unsigned good;          /* valid sample and metadata lines */
    struct fam_state fam;
    char *scratch; /* unescaped names and values of the current line */
    struct expo_label *labels;
    uint64_t *lhash;      /* label_hash of each label of the current sample */
    struct hset seen;     /* hashes of sample names reserved by closed families */
    struct group *groups; /* the current family's groups, by key */
    unsigned groups_mask;
    unsigned *group_list; /* their slots, for the end-of-family checks */
    struct hset series;   /* 0.0.4: hashes of the series seen */
    struct parse_err fatal;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *q, const char *e)
{
    while (q < e && is_blank(*q))
        q++;
    return q;
}

/* sep skips the separator between two tokens: exactly one space in OM, any run of blanks in
 * 0.0.4. NULL when there is none (or, in OM, when it is not a single space). */
static const char *sep(const struct parser *P, const char *q, const char *e)
{
    if (q >= e || !is_blank(*q))
        return NULL;
    if (P->om)
        return *q == ' ' && (q + 1 >= e || !is_blank(q[1])) ? q + 1 : NULL;
    return skip_blanks(q, e);
}

/* Character classes of names, by table: the name scans are a tenth of the parse. */
enum { C_START = 1, C_CHAR = 2, C_COLON = 4 };
#define C_LETTER (C_START | C_CHAR)
static const unsigned char name_class[256] = {
    ['0' ... '9'] = C_CHAR, ['a' ... 'z'] = C_LETTER, ['A' ... 'Z'] = C_LETTER,
    ['_'] = C_LETTER,       [':'] = C_COLON,
};

static bool is_name_start(char c)
{
    return (name_class[(unsigned char)c] & C_START) != 0;
}

static bool is_name_char(char c)
{
    return (name_class[(unsigned char)c] & C_CHAR) != 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* scan_metric_name returns the length of the metric name at q ([a-zA-Z_:][a-zA-Z0-9_:]*), 0 when
 * there is none. */
static size_t scan_metric_name(const char *q, const char *e)
{
    const char *s = q;
    if (q >= e || (name_class[(unsigned char)*q] & (C_START | C_COLON)) == 0)
        return 0;
    while (q < e && (name_class[(unsigned char)*q] & (C_CHAR | C_COLON)) != 0)
        q++;
    return (size_t)(q - s);
}

static size_t scan_label_name(const char *q, const char *e)
{
    const char *s = q;
    if (q >= e || !is_name_start(*q))
        return 0;
    while (q < e && is_name_char(*q))
        q++;
    return (size_t)(q - s);
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* ---- numbers ---- */

static bool word_ci(const char *q, const char *e, const char *w, size_t n)
{
    return (size_t)(e - q) >= n && strncasecmp(q, w, n) == 0;
}

/* om_real scans the OM ABNF realnumber at q: [sign] digits with an optional '.' and exponent.
 * Returns its end, or NULL. */
static const char *om_real(const char *q, const char *e)
{
    if (q < e && (*q == '+' || *q == '-'))
        q++;
    const char *d = q;
    while (q < e && is_digit(*q))
        q++;
    bool int_digits = q > d;
    bool frac_digits = false;
    if (q < e && *q == '.') {
        q++;
        const char *f = q;
        while (q < e && is_digit(*q))
            q++;
        frac_digits = q > f;
    }
    if (!int_digits && !frac_digits)
        return NULL;
    if (q < e && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < e && (*q == '+' || *q == '-'))
            q++;
        const char *x = q;
        while (q < e && is_digit(*q))
            q++;
        if (q == x)
            return NULL;
    }
    return q;
}

/* om_number scans an OM number (realnumber, [sign] inf/infinity, nan; case-insensitive) ending
 * at a separator or the end of the line; special is false for timestamps (realnumber only). */
static const char *om_number(const char *q, const char *e, bool special, double *v)
{
    const char *s = q;
    const char *end = om_real(q, e);
    if (end == NULL && special) {
        const char *w = q;
        if (w < e && (*w == '+' || *w == '-'))
            w++;
        if (word_ci(w, e, "infinity", 8))
            end = w + 8;
        else if (word_ci(w, e, "inf", 3))
            end = w + 3;
        else if (w == q && word_ci(w, e, "nan", 3))
            end = w + 3;
        if (end != NULL) {
            *v = (end - w == 3 && (*w == 'n' || *w == 'N')) ? NAN
                 : *s == '-'                                ? -INFINITY
                                                            : INFINITY;
            return end < e && !is_blank(*end) ? NULL : end;
        }
    }
    if (end == NULL || (end < e && !is_blank(*end)))
        return NULL;
    /* The grammar is a subset of strtod's decimal one: strtod stops exactly at end. */
    char *stop = NULL;
    *v = strtod(s, &stop);
    return stop == end ? end : NULL;
}

/* fast_decimal reads the common case, [sign] digits [. digits] with at most 15 digits and no
 * exponent, ending at a blank or the end: the digits as an integer below 2^53 divided by a power
 * of ten up to 1e15, both exact doubles, so IEEE division rounds exactly as strtod does. NULL
 * when the token is anything else (the caller then takes the general path). */
static const char *fast_decimal(const char *q, const char *e, double *v)
{
    static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    bool neg = false;
    if (q < e && (*q == '-' || *q == '+')) {
        neg = *q == '-';
        q++;
    }
    uint64_t m = 0;
    const char *d = q;
    while (q < e && is_digit(*q))
        m = m * 10 + (uint64_t)(*q++ - '0');
    unsigned digits = (unsigned)(q - d), frac = 0;
    if (q < e && *q == '.') {
        const char *f = ++q;
        while (q < e && is_digit(*q))
            m = m * 10 + (uint64_t)(*q++ - '0');
        frac = (unsigned)(q - f);
        digits += frac;
    }
    if (digits > 15)
        return NULL;
    if (digits == 0 || (q < e && !is_blank(*q)))
        return NULL;
    double x = (double)m / pow10[frac];
    *v = neg ? -x : x;
    return q;
}

/* number reads a sample value: the OM grammar, or Go's ParseFloat decimal syntax in 0.0.4. */
static const char *number(const struct parser *P, const char *q, const char *e, double *v)
{
    const char *end = fast_decimal(q, e, v);
    if (end != NULL)
        return end;
    if (P->om)
        return om_number(q, e, true, v);
    const char *p = q;
    if (sp_double(&p, v) < 0 || (p < e && !is_blank(*p)))
        return NULL;
    return p;
}

/* ---- reporting ---- */

static void set_pos(struct parse_err *e, const struct parser *P, const char *at, const char *what)
{
    e->line = P->line;
    e->col = (unsigned)(at - P->line_start) + 1;
    e->what = what;
}

/* violation counts one broken rule. fam: it belongs to the open family block, which becomes
 * invalid (the callback is made when the line is done). */
static void violation(struct parser *P, const char *at, enum expo_reason r, const char *what,
                      bool fam)
{
    if (P->st.malformed++ == 0)
        set_pos(&P->st.first_malformed, P, at, what);
    if (P->st.reasons[r]++ == 0)
        set_pos(&P->st.reason_first[r], P, at, what);
    if (fam && P->fam.open && !P->fam.invalid) {
        P->fam.invalid = true;
        P->fam.invalid_pending = true;
        P->fam.invalid_why = r;
        P->fam.invalid_line = P->line;
        P->st.families_invalid++;
    }
}

static int fatal(struct parser *P, const char *at, int rc, const char *what)
{
    set_pos(&P->fatal, P, at, what);
    return rc;
}

/* ---- hashing and sets ---- */

#define FNV_SEED 14695981039346656037ull

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h != 0 ? h : 1;
}

/* hash_bytes: a word at a time, for the per-sample keys (FNV's byte loop was a tenth of the
 * parse). The last word is read whole and masked: s must be followed by 8 readable bytes,
 * which the scratch area (zeroed, twice the longest line + 16) guarantees for what is hashed.
 * Not streaming: hash_bytes(a) then b differs from hash_bytes(ab). */
static uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (i < n) {
        memcpy(&w, s + i, 8);
        w &= ~0ull >> (8 * (8 - (n - i))); /* keep the n - i low bytes */
    }
#else
    for (unsigned sh = 0; i < n; i++, sh += 8)
        w |= (uint64_t)(unsigned char)s[i] << sh;
#endif
    h = (h ^ w ^ ((uint64_t)n << 56)) * k;
    return h ^ (h >> 32);
}

/* name_hash hashes name + suffix as one string, assembled in the family's name buffer, which
 * has room for the longest suffix and the 8 bytes hash_bytes may read past it. */
static uint64_t name_hash(char *name, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    memcpy(name + n, suffix, k + 1);
    uint64_t h = mix(hash_bytes(FNV_SEED, name, n + k));
    name[n] = '\0';
    return h;
}

static void hset_init(struct hset *s, unsigned slots, unsigned max)
{
    s->v = xcalloc(slots, sizeof(*s->v));
    s->mask = slots - 1;
    s->n = 0;
    s->max = max;
}

static bool set_has(const struct hset *s, uint64_t h)
{
    for (unsigned i = (unsigned)h & s->mask;; i = (i + 1) & s->mask) {
        if (s->v[i] == 0)
            return false;
        if (s->v[i] == h)
            return true;
    }
}

static void hset_put(struct hset *s, uint64_t h)
{
    unsigned i = (unsigned)h & s->mask;
    while (s->v[i] != 0)
        i = (i + 1) & s->mask;
    s->v[i] = h;
    s->n++;
}

/* set_add returns false when h was there already (one probe: found, or the free slot). */
static bool set_add(struct hset *s, uint64_t h)
{
    unsigned i = (unsigned)h & s->mask;
    for (; s->v[i] != 0; i = (i + 1) & s->mask) {
        if (s->v[i] == h)
            return false;
    }
    if (s->n < (s->mask + 1) / 4 * 3) {
        s->v[i] = h;
        s->n++;
        return true;
    }
    if (s->mask + 1 >= s->max)
        return true; /* full: stop tracking */
    struct hset big;
    hset_init(&big, (s->mask + 1) * 2, s->max);
    for (unsigned k = 0; k <= s->mask; k++) {
        if (s->v[k] != 0)
            hset_put(&big, s->v[k]);
    }
    free(s->v);
    *s = big;
    hset_put(s, h);
    return true;
}

/* ---- family blocks ---- */

static void fam_view(const struct parser *P, struct expo_family *f)
{
    f->name = P->fam.name;
    f->type = P->fam.type;
    f->typed = P->fam.typed;
    f->help = P->fam.has_help ? P->fam.help : NULL;
    f->unit = P->fam.has_unit && P->fam.unit_len > 0 ? P->fam.unit : NULL;
    f->seq = P->fam.seq;
}

static int fam_announce(struct parser *P)
{
    if (P->fam.announced)
        return 0;
    P->fam.announced = true;
    if (P->cb->family == NULL)
        return 0;
    struct expo_family f;
    fam_view(P, &f);
    return P->cb->family(P->cls, &f);
}

/* fam_flush makes the invalid callback a block is owed. */
static int fam_flush(struct parser *P)
{
    if (!P->fam.invalid_pending)
        return 0;
    P->fam.invalid_pending = false;
    int rc = fam_announce(P);
    if (rc == 0 && P->cb->invalid != NULL) {
        struct expo_family f;
        fam_view(P, &f);
        rc = P->cb->invalid(P->cls, &f, P->fam.invalid_why, P->fam.invalid_line);
    }
    return rc;
}

/* The sample names a family of this type may write, beside its own name (OM section "Text
 * format", the python parser's type_suffixes; in 0.0.4 a counter is written under its name). */
static const char *const *reserved_suffixes(const struct parser *P, enum expo_type t)
{
    static const char *const counter_om[] = {"_total", "_created", NULL};
    static const char *const histogram_om[] = {"_bucket", "_sum", "_count", "_created", NULL};
    static const char *const histogram[] = {"_bucket", "_sum", "_count", NULL};
    static const char *const gaugehistogram[] = {"_bucket", "_gsum", "_gcount", NULL};
    static const char *const summary_om[] = {"_sum", "_count", "_created", NULL};
    static const char *const summary[] = {"_sum", "_count", NULL};
    static const char *const info[] = {"_info", NULL};
    static const char *const none[] = {NULL};
    /* 0.0.4 has no _created: client libraries write it as a gauge family of its own. */
    switch (t) {
    case EXPO_TYPE_COUNTER:
        return P->om ? counter_om : none;
    case EXPO_TYPE_HISTOGRAM:
        return P->om ? histogram_om : histogram;
    case EXPO_TYPE_GAUGEHISTOGRAM:
        return gaugehistogram;
    case EXPO_TYPE_SUMMARY:
        return P->om ? summary_om : summary;
    case EXPO_TYPE_INFO:
        return info;
    default:
        return none;
    }
}

static struct group *group_at(struct parser *P, unsigned slot)
{
    return &P->groups[slot];
}

/* group_end runs the checks that need a whole histogram point (+Inf, _count, sums). */
static void group_end(struct parser *P, struct group *g)
{
    enum expo_type t = P->fam.type;
    if ((g->flags & G_ANY) == 0 || (t != EXPO_TYPE_HISTOGRAM && t != EXPO_TYPE_GAUGEHISTOGRAM))
        return;
    unsigned saved = P->line;
    P->line = g->line;
    const char *at = P->line_start;
    if ((g->flags & G_INF) == 0)
        violation(P, at, EXPO_REASON_HISTOGRAM, "histogram without a +Inf bucket", true);
    else if ((g->flags & G_COUNT) != 0 && g->count != g->inf_value)
        violation(P, at, EXPO_REASON_HISTOGRAM, "_count differs from the +Inf bucket", true);
    if (P->om) {
        bool sum = (g->flags & (G_SUM | G_GSUM)) != 0, count = (g->flags & G_COUNT) != 0;
        if (sum != count)
            violation(P, at, EXPO_REASON_HISTOGRAM,
                      sum ? "_sum without _count" : "_count without _sum", true);
        if ((g->flags & G_NEG_BUCKET) != 0 && (g->flags & G_SUM) != 0)
            violation(P, at, EXPO_REASON_HISTOGRAM, "_sum with negative buckets", true);
        if ((g->flags & G_NEG_BUCKET) == 0 && (g->flags & G_NEG_GSUM) != 0)
            violation(P, at, EXPO_REASON_HISTOGRAM, "negative _gsum without negative buckets",
                      true);
    }
    P->line = saved;
}

static void group_reset_point(struct group *g)
{
    g->flags &= G_TS | G_ANY;
    g->last_bucket = 0;
    g->count = 0;
}

/* fam_close ends the current block: the end-of-block checks, the owed callbacks (a block that
 * only had metadata is announced now), and its names reserved. */
static int fam_close(struct parser *P)
{
    if (!P->fam.open)
        return 0;
    if (!P->fam.invalid) {
        for (unsigned i = 0; i < P->fam.ngroups; i++)
            group_end(P, group_at(P, P->group_list[i]));
    }
    const char *at = P->line_start;
    unsigned saved = P->line;
    P->line = P->fam.last_line;
    if (P->om && P->fam.has_unit && P->fam.unit_len > 0) {
        if (P->fam.type == EXPO_TYPE_INFO || P->fam.type == EXPO_TYPE_STATESET)
            violation(P, at, EXPO_REASON_UNIT, "a unit on an info or stateset family", true);
        else if (P->fam.name_len <= P->fam.unit_len ||
                 !ends_with(P->fam.name, P->fam.name_len, P->fam.unit) ||
                 P->fam.name[P->fam.name_len - P->fam.unit_len - 1] != '_')
            violation(P, at, EXPO_REASON_UNIT, "the unit is not a suffix of the family name", true);
    }
    /* Clashing names: a name this family may write that an earlier one reserved. The first
     * of the pair was already delivered; the caller drops the family by name. */
    const char *const *suf = reserved_suffixes(P, P->fam.type);
    bool clash = false;
    uint64_t own = name_hash(P->fam.name, P->fam.name_len, "");
    if (set_has(&P->seen, own))
        clash = true;
    for (unsigned i = 0; !clash && suf[i] != NULL; i++)
        clash = set_has(&P->seen, name_hash(P->fam.name, P->fam.name_len, suf[i]));
    /* 0.0.4 forbids a second HELP or TYPE for a name; a block of samples only that comes back
     * (untyped x_bucket/x_sum/x_count lines by series) is taken, as Prometheus takes it. */
    if (clash && (P->om || P->fam.typed || P->fam.has_help))
        violation(P, at, EXPO_REASON_GROUPING, "family name clashes with an earlier family", true);
    P->line = saved;
    set_add(&P->seen, own);
    for (unsigned i = 0; suf[i] != NULL; i++)
        set_add(&P->seen, name_hash(P->fam.name, P->fam.name_len, suf[i]));
    int rc = fam_announce(P);
    if (rc == 0)
        rc = fam_flush(P);
    P->fam.open = false;
    return rc;
}

static int fam_open(struct parser *P, const char *name, size_t n)
{
    int rc = fam_close(P);
    if (rc < 0)
        return rc;
    memcpy(P->fam.name, name, n);
    P->fam.name[n] = '\0';
    if (set_has(&P->seen, name_hash(P->fam.name, n, "")))
        P->st.reopened++;
    P->fam.name_len = n;
    P->fam.has_help = false;
    P->fam.has_unit = false;
    P->fam.unit_len = 0;
    P->fam.type = EXPO_TYPE_UNTYPED;
    P->fam.typed = false;
    P->fam.open = true;
    P->fam.announced = false;
    P->fam.has_samples = false;
    P->fam.invalid = false;
    P->fam.invalid_pending = false;
    P->fam.cur_group = 0;
    P->fam.ngroups = 0;
    P->fam.last_line = P->line;
    P->fam.seq = P->st.families++;
    return 0;
}

static bool fam_is(const struct parser *P, const char *name, size_t n)
{
    return P->fam.open && P->fam.name_len == n && memcmp(P->fam.name, name, n) == 0;
}

/* role_in_family tells whether a sample name belongs to the open block, and as what. In OM the
 * family's type fixes its sample names (a counter writes x_total and x_created, never x); 0.0.4
 * names the sample like the family, and both counter spellings are taken there. */
static bool role_in_family(const struct parser *P, const char *n, size_t len, enum expo_role *role)
{
    static const struct {
        const char *suffix;
        enum expo_role role;
        unsigned types; /* bit per enum expo_type */
    } suffixes[] = {
        {"_total", EXPO_ROLE_VALUE, 1u << EXPO_TYPE_COUNTER},
        {"_created", EXPO_ROLE_CREATED,
         1u << EXPO_TYPE_COUNTER | 1u << EXPO_TYPE_HISTOGRAM | 1u << EXPO_TYPE_SUMMARY},
        {"_bucket", EXPO_ROLE_BUCKET, 1u << EXPO_TYPE_HISTOGRAM | 1u << EXPO_TYPE_GAUGEHISTOGRAM},
        {"_sum", EXPO_ROLE_SUM, 1u << EXPO_TYPE_HISTOGRAM | 1u << EXPO_TYPE_SUMMARY},
        {"_count", EXPO_ROLE_COUNT, 1u << EXPO_TYPE_HISTOGRAM | 1u << EXPO_TYPE_SUMMARY},
        {"_gsum", EXPO_ROLE_GSUM, 1u << EXPO_TYPE_GAUGEHISTOGRAM},
        {"_gcount", EXPO_ROLE_GCOUNT, 1u << EXPO_TYPE_GAUGEHISTOGRAM},
        {"_info", EXPO_ROLE_VALUE, 1u << EXPO_TYPE_INFO},
    };
    /* OM types whose value sample carries a suffix: the bare name is not theirs. */
    static const unsigned om_no_bare = 1u << EXPO_TYPE_COUNTER | 1u << EXPO_TYPE_HISTOGRAM |
                                       1u << EXPO_TYPE_GAUGEHISTOGRAM | 1u << EXPO_TYPE_INFO;
    if (!P->fam.open || len < P->fam.name_len || memcmp(n, P->fam.name, P->fam.name_len) != 0)
        return false;
    if (len == P->fam.name_len) {
        if (P->om && (om_no_bare & (1u << P->fam.type)) != 0)
            return false;
        *role = EXPO_ROLE_VALUE;
        return true;
    }
    const char *suf = n + P->fam.name_len;
    size_t slen = len - P->fam.name_len;
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        if (!P->om && suffixes[i].role == EXPO_ROLE_CREATED)
            continue;
        if ((suffixes[i].types & (1u << P->fam.type)) != 0 &&
            sp_word_eq(suf, slen, suffixes[i].suffix)) {
            *role = suffixes[i].role;
            return true;
        }
    }
    return false;
}

/* ---- metadata lines ---- */

static int type_parse(const struct parser *P, const char *w, size_t n, enum expo_type *out)
{
    static const struct {
        const char *name;
        enum expo_type type;
        unsigned formats; /* 1: 0.0.4, 2: OM */
    } types[] = {
        {"counter", EXPO_TYPE_COUNTER, 3},     {"gauge", EXPO_TYPE_GAUGE, 3},
        {"histogram", EXPO_TYPE_HISTOGRAM, 3}, {"summary", EXPO_TYPE_SUMMARY, 3},
        {"untyped", EXPO_TYPE_UNTYPED, 1},     {"gaugehistogram", EXPO_TYPE_GAUGEHISTOGRAM, 2},
        {"info", EXPO_TYPE_INFO, 2},           {"stateset", EXPO_TYPE_STATESET, 2},
        {"unknown", EXPO_TYPE_UNTYPED, 2},
    };
    unsigned fmt = P->om ? 2 : 1;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if ((types[i].formats & fmt) != 0 && sp_word_eq(w, n, types[i].name)) {
            *out = types[i].type;
            return 0;
        }
    }
    return -EPROTO;
}

/* unescape_help copies a HELP text, turning \\ \n and \" into their bytes (\" is OM-only, but
 * harmless in 0.0.4); any other backslash is kept as is, like Prometheus. */
static void unescape_help(char *dst, const char *q, const char *e)
{
    while (q < e) {
        if (*q == '\\' && q + 1 < e && (q[1] == '\\' || q[1] == 'n' || q[1] == '"')) {
            *dst++ = q[1] == 'n' ? '\n' : q[1];
            q += 2;
        } else {
            *dst++ = *q++;
        }
    }
    *dst = '\0';
}

enum meta_kind { META_HELP, META_TYPE, META_UNIT };

/* parse_meta handles a line starting with '#': HELP, TYPE, UNIT (OM), EOF (OM) or a comment
 * (0.0.4 only: OM has no free comments). Returns 1 when OM's "# EOF" ends the body. */
static int parse_meta(struct parser *P, const char *s, const char *e)
{
    const char *q = P->om ? s + 1 : skip_blanks(s + 1, e);
    if (P->om) {
        if (q >= e || *q != ' ') {
            violation(P, s, EXPO_REASON_SYNTAX, "a comment line (OpenMetrics has none)", false);
            return 0;
        }
        q++;
    }
    const char *kw = q;
    while (q < e && !is_blank(*q))
        q++;
    size_t kwlen = (size_t)(q - kw);
    enum meta_kind kind;
    if (kw == s + 1 && !P->om) { /* "#HELP": a comment */
        P->st.comments++;
        return 0;
    }
    if (sp_word_eq(kw, kwlen, "HELP")) {
        kind = META_HELP;
    } else if (sp_word_eq(kw, kwlen, "TYPE")) {
        kind = META_TYPE;
    } else if (P->om && sp_word_eq(kw, kwlen, "UNIT")) {
        kind = META_UNIT;
    } else if (P->om && sp_word_eq(kw, kwlen, "EOF")) {
        if (q != e) {
            violation(P, q, EXPO_REASON_EOF, "text after # EOF", false);
            return 0;
        }
        P->st.eof = true;
        P->good++;
        return 1;
    } else if (P->om) {
        violation(P, kw, EXPO_REASON_SYNTAX, "a comment line (OpenMetrics has none)", false);
        return 0;
    } else {
        P->st.comments++;
        return 0;
    }
    const char *nq = sep(P, q, e);
    if (nq == NULL || nq == e) {
        violation(P, q, EXPO_REASON_METADATA, "metadata without a metric name", false);
        return 0;
    }
    q = nq;
    const char *name = q;
    size_t nlen = scan_metric_name(q, e);
    q += nlen;
    if (nlen == 0 || (q < e && !is_blank(*q))) {
        violation(P, name, EXPO_REASON_METADATA, "invalid metric name in metadata", false);
        return 0;
    }
    /* The family the line is about: a bad line below makes it invalid. */
    if (!fam_is(P, name, nlen)) {
        int rc = fam_open(P, name, nlen);
        if (rc < 0)
            return fatal(P, s, rc, "stopped by the family callback");
    } else if (P->fam.has_samples) {
        violation(P, kw, EXPO_REASON_METADATA, "metadata after samples", true);
        return 0;
    }
    P->fam.last_line = P->line;
    const char *word = NULL, *wend = e;
    if (q == e) {
        /* 0.0.4: "# HELP x" is an empty docstring. OM: the separator is mandatory. */
        if (P->om || kind != META_HELP) {
            violation(P, q, EXPO_REASON_METADATA,
                      kind == META_TYPE ? "TYPE without a type" : "metadata without its text",
                      true);
            return 0;
        }
        word = q;
    } else {
        word = sep(P, q, e);
        if (word == NULL) {
            violation(P, q, EXPO_REASON_METADATA, "a metadata line needs one space after the name",
                      true);
            return 0;
        }
    }
    enum expo_type type = EXPO_TYPE_UNTYPED;
    if (kind != META_HELP) {
        wend = word;
        while (wend < e && !is_blank(*wend))
            wend++;
        if (wend != e && (P->om || skip_blanks(wend, e) != e)) {
            violation(P, wend, EXPO_REASON_METADATA, "text after the TYPE or UNIT word", true);
            return 0;
        }
    }
    if (kind == META_TYPE && type_parse(P, word, (size_t)(wend - word), &type) < 0) {
        violation(P, word, EXPO_REASON_METADATA, "unknown metric type", true);
        return 0;
    }
    if (kind == META_UNIT) {
        for (const char *u = word; u < wend; u++) {
            if (!is_name_char(*u) && *u != ':') {
                violation(P, u, EXPO_REASON_METADATA, "invalid unit", true);
                return 0;
            }
        }
    }
    bool dup = (kind == META_HELP && P->fam.has_help) || (kind == META_TYPE && P->fam.typed) ||
               (kind == META_UNIT && P->fam.has_unit);
    if (dup) {
        violation(P, kw, EXPO_REASON_METADATA, "duplicate metadata line", true);
        return 0;
    }
    switch (kind) {
    case META_HELP:
        unescape_help(P->fam.help, word, e);
        P->fam.has_help = true;
        break;
    case META_TYPE:
        P->fam.type = type;
        P->fam.typed = true;
        break;
    case META_UNIT:
        memcpy(P->fam.unit, word, (size_t)(wend - word));
        P->fam.unit[wend - word] = '\0';
        P->fam.unit_len = (size_t)(wend - word);
        P->fam.has_unit = true;
        break;
    }
    P->good++;
    return 0;
}

/* ---- sample lines ---- */

/* parse_labels reads "{...}" at *pq into labels, with names and unescaped values in P->scratch
 * from *pw on. Label values keep "\x" for an unknown escape x, as Prometheus's own lexer does
 * and the OM ABNF allows. OM allows no blanks inside and no trailing comma. Returns the label
 * count, or -1 with *what and *why set and *pq at the offending byte. */
static int parse_labels(struct parser *P, const char **pq, const char *e, char **pw,
                        struct expo_label *labels, uint64_t *hashes, unsigned max,
                        const char **what, enum expo_reason *why)
{
    const char *q = *pq + 1;
    char *w = *pw;
    unsigned n = 0;
    *why = EXPO_REASON_SYNTAX;
    for (;;) {
        if (!P->om)
            q = skip_blanks(q, e);
        if (q < e && *q == '}' && (n == 0 || !P->om)) {
            *pq = q + 1;
            *pw = w;
            return (int)n;
        }
        size_t len = scan_label_name(q, e);
        if (len == 0) {
            *what = q >= e      ? "unterminated label set"
                    : *q == '}' ? "a trailing comma in a label set"
                                : "invalid label name";
            break;
        }
        if (n >= max) {
            *what = "too many labels";
            *why = EXPO_REASON_LIMIT;
            break;
        }
        if (len == 8 && memcmp(q, "__name__", 8) == 0) {
            *what = "reserved label name __name__";
            break;
        }
        struct expo_label *l = &labels[n];
        memcpy(w, q, len);
        w[len] = '\0';
        l->name = w;
        w += len + 1;
        for (unsigned i = 0; i < n; i++) {
            if (strcmp(labels[i].name, l->name) == 0) {
                *what = "duplicate label name";
                *pq = q;
                return -1;
            }
        }
        q += len;
        if (!P->om)
            q = skip_blanks(q, e);
        if (q >= e || *q != '=') {
            *what = "expected '=' after a label name";
            break;
        }
        q++;
        if (!P->om)
            q = skip_blanks(q, e);
        if (q >= e || *q != '"') {
            *what = "expected '\"' to open a label value";
            break;
        }
        q++;
        l->value = w;
        while (q < e && *q != '"') {
            /* Plain runs in one copy: the bytes that end one are '"', '\\' and NUL. */
            const char *x = q;
            while (x < e && *x != '"' && *x != '\\' && *x != '\0')
                x++;
            if (x > q) {
                memcpy(w, q, (size_t)(x - q));
                w += x - q;
                q = x;
                continue;
            }
            if (*q == '\0') {
                *what = "NUL byte in a label value (not supported)";
                *why = EXPO_REASON_LIMIT;
                *pq = q;
                return -1;
            }
            if (*q != '\\') {
                *w++ = *q++;
                continue;
            }
            if (q + 1 >= e) {
                q = e;
                break;
            }
            if (q[1] == '\\' || q[1] == '"' || q[1] == 'n') {
                *w++ = q[1] == 'n' ? '\n' : q[1];
            } else {
                *w++ = '\\';
                *w++ = q[1];
            }
            q += 2;
        }
        if (q >= e) {
            *what = "unterminated label value";
            break;
        }
        *w++ = '\0';
        if (hashes != NULL) /* name, NUL, value: one run of the scratch area */
            hashes[n] = mix(hash_bytes(FNV_SEED, l->name, (size_t)(w - 1 - l->name)));
        n++;
        q++;
        if (!P->om)
            q = skip_blanks(q, e);
        if (q < e && *q == ',') {
            q++;
            continue;
        }
        if (q < e && *q == '}') {
            *pq = q + 1;
            *pw = w;
            return (int)n;
        }
        *what = "expected ',' or '}' after a label";
        break;
    }
    *pq = q;
    return -1;
}

/* parse_timestamp reads int64 ms (0.0.4) or realnumber seconds (OM) into ms (saturated: a
 * valid OM timestamp may lie beyond int64 ms) and into *raw (ms or s) for the order checks. */
static const char *parse_timestamp(const struct parser *P, const char *q, const char *e,
                                   int64_t *ms, double *raw)
{
    if (!P->om) {
        const char *p = q;
        if (sp_i64(&p, ms) < 0 || (p < e && !is_blank(*p)))
            return NULL;
        *raw = (double)*ms;
        return p;
    }
    double sec;
    const char *end = fast_decimal(q, e, &sec);
    if (end == NULL)
        end = om_number(q, e, false, &sec);
    if (end == NULL || !isfinite(sec))
        return NULL;
    *raw = sec;
    double m = sec * 1000.0;
    *ms = m >= 9.2e18 ? INT64_MAX : m <= -9.2e18 ? INT64_MIN : (int64_t)llround(m);
    return end;
}

/* utf8_runes counts the code points of s (continuation bytes not counted). */
static size_t utf8_runes(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* parse_exemplar checks an OM exemplar "# {labels} value [timestamp]" from the '#'. */
static const char *parse_exemplar(struct parser *P, const char *q, const char *e, char **pw,
                                  const char **what, enum expo_reason *why)
{
    *why = EXPO_REASON_EXEMPLAR;
    *what = "invalid exemplar";
    if (q + 1 >= e || q[1] != ' ' || q + 2 >= e || q[2] != '{')
        return NULL;
    struct expo_label ex[EXPO_LABELS_MAX_DEFAULT];
    const char *lq = q + 2;
    const char *lwhat = NULL;
    enum expo_reason lwhy;
    int n = parse_labels(P, &lq, e, pw, ex, NULL, EXPO_LABELS_MAX_DEFAULT, &lwhat, &lwhy);
    if (n < 0) {
        *what = "invalid exemplar labels";
        return NULL;
    }
    size_t runes = 0;
    for (int i = 0; i < n; i++)
        runes += utf8_runes(ex[i].name) + utf8_runes(ex[i].value);
    if (runes > EXEMPLAR_RUNES_MAX) {
        *what = "exemplar labels longer than 128 characters";
        return NULL;
    }
    double v;
    const char *p = sep(P, lq, e);
    if (p == NULL || (p = om_number(p, e, true, &v)) == NULL) {
        *what = "invalid exemplar value";
        return NULL;
    }
    if (p < e) {
        int64_t ms;
        double raw;
        const char *t = sep(P, p, e);
        if (t == NULL || t == e || (p = parse_timestamp(P, t, e, &ms, &raw)) == NULL || p != e) {
            *what = "invalid exemplar timestamp";
            return NULL;
        }
    }
    return p;
}

/* label_index returns the index of a label of the current sample, or -1. */
static int label_index(const struct expo_sample *s, const char *name)
{
    for (unsigned i = 0; i < s->nlabels; i++) {
        if (strcmp(s->labels[i].name, name) == 0)
            return (int)i;
    }
    return -1;
}

/* bound_value parses an le or quantile label value: a number, not NaN; +Inf only as "+Inf" in
 * OM (the canonical spelling the spec requires for it). */
static bool bound_value(const struct parser *P, const char *v, double *out)
{
    const char *e = v + strlen(v);
    if (v == e)
        return false;
    const char *end = number(P, v, e, out);
    if (end != e || isnan(*out))
        return false;
    if (P->om && isinf(*out) && *out > 0 && strcmp(v, "+Inf") != 0)
        return false;
    return true;
}

static bool is_counter_like(const struct parser *P, enum expo_type t, enum expo_role r)
{
    switch (r) {
    case EXPO_ROLE_VALUE:
        return t == EXPO_TYPE_COUNTER;
    case EXPO_ROLE_BUCKET:
    case EXPO_ROLE_COUNT:
    case EXPO_ROLE_GCOUNT:
        return true;
    case EXPO_ROLE_SUM:
        /* 0.0.4 histograms of negative observations have a negative _sum (client_golang). */
        return P->om;
    default:
        return false;
    }
}

/* group_slot finds or adds the current family's group key; UINT32_MAX when the table is full. */
/* groups_grow doubles the group table, moving the current family's groups (the others are
 * stale). */
static void groups_grow(struct parser *P)
{
    unsigned slots = (P->groups_mask + 1) * 2;
    struct group *g = xcalloc(slots, sizeof(*g));
    unsigned *list = xcalloc(slots, sizeof(*list));
    for (unsigned k = 0; k < P->fam.ngroups; k++) {
        const struct group *o = &P->groups[P->group_list[k]];
        unsigned i = (unsigned)o->key & (slots - 1);
        while (g[i].gen == o->gen)
            i = (i + 1) & (slots - 1);
        g[i] = *o;
        list[k] = i;
    }
    free(P->groups);
    free(P->group_list);
    P->groups = g;
    P->group_list = list;
    P->groups_mask = slots - 1;
}

static unsigned group_slot(struct parser *P, uint64_t key, bool *fresh)
{
    unsigned gen = P->fam.seq + 1;
    if (P->fam.ngroups >= (P->groups_mask + 1) / 4 * 3 && P->groups_mask + 1 < GROUP_SLOTS_MAX)
        groups_grow(P);
    unsigned i = (unsigned)key & P->groups_mask;
    for (;; i = (i + 1) & P->groups_mask) {
        struct group *g = &P->groups[i];
        if (g->gen != gen) {
            if (P->fam.ngroups >= (P->groups_mask + 1) / 4 * 3)
                return UINT32_MAX;
            memset(g, 0, sizeof(*g));
            g->key = key;
            g->gen = gen;
            P->group_list[P->fam.ngroups++] = i;
            *fresh = true;
            return i;
        }
        if (g->key == key) {
            *fresh = false;
            return i;
        }
    }
}

/* check_sample applies the rules of the sample's type and series group (the line is already
 * well-formed). */
static void check_sample(struct parser *P, const struct expo_sample *s, size_t name_len,
                         const char *at, bool has_exemplar)
{
    enum expo_type t = P->fam.type;
    enum expo_role r = s->role;
    double v = s->value;
    if (has_exemplar &&
        !((t == EXPO_TYPE_COUNTER && r == EXPO_ROLE_VALUE) ||
          ((t == EXPO_TYPE_HISTOGRAM || t == EXPO_TYPE_GAUGEHISTOGRAM) && r == EXPO_ROLE_BUCKET)))
        violation(P, at, EXPO_REASON_EXEMPLAR, "an exemplar on a sample that cannot have one",
                  true);
    if (is_counter_like(P, t, r) && (isnan(v) || v < 0))
        violation(P, at, EXPO_REASON_VALUE, "a counter-like value that is NaN or negative", true);
    if (r == EXPO_ROLE_GSUM && isnan(v))
        violation(P, at, EXPO_REASON_VALUE, "_gsum is NaN", true);
    if (P->om && (r == EXPO_ROLE_BUCKET || r == EXPO_ROLE_COUNT || r == EXPO_ROLE_GCOUNT) &&
        isfinite(v) && v != floor(v))
        violation(P, at, EXPO_REASON_VALUE, "a bucket or count value that is not an integer", true);
    if (t == EXPO_TYPE_INFO && v != 1)
        violation(P, at, EXPO_REASON_VALUE, "an info value other than 1", true);
    if (t == EXPO_TYPE_STATESET && v != 0 && v != 1)
        violation(P, at, EXPO_REASON_VALUE, "a stateset value other than 0 or 1", true);

    /* The labels a type requires or forbids, and the group key. */
    int skip = -1;
    double bound = 0;
    bool hist = t == EXPO_TYPE_HISTOGRAM || t == EXPO_TYPE_GAUGEHISTOGRAM;
    if (hist && r == EXPO_ROLE_BUCKET) {
        skip = label_index(s, "le");
        if (skip < 0 || !bound_value(P, s->labels[skip].value, &bound)) {
            violation(P, at, EXPO_REASON_LABELS, skip < 0 ? "a bucket without le" : "invalid le",
                      true);
            return;
        }
    } else if (t == EXPO_TYPE_SUMMARY && r == EXPO_ROLE_VALUE) {
        skip = label_index(s, "quantile");
        if (skip < 0 || !bound_value(P, s->labels[skip].value, &bound) || bound < 0 || bound > 1) {
            violation(P, at, EXPO_REASON_LABELS,
                      skip < 0 ? "a quantile sample without quantile" : "invalid quantile", true);
            return;
        }
        if (v < 0)
            violation(P, at, EXPO_REASON_VALUE, "a negative quantile value", true);
    } else if (t == EXPO_TYPE_STATESET) {
        skip = label_index(s, P->fam.name);
        if (skip < 0) {
            violation(P, at, EXPO_REASON_LABELS, "a stateset sample without its state label", true);
            return;
        }
    } else if (P->om && ((hist && label_index(s, "le") >= 0) ||
                         (t == EXPO_TYPE_SUMMARY && label_index(s, "quantile") >= 0))) {
        violation(P, at, EXPO_REASON_LABELS, "le or quantile on a sample that cannot have it",
                  true);
        return;
    }
    uint64_t all = 0x9e3779b97f4a7c15ull;
    for (unsigned i = 0; i < s->nlabels; i++)
        all += P->lhash[i];
    uint64_t key = t == EXPO_TYPE_INFO ? 1 : mix(skip >= 0 ? all - P->lhash[skip] : all);

    if (!P->om) {
        /* 0.0.4: each series once. */
        uint64_t sh = mix(all ^ hash_bytes(FNV_SEED, s->name, name_len));
        if (!set_add(&P->series, sh))
            violation(P, at, EXPO_REASON_GROUPING, "a series repeated", true);
    }
    bool fresh = false;
    unsigned slot = group_slot(P, key, &fresh);
    if (slot == UINT32_MAX)
        return;
    struct group *g = group_at(P, slot);
    if (P->om) {
        if (key != P->fam.cur_group && !fresh)
            violation(P, at, EXPO_REASON_GROUPING, "series of a family interleaved", true);
        if (!fresh && key == P->fam.cur_group) {
            if (((g->flags & G_TS) != 0) != s->has_ts)
                violation(P, at, EXPO_REASON_TIMESTAMP,
                          "timestamps present on some samples of a series only", true);
            else if (s->has_ts && s->ts_raw < g->ts && t != EXPO_TYPE_INFO)
                violation(P, at, EXPO_REASON_TIMESTAMP, "timestamps going back in a series", true);
            else if (s->has_ts && s->ts_raw != g->ts && hist) {
                group_end(P, g); /* a new point of the same series */
                group_reset_point(g);
                g->last_le = 0;
            }
        }
        g->flags = (g->flags & ~G_TS) | (s->has_ts ? G_TS : 0);
        g->ts = s->ts_raw;
    }
    P->fam.cur_group = key;
    g->line = P->line;
    g->flags |= G_ANY;
    if (hist) {
        switch (r) {
        case EXPO_ROLE_BUCKET:
            if ((g->flags & G_BUCKETS) != 0 && bound <= g->last_le)
                violation(P, at, EXPO_REASON_HISTOGRAM, "buckets not sorted by le", true);
            else if ((g->flags & G_BUCKETS) != 0 && v < g->last_bucket)
                violation(P, at, EXPO_REASON_HISTOGRAM, "bucket counts decreasing", true);
            g->flags |= G_BUCKETS;
            g->last_le = bound;
            g->last_bucket = v;
            if (bound < 0)
                g->flags |= G_NEG_BUCKET;
            if (isinf(bound) && bound > 0) {
                g->flags |= G_INF;
                g->inf_value = v;
            }
            break;
        case EXPO_ROLE_COUNT:
        case EXPO_ROLE_GCOUNT:
            g->flags |= G_COUNT;
            g->count = v;
            break;
        case EXPO_ROLE_SUM:
            g->flags |= G_SUM;
            break;
        case EXPO_ROLE_GSUM:
            g->flags |= G_GSUM;
            if (v < 0)
                g->flags |= G_NEG_GSUM;
            break;
        default:
            break;
        }
    } else if (t == EXPO_TYPE_SUMMARY && r == EXPO_ROLE_VALUE && !P->om) {
        /* 0.0.4 asks for ascending quantiles; OM lets them come in any order. */
        if ((g->flags & G_QUANTILE) != 0 && bound <= g->last_q)
            violation(P, at, EXPO_REASON_HISTOGRAM, "quantiles not in increasing order", true);
        g->flags |= G_QUANTILE;
        g->last_q = bound;
    }
}

static int parse_sample(struct parser *P, const char *s, const char *e)
{
    size_t nlen = scan_metric_name(s, e);
    const char *q = s + nlen;
    if (nlen == 0) {
        violation(P, s, EXPO_REASON_SYNTAX, "invalid metric name", false);
        return 0;
    }
    struct expo_sample smp = {0};
    char *w = P->scratch;
    memcpy(w, s, nlen);
    w[nlen] = '\0';
    smp.name = w;
    w += nlen + 1;
    /* The family first: a bad line invalidates the family it belongs to. */
    if (!role_in_family(P, smp.name, nlen, &smp.role)) {
        int rc = fam_open(P, smp.name, nlen);
        if (rc < 0)
            return fatal(P, s, rc, "stopped by the family callback");
        smp.role = EXPO_ROLE_VALUE;
    }
    P->fam.last_line = P->line;
    if (q < e && *q == '{') {
        const char *what = NULL;
        enum expo_reason why;
        int n = parse_labels(P, &q, e, &w, P->labels, P->lhash, P->max_labels, &what, &why);
        if (n < 0) {
            violation(P, q, why, what, true);
            return 0;
        }
        smp.labels = P->labels;
        smp.nlabels = (unsigned)n;
    } else if (q < e && !is_blank(*q)) {
        violation(P, q, EXPO_REASON_SYNTAX, "invalid metric name", true);
        return 0;
    }
    const char *at = q;
    q = sep(P, q, e);
    if (q == NULL || q == e) {
        violation(P, at, EXPO_REASON_SYNTAX,
                  q == NULL && at < e ? "a sample needs one space before its value"
                                      : "a sample without a value",
                  true);
        return 0;
    }
    at = q;
    q = number(P, q, e, &smp.value);
    if (q == NULL) {
        violation(P, at, EXPO_REASON_SYNTAX, "invalid sample value", true);
        return 0;
    }
    bool exemplar = false;
    if (q < e) {
        at = q;
        const char *t = sep(P, q, e);
        if (t == NULL || t == e) {
            /* 0.0.4: expfmt refuses trailing blanks but Prometheus's scraper takes them. */
            if (P->om) {
                violation(P, at, EXPO_REASON_SYNTAX, "blanks after the sample", true);
                return 0;
            }
            q = e;
        } else if (*t != '#') {
            q = parse_timestamp(P, t, e, &smp.ts_ms, &smp.ts_raw);
            if (q == NULL) {
                violation(P, t, EXPO_REASON_TIMESTAMP,
                          P->om ? "invalid timestamp (seconds)" : "invalid timestamp (integer ms)",
                          true);
                return 0;
            }
            smp.has_ts = true;
            if (q < e) {
                at = q;
                t = sep(P, q, e);
                if (t == NULL || t == e) {
                    if (P->om) {
                        violation(P, at, EXPO_REASON_SYNTAX, "blanks after the sample", true);
                        return 0;
                    }
                    q = e;
                } else {
                    q = t;
                }
            }
        } else {
            q = t;
        }
        if (q < e && *q == '#') {
            if (!P->om) {
                violation(P, q, EXPO_REASON_EXEMPLAR, "an exemplar in a 0.0.4 body", true);
                return 0;
            }
            const char *what;
            enum expo_reason why;
            const char *x = parse_exemplar(P, q, e, &w, &what, &why);
            if (x == NULL) {
                violation(P, q, why, what, true);
                return 0;
            }
            P->st.exemplars++;
            exemplar = true;
            q = x;
        }
        if (q != e) {
            violation(P, q, EXPO_REASON_SYNTAX, "unexpected text after the sample", true);
            return 0;
        }
    }

    if (P->max_samples != 0 && P->st.samples >= P->max_samples)
        return fatal(P, s, -E2BIG, "too many samples");
    smp.line = P->line;
    check_sample(P, &smp, nlen, s, exemplar);
    if (P->fam.invalid)
        return 0;
    P->st.samples++;
    P->good++;
    P->fam.has_samples = true;
    int rc = fam_announce(P);
    if (rc == 0 && P->cb->sample != NULL) {
        struct expo_family f;
        fam_view(P, &f);
        rc = P->cb->sample(P->cls, &f, &smp);
    }
    return rc < 0 ? fatal(P, s, rc, "stopped by the sample callback") : 0;
}

/* parse_line dispatches one line [s, e) without its line ending. 1: OM "# EOF". */
static int parse_line(struct parser *P, const char *s, const char *e)
{
    if (P->om && s < e && is_blank(*s)) {
        violation(P, s, EXPO_REASON_SYNTAX, "blanks at the start of a line", false);
        return 0;
    }
    s = skip_blanks(s, e);
    if (s == e) {
        P->st.blank++;
        if (P->om)
            violation(P, s, EXPO_REASON_SYNTAX, "a blank line", false);
        return 0;
    }
    if (*s == '#')
        return parse_meta(P, s, e);
    return parse_sample(P, s, e);
}

/* looks_binary tells whether the first line holds control bytes no exposition has outside a
 * label value or a HELP text: the mark of a compressed or protobuf body served under a text
 * content type. */
static const char *looks_binary(const char *s, const char *e)
{
    if (s < e && *s == '#')
        return NULL;
    for (; s < e && *s != '\n'; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
            return s;
    }
    return NULL;
}

static void parser_fini(struct parser *P)
{
    free(P->fam.name);
    free(P->fam.help);
    free(P->fam.unit);
    free(P->scratch);
    free(P->labels);
    free(P->lhash);
    free(P->seen.v);
    free(P->groups);
    free(P->group_list);
    free(P->series.v);
}

static int parse_lines(struct parser *P, const char *body, size_t len)
{
    const char *end = body + len;
    const char *bad = looks_binary(body, end);
    P->line = 1;
    P->line_start = body;
    if (bad != NULL)
        return fatal(P, bad, -EPROTO, "control bytes: not a text exposition");
    /* A UTF-8 byte order mark is not part of either grammar (OM forbids it), but editors and
     * some frameworks add one; it would make the first line unparsable. */
    const char *p = body;
    if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) {
        if (P->om)
            violation(P, body, EXPO_REASON_SYNTAX, "a byte order mark", false);
        p += 3;
    }
    const char *last = p;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end;
        const char *next = nl != NULL ? nl + 1 : end;
        P->line_start = p;
        last = p;
        if (P->st.eof) {
            P->st.after_eof++;
            violation(P, p, EXPO_REASON_EOF, "text after # EOF", false);
            P->line++;
            p = next;
            continue;
        }
        P->st.lines++;
        bool cr = false;
        if ((size_t)(le - p) > P->max_line) {
            violation(P, p + P->max_line, EXPO_REASON_LIMIT, "line too long", false);
        } else {
            if (le > p && le[-1] == '\r') {
                P->st.crlf++;
                cr = true;
                le--;
            }
            int rc = parse_line(P, p, le);
            if (rc < 0)
                return rc;
            /* Both Prometheus parsers fail on CR (the TYPE word reads "gauge\r"). */
            if (cr)
                violation(P, le, EXPO_REASON_SYNTAX, "a carriage return before the line feed",
                          true);
        }
        int rc = fam_flush(P);
        if (rc < 0)
            return fatal(P, p, rc, "stopped by the invalid callback");
        P->line++;
        p = next;
    }
    int rc = fam_close(P);
    if (rc < 0)
        return fatal(P, end, rc, "stopped by the family callback");
    if (P->good == 0 && P->st.malformed > 0) {
        P->fatal = P->st.first_malformed;
        P->fatal.what = "no valid line: not an exposition";
        return -EPROTO;
    }
    if (P->om && !P->st.eof) {
        if (last < end && end[-1] != '\n') { /* point at the end of the unterminated last line */
            P->line--;
            P->line_start = last;
        } else {
            P->line_start = end;
        }
        return fatal(P, end, -EPROTO, "missing # EOF (truncated OpenMetrics body?)");
    }
    return 0;
}

int parse_expo(const char *body, size_t len, enum expo_format fmt, const struct expo_limits *lim,
               const struct expo_callbacks *cb, void *cls, struct expo_stats *stats,
               struct parse_err *err)
{
    RIZK_ASSERT(body != NULL && body[len] == '\0' && cb != NULL);
    struct parser P;
    memset(&P, 0, sizeof(P));
    P.body = body;
    P.fmt = fmt;
    P.om = fmt == EXPO_FORMAT_OPENMETRICS;
    P.cb = cb;
    P.cls = cls;
    P.max_labels = lim != NULL && lim->max_labels != 0 ? lim->max_labels : EXPO_LABELS_MAX_DEFAULT;
    P.max_line = lim != NULL && lim->max_line != 0 ? lim->max_line : EXPO_LINE_MAX_DEFAULT;
    P.max_samples = lim != NULL ? lim->max_samples : 0;
    /* No line is longer than the body: small bodies get small buffers. */
    size_t line_cap = len < P.max_line ? len : P.max_line;
    P.fam.name = xcalloc(1, line_cap + 24); /* + the longest suffix, "_created", and 8 */
    P.fam.help = xmalloc(line_cap + 1);
    P.fam.unit = xmalloc(line_cap + 1);
    /* Unescaping never grows a value, and each label's two NULs fit in its '=' and quotes; the
     * exemplar's labels follow the sample's in the same line. */
    P.scratch = xcalloc(1, 2 * line_cap + 16);
    P.labels = xcalloc(P.max_labels, sizeof(*P.labels));
    P.lhash = xcalloc(P.max_labels, sizeof(*P.lhash));
    /* The sets start small and double as they fill (zeroing big tables cost more than the
     * parse of a small body). */
    hset_init(&P.seen, 64, SEEN_SLOTS_MAX);
    P.groups = xcalloc(16, sizeof(*P.groups));
    P.groups_mask = 15;
    P.group_list = xcalloc(16, sizeof(*P.group_list));
    if (!P.om) {
        hset_init(&P.series, 64, SERIES_SLOTS_MAX);
    }
    int rc = parse_lines(&P, body, len);
    if (rc < 0 && err != NULL)
        *err = P.fatal;
    if (stats != NULL)
        *stats = P.st;
    parser_fini(&P);
    return rc;
}

enum expo_format expo_format_from_content_type(const char *content_type)
{
    static const char om[] = "application/openmetrics-text";
    if (content_type == NULL)
        return EXPO_FORMAT_TEXT;
    const char *p = content_type;
    sp_blanks(&p);
    if (strncasecmp(p, om, sizeof(om) - 1) != 0)
        return EXPO_FORMAT_TEXT;
    p += sizeof(om) - 1;
    sp_blanks(&p);
    return *p == '\0' || *p == ';' ? EXPO_FORMAT_OPENMETRICS : EXPO_FORMAT_TEXT;
}

const char *expo_reason_name(enum expo_reason r)
{
    static const char *const names[EXPO_REASON_COUNT] = {
        [EXPO_REASON_SYNTAX] = "syntax",       [EXPO_REASON_METADATA] = "metadata",
        [EXPO_REASON_GROUPING] = "grouping",   [EXPO_REASON_TIMESTAMP] = "timestamp",
        [EXPO_REASON_VALUE] = "value",         [EXPO_REASON_LABELS] = "labels",
        [EXPO_REASON_HISTOGRAM] = "histogram", [EXPO_REASON_UNIT] = "unit",
        [EXPO_REASON_EXEMPLAR] = "exemplar",   [EXPO_REASON_EOF] = "eof",
        [EXPO_REASON_LIMIT] = "limit",
    };
    return (unsigned)r < EXPO_REASON_COUNT ? names[r] : "syntax";
}

const char *expo_type_name(enum expo_type t)
{
    switch (t) {
    case EXPO_TYPE_COUNTER:
        return "counter";
    case EXPO_TYPE_GAUGE:
        return "gauge";
    case EXPO_TYPE_HISTOGRAM:
        return "histogram";
    case EXPO_TYPE_GAUGEHISTOGRAM:
        return "gaugehistogram";
    case EXPO_TYPE_SUMMARY:
        return "summary";
    case EXPO_TYPE_INFO:
        return "info";
    case EXPO_TYPE_STATESET:
        return "stateset";
    case EXPO_TYPE_UNTYPED:
        break;
    }
    return "untyped";
}
