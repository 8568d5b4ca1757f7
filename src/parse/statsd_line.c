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
    static const char *const names[STATSD_REASONS] = {"ok",       "bad_name",  "bad_value",
                                                      "bad_type", "bad_rate",  "bad_tags",
                                                      "too_long", "bad_event", "bad_service_check"};
    return (unsigned)r < STATSD_REASONS ? names[r] : "";
}

const char *statsd_alert_name(enum statsd_alert a)
{
    static const char *const names[STATSD_ALERTS] = {"info", "success", "warning", "error"};
    return (unsigned)a < STATSD_ALERTS ? names[a] : "";
}

const char *statsd_check_status_name(enum statsd_check_status st)
{
    static const char *const names[STATSD_CHECK_STATUSES] = {"ok", "warning", "critical",
                                                             "unknown"};
    return (unsigned)st < STATSD_CHECK_STATUSES ? names[st] : "";
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

/* statsd_uint reads the decimal digits of [*p, end) up to stop into *out (at most 9 digits,
 * which bounds an event's lengths far above STATSD_LINE_MAX); false when there are none. */
static bool statsd_uint(const char **p, const char *end, char stop, size_t *out)
{
    size_t v = 0, digits = 0;
    const char *s = *p;
    while (s < end && *s >= '0' && *s <= '9' && digits < 9) {
        v = v * 10 + (size_t)(*s - '0');
        s++;
        digits++;
    }
    if (digits == 0 || s == end || *s != stop)
        return false;
    *out = v;
    *p = s + 1;
    return true;
}

static bool statsd_span_is(const char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n == l && memcmp(p, lit, l) == 0;
}

/* statsd_printable: no control bytes (a title, name or hostname ends up in labels or logs). */
static bool statsd_printable(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] < ' ' || p[i] == 0x7f)
            return false;
    return true;
}

/* statsd_meta handles one "|x:..." field of an event or a service check; bad is the reason for
 * this kind of line. "d:" is a unix timestamp, "h:" a hostname, "#" tags, "c:" a container id
 * (ignored); events also have "k:" (aggregation key), "p:" normal|low, "s:" (source type) and
 * "t:" info|success|warning|error. */
static enum statsd_reason statsd_meta(const char *p, size_t n, struct statsd_line *out,
                                      enum statsd_reason bad)
{
    bool event = out->kind == STATSD_KIND_EVENT;
    if (n >= 1 && p[0] == '#')
        return statsd_tags(p + 1, n - 1, out) == STATSD_OK ? STATSD_OK : bad;
    if (n < 2 || p[1] != ':')
        return bad;
    const char *v = p + 2;
    size_t vn = n - 2;
    switch (p[0]) {
    case 'd': {
        /* at most 12 digits: a unix time in seconds for the next 30 000 years */
        if (vn == 0 || vn > 12)
            return bad;
        int64_t t = 0;
        for (size_t i = 0; i < vn; i++) {
            if (v[i] < '0' || v[i] > '9')
                return bad;
            t = t * 10 + (v[i] - '0');
        }
        out->timestamp = t;
        return STATSD_OK;
    }
    case 'h':
        if (!statsd_printable(v, vn))
            return bad;
        out->hostname.p = v;
        out->hostname.n = vn;
        return STATSD_OK;
    case 'c':
        return STATSD_OK;
    case 'k':
    case 's':
        return event && statsd_printable(v, vn) ? STATSD_OK : bad;
    case 'p':
        if (!event)
            return bad;
        if (statsd_span_is(v, vn, "low"))
            out->low_priority = true;
        else if (!statsd_span_is(v, vn, "normal"))
            return bad;
        return STATSD_OK;
    case 't':
        if (!event)
            return bad;
        for (int a = 0; a < STATSD_ALERTS; a++) {
            if (statsd_span_is(v, vn, statsd_alert_name((enum statsd_alert)a))) {
                out->alert = (enum statsd_alert)a;
                return STATSD_OK;
            }
        }
        return bad;
    default:
        return bad;
    }
}

/* statsd_meta_fields handles the "|field" list [p, end) of an event or a service check; a
 * service check's "m:" message is the last field and runs to the end of the line. */
static enum statsd_reason statsd_meta_fields(const char *p, const char *end,
                                             struct statsd_line *out, enum statsd_reason bad)
{
    while (p < end) {
        if (*p != '|')
            return bad;
        p++;
        if (out->kind == STATSD_KIND_SERVICE_CHECK && end - p >= 2 && p[0] == 'm' && p[1] == ':') {
            out->message.p = p + 2;
            out->message.n = (size_t)(end - p - 2);
            return STATSD_OK;
        }
        const char *f = memchr(p, '|', (size_t)(end - p));
        const char *fe = f ? f : end;
        enum statsd_reason r = statsd_meta(p, (size_t)(fe - p), out, bad);
        if (r != STATSD_OK)
            return r;
        p = fe;
    }
    return STATSD_OK;
}

static void statsd_meta_init(struct statsd_line *out, enum statsd_kind kind)
{
    memset(&out->text, 0, sizeof(out->text));
    memset(&out->hostname, 0, sizeof(out->hostname));
    memset(&out->message, 0, sizeof(out->message));
    out->kind = kind;
    out->timestamp = 0;
    out->alert = STATSD_ALERT_INFO;
    out->low_priority = false;
    out->status = STATSD_CHECK_OK;
    out->ntags = 0;
    out->nvalues = 0;
    out->rate = 1.0;
}

/* statsd_utf16_skip advances over units UTF-16 code units of UTF-8 text (a 4-byte sequence is
 * two units, as in a JavaScript string's length); NULL when the text ends first or is not
 * UTF-8. */
static const char *statsd_utf16_skip(const char *p, const char *end, size_t units)
{
    while (units > 0) {
        if (p >= end)
            return NULL;
        unsigned char c = (unsigned char)*p;
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        size_t u = n == 4 ? 2 : 1;
        if (n == 0 || (size_t)(end - p) < n || u > units)
            return NULL;
        for (size_t i = 1; i < n; i++)
            if (((unsigned char)p[i] >> 6) != 2)
                return NULL;
        p += n;
        units -= u;
    }
    return p;
}

/* statsd_event_split finds where the title and the text end. The DogStatsD protocol gives the
 * lengths in bytes; hot-shots (Node.js) sends string lengths (UTF-16 units), which differ for
 * non-ASCII text: bytes first, then units, each accepted only when a '|' follows the title and
 * the text ends the line or is followed by a field. */
static bool statsd_event_split(const char *p, const char *end, size_t tn, size_t xn,
                               const char **title_end, const char **text_end)
{
    size_t left = (size_t)(end - p);
    if (left >= tn + 1 + xn && p[tn] == '|' && (tn + 1 + xn == left || p[tn + 1 + xn] == '|')) {
        *title_end = p + tn;
        *text_end = p + tn + 1 + xn;
        return true;
    }
    const char *te = statsd_utf16_skip(p, end, tn);
    if (te == NULL || te == end || *te != '|')
        return false;
    const char *xe = statsd_utf16_skip(te + 1, end, xn);
    if (xe == NULL || (xe != end && *xe != '|'))
        return false;
    *title_end = te;
    *text_end = xe;
    return true;
}

/* "_e{<title length>,<text length>}:<title>|<text>[|field...]": the lengths decide where title
 * and text end (either may hold '|'); the title must not be empty. */
static enum statsd_reason statsd_parse_event(const char *line, size_t len, struct statsd_line *out)
{
    const char *end = line + len, *p = line + 3;
    const char *title_end, *text_end;
    size_t tn, xn;
    statsd_meta_init(out, STATSD_KIND_EVENT);
    if (!statsd_uint(&p, end, ',', &tn) || !statsd_uint(&p, end, '}', &xn))
        return STATSD_BAD_EVENT;
    if (p == end || *p != ':' || tn == 0)
        return STATSD_BAD_EVENT;
    p++;
    if (!statsd_event_split(p, end, tn, xn, &title_end, &text_end))
        return STATSD_BAD_EVENT;
    if (!statsd_printable(p, (size_t)(title_end - p)))
        return STATSD_BAD_EVENT;
    out->name.p = p;
    out->name.n = (size_t)(title_end - p);
    out->text.p = title_end + 1;
    out->text.n = (size_t)(text_end - title_end - 1);
    return statsd_meta_fields(text_end, end, out, STATSD_BAD_EVENT);
}

/* "_sc|<name>|<status>[|field...][|m:<message>]": the message runs to the end of the line. */
static enum statsd_reason statsd_parse_check(const char *line, size_t len, struct statsd_line *out)
{
    const char *end = line + len, *p = line + 4;
    statsd_meta_init(out, STATSD_KIND_SERVICE_CHECK);
    const char *bar = memchr(p, '|', (size_t)(end - p));
    if (bar == NULL || bar == p)
        return STATSD_BAD_SERVICE_CHECK;
    for (const char *q = p; q < bar; q++)
        if ((unsigned char)*q <= ' ' || *q == 0x7f)
            return STATSD_BAD_SERVICE_CHECK;
    out->name.p = p;
    out->name.n = (size_t)(bar - p);
    p = bar + 1;
    if (p == end || *p < '0' || *p > '3' || (p + 1 < end && p[1] != '|'))
        return STATSD_BAD_SERVICE_CHECK;
    out->status = (enum statsd_check_status)(*p - '0');
    return statsd_meta_fields(p + 1, end, out, STATSD_BAD_SERVICE_CHECK);
}

static enum statsd_reason statsd_parse(const char *line, size_t len, struct statsd_line *out)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len > STATSD_LINE_MAX)
        return STATSD_TOO_LONG;
    if (len >= 3 && memcmp(line, "_e{", 3) == 0)
        return statsd_parse_event(line, len, out);
    if (len >= 4 && memcmp(line, "_sc|", 4) == 0)
        return statsd_parse_check(line, len, out);
    out->kind = STATSD_KIND_METRIC;
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
