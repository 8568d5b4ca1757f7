/* gzip through zlib's deflate with windowBits 15+16 (gzip wrapper, not zlib's). Output goes
 * through a stack chunk into the capped buffer, so a body that compresses badly fails with
 * -E2BIG instead of growing without bound. */
#include "render/gzip.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <zlib.h>

#include "core/banned.h"

/* deflate's state is 2^(windowBits+2) + 2^(memLevel+9) bytes, allocated per call on the sampler
 * thread, whose malloc arena keeps it: 256 KiB at zlib's defaults (15, 8), 128 KiB here. A
 * 16 KiB window still covers a typical 10-60 KiB exposition's repeated names; measured on the
 * sidecar's own 15.5 kB body: 3316 B at (15, 8) and at (14, 7) alike. */
#define GZIP_WINDOW_BITS 14
#define GZIP_MEM_LEVEL 7

int gzip_compress(const void *src, size_t n, int level, struct buf *out)
{
    z_stream zs;
    unsigned char chunk[16384];
    const unsigned char *in = src;
    size_t left = n;
    int zrc;
    int rc = 0;

    if (level < 0 || level > 9) {
        buf_fini(out);
        return -EINVAL;
    }
    memset(&zs, 0, sizeof(zs));
    zrc = deflateInit2(&zs, level, Z_DEFLATED, GZIP_WINDOW_BITS + 16, GZIP_MEM_LEVEL,
                       Z_DEFAULT_STRATEGY);
    if (zrc != Z_OK) {
        buf_fini(out);
        return zrc == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
    }
    /* avail_in is a 32-bit uInt: feed inputs larger than 4 GiB in slices. */
    do {
        uInt take = left > UINT_MAX ? UINT_MAX : (uInt)left;
        zs.next_in = (Bytef *)(uintptr_t)in; /* zlib's API is not const-correct */
        zs.avail_in = take;
        in += take;
        left -= take;
        int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
        do {
            zs.next_out = chunk;
            zs.avail_out = sizeof(chunk);
            zrc = deflate(&zs, flush);
            if (zrc == Z_STREAM_ERROR) {
                rc = -EINVAL;
                goto out;
            }
            rc = buf_add(out, chunk, sizeof(chunk) - zs.avail_out);
            if (rc < 0)
                goto out;
        } while (zs.avail_out == 0);
    } while (left > 0);
    if (zrc != Z_STREAM_END)
        rc = -EINVAL;
out:
    deflateEnd(&zs);
    if (rc < 0)
        buf_fini(out);
    return rc;
}
