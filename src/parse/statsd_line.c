/* statsd line parser. Every scan is bounded by the span length (no NUL is assumed), and a value
 * is converted by an exact fast path when it is a plain decimal with at most 15 significant
 * digits: mantissa and power of ten are both exact doubles, so one division is correctly
 * rounded (Clinger's fast path); anything else goes through the checked sp_double. */
#include "parse/statsd_line.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "core/strparse.h"
#include "core/banned.h"

static const double statsd_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

const char *statsd_type_name(enum statsd_type t)
{
    static const char *const names[STATSD_TYPES] = {"c", "g", "ms", "h", "d", "s"};
    return (unsigned)t < STATSD_TYPES ? names[t] : "";
}

const char *statsd_reason_name(enum statsd_reason r)
{
    static const char *const names[STATSD_REASONS] = {"ok",       "bad_name",   "bad_value",
                                                      "bad_type", "bad_rate",   "bad_tags",
                                                      "too_long", "unsupported"};
    return (unsigned)r < STATSD_REASONS ? names[r] : "";
}

/* statsd_number converts [p, p+n) to a finite double; -EPROTO otherwise. */
static int statsd_number(const char *p, size_t n, double *out)
{
    if (n == 0 || n > 64)
        return -EPROTO;
    size_t i = 0;
    bool neg = false;
    if (p[0] == '-' || p[0] == '+') {
        neg = p[0] == '-';
        i = 1;
    }
    uint64_t mant = 0;
    unsigned digits = 0, frac = 0;
    bool dot = false, fast = i < n;
    for (; i < n && fast; i++) {
        char c = p[i];
        if (c >= '0' && c <= '9') {
            if (mant != 0 || c != '0')
                digits++;
            mant = mant * 10 + (uint64_t)(c - '0');
            frac += dot;
            fast = digits <= 15;
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            fast = false;
        }
    }
    if (fast && !(dot && n - (size_t)(p[0] == '-' || p[0] == '+') == 1) && frac <= 22) {
        double v = (double)mant / statsd_pow10[frac];
        *out = neg ? -v : v;
        return 0;
    }
    char tmp[72];
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    const char *q = tmp;
    double v;
    if (sp_double(&q, &v) < 0 || *q != '\0' || !isfinite(v))
        return -EPROTO;
    *out = v;
    return 0;
}

static bool statsd_type_parse(const char *p, size_t n, enum statsd_type *t)
{
    if (n == 1) {
        switch (p[0]) {
        case 'c':
            *t = STATSD_COUNTER;
            return true;
        case 'g':
            *t = STATSD_GAUGE;
            return true;
        case 'h':
            *t = STATSD_HISTOGRAM;
            return true;
        case 'd':
            *t = STATSD_DISTRIBUTION;
            return true;
        case 's':
            *t = STATSD_SET;
            return true;
        default:
            return false;
        }
    }
    if (n == 2 && p[0] == 'm' && p[1] == 's') {
        *t = STATSD_TIMER;
        return true;
    }
    return false;
}

/* statsd_values splits the value section on ':' (sets keep it whole). */
static enum statsd_reason statsd_values(const char *p, size_t n, struct statsd_line *out)
{
    out->relative = 0;
    out->nvalues = 0;
    if (out->type == STATSD_SET) {
        if (n == 0)
            return STATSD_BAD_VALUE;
        out->set_value.p = p;
        out->set_value.n = n;
        out->nvalues = 1;
        return STATSD_OK;
    }
    const char *end = p + n;
    for (;;) {
        const char *c = memchr(p, ':', (size_t)(end - p));
        const char *e = c ? c : end;
        if (out->nvalues == STATSD_MAX_VALUES)
            return STATSD_BAD_VALUE;
        double v;
        if (statsd_number(p, (size_t)(e - p), &v) < 0)
            return STATSD_BAD_VALUE;
        if (*p == '+' || *p == '-')
            out->relative |= 1u << out->nvalues;
        out->values[out->nvalues++] = v;
        if (c == NULL)
            return STATSD_OK;
        p = c + 1;
    }
}

/* statsd_tags parses "k:v,k2,k3:v3" (the text after '#'); empty items are skipped. */
static enum statsd_reason statsd_tags(const char *p, size_t n, struct statsd_line *out)
{
    const char *end = p + n;
    while (p < end) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *e = c ? c : end;
        if (e > p) {
            if (out->ntags == STATSD_MAX_TAGS)
                return STATSD_BAD_TAGS;
            const char *colon = memchr(p, ':', (size_t)(e - p));
            struct statsd_tag *t = &out->tags[out->ntags];
            if (colon == p)
                return STATSD_BAD_TAGS;
            t->key.p = p;
            t->key.n = (size_t)((colon ? colon : e) - p);
            t->value.p = colon ? colon + 1 : NULL;
            t->value.n = colon ? (size_t)(e - colon - 1) : 0;
            out->ntags++;
        }
        p = e + (c != NULL);
        if (c == NULL)
            break;
    }
    return STATSD_OK;
}

static enum statsd_reason statsd_field(const char *p, size_t n, struct statsd_line *out)
{
    if (n == 0)
        return STATSD_BAD_TYPE;
    switch (p[0]) {
    case '@': {
        double r;
        if (statsd_number(p + 1, n - 1, &r) < 0 || !(r > 0.0 && r <= 1.0))
            return STATSD_BAD_RATE;
        out->rate = r;
        return STATSD_OK;
    }
    case '#':
        return statsd_tags(p + 1, n - 1, out);
    case 'c':
        /* DogStatsD 1.2 container id "c:<id>" */
        return n >= 2 && p[1] == ':' ? STATSD_OK : STATSD_BAD_TYPE;
    case 'T':
        /* DogStatsD 1.3 timestamp "T<unix seconds>": aggregated at arrival time here */
        for (size_t i = 1; i < n; i++)
            if (p[i] < '0' || p[i] > '9')
                return STATSD_BAD_TYPE;
        return n >= 2 ? STATSD_OK : STATSD_BAD_TYPE;
    default:
        return STATSD_BAD_TYPE;
    }
}

static enum statsd_reason statsd_parse(const char *line, size_t len, struct statsd_line *out)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len > STATSD_LINE_MAX)
        return STATSD_TOO_LONG;
    if ((len >= 3 && memcmp(line, "_e{", 3) == 0) || (len >= 4 && memcmp(line, "_sc|", 4) == 0))
        return STATSD_UNSUPPORTED;
    const char *end = line + len;
    const char *p = line;
    while (p < end && *p != ':' && *p != '|') {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c == 0x7f)
            return STATSD_BAD_NAME;
        p++;
    }
    if (p == line)
        return STATSD_BAD_NAME;
    if (p == end || *p != ':')
        return STATSD_BAD_VALUE;
    out->name.p = line;
    out->name.n = (size_t)(p - line);
    const char *val = ++p;
    const char *bar = memchr(p, '|', (size_t)(end - p));
    if (bar == NULL)
        return bar == NULL && val == end ? STATSD_BAD_VALUE : STATSD_BAD_TYPE;
    size_t val_n = (size_t)(bar - val);
    p = bar + 1;
    const char *tend = memchr(p, '|', (size_t)(end - p));
    if (tend == NULL)
        tend = end;
    if (!statsd_type_parse(p, (size_t)(tend - p), &out->type))
        return STATSD_BAD_TYPE;
    out->rate = 1.0;
    out->ntags = 0;
    while (tend < end) {
        p = tend + 1;
        tend = memchr(p, '|', (size_t)(end - p));
        if (tend == NULL)
            tend = end;
        enum statsd_reason r = statsd_field(p, (size_t)(tend - p), out);
        if (r != STATSD_OK)
            return r;
    }
    return statsd_values(val, val_n, out);
}

int parse_statsd_line(const char *line, size_t len, struct statsd_line *out,
                      enum statsd_reason *why)
{
    enum statsd_reason r = statsd_parse(line, len, out);
    *why = r;
    return r == STATSD_OK ? 0 : -EPROTO;
}

bool parse_statsd_next_line(const char **p, const char *end, struct statsd_span *line)
{
    const char *s = *p;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        size_t n = (size_t)(e - s);
        if (n > 0 && s[n - 1] == '\r')
            n--;
        if (n > 0) {
            line->p = s;
            line->n = n;
            *p = next;
            return true;
        }
        s = next;
    }
    *p = end;
    return false;
}

int statsd_sanitize(const char *in, size_t n, bool leading_digit_ok, char *out, size_t cap)
{
    bool prefix = !leading_digit_ok && n > 0 && in[0] >= '0' && in[0] <= '9';
    size_t need = n + (prefix ? 1 : 0);
    if (need + 1 > cap)
        return -E2BIG;
    size_t j = 0;
    if (prefix)
        out[j++] = '_';
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        out[j++] = ok ? c : '_';
    }
    out[j] = '\0';
    return (int)j;
}
