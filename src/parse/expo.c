/* Prometheus text 0.0.4 / OpenMetrics 1.0 parser: one pass over the lines, each line parsed on
 * its own into a fixed scratch area (so a label pointer stays valid for the whole callback), and
 * only the current family block kept as state. A small hash set of closed family names counts
 * interleaved blocks without holding the names. */
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

#define SEEN_SLOTS_MAX 4096u /* power of two; tracking stops at 3/4 full: counts become a floor */

/* The current family block. Buffers hold the longest line + 1 bytes: any name or text fits. */
struct fam_state {
    char *name;
    size_t name_len;
    char *help;
    char *unit;
    bool has_help, has_unit;
    enum expo_type type;
    bool typed;
    bool open;
    bool announced;
    bool has_samples;
    unsigned seq;
};

struct parser {
    const char *body;
    enum expo_format fmt;
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
    uint64_t *seen; /* hashes of closed family names; 0 marks a free slot */
    unsigned seen_mask;
    unsigned nseen;
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

static bool is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

/* scan_metric_name returns the length of the metric name at q ([a-zA-Z_:][a-zA-Z0-9_:]*), 0 when
 * there is none. */
static size_t scan_metric_name(const char *q, const char *e)
{
    const char *s = q;
    if (q >= e || !(is_name_start(*q) || *q == ':'))
        return 0;
    while (q < e && (is_name_char(*q) || *q == ':'))
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

static void set_pos(struct parse_err *e, const struct parser *P, const char *at, const char *what)
{
    e->line = P->line;
    e->col = (unsigned)(at - P->line_start) + 1;
    e->what = what;
}

static void malformed(struct parser *P, const char *at, const char *what)
{
    if (P->st.malformed++ == 0)
        set_pos(&P->st.first_malformed, P, at, what);
}

static int fatal(struct parser *P, const char *at, int rc, const char *what)
{
    set_pos(&P->fatal, P, at, what);
    return rc;
}

/* ---- closed-family hash set ---- */

static uint64_t name_hash(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h != 0 ? h : 1;
}

static bool seen_has(const struct parser *P, uint64_t h)
{
    for (unsigned i = (unsigned)h & P->seen_mask;; i = (i + 1) & P->seen_mask) {
        if (P->seen[i] == 0)
            return false;
        if (P->seen[i] == h)
            return true;
    }
}

static void seen_add(struct parser *P, uint64_t h)
{
    if (P->nseen >= (P->seen_mask + 1) / 4 * 3)
        return;
    unsigned i = (unsigned)h & P->seen_mask;
    while (P->seen[i] != 0) {
        if (P->seen[i] == h)
            return;
        i = (i + 1) & P->seen_mask;
    }
    P->seen[i] = h;
    P->nseen++;
}

/* ---- family blocks ---- */

static void fam_view(const struct parser *P, struct expo_family *f)
{
    f->name = P->fam.name;
    f->type = P->fam.type;
    f->typed = P->fam.typed;
    f->help = P->fam.has_help ? P->fam.help : NULL;
    f->unit = P->fam.has_unit ? P->fam.unit : NULL;
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

/* fam_close ends the current block: a block that only had metadata is announced now. */
static int fam_close(struct parser *P)
{
    if (!P->fam.open)
        return 0;
    int rc = fam_announce(P);
    seen_add(P, name_hash(P->fam.name, P->fam.name_len));
    P->fam.open = false;
    return rc;
}

static int fam_open(struct parser *P, const char *name, size_t n)
{
    int rc = fam_close(P);
    if (rc < 0)
        return rc;
    if (seen_has(P, name_hash(name, n)))
        P->st.reopened++;
    memcpy(P->fam.name, name, n);
    P->fam.name[n] = '\0';
    P->fam.name_len = n;
    P->fam.has_help = false;
    P->fam.has_unit = false;
    P->fam.type = EXPO_TYPE_UNTYPED;
    P->fam.typed = false;
    P->fam.open = true;
    P->fam.announced = false;
    P->fam.has_samples = false;
    P->fam.seq = P->st.families++;
    return 0;
}

static bool fam_is(const struct parser *P, const char *name, size_t n)
{
    return P->fam.open && P->fam.name_len == n && memcmp(P->fam.name, name, n) == 0;
}

/* role_in_family tells whether a sample name belongs to the open block, and as what. Both
 * counter spellings are members: x_total with "# TYPE x_total counter" (0.0.4) and x_total or
 * x_created with "# TYPE x counter" (OM). */
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
    if (!P->fam.open || len < P->fam.name_len || memcmp(n, P->fam.name, P->fam.name_len) != 0)
        return false;
    if (len == P->fam.name_len) {
        *role = EXPO_ROLE_VALUE;
        return true;
    }
    const char *suf = n + P->fam.name_len;
    size_t slen = len - P->fam.name_len;
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        if ((suffixes[i].types & (1u << P->fam.type)) != 0 &&
            sp_word_eq(suf, slen, suffixes[i].suffix)) {
            *role = suffixes[i].role;
            return true;
        }
    }
    return false;
}

/* ---- metadata lines ---- */

static int type_parse(const char *w, size_t n, enum expo_type *out)
{
    static const struct {
        const char *name;
        enum expo_type type;
    } types[] = {
        {"counter", EXPO_TYPE_COUNTER},     {"gauge", EXPO_TYPE_GAUGE},
        {"histogram", EXPO_TYPE_HISTOGRAM}, {"gaugehistogram", EXPO_TYPE_GAUGEHISTOGRAM},
        {"summary", EXPO_TYPE_SUMMARY},     {"info", EXPO_TYPE_INFO},
        {"stateset", EXPO_TYPE_STATESET},   {"untyped", EXPO_TYPE_UNTYPED},
        {"unknown", EXPO_TYPE_UNTYPED},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (sp_word_eq(w, n, types[i].name)) {
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

/* parse_meta handles a line starting with '#': HELP, TYPE, UNIT, EOF or a free comment.
 * Returns 1 when OM's "# EOF" ends the body. */
static int parse_meta(struct parser *P, const char *s, const char *e)
{
    const char *q = skip_blanks(s + 1, e);
    const char *kw = q;
    while (q < e && !is_blank(*q))
        q++;
    size_t kwlen = (size_t)(q - kw);
    if (kw == s + 1 || kwlen == 0) { /* "#HELP", "#" or "# ": a comment */
        P->st.comments++;
        return 0;
    }
    enum meta_kind kind;
    if (sp_word_eq(kw, kwlen, "HELP")) {
        kind = META_HELP;
    } else if (sp_word_eq(kw, kwlen, "TYPE")) {
        kind = META_TYPE;
    } else if (sp_word_eq(kw, kwlen, "UNIT")) {
        kind = META_UNIT;
    } else if (sp_word_eq(kw, kwlen, "EOF") && P->fmt == EXPO_FORMAT_OPENMETRICS) {
        if (skip_blanks(q, e) != e) {
            malformed(P, q, "text after # EOF");
            return 0;
        }
        P->st.eof = true;
        P->good++;
        return 1;
    } else {
        P->st.comments++;
        return 0;
    }
    if (q == e) {
        malformed(P, q, "metadata without a metric name");
        return 0;
    }
    q = skip_blanks(q, e);
    const char *name = q;
    size_t nlen = scan_metric_name(q, e);
    q += nlen;
    if (nlen == 0 || (q < e && !is_blank(*q))) {
        malformed(P, name, "invalid metric name");
        return 0;
    }
    /* Like expfmt and the python parser: the docstring starts at its first non-blank byte. */
    const char *word = skip_blanks(q, e), *wend = word;
    enum expo_type type = EXPO_TYPE_UNTYPED;
    while (wend < e && !is_blank(*wend))
        wend++;
    if (kind != META_HELP && skip_blanks(wend, e) != e) {
        malformed(P, wend, "text after the TYPE or UNIT word");
        return 0;
    }
    if (kind == META_TYPE && type_parse(word, (size_t)(wend - word), &type) < 0) {
        malformed(P, word, "unknown metric type");
        return 0;
    }
    if (fam_is(P, name, nlen)) {
        bool dup = (kind == META_HELP && P->fam.has_help) || (kind == META_TYPE && P->fam.typed) ||
                   (kind == META_UNIT && P->fam.has_unit);
        if (P->fam.has_samples) {
            malformed(P, kw, "metadata after samples");
            return 0;
        }
        if (dup) {
            malformed(P, kw, "duplicate metadata line");
            return 0;
        }
    } else {
        int rc = fam_open(P, name, nlen);
        if (rc < 0)
            return fatal(P, s, rc, "stopped by the family callback");
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
        P->fam.has_unit = true;
        break;
    }
    P->good++;
    return 0;
}

/* ---- sample lines ---- */

/* parse_labels reads "{...}" at *pq into P->labels, with names and unescaped values in
 * P->scratch from w on. Label values keep "\x" for an unknown escape x, as Prometheus's own lexer
 * does. Returns the label count, or -1 with *what set and *pq at the offending byte. */
static int parse_labels(struct parser *P, const char **pq, const char *e, char *w,
                        const char **what)
{
    const char *q = *pq + 1;
    unsigned n = 0;
    for (;;) {
        q = skip_blanks(q, e);
        if (q < e && *q == '}') {
            *pq = q + 1;
            return (int)n;
        }
        size_t len = scan_label_name(q, e);
        if (len == 0) {
            *what = q < e ? "invalid label name" : "unterminated label set";
            break;
        }
        if (n >= P->max_labels) {
            *what = "too many labels";
            break;
        }
        if (sp_word_eq(q, len, "__name__")) {
            *what = "reserved label name __name__";
            break;
        }
        struct expo_label *l = &P->labels[n];
        memcpy(w, q, len);
        w[len] = '\0';
        l->name = w;
        w += len + 1;
        for (unsigned i = 0; i < n; i++) {
            if (strcmp(P->labels[i].name, l->name) == 0) {
                *what = "duplicate label name";
                *pq = q;
                return -1;
            }
        }
        q = skip_blanks(q + len, e);
        if (q >= e || *q != '=') {
            *what = "expected '=' after a label name";
            break;
        }
        q = skip_blanks(q + 1, e);
        if (q >= e || *q != '"') {
            *what = "expected '\"' to open a label value";
            break;
        }
        q++;
        l->value = w;
        while (q < e && *q != '"') {
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
        n++;
        q = skip_blanks(q + 1, e);
        if (q < e && *q == ',') {
            q++;
            continue;
        }
        if (q < e && *q == '}')
            continue;
        *what = "expected ',' or '}' after a label";
        break;
    }
    *pq = q;
    return -1;
}

/* parse_timestamp reads int64 ms (0.0.4) or float seconds (OM) into ms. */
static int parse_timestamp(const struct parser *P, const char **pq, int64_t *ms)
{
    if (P->fmt == EXPO_FORMAT_TEXT)
        return sp_i64(pq, ms);
    const char *q = *pq;
    double sec;
    int rc = sp_double(&q, &sec);
    if (rc < 0)
        return rc;
    /* |t| below 2^53 ms keeps the conversion exact enough and far from int64 overflow. */
    if (!isfinite(sec) || fabs(sec) >= 9007199254740.0)
        return -ERANGE;
    *ms = (int64_t)llround(sec * 1000.0);
    *pq = q;
    return 0;
}

static int parse_sample(struct parser *P, const char *s, const char *e)
{
    size_t nlen = scan_metric_name(s, e);
    const char *q = s + nlen;
    if (nlen == 0) {
        malformed(P, s, "invalid metric name");
        return 0;
    }
    struct expo_sample smp = {0};
    char *w = P->scratch;
    memcpy(w, s, nlen);
    w[nlen] = '\0';
    smp.name = w;
    w += nlen + 1;
    if (q < e && *q == '{') {
        const char *what = NULL;
        int n = parse_labels(P, &q, e, w, &what);
        if (n < 0) {
            malformed(P, q, what);
            return 0;
        }
        smp.labels = P->labels;
        smp.nlabels = (unsigned)n;
    } else if (q < e && !is_blank(*q)) {
        malformed(P, q, "invalid metric name");
        return 0;
    }
    q = skip_blanks(q, e);
    const char *at = q;
    if (sp_double(&q, &smp.value) < 0 || (q < e && !is_blank(*q))) {
        malformed(P, at, "invalid sample value");
        return 0;
    }
    q = skip_blanks(q, e);
    if (q < e && *q != '#') {
        at = q;
        int rc = parse_timestamp(P, &q, &smp.ts_ms);
        if (rc < 0 || (q < e && !is_blank(*q))) {
            malformed(P, at,
                      P->fmt == EXPO_FORMAT_TEXT ? "invalid timestamp (integer ms)"
                                                 : "invalid timestamp (seconds)");
            return 0;
        }
        smp.has_ts = true;
        q = skip_blanks(q, e);
    }
    if (q < e && *q == '#') {
        /* An exemplar: "# {labels} value [ts]". Its content never reaches the store, so only
         * its start is checked: anything else after a '#' is junk, as for Prometheus. */
        const char *ex = skip_blanks(q + 1, e);
        if (ex >= e || *ex != '{') {
            malformed(P, q, "invalid exemplar");
            return 0;
        }
        P->st.exemplars++;
        q = e;
    }
    if (q != e) {
        malformed(P, q, "unexpected text after the sample");
        return 0;
    }

    if (P->max_samples != 0 && P->st.samples >= P->max_samples)
        return fatal(P, s, -E2BIG, "too many samples");
    if (!role_in_family(P, smp.name, nlen, &smp.role)) {
        int rc = fam_open(P, smp.name, nlen);
        if (rc < 0)
            return fatal(P, s, rc, "stopped by the family callback");
        smp.role = EXPO_ROLE_VALUE;
    }
    P->st.samples++;
    P->good++;
    P->fam.has_samples = true;
    smp.line = P->line;
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
    s = skip_blanks(s, e);
    if (s == e) {
        P->st.blank++;
        return 0;
    }
    if (*s == '#')
        return parse_meta(P, s, e);
    return parse_sample(P, s, e);
}

/* looks_binary tells whether the first line holds control bytes no exposition has outside a
 * label value: the mark of a compressed or protobuf body served under a text content type. */
static const char *looks_binary(const char *s, const char *e)
{
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
    free(P->seen);
}

static int parse_lines(struct parser *P, const char *body, size_t len)
{
    const char *end = body + len;
    const char *bad = memchr(body, '\0', len);
    const char *ctl = looks_binary(body, end);
    const char *what = "NUL byte: not a text exposition";
    P->line = 1;
    P->line_start = body;
    if (ctl != NULL && (bad == NULL || ctl < bad)) {
        bad = ctl;
        what = "control bytes: not a text exposition";
    }
    if (bad != NULL) {
        for (const char *q = body; q < bad; q++) {
            if (*q == '\n') {
                P->line++;
                P->line_start = q + 1;
            }
        }
        return fatal(P, bad, -EPROTO, what);
    }
    /* A UTF-8 byte order mark is not part of the grammar, but editors and some frameworks add
     * one; it would make the first line unparsable. */
    const char *p = body;
    if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    const char *last = p;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end;
        const char *next = nl != NULL ? nl + 1 : end;
        P->line_start = p;
        last = p;
        if (P->st.eof) {
            P->st.after_eof++;
            P->line++;
            p = next;
            continue;
        }
        P->st.lines++;
        if ((size_t)(le - p) > P->max_line) {
            malformed(P, p + P->max_line, "line too long");
        } else {
            if (le > p && le[-1] == '\r') {
                P->st.crlf++;
                le--;
            }
            int rc = parse_line(P, p, le);
            if (rc < 0)
                return rc;
        }
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
    if (P->fmt == EXPO_FORMAT_OPENMETRICS && !P->st.eof) {
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
    P.cb = cb;
    P.cls = cls;
    P.max_labels = lim != NULL && lim->max_labels != 0 ? lim->max_labels : EXPO_LABELS_MAX_DEFAULT;
    P.max_line = lim != NULL && lim->max_line != 0 ? lim->max_line : EXPO_LINE_MAX_DEFAULT;
    P.max_samples = lim != NULL ? lim->max_samples : 0;
    /* No line is longer than the body: small bodies get small buffers. */
    size_t line_cap = len < P.max_line ? len : P.max_line;
    P.fam.name = xmalloc(line_cap + 1);
    P.fam.help = xmalloc(line_cap + 1);
    P.fam.unit = xmalloc(line_cap + 1);
    /* Unescaping never grows a value, and each label's two NULs fit in its '=' and quotes. */
    P.scratch = xmalloc(2 * line_cap + 16);
    P.labels = xcalloc(P.max_labels, sizeof(*P.labels));
    /* A family needs a line of 3 bytes or more ("a 1"): 3/4 of len / 2 slots track them all,
     * up to the cap. */
    unsigned slots = 16;
    while (slots < SEEN_SLOTS_MAX && slots < len / 2)
        slots *= 2;
    P.seen = xcalloc(slots, sizeof(*P.seen));
    P.seen_mask = slots - 1;
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
