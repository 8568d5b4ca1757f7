/* The --history.path file, parse side (pure: bytes in, a view out; the writer and the file I/O
 * are io/persist.c). Layout, every integer little-endian:
 *   "RIZKHIST" | u32 version (1) | u64 saved_wall_ms | u32 nseries |
 *   nseries x ( u16 name_len | name | u32 nsamples | nsamples x ( i64 t_ms | f64 v ) ) |
 *   u32 CRC-32 (zlib's) of every byte before it
 * Series are matched by their public name, so a build that adds, drops or reorders series
 * still loads what both know (SPEC 12: "a rule for a changed set of series"). */
#ifndef RIZK_PARSE_HISTORY_FILE_H
#define RIZK_PARSE_HISTORY_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define HISTORY_FILE_MAGIC "RIZKHIST"
#define HISTORY_FILE_VERSION 1u
#define HISTORY_FILE_MAX_SERIES 256u
#define HISTORY_FILE_MAX_NAME 128u
#define HISTORY_FILE_MAX_SAMPLES (1u << 24) /* per series: RING_CAP_MAX */
#define HISTORY_FILE_SAMPLE_BYTES 16u       /* i64 t_ms, f64 v */

struct history_file_series {
    const char *name; /* borrowed from the buffer, not NUL-terminated */
    size_t name_len;
    uint32_t nsamples;
    const unsigned char *samples; /* nsamples x 16 bytes, read with history_file_sample */
};

struct history_file {
    uint32_t version;
    int64_t saved_wall_ms;
    uint32_t nseries;
    struct history_file_series series[HISTORY_FILE_MAX_SERIES];
};

/* parse_history_file checks and indexes buf[0..len) into *out, which borrows buf. Returns 0,
 * or -EPROTO with err->what set to the reason ("not a history file" for a foreign file,
 * "unsupported version", "truncated", "checksum mismatch", "bad series name", "too many
 * series", "trailing bytes") and err->col to the byte offset. thread: any. */
int parse_history_file(const void *buf, size_t len, struct history_file *out,
                       struct parse_err *err);

/* history_file_sample reads sample i (< s->nsamples) of s. thread: any. */
void history_file_sample(const struct history_file_series *s, uint32_t i, int64_t *t_ms, double *v);

/* history_file_crc32 is the checksum of the format (zlib's CRC-32), continued from crc (0 to
 * start). Pure; the writer uses it too. thread: any. */
uint32_t history_file_crc32(uint32_t crc, const void *p, size_t n);

#endif
