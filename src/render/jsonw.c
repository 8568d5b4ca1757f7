/* Streaming JSON writer: a comma flag per nesting level decides the separators. */
#include "render/jsonw.h"

#include <errno.h>
#include <inttypes.h>
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

static void jsonw_quoted(struct jsonw *w, const char *s, size_t n)
{
    int rc = buf_addc(w->_out, '"');
    if (rc == 0)
        rc = escape_json_string(w->_out, s, n);
    if (rc == 0)
        rc = buf_addc(w->_out, '"');
    w->_rc = rc;
}

void jsonw_key(struct jsonw *w, const char *k)
{
    if (!jsonw_pre(w, true))
        return;
    jsonw_quoted(w, k, strlen(k));
    if (w->_rc == 0)
        w->_rc = buf_addc(w->_out, ':');
    w->_after_key = w->_rc == 0;
}

void jsonw_strn(struct jsonw *w, const char *s, size_t n)
{
    if (jsonw_pre(w, false))
        jsonw_quoted(w, s, n);
}

void jsonw_str(struct jsonw *w, const char *s)
{
    jsonw_strn(w, s, strlen(s));
}

void jsonw_int(struct jsonw *w, int64_t v)
{
    if (jsonw_pre(w, false))
        w->_rc = buf_printf(w->_out, "%" PRId64, v);
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
