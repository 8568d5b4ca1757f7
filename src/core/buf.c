/* Bounded buffer: a cap is a hard failure, never a silent truncation (STYLE anti-pattern 6). */
#include "core/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "core/banned.h"

void buf_init(struct buf *b, size_t cap)
{
    b->_p = NULL;
    b->_len = 0;
    b->_alloc = 0;
    b->_cap = cap;
}

void buf_fini(struct buf *b)
{
    if (b == NULL)
        return;
    free(b->_p);
    b->_p = NULL;
    b->_len = 0;
    b->_alloc = 0;
}

void buf_reset(struct buf *b)
{
    b->_len = 0;
    if (b->_p != NULL)
        b->_p[0] = '\0';
}

static int buf_reserve(struct buf *b, size_t n)
{
    if (n > b->_cap || b->_len > b->_cap - n) {
        buf_fini(b);
        return -E2BIG;
    }
    size_t need = b->_len + n + 1;
    if (need <= b->_alloc)
        return 0;
    size_t a = b->_alloc ? b->_alloc : 256;
    while (a < need)
        a *= 2;
    if (a > b->_cap + 1)
        a = b->_cap + 1;
    b->_p = xreallocarray(b->_p, a, 1);
    b->_alloc = a;
    return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc < 0)
        return rc;
    if (n > 0)
        memcpy(b->_p + b->_len, p, n);
    b->_len += n;
    b->_p[b->_len] = '\0';
    return 0;
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        buf_fini(b);
        return -EINVAL;
    }
    if ((size_t)n < sizeof(tmp))
        return buf_add(b, tmp, (size_t)n);
    int rc = buf_reserve(b, (size_t)n);
    if (rc < 0)
        return rc;
    vsnprintf(b->_p + b->_len, (size_t)n + 1, fmt, ap);
    b->_len += (size_t)n;
    return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *buf_ptr(const struct buf *b)
{
    return b->_p ? b->_p : "";
}

size_t buf_len(const struct buf *b)
{
    return b->_len;
}

char *buf_steal(struct buf *b, size_t *len)
{
    char *p = b->_p;
    if (len != NULL)
        *len = b->_len;
    b->_p = NULL;
    b->_len = 0;
    b->_alloc = 0;
    return p;
}
