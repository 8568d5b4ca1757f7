/* Downward-API labels file parser. The kubelet writes `key="value"` lines sorted by key, with
 * the value escaped by Go's %q, so the unquoting below follows strconv.Unquote. */
#include "parse/pod_labels.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "parse/lex.h"
#include "core/banned.h"

/* put_utf8 appends code point cp; -EPROTO for surrogates, > U+10FFFF and NUL. */
static int put_utf8(char *out, size_t *n, size_t cap, uint32_t cp)
{
    unsigned char b[4];
    size_t k;
    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return -EPROTO;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        k = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3f));
        k = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xe0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp & 0x3f));
        k = 3;
    } else {
        b[0] = (unsigned char)(0xf0 | (cp >> 18));
        b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (unsigned char)(0x80 | (cp & 0x3f));
        k = 4;
    }
    if (*n + k >= cap)
        return -E2BIG;
    memcpy(out + *n, b, k);
    *n += k;
    return 0;
}

static int put_byte(char *out, size_t *n, size_t cap, unsigned v)
{
    if (v == 0)
        return -EPROTO;
    if (*n + 1 >= cap)
        return -E2BIG;
    out[(*n)++] = (char)v;
    return 0;
}

/* unquote_escape decodes the escape at *p (just after the backslash). */
static int unquote_escape(const char **p, const char *end, char *out, size_t *n, size_t cap)
{
    const char *s = *p;
    if (s >= end)
        return -EPROTO;
    char c = *s++;
    static const char simple_in[] = "abfnrtv\\\"'";
    static const char simple_out[] = "\a\b\f\n\r\t\v\\\"'";
    const char *hit = strchr(simple_in, c);
    int rc;
    if (hit != NULL && c != '\0') {
        rc = put_byte(out, n, cap, (unsigned char)simple_out[hit - simple_in]);
    } else if (c == 'x' || c == 'u' || c == 'U') {
        int digits = c == 'x' ? 2 : (c == 'u' ? 4 : 8);
        uint32_t v = 0;
        for (int i = 0; i < digits; i++) {
            int h = s < end ? lex_hex_digit(*s) : -1;
            if (h < 0)
                return -EPROTO;
            v = (v << 4) | (uint32_t)h;
            s++;
        }
        /* \xHH is a raw byte in Go (it may be half of a UTF-8 sequence); \u and \U are runes. */
        rc = c == 'x' ? put_byte(out, n, cap, v) : put_utf8(out, n, cap, v);
    } else if (c >= '0' && c <= '7') {
        unsigned v = (unsigned)(c - '0');
        for (int i = 0; i < 2; i++) {
            if (s >= end || *s < '0' || *s > '7')
                return -EPROTO;
            v = v * 8 + (unsigned)(*s++ - '0');
        }
        if (v > 255)
            return -EPROTO;
        rc = put_byte(out, n, cap, v);
    } else {
        return -EPROTO;
    }
    if (rc < 0)
        return rc;
    *p = s;
    return 0;
}

/* label_value decodes the quoted value at [p, end) into a new string. */
static int label_value(const char *p, const char *end, char **out)
{
    if (end - p < 2 || *p != '"' || end[-1] != '"')
        return -EPROTO;
    p++;
    end--;
    char *v = xmalloc(POD_LABEL_VALUE_MAX + 1);
    size_t n = 0;
    int rc = 0;
    while (p < end) {
        char c = *p++;
        if (c == '\\') {
            rc = unquote_escape(&p, end, v, &n, POD_LABEL_VALUE_MAX + 1);
        } else if (c == '"' || c == '\n') {
            rc = -EPROTO; /* an unescaped quote ends the string early */
        } else {
            rc = put_byte(v, &n, POD_LABEL_VALUE_MAX + 1, (unsigned char)c);
        }
        if (rc < 0)
            break;
    }
    if (rc < 0) {
        free(v);
        return rc;
    }
    v[n] = '\0';
    *out = v;
    return 0;
}

static bool key_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '/';
}

static int label_line(const char *p, const char *end, struct pod_label *out)
{
    const char *eq = memchr(p, '=', (size_t)(end - p));
    if (eq == NULL || eq == p || eq - p > POD_LABEL_KEY_MAX)
        return -EPROTO;
    for (const char *s = p; s < eq; s++)
        if (!key_char_ok(*s))
            return -EPROTO;
    char *value = NULL;
    int rc = label_value(eq + 1, end, &value);
    if (rc < 0)
        return rc;
    out->key = xstrndup(p, (size_t)(eq - p));
    out->value = value;
    return 0;
}

int parse_pod_labels(const char *text, struct pod_labels *out, struct parse_err *err)
{
    struct pod_labels l;
    unsigned lines = 0;
    const char *first_bad = NULL;
    const char *next;
    memset(&l, 0, sizeof(l));
    for (const char *p = text; *p != '\0'; p = next) {
        const char *e = strchr(p, '\n');
        next = e ? e + 1 : p + strlen(p);
        const char *end = e ? e : next;
        while (end > p && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
            end--;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (end == p)
            continue;
        lines++;
        struct pod_label lb;
        int rc = label_line(p, end, &lb);
        if (rc == 0 && pod_labels_get(&l, lb.key) != NULL) {
            free(lb.key);
            free(lb.value);
            rc = -EEXIST;
        }
        if (rc < 0) {
            if (first_bad == NULL)
                first_bad = p;
            l.malformed++;
            continue;
        }
        if (l.n == POD_LABELS_MAX) {
            free(lb.key);
            free(lb.value);
            l.dropped++;
            continue;
        }
        l.items[l.n++] = lb;
    }
    if (first_bad != NULL)
        parse_err_set(err, text, first_bad, "malformed labels line");
    if (lines > 0 && l.malformed == lines) {
        pod_labels_fini(&l);
        return -EPROTO;
    }
    *out = l;
    return 0;
}

void pod_labels_fini(struct pod_labels *l)
{
    if (l == NULL)
        return;
    for (unsigned i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].value);
    }
    l->n = 0;
}

const char *pod_labels_get(const struct pod_labels *l, const char *key)
{
    for (unsigned i = 0; i < l->n; i++)
        if (strcmp(l->items[i].key, key) == 0)
            return l->items[i].value;
    return NULL;
}
