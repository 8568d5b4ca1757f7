/* Shared lexing helpers for parse/: strparse plus CRLF tolerance and skip bookkeeping. */
#include "parse/lex.h"

#include <errno.h>
#include <string.h>

#include "core/strparse.h"
#include "core/banned.h"

static bool lex_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static bool lex_is_delim(char c)
{
    return lex_is_blank(c) || c == '\n' || c == '\0';
}

void lex_blanks(const char **p)
{
    const char *s = *p;
    while (lex_is_blank(*s))
        s++;
    *p = s;
}

bool lex_eol(const char **p)
{
    lex_blanks(p);
    return **p == '\n' || **p == '\0';
}

int lex_word(const char **p, const char **w, size_t *n)
{
    const char *s = *p;
    while (!lex_is_delim(*s))
        s++;
    if (s == *p)
        return -EPROTO;
    *w = *p;
    *n = (size_t)(s - *p);
    *p = s;
    return 0;
}

int lex_u64(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v;
    lex_blanks(&s);
    int rc = sp_u64(&s, &v);
    if (rc < 0)
        return rc;
    if (!lex_is_delim(*s))
        return -EPROTO;
    *p = s;
    *out = v;
    return 0;
}

int lex_u64_mul(uint64_t a, uint64_t b, uint64_t *out)
{
    if (a != 0 && b > UINT64_MAX / a)
        return -ERANGE;
    *out = a * b;
    return 0;
}

int lex_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int lex_hex(const char **p, unsigned max_digits, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    unsigned n = 0;
    for (int d = lex_hex_digit(*s); d >= 0; d = lex_hex_digit(*++s)) {
        if (n == max_digits || n == 16)
            return -ERANGE;
        v = (v << 4) | (uint64_t)d;
        n++;
    }
    if (n == 0)
        return -EPROTO;
    *p = s;
    *out = v;
    return 0;
}

int lex_copy(char *dst, size_t cap, const char *w, size_t n)
{
    if (n >= cap)
        return -E2BIG;
    memcpy(dst, w, n);
    dst[n] = '\0';
    return 0;
}

bool lex_is_blank_line(const char *p)
{
    return lex_eol(&p);
}

void lex_skip(struct lex_skips *s, const char *buf, const char *at, int rc, const char *what)
{
    if (s->count == 0) {
        s->first_rc = rc;
        parse_err_set(&s->first, buf, at, what);
    }
    s->count++;
}

int lex_fail(const struct lex_skips *s, struct parse_err *err, const char *buf, const char *at,
             const char *what)
{
    if (s->count > 0 && s->first_rc == -ERANGE) {
        if (err != NULL)
            *err = s->first;
        return -ERANGE;
    }
    parse_err_set(err, buf, at, what);
    return -EPROTO;
}
