/* A jansson tree walker over the JSON writer (render/jsonw.h). */
#include "render/json.h"

#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "render/jsonw.h"
#include "core/banned.h"

/* json_walk writes v through the one JSON writer (render/jsonw.h), which places the separators,
 * escapes the strings and keys and formats the numbers. */
static void json_walk(struct jsonw *w, const json_t *v)
{
    const char *key;
    json_t *val;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        jsonw_obj_open(w);
        /* json_object_foreach takes a non-const object; it does not modify it. */
        json_object_foreach((json_t *)(uintptr_t)v, key, val)
        {
            jsonw_key(w, key);
            json_walk(w, val);
        }
        jsonw_obj_close(w);
        return;
    case JSON_ARRAY:
        jsonw_arr_open(w);
        for (size_t i = 0; i < json_array_size(v); i++)
            json_walk(w, json_array_get(v, i));
        jsonw_arr_close(w);
        return;
    case JSON_STRING:
        jsonw_strn(w, json_string_value(v), json_string_length(v));
        return;
    case JSON_INTEGER:
        jsonw_int(w, (int64_t)json_integer_value(v));
        return;
    case JSON_REAL:
        jsonw_real(w, json_real_value(v));
        return;
    case JSON_TRUE:
    case JSON_FALSE:
        jsonw_bool(w, json_is_true(v));
        return;
    case JSON_NULL:
        jsonw_null(w);
        return;
    }
}

int render_json(struct buf *out, const json_t *v)
{
    if (v == NULL)
        return -EINVAL;
    struct jsonw w;
    jsonw_init(&w, out);
    json_walk(&w, v);
    return jsonw_finish(&w);
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
