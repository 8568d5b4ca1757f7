/* The --history.path file, parse side: bounds-checked reads over the buffer, the checksum first
 * so a torn or edited file is refused before any of it is believed. */
#include "parse/history_file.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "core/banned.h"

#define HF_HEADER (8 + 4 + 8 + 4)

static uint32_t hf_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t hf_u64(const unsigned char *p)
{
    return (uint64_t)hf_u32(p) | (uint64_t)hf_u32(p + 4) << 32;
}

uint32_t history_file_crc32(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    /* zlib takes a uInt length: feed large buffers in pieces */
    while (n > 0) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = (uint32_t)crc32(crc, b, k);
        b += k;
        n -= k;
    }
    return crc;
}

static int hf_fail(struct parse_err *err, size_t at, const char *what)
{
    err->line = 0;
    err->col = (unsigned)at;
    err->what = what;
    return -EPROTO;
}

static int hf_name_ok(const unsigned char *p, size_t n)
{
    if (n == 0 || n > HISTORY_FILE_MAX_NAME)
        return 0;
    for (size_t i = 0; i < n; i++) {
        /* public series names are printable ASCII ("rizk_cache_tier_hit_ratio{tier=...}") */
        if (p[i] <= ' ' || p[i] >= 0x7f)
            return 0;
    }
    return 1;
}

int parse_history_file(const void *buf, size_t len, struct history_file *out, struct parse_err *err)
{
    const unsigned char *b = buf;
    if (len < 8 || memcmp(b, HISTORY_FILE_MAGIC, 8) != 0)
        return hf_fail(err, 0, "not a history file");
    if (len < HF_HEADER + 4)
        return hf_fail(err, len, "truncated");
    uint32_t version = hf_u32(b + 8);
    if (version != HISTORY_FILE_VERSION)
        return hf_fail(err, 8, "unsupported version");
    size_t body = len - 4;
    if (history_file_crc32(0, b, body) != hf_u32(b + body))
        return hf_fail(err, body, "checksum mismatch");
    uint32_t nseries = hf_u32(b + 20);
    if (nseries > HISTORY_FILE_MAX_SERIES)
        return hf_fail(err, 20, "too many series");
    size_t at = HF_HEADER;
    for (uint32_t i = 0; i < nseries; i++) {
        if (body - at < 2)
            return hf_fail(err, at, "truncated");
        size_t nl = (size_t)b[at] | (size_t)b[at + 1] << 8;
        at += 2;
        if (body - at < nl + 4)
            return hf_fail(err, at, "truncated");
        if (!hf_name_ok(b + at, nl))
            return hf_fail(err, at, "bad series name");
        struct history_file_series *s = &out->series[i];
        s->name = (const char *)(b + at);
        s->name_len = nl;
        at += nl;
        s->nsamples = hf_u32(b + at);
        at += 4;
        if (s->nsamples > HISTORY_FILE_MAX_SAMPLES ||
            (body - at) / HISTORY_FILE_SAMPLE_BYTES < s->nsamples)
            return hf_fail(err, at, "truncated");
        s->samples = b + at;
        at += (size_t)s->nsamples * HISTORY_FILE_SAMPLE_BYTES;
    }
    if (at != body)
        return hf_fail(err, at, "trailing bytes");
    out->version = version;
    out->saved_wall_ms = (int64_t)hf_u64(b + 12);
    out->nseries = nseries;
    return 0;
}

void history_file_sample(const struct history_file_series *s, uint32_t i, int64_t *t_ms, double *v)
{
    const unsigned char *p = s->samples + (size_t)i * HISTORY_FILE_SAMPLE_BYTES;
    uint64_t bits = hf_u64(p + 8);
    *t_ms = (int64_t)hf_u64(p);
    memcpy(v, &bits, sizeof(*v));
}
