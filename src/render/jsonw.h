/* A streaming JSON writer over a bounded struct buf, for documents too large or too hot to build
 * as jansson trees (the adapter's metric lists: a 1000-pod answer is one pass over the pods).
 * Unescaped output is impossible by construction: strings and keys only go through
 * escape_json_string (render/escape.h), numbers through numfmt (shortest round trip; NaN and
 * infinities become null), and the writer places ',' and ':' itself. Errors are sticky: after
 * the first failure nothing more is written and jsonw_finish reports it.
 * Fields are private: do not touch them. thread: the owner of the buf. */
#ifndef RIZK_RENDER_JSONW_H
#define RIZK_RENDER_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define JSONW_MAX_DEPTH 32

struct jsonw {
    struct buf *_out;
    int _rc;
    unsigned _depth;
    bool _need_comma[JSONW_MAX_DEPTH + 1];
    bool _after_key;
};

/* jsonw_init starts writing to out (borrowed; appended to). */
void jsonw_init(struct jsonw *w, struct buf *out);
void jsonw_obj_open(struct jsonw *w);
void jsonw_obj_close(struct jsonw *w);
void jsonw_arr_open(struct jsonw *w);
void jsonw_arr_close(struct jsonw *w);
/* jsonw_key writes an object key (escaped); the next value belongs to it. */
void jsonw_key(struct jsonw *w, const char *k);
void jsonw_str(struct jsonw *w, const char *s);
void jsonw_strn(struct jsonw *w, const char *s, size_t n);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_real(struct jsonw *w, double v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* jsonw_finish returns 0 when a complete document was written, the first error otherwise
 * (-E2BIG: out's cap; -EINVAL: unbalanced or misplaced calls). */
int jsonw_finish(const struct jsonw *w);

#endif
