/* Streaming JSON writer: a comma flag per nesting level decides the separators. */
#include "render/jsonw.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "render/escape.h"
#include "render/numfmt.h"
#include "core/banned.h"

void jsonw_init(struct jsonw *w, struct buf *out)
{
    *w = (struct jsonw){._out = out};
}

/* jsonw_pre places the separator before a value and fails misplaced values (a value directly
 * inside an object without a key). */
static bool jsonw_pre(struct jsonw *w, bool is_key)
{
    if (w->_rc < 0)
        return false;
    if (w->_after_key) {
        if (is_key) {
            w->_rc = -EINVAL;
            return false;
        }
        w->_after_key = false;
        return true;
    }
    if (w->_need_comma[w->_depth])
        w->_rc = buf_addc(w->_out, ',');
    w->_need_comma[w->_depth] = true;
    return w->_rc == 0;
}

static void jsonw_open(struct jsonw *w, char c)
{
    if (!jsonw_pre(w, false))
        return;
    if (w->_depth == JSONW_MAX_DEPTH) {
        w->_rc = -EINVAL;
        return;
    }
    w->_rc = buf_addc(w->_out, c);
    w->_need_comma[++w->_depth] = false;
}

static void jsonw_close(struct jsonw *w, char c)
{
    if (w->_rc < 0)
        return;
    if (w->_depth == 0 || w->_after_key) {
        w->_rc = -EINVAL;
        return;
    }
    w->_depth--;
    w->_rc = buf_addc(w->_out, c);
}

void jsonw_obj_open(struct jsonw *w)
{
    jsonw_open(w, '{');
}

void jsonw_obj_close(struct jsonw *w)
{
    jsonw_close(w, '}');
}

void jsonw_arr_open(struct jsonw *w)
{
    jsonw_open(w, '[');
}

void jsonw_arr_close(struct jsonw *w)
{
    jsonw_close(w, ']');
}

/* jsonw_is_plain: printable ASCII without '"' and '\\', which escape_json_string copies
 * unchanged; such strings (keys, names, timestamps, quantities: nearly all of them) skip the
 * per-byte escaper. */
static bool jsonw_is_plain(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            return false;
    }
    return true;
}

/* jsonw_quoted writes "s" (escaped), then suffix (":" for a key, or nothing). A short plain
 * string goes out in one append: most of a metric list is short names and numbers, and the
 * per-append bookkeeping was a third of the cost of rendering one. */
static void jsonw_quoted(struct jsonw *w, const char *s, size_t n, const char *suffix)
{
    size_t sl = strlen(suffix);
    char tmp[256];
    if (n + sl + 2 <= sizeof(tmp) && jsonw_is_plain(s, n)) {
        tmp[0] = '"';
        memcpy(tmp + 1, s, n);
        tmp[n + 1] = '"';
        memcpy(tmp + n + 2, suffix, sl);
        w->_rc = buf_add(w->_out, tmp, n + sl + 2);
        return;
    }
    int rc = buf_addc(w->_out, '"');
    if (rc == 0)
        rc = escape_json_string(w->_out, s, n);
    if (rc == 0)
        rc = buf_addc(w->_out, '"');
    if (rc == 0)
        rc = buf_add(w->_out, suffix, sl);
    w->_rc = rc;
}

void jsonw_key(struct jsonw *w, const char *k)
{
    if (!jsonw_pre(w, true))
        return;
    jsonw_quoted(w, k, strlen(k), ":");
    w->_after_key = w->_rc == 0;
}

void jsonw_strn(struct jsonw *w, const char *s, size_t n)
{
    if (jsonw_pre(w, false))
        jsonw_quoted(w, s, n, "");
}

void jsonw_str(struct jsonw *w, const char *s)
{
    jsonw_strn(w, s, strlen(s));
}

void jsonw_int(struct jsonw *w, int64_t v)
{
    if (!jsonw_pre(w, false))
        return;
    char tmp[24];
    char *p = tmp + sizeof(tmp);
    /* digits from the right; the magnitude as unsigned so INT64_MIN has one */
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    w->_rc = buf_add(w->_out, p, (size_t)(tmp + sizeof(tmp) - p));
}

void jsonw_real(struct jsonw *w, double v)
{
    if (!jsonw_pre(w, false))
        return;
    w->_rc = isfinite(v) ? numfmt_append(w->_out, v) : buf_adds(w->_out, "null");
}

void jsonw_bool(struct jsonw *w, bool v)
{
    if (jsonw_pre(w, false))
        w->_rc = buf_adds(w->_out, v ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
    if (jsonw_pre(w, false))
        w->_rc = buf_adds(w->_out, "null");
}

int jsonw_finish(const struct jsonw *w)
{
    if (w->_rc < 0)
        return w->_rc;
    return w->_depth == 0 && !w->_after_key ? 0 : -EINVAL;
}
