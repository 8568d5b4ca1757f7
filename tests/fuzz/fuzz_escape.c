/* fuzz_escape: every escaping context must round-trip through a minimal reader of that context,
 * and its output must be valid UTF-8 with no byte that breaks the enclosing syntax. Also renders
 * a one-gauge metric set whose HELP and label value are the input, in text and OpenMetrics, and
 * re-reads it with a minimal exposition tokenizer (STYLE 3.12). Any violation aborts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "render/escape.h"
#include "render/render.h"
#include "store/mset.h"

#define FUZZ_MAX 4096

/* A strict UTF-8 validator, independent of escape.c's (Unicode Table 3-7). */
static bool valid_utf8(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t len;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c == 0xE0)
            len = 3, lo = 0xA0;
        else if (c == 0xED)
            len = 3, hi = 0x9F;
        else if (c >= 0xE1 && c <= 0xEF)
            len = 3;
        else if (c == 0xF0)
            len = 4, lo = 0x90;
        else if (c == 0xF4)
            len = 4, hi = 0x8F;
        else if (c >= 0xF1 && c <= 0xF3)
            len = 4;
        else
            return false;
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if (p[i + k] < (k == 1 ? lo : 0x80) || p[i + k] > (k == 1 ? hi : 0xBF))
                return false;
        }
        i += len;
    }
    return true;
}

/* Expected decoding: the input itself when it is valid UTF-8 without NUL (NUL is replaced in
 * the exposition contexts); otherwise only validity of the decoded bytes is checked. */
static void check_decoded(const uint8_t *in, size_t n, const char *dec, size_t dn, bool nul_ok)
{
    if (!valid_utf8((const unsigned char *)dec, dn))
        abort();
    bool exact = valid_utf8(in, n) && (nul_ok || memchr(in, 0, n) == NULL);
    if (exact && (dn != n || memcmp(dec, in, n) != 0))
        abort();
}

/* unescape_exposition reads an exposition escaped string: allowed escapes are in `allowed`
 * ("\\n\"" for label values, "\\n" for 0.0.4 HELP); a raw LF, a raw '"' when '"' must be
 * escaped, or any other escape is a violation. */
static size_t unescape_exposition(const char *s, size_t n, const char *allowed, char *dst)
{
    bool quote_escaped = strchr(allowed, '"') != NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n' || (c == '"' && quote_escaped) || c == '\0')
            abort();
        if (c != '\\') {
            dst[k++] = c;
            continue;
        }
        if (++i >= n || strchr(allowed, s[i]) == NULL)
            abort();
        dst[k++] = s[i] == 'n' ? '\n' : s[i];
    }
    return k;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* unescape_json decodes the inside of a JSON string; only \u00XX is produced by escape.c, and
 * raw control bytes, raw '"' and unknown escapes are violations. */
static size_t unescape_json(const char *s, size_t n, char *dst)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"')
            abort();
        if (c != '\\') {
            dst[k++] = (char)c;
            continue;
        }
        if (++i >= n)
            abort();
        switch (s[i]) {
        case '"':
        case '\\':
        case '/':
            dst[k++] = s[i];
            break;
        case 'b':
            dst[k++] = '\b';
            break;
        case 'f':
            dst[k++] = '\f';
            break;
        case 'n':
            dst[k++] = '\n';
            break;
        case 'r':
            dst[k++] = '\r';
            break;
        case 't':
            dst[k++] = '\t';
            break;
        case 'u': {
            if (i + 4 >= n)
                abort();
            int v = 0;
            for (int d = 1; d <= 4; d++) {
                int h = hexval(s[i + (size_t)d]);
                if (h < 0)
                    abort();
                v = v * 16 + h;
            }
            if (v >= 0x80) /* escape.c only escapes ASCII control bytes */
                abort();
            dst[k++] = (char)v;
            i += 4;
            break;
        }
        default:
            abort();
        }
    }
    return k;
}

typedef int (*escape_fn)(struct buf *out, const char *s, size_t n);

static void escape_into(struct buf *b, escape_fn fn, const uint8_t *data, size_t n)
{
    buf_init(b, 16 * FUZZ_MAX);
    if (fn(b, (const char *)data, n) != 0)
        abort();
    if (!valid_utf8((const unsigned char *)buf_ptr(b), buf_len(b)))
        abort();
}

static void check_contexts(const uint8_t *data, size_t n, char *dec)
{
    struct buf b;
    size_t dn;

    escape_into(&b, escape_label_value, data, n);
    dn = unescape_exposition(buf_ptr(&b), buf_len(&b), "\\n\"", dec);
    check_decoded(data, n, dec, dn, false);
    buf_fini(&b);

    escape_into(&b, escape_help_om, data, n);
    dn = unescape_exposition(buf_ptr(&b), buf_len(&b), "\\n\"", dec);
    check_decoded(data, n, dec, dn, false);
    buf_fini(&b);

    escape_into(&b, escape_help_text, data, n);
    dn = unescape_exposition(buf_ptr(&b), buf_len(&b), "\\n", dec);
    check_decoded(data, n, dec, dn, false);
    buf_fini(&b);

    escape_into(&b, escape_json_string, data, n);
    dn = unescape_json(buf_ptr(&b), buf_len(&b), dec);
    check_decoded(data, n, dec, dn, true);
    buf_fini(&b);

    escape_into(&b, escape_logfmt_value, data, n);
    const char *s = buf_ptr(&b);
    size_t sl = buf_len(&b);
    if (sl >= 2 && s[0] == '"') {
        if (s[sl - 1] != '"')
            abort();
        dn = unescape_json(s + 1, sl - 2, dec);
    } else {
        for (size_t i = 0; i < sl; i++)
            if ((unsigned char)s[i] <= ' ' || s[i] == '"' || s[i] == '=' || s[i] == '\\')
                abort();
        if (sl == 0)
            abort();
        memcpy(dec, s, sl);
        dn = sl;
    }
    check_decoded(data, n, dec, dn, true);
    buf_fini(&b);
}

/* Minimal exposition reader for the one family rendered below: checks the HELP docstring and the
 * label value of every sample line. */
static void check_exposition(const char *body, size_t len, const char *help, const char *value,
                             bool om, char *dec)
{
    const char *p = body, *end = body + len;
    size_t nsamples = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            abort(); /* every line ends in LF */
        if (strncmp(p, "# HELP f ", 9) == 0) {
            size_t dn =
                unescape_exposition(p + 9, (size_t)(eol - p - 9), om ? "\\n\"" : "\\n", dec);
            check_decoded((const uint8_t *)help, strlen(help), dec, dn, false);
        } else if (strncmp(p, "# TYPE f gauge\n", 15) == 0 || strncmp(p, "# EOF\n", 6) == 0) {
            if (p[2] == 'E' && eol + 1 != end)
                abort(); /* nothing after # EOF */
        } else if (strncmp(p, "f{l=\"", 5) == 0) {
            const char *v = p + 5, *q = v;
            while (q < eol && *q != '"')
                q += *q == '\\' ? 2 : 1;
            if (q >= eol || strncmp(q, "\"} 1\n", 5) != 0 || q + 4 != eol)
                abort();
            size_t dn = unescape_exposition(v, (size_t)(q - v), "\\n\"", dec);
            check_decoded((const uint8_t *)value, strlen(value), dec, dn, false);
            nsamples++;
        } else {
            abort();
        }
        p = eol + 1;
    }
    if (nsamples != 1 || (om && (len < 6 || memcmp(end - 6, "# EOF\n", 6) != 0)))
        abort();
}

static void check_render(const uint8_t *data, size_t n, char *dec)
{
    /* The metric set holds C strings: HELP is the input up to its first NUL, the label value
     * what follows it (or the same text). */
    char *text = malloc(n + 1);
    if (text == NULL)
        return;
    memcpy(text, data, n);
    text[n] = '\0';
    size_t first = strlen(text);
    const char *value = first < n ? text + first + 1 : text;

    struct mset *m = mset_new();
    struct mfamily *f = NULL;
    struct label l = {"l", value};
    if (mset_family(m, "f", METRIC_GAUGE, text, &f) != 0 || mset_add(m, f, &l, 1, 1) != 0)
        abort();
    struct buf b;
    buf_init(&b, 64 * FUZZ_MAX);
    if (render_prom_text(m, &b) != 0)
        abort();
    check_exposition(buf_ptr(&b), buf_len(&b), text, value, false, dec);
    buf_fini(&b);
    buf_init(&b, 64 * FUZZ_MAX);
    if (render_openmetrics(m, &b) != 0)
        abort();
    check_exposition(buf_ptr(&b), buf_len(&b), text, value, true, dec);
    buf_fini(&b);
    mset_free(m);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX)
        size = FUZZ_MAX;
    char *dec = malloc(16 * FUZZ_MAX);
    if (dec == NULL)
        return 0;
    check_contexts(data, size, dec);
    check_render(data, size, dec);
    free(dec);
    return 0;
}
