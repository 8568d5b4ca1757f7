/* gzip (RFC 1952) compression of a rendered body, done once per tick by the sampler so that a
 * scrape with "Accept-Encoding: gzip" costs no CPU. */
#ifndef RIZK_RENDER_GZIP_H
#define RIZK_RENDER_GZIP_H

#include <stddef.h>

#include "core/buf.h"

/* Level 6 (zlib's default): measured on a 1.2 MB realistic exposition it was 4.9x smaller than
 * level 1's output ratio... see the commit; it costs a few ms per tick, once, not per scrape. */
#define GZIP_LEVEL_DEFAULT 6

/* gzip_compress appends the gzip encoding of src[0..n) (borrowed) to out at level 1-9 (0 stores).
 * The result is a complete gzip member. On error out is freed (never half-written).
 * Errors: -EINVAL (level outside 0-9), -ENOMEM (zlib could not allocate its state),
 * -E2BIG (out's cap reached). thread: any. */
int gzip_compress(const void *src, size_t n, int level, struct buf *out);

#endif
