/* Accept / Accept-Encoding parsing. A cursor walks the header once, element by element, without
 * copying or modifying it; each element is parsed into borrowed slices (struct neg_elem), rated
 * against the formats, and forgotten, so memory use is constant whatever the header holds. */
#include "http/negotiate.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "core/banned.h"

#define NEG_MAX_PARAMS 8
#define NEG_Q_MAX 1000 /* q in thousandths */

struct neg_slice {
    const char *p;
    size_t n;
};

struct neg_param {
    struct neg_slice name;
    struct neg_slice value; /* without the quotes when quoted (escapes still inside) */
    bool quoted;
};

/* One list element: "type/subtype" (Accept) or "coding" (Accept-Encoding, in type), its
 * parameters before the weight, and the weight. */
struct neg_elem {
    struct neg_slice type;
    struct neg_slice sub;
    struct neg_param params[NEG_MAX_PARAMS];
    size_t nparams;
    int q;
};

struct neg_cursor {
    const char *p;
    const char *end;
};

static bool neg_is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static void neg_ows(struct neg_cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
        c->p++;
}

static bool neg_token(struct neg_cursor *c, struct neg_slice *out)
{
    const char *s = c->p;
    while (c->p < c->end && neg_is_tchar((unsigned char)*c->p))
        c->p++;
    out->p = s;
    out->n = (size_t)(c->p - s);
    return out->n > 0;
}

/* neg_quoted reads a quoted-string; the slice keeps backslash escapes (see neg_value_eq). */
static bool neg_quoted(struct neg_cursor *c, struct neg_slice *out)
{
    c->p++; /* opening quote */
    out->p = c->p;
    while (c->p < c->end && *c->p != '"') {
        if (*c->p == '\\' && c->p + 1 < c->end)
            c->p++;
        c->p++;
    }
    if (c->p >= c->end)
        return false;
    out->n = (size_t)(c->p - out->p);
    c->p++; /* closing quote */
    return true;
}

static bool neg_slice_eq(struct neg_slice s, const char *lit)
{
    return strlen(lit) == s.n && strncasecmp(s.p, lit, s.n) == 0;
}

/* neg_value_eq compares a parameter value with lit, case-insensitively, unescaping a quoted one. */
static bool neg_value_eq(const struct neg_param *pr, const char *lit)
{
    if (!pr->quoted)
        return neg_slice_eq(pr->value, lit);
    size_t i = 0, k = 0;
    for (; i < pr->value.n; i++, k++) {
        char ch = pr->value.p[i];
        if (ch == '\\' && i + 1 < pr->value.n)
            ch = pr->value.p[++i];
        if (lit[k] == '\0' || tolower((unsigned char)ch) != tolower((unsigned char)lit[k]))
            return false;
    }
    return lit[k] == '\0';
}

/* neg_qvalue parses RFC 9110's qvalue into thousandths, leniently accepting ".5" and more than
 * three decimals (extra digits truncated). Values above 1 are malformed. */
static bool neg_qvalue(struct neg_slice v, int *q)
{
    size_t i = 0;
    int whole = 0;
    if (i < v.n && (v.p[i] == '0' || v.p[i] == '1'))
        whole = v.p[i++] - '0';
    else if (i >= v.n || v.p[i] != '.')
        return false;
    int milli = 0, digits = 0;
    bool nonzero_tail = false;
    if (i < v.n && v.p[i] == '.') {
        i++;
        for (; i < v.n && v.p[i] >= '0' && v.p[i] <= '9'; i++, digits++) {
            if (digits < 3)
                milli = milli * 10 + (v.p[i] - '0');
            else if (v.p[i] != '0')
                nonzero_tail = true;
        }
        if (digits == 0 && whole == 0 && v.p[0] == '.')
            return false;
    }
    if (i != v.n)
        return false;
    for (int d = digits; d < 3; d++)
        milli *= 10;
    if (whole == 1 && (milli != 0 || nonzero_tail))
        return false;
    *q = whole * NEG_Q_MAX + milli;
    return true;
}

/* neg_skip_element moves past the next top-level ',' (quoted commas do not count). */
static void neg_skip_element(struct neg_cursor *c)
{
    bool in_quotes = false;
    for (; c->p < c->end; c->p++) {
        if (in_quotes && *c->p == '\\' && c->p + 1 < c->end) {
            c->p++;
        } else if (*c->p == '"') {
            in_quotes = !in_quotes;
        } else if (*c->p == ',' && !in_quotes) {
            c->p++;
            return;
        }
    }
}

/* neg_params parses *( OWS ";" OWS name "=" value ) up to the element's end. Parameters after
 * the weight are accept-ext and ignored. */
static bool neg_params(struct neg_cursor *c, struct neg_elem *e)
{
    bool after_q = false;
    for (;;) {
        neg_ows(c);
        if (c->p >= c->end || *c->p == ',')
            return true;
        if (*c->p != ';')
            return false;
        c->p++;
        neg_ows(c);
        if (c->p >= c->end || *c->p == ',')
            return true; /* a dangling ';' is harmless */
        if (*c->p == ';')
            continue; /* and so is an empty parameter */
        struct neg_param pr = {0};
        if (!neg_token(c, &pr.name))
            return false;
        neg_ows(c); /* RFC 9110 forbids blanks around '=', but some clients send them */
        if (c->p >= c->end || *c->p != '=')
            return false;
        c->p++;
        neg_ows(c);
        if (c->p < c->end && *c->p == '"') {
            pr.quoted = true;
            if (!neg_quoted(c, &pr.value))
                return false;
        } else if (!neg_token(c, &pr.value)) {
            return false;
        }
        if (after_q)
            continue;
        if (neg_slice_eq(pr.name, "q")) {
            if (pr.quoted || !neg_qvalue(pr.value, &e->q))
                return false;
            after_q = true;
        } else if (e->nparams < NEG_MAX_PARAMS) {
            e->params[e->nparams++] = pr;
        } else {
            return false;
        }
    }
}

/* neg_next parses the next element into *e. Returns 1 for an element, 0 for an empty or
 * malformed one (skipped), -1 at the end of the header. */
static int neg_next(struct neg_cursor *c, bool media, struct neg_elem *e)
{
    neg_ows(c);
    if (c->p >= c->end)
        return -1;
    memset(e, 0, sizeof(*e));
    e->q = NEG_Q_MAX;
    if (*c->p == ',') { /* empty list elements are allowed (RFC 9110 §5.6.1) */
        c->p++;
        return 0;
    }
    bool ok = neg_token(c, &e->type);
    if (ok && media) {
        if (c->p < c->end && *c->p == '/') {
            c->p++;
            ok = neg_token(c, &e->sub);
        } else if (neg_slice_eq(e->type, "*")) {
            e->sub = e->type; /* a bare "*" (Java) means any type */
        } else {
            ok = false;
        }
    }
    if (ok)
        ok = neg_params(c, e);
    if (!ok) {
        neg_skip_element(c);
        return 0;
    }
    if (c->p < c->end && *c->p == ',')
        c->p++;
    return 1;
}

/* --- Accept ------------------------------------------------------------------------------- */

struct neg_format {
    const char *type;
    const char *sub;
    const char *versions[2]; /* accepted version= values; NULL-padded */
    bool protobuf;           /* needs proto= and encoding=, never matched by wildcards */
};

static const struct neg_format neg_formats[EXPO_NFORMATS] = {
    [EXPO_TEXT] = {"text", "plain", {"0.0.4", NULL}, false},
    [EXPO_OPENMETRICS] = {"application", "openmetrics-text", {"1.0.0", "0.0.1"}, false},
    [EXPO_PROTOBUF] = {"application", "vnd.google.protobuf", {NULL, NULL}, true},
};

static bool neg_params_match(const struct neg_elem *e, const struct neg_format *f)
{
    bool proto = false, encoding = false;
    for (size_t i = 0; i < e->nparams; i++) {
        const struct neg_param *pr = &e->params[i];
        if (neg_slice_eq(pr->name, "charset")) {
            if (!neg_value_eq(pr, "utf-8"))
                return false;
        } else if (neg_slice_eq(pr->name, "escaping")) {
            continue;
        } else if (neg_slice_eq(pr->name, "version") && !f->protobuf) {
            bool any = false;
            for (size_t k = 0; k < 2 && f->versions[k] != NULL; k++)
                any = any || neg_value_eq(pr, f->versions[k]);
            if (!any)
                return false;
        } else if (neg_slice_eq(pr->name, "proto") && f->protobuf) {
            proto = neg_value_eq(pr, "io.prometheus.client.MetricFamily");
            if (!proto)
                return false;
        } else if (neg_slice_eq(pr->name, "encoding") && f->protobuf) {
            encoding = neg_value_eq(pr, "delimited");
            if (!encoding)
                return false;
        } else {
            return false;
        }
    }
    return !f->protobuf || (proto && encoding);
}

/* neg_specificity returns how precisely e names format f: 0 no match, 1 full wildcard,
 * 2 wildcard subtype, 3 + number of parameters for type/subtype. */
static int neg_specificity(const struct neg_elem *e, const struct neg_format *f)
{
    int spec;
    if (neg_slice_eq(e->type, "*")) {
        if (!neg_slice_eq(e->sub, "*"))
            return 0;
        spec = 1;
    } else if (!neg_slice_eq(e->type, f->type)) {
        return 0;
    } else if (neg_slice_eq(e->sub, "*")) {
        spec = 2;
    } else if (neg_slice_eq(e->sub, f->sub)) {
        spec = 3 + (int)e->nparams;
    } else {
        return 0;
    }
    if (spec < 3 && f->protobuf)
        return 0;
    return neg_params_match(e, f) ? spec : 0;
}

static bool neg_is_blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s != ' ' && *s != '\t')
            return false;
    return true;
}

int negotiate_format(const char *accept, bool protobuf_available, enum expo_format *out)
{
    int best_spec[EXPO_NFORMATS] = {0};
    int best_q[EXPO_NFORMATS] = {0};

    *out = EXPO_TEXT;
    if (accept == NULL)
        return 0;
    size_t len = strnlen(accept, NEGOTIATE_HEADER_MAX + 1);
    if (len > NEGOTIATE_HEADER_MAX)
        return NEGOTIATE_FALLBACK;
    if (neg_is_blank(accept))
        return 0;

    struct neg_cursor c = {accept, accept + len};
    struct neg_elem e;
    for (;;) {
        int rc = neg_next(&c, true, &e);
        if (rc < 0)
            break;
        if (rc == 0)
            continue;
        for (int f = 0; f < EXPO_NFORMATS; f++) {
            int spec = neg_specificity(&e, &neg_formats[f]);
            if (spec > best_spec[f] || (spec == best_spec[f] && spec > 0 && e.q > best_q[f])) {
                best_spec[f] = spec;
                best_q[f] = e.q;
            }
        }
    }
    if (!protobuf_available)
        best_q[EXPO_PROTOBUF] = 0;

    int win = -1;
    for (int f = 0; f < EXPO_NFORMATS; f++)
        if (best_q[f] > 0 && (win < 0 || best_q[f] > best_q[win]))
            win = f;
    if (win < 0)
        return NEGOTIATE_FALLBACK;
    *out = (enum expo_format)win;
    return 0;
}

/* --- Accept-Encoding ----------------------------------------------------------------------- */

bool negotiate_gzip(const char *accept_encoding)
{
    if (accept_encoding == NULL)
        return false;
    size_t len = strnlen(accept_encoding, NEGOTIATE_HEADER_MAX + 1);
    if (len > NEGOTIATE_HEADER_MAX)
        return false;

    int q_gzip = -1, q_identity = -1, q_star = -1;
    struct neg_cursor c = {accept_encoding, accept_encoding + len};
    struct neg_elem e;
    for (;;) {
        int rc = neg_next(&c, false, &e);
        if (rc < 0)
            break;
        if (rc == 0)
            continue;
        int *slot = NULL;
        if (neg_slice_eq(e.type, "gzip") || neg_slice_eq(e.type, "x-gzip"))
            slot = &q_gzip;
        else if (neg_slice_eq(e.type, "identity"))
            slot = &q_identity;
        else if (neg_slice_eq(e.type, "*"))
            slot = &q_star;
        if (slot != NULL && e.q > *slot)
            *slot = e.q;
    }
    int gz = q_gzip >= 0 ? q_gzip : (q_star >= 0 ? q_star : 0);
    /* Identity is always acceptable (RFC 9110 §12.5.3); only an explicit rating beats gzip. */
    int id = q_identity >= 0 ? q_identity : (q_star >= 0 ? q_star : 0);
    return gz > 0 && gz >= id;
}

const char *negotiate_content_type(enum expo_format f)
{
    return render_content_type(f);
}
