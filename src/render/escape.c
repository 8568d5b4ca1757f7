/* Escaping per output context. One generic loop copies runs of safe bytes in one append and asks
 * a per-context function for the replacement of each ASCII byte; bytes >= 0x80 are checked as
 * UTF-8 (strict: no overlongs, no surrogates, nothing above U+10FFFF, as Go's utf8.Valid). */
#include "render/escape.h"

#include <stdbool.h>
#include <stdio.h>

#include "core/banned.h"

/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
static const char utf8_replacement[] = "\xEF\xBF\xBD";

/* A replacement for one ASCII byte, or NULL to copy it raw. tmp (>= 8 bytes) may hold it. */
typedef const char *(*escape_fn)(unsigned char c, char *tmp);

/* utf8_seq returns the length (1-4) of the well-formed sequence at p, or minus the length of its
 * maximal ill-formed subpart (Unicode 15 §3.9, "U+FFFD substitution of maximal subparts"). */
static int utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    unsigned lo = 0x80, hi = 0xBF;
    size_t len;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c == 0xE0) {
        len = 3;
        lo = 0xA0; /* overlong */
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        len = 3;
    } else if (c == 0xED) {
        len = 3;
        hi = 0x9F; /* surrogates */
    } else if (c == 0xF0) {
        len = 4;
        lo = 0x90; /* overlong */
    } else if (c >= 0xF1 && c <= 0xF3) {
        len = 4;
    } else if (c == 0xF4) {
        len = 4;
        hi = 0x8F; /* above U+10FFFF */
    } else {
        return -1;
    }
    for (size_t i = 1; i < len; i++) {
        if (i >= n || p[i] < lo || p[i] > hi)
            return -(int)i;
        lo = 0x80;
        hi = 0xBF;
    }
    return (int)len;
}

static int escape_run(struct buf *out, const char *s, size_t n, escape_fn fn)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t start = 0; /* first byte of the pending raw run */
    size_t i = 0;
    char tmp[8];
    int rc = 0;

    while (i < n) {
        const char *rep = NULL;
        size_t adv = 1;
        if (p[i] < 0x80) {
            rep = fn(p[i], tmp);
        } else {
            int len = utf8_seq(p + i, n - i);
            if (len > 0) {
                adv = (size_t)len;
            } else {
                rep = utf8_replacement;
                adv = (size_t)-len;
            }
        }
        if (rep != NULL) {
            rc = buf_add(out, s + start, i - start);
            if (rc < 0)
                return rc;
            rc = buf_adds(out, rep);
            if (rc < 0)
                return rc;
            start = i + adv;
        }
        i += adv;
    }
    return buf_add(out, s + start, n - start);
}

static const char *esc_help_text(unsigned char c, char *tmp)
{
    (void)tmp;
    switch (c) {
    case '\\':
        return "\\\\";
    case '\n':
        return "\\n";
    case '\0':
        return utf8_replacement;
    default:
        return NULL;
    }
}

static const char *esc_quoted(unsigned char c, char *tmp)
{
    if (c == '"')
        return "\\\"";
    return esc_help_text(c, tmp);
}

static const char *esc_json(unsigned char c, char *tmp)
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        break;
    }
    if (c < 0x20 || c == 0x7F) {
        snprintf(tmp, 8, "\\u%04x", c);
        return tmp;
    }
    return NULL;
}

/* HTML text and attribute values (double-quoted): the five significant characters; control
 * bytes other than TAB/LF/CR are dropped as U+FFFD would be noise in a page. */
static const char *esc_html(unsigned char c, char *tmp)
{
    (void)tmp;
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    case '\t':
    case '\n':
    case '\r':
        return NULL;
    default:
        break;
    }
    return (c < 0x20 || c == 0x7F) ? "" : NULL;
}

int escape_html(struct buf *out, const char *s, size_t n)
{
    return escape_run(out, s, n, esc_html);
}

int escape_help_text(struct buf *out, const char *s, size_t n)
{
    return escape_run(out, s, n, esc_help_text);
}

int escape_help_om(struct buf *out, const char *s, size_t n)
{
    return escape_run(out, s, n, esc_quoted);
}

int escape_label_value(struct buf *out, const char *s, size_t n)
{
    return escape_run(out, s, n, esc_quoted);
}

static const char *esc_utf8(unsigned char c, char *tmp)
{
    (void)tmp;
    return c == '\0' ? utf8_replacement : NULL;
}

int escape_utf8(struct buf *out, const char *s, size_t n)
{
    return escape_run(out, s, n, esc_utf8);
}

bool escape_is_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (p[i] == 0)
            return false;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        int len = utf8_seq(p + i, n - i);
        if (len < 0)
            return false;
        i += (size_t)len;
    }
    return true;
}

int escape_json_string(struct buf *out, const char *s, size_t n)
{
    return escape_run(out, s, n, esc_json);
}

static bool logfmt_is_bare(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7F || c == '"' || c == '=' || c == '\\')
            return false;
    }
    return true;
}

int escape_logfmt_value(struct buf *out, const char *s, size_t n)
{
    int rc;

    if (logfmt_is_bare(s, n))
        return buf_add(out, s, n);
    rc = buf_addc(out, '"');
    if (rc < 0)
        return rc;
    /* JSON's string rules are exactly logfmt's quoted-value rules (go-logfmt writes Go-quoted
     * strings, which share \" \\ \n \r \t and accept \u00XX). */
    rc = escape_run(out, s, n, esc_json);
    if (rc < 0)
        return rc;
    return buf_addc(out, '"');
}
