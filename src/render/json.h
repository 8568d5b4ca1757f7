/* JSON output for the /api/v1 endpoints. Documents are built as jansson trees (so every value
 * has a JSON type and nothing is written by hand) and serialised here, through the project's
 * one JSON writer (render/jsonw.h), rather than by json_dumps, for one reason: jansson prints
 * reals with 17 significant digits (0.1 becomes 0.10000000000000001). The writer gives reals
 * the shortest form that reads back to the same double (render/numfmt.h, as the exposition
 * formats do), NaN and infinities become null (JSON has no token for them), and every string
 * and key goes through escape_json_string (render/escape.h), which escapes every byte below
 * 0x20 and repairs invalid UTF-8. */
#ifndef RIZK_RENDER_JSON_H
#define RIZK_RENDER_JSON_H

#include <stdbool.h>

#include <jansson.h>

#include "core/buf.h"

/* render_json appends v (borrowed) to out as compact JSON, object keys in insertion order.
 * Errors: -E2BIG when out's cap is reached (out freed, see core/buf.h), -EINVAL for a NULL
 * value. thread: any. */
int render_json(struct buf *out, const json_t *v);

/* render_json_steal renders v into a fresh buffer capped at cap bytes and hands it over:
 * *data (malloc'd, NUL-terminated; the caller frees) and *len. Takes a reference to nothing:
 * v stays the caller's. Errors as render_json; on error *data is untouched. thread: any. */
int render_json_steal(const json_t *v, size_t cap, char **data, size_t *len);

/* json_real_or_null returns a new jansson real, or null when has is false or v is not finite:
 * a missing value is never reported as 0. thread: any. */
json_t *json_real_or_null(bool has, double v);

#endif
