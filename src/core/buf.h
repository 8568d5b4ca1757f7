/* Bounded growable byte buffer (curl dynbuf style). Every append fails with -E2BIG once the
 * buffer would exceed its cap; on any failure the buffer is freed and left empty, so a
 * half-written body is never served. The contents are always NUL-terminated.
 * Fields are private: do not touch them, use the accessors. */
#ifndef RIZK_CORE_BUF_H
#define RIZK_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *_p;
    size_t _len;
    size_t _alloc;
    size_t _cap;
};

/* buf_init prepares an empty buffer that may hold at most cap bytes. thread: owner. */
void buf_init(struct buf *b, size_t cap);
/* buf_fini frees the storage; the buffer may be reused after buf_init. NULL-safe. */
void buf_fini(struct buf *b);
/* buf_reset empties the buffer but keeps its allocation. */
void buf_reset(struct buf *b);

/* Appenders: 0 or -E2BIG (buffer freed). */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* buf_ptr returns the NUL-terminated contents ("" when empty), valid until the next call. */
const char *buf_ptr(const struct buf *b);
size_t buf_len(const struct buf *b);
/* buf_steal hands the malloc'd contents to the caller (free()) and empties b; NULL if empty. */
char *buf_steal(struct buf *b, size_t *len);

#endif
