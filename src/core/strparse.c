/* Number and token parsing with end-pointer and range checks; the replacement for atoi/atof. */
#include "core/strparse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/banned.h"

int sp_u64(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    if (*s < '0' || *s > '9')
        return -EPROTO;
    while (*s >= '0' && *s <= '9') {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -ERANGE;
        v = v * 10 + d;
        s++;
    }
    *p = s;
    *out = v;
    return 0;
}

int sp_i64(const char **p, int64_t *out)
{
    const char *s = *p;
    bool neg = false;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    uint64_t u;
    int rc = sp_u64(&s, &u);
    if (rc < 0)
        return rc;
    if (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX)
        return -ERANGE;
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    *p = s;
    return 0;
}

static bool sp_prefix_ci(const char *s, const char *word)
{
    return strncasecmp(s, word, strlen(word)) == 0;
}

int sp_double(const char **p, double *out)
{
    const char *s = *p;
    const char *q = s;
    if (*q == '-' || *q == '+')
        q++;
    /* strtod also takes hex floats and "nan(chars)": accept only the decimal grammar. */
    if (sp_prefix_ci(q, "infinity") || sp_prefix_ci(q, "inf")) {
        size_t n = sp_prefix_ci(q, "infinity") ? 8 : 3;
        *out = *s == '-' ? -INFINITY : INFINITY;
        *p = q + n;
        return 0;
    }
    if (sp_prefix_ci(q, "nan")) {
        *out = NAN;
        *p = q + 3;
        return 0;
    }
    const char *d = q;
    bool digits = false;
    while (*d >= '0' && *d <= '9') {
        d++;
        digits = true;
    }
    if (*d == '.') {
        d++;
        while (*d >= '0' && *d <= '9') {
            d++;
            digits = true;
        }
    }
    if (!digits)
        return -EPROTO;
    if (*d == 'e' || *d == 'E') {
        const char *e = d + 1;
        if (*e == '-' || *e == '+')
            e++;
        if (*e >= '0' && *e <= '9') {
            while (*e >= '0' && *e <= '9')
                e++;
            d = e;
        }
    }
    /* strtod would read "0x10" as hex: convert only the span validated above, from a copy. */
    char tmp[128];
    size_t len = (size_t)(d - s);
    if (len >= sizeof(tmp))
        return -EPROTO;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end = NULL;
    errno = 0;
    double v = strtod(tmp, &end);
    if (end != tmp + len)
        return -EPROTO;
    /* Underflow to a denormal or zero is fine for metrics; overflow is not representable. */
    if (errno == ERANGE && isinf(v))
        return -ERANGE;
    *out = v;
    *p = d;
    return 0;
}

size_t sp_blanks(const char **p)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = (size_t)(s - *p);
    *p = s;
    return n;
}

int sp_word(const char **p, const char **w, size_t *n)
{
    const char *s = *p;
    while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\n')
        s++;
    if (s == *p)
        return -EPROTO;
    *w = *p;
    *n = (size_t)(s - *p);
    *p = s;
    return 0;
}

int sp_char(const char **p, char c)
{
    if (**p != c || c == '\0')
        return -EPROTO;
    (*p)++;
    return 0;
}

bool sp_eol(const char *p)
{
    return *p == '\n' || *p == '\0';
}

void sp_next_line(const char **p)
{
    const char *nl = strchr(*p, '\n');
    *p = nl ? nl + 1 : *p + strlen(*p);
}

bool sp_word_eq(const char *w, size_t n, const char *s)
{
    return strlen(s) == n && memcmp(w, s, n) == 0;
}
