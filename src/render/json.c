/* A jansson tree walker that writes compact JSON with shortest round-trip reals. */
#include "render/json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "render/escape.h"
#include "render/numfmt.h"
#include "core/banned.h"

static int json_string_out(struct buf *out, const char *s, size_t n)
{
    int rc = buf_addc(out, '"');
    if (rc == 0)
        rc = escape_json_string(out, s, n);
    if (rc == 0)
        rc = buf_addc(out, '"');
    return rc;
}

static int json_real_out(struct buf *out, double v)
{
    if (!isfinite(v))
        return buf_adds(out, "null");
    return numfmt_append(out, v);
}

static int json_object_out(struct buf *out, const json_t *v)
{
    int rc = buf_addc(out, '{');
    bool first = true;
    const char *key;
    json_t *val;
    /* json_object_foreach takes a non-const object; it does not modify it. */
    json_t *obj = (json_t *)(uintptr_t)v;
    json_object_foreach(obj, key, val)
    {
        if (rc == 0 && !first)
            rc = buf_addc(out, ',');
        if (rc == 0)
            rc = json_string_out(out, key, strlen(key));
        if (rc == 0)
            rc = buf_addc(out, ':');
        if (rc == 0)
            rc = render_json(out, val);
        first = false;
    }
    if (rc == 0)
        rc = buf_addc(out, '}');
    return rc;
}

static int json_array_out(struct buf *out, const json_t *v)
{
    int rc = buf_addc(out, '[');
    for (size_t i = 0; rc == 0 && i < json_array_size(v); i++) {
        if (i > 0)
            rc = buf_addc(out, ',');
        if (rc == 0)
            rc = render_json(out, json_array_get(v, i));
    }
    if (rc == 0)
        rc = buf_addc(out, ']');
    return rc;
}

int render_json(struct buf *out, const json_t *v)
{
    if (v == NULL)
        return -EINVAL;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return json_object_out(out, v);
    case JSON_ARRAY:
        return json_array_out(out, v);
    case JSON_STRING:
        return json_string_out(out, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    case JSON_REAL:
        return json_real_out(out, json_real_value(v));
    case JSON_TRUE:
        return buf_adds(out, "true");
    case JSON_FALSE:
        return buf_adds(out, "false");
    case JSON_NULL:
        return buf_adds(out, "null");
    }
    return -EINVAL;
}

int render_json_steal(const json_t *v, size_t cap, char **data, size_t *len)
{
    struct buf b;
    buf_init(&b, cap);
    int rc = render_json(&b, v);
    if (rc == 0)
        rc = buf_addc(&b, '\n');
    if (rc < 0) {
        buf_fini(&b);
        return rc;
    }
    size_t n = 0;
    char *p = buf_steal(&b, &n);
    *data = p;
    *len = n;
    return 0;
}

json_t *json_real_or_null(bool has, double v)
{
    if (!has || !isfinite(v))
        return json_null();
    return json_real(v);
}
