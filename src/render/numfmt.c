/* Go-compatible shortest float formatting (prometheus-formats.md §9): find the fewest significant
 * digits p whose decimal reads back as the same double, then lay them out with Go's 'g' rule.
 * glibc's printf and strtod round correctly, so the digits match Go's shortest algorithm; §9's
 * "nearest %.*e" recipe alone is one digit too long at some powers of two (see
 * numfmt_shortest). Checked against 500k doubles (random bit patterns, all powers of two,
 * decimal-looking values) formatted by an independent shortest-repr implementation. */
#include "render/numfmt.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/banned.h"

static size_t numfmt_copy(char *dst, const char *s)
{
    size_t n = strlen(s);
    memcpy(dst, s, n + 1);
    return n;
}

/* A decimal candidate: p significant digits d[0..p-1] (no dot) times 10^(x - p + 1). */
struct numfmt_dec {
    char d[NUMFMT_MAX];
    int p;
    int x;
};

/* numfmt_nearest fills dec with |v| correctly rounded to p digits, from glibc's "%.*e". */
static void numfmt_nearest(struct numfmt_dec *dec, double a, int p)
{
    char e[NUMFMT_MAX];
    int n = snprintf(e, sizeof(e), "%.*e", p - 1, a);
    RIZK_ASSERT(n > 0 && n < NUMFMT_MAX);
    int k = 0;
    const char *s = e;
    for (; *s != 'e'; s++)
        if (*s != '.')
            dec->d[k++] = *s;
    dec->d[k] = '\0';
    dec->p = k;
    s++;
    int sign = *s == '-' ? -1 : 1;
    s++;
    int x = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        x = x * 10 + (*s - '0');
    dec->x = sign * x;
}

/* numfmt_next_up replaces dec by the next p-digit decimal above it. */
static void numfmt_next_up(struct numfmt_dec *dec)
{
    int i = dec->p - 1;
    while (i >= 0 && dec->d[i] == '9')
        dec->d[i--] = '0';
    if (i >= 0) {
        dec->d[i]++;
        return;
    }
    dec->d[0] = '1'; /* 9.99e+X -> 1.00e+(X+1) */
    dec->x++;
}

static bool numfmt_reads_back(const struct numfmt_dec *dec, double a)
{
    char e[2 * NUMFMT_MAX];
    snprintf(e, sizeof(e), "0.%se%d", dec->d, dec->x + 1);
    /* strtod is fine here: it reads back our own digits, not external input. */
    return strtod(e, NULL) == a;
}

/* numfmt_shortest finds the fewest digits that read back as a (finite, > 0). The nearest
 * p-digit decimal is the only candidate except when a's significand is a power of two: then
 * the rounding interval below a is half as wide as above it, and the next decimal up may read
 * back while the nearer one below does not (Go's shortest algorithm finds it: 2^-1017 is
 * 7.120236347223045e-307, where "%.16e" gives ...044, which does not read back). Whether some
 * p-digit decimal reads back is monotonic in p, so p is bisected. */
static void numfmt_shortest(struct numfmt_dec *out, double a)
{
    int e2;
    bool asym = frexp(a, &e2) == 0.5 && a >= 2 * DBL_MIN;
    int lo = 1, hi = 17;
    struct numfmt_dec best;

    numfmt_nearest(&best, a, 17);
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        struct numfmt_dec c;
        numfmt_nearest(&c, a, mid);
        bool ok = numfmt_reads_back(&c, a);
        if (!ok && asym) {
            numfmt_next_up(&c);
            ok = numfmt_reads_back(&c, a);
        }
        if (ok) {
            best = c;
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    while (best.p > 1 && best.d[best.p - 1] == '0')
        best.d[--best.p] = '\0';
    *out = best;
}

/* numfmt_compose writes sign and digits in Go's 'g' layout: exponent form when x < -4 or x >= 6
 * (at least two exponent digits, as both Go and C print), fixed notation otherwise. */
static size_t numfmt_compose(char *dst, bool neg, const struct numfmt_dec *dec)
{
    size_t n = 0;
    if (neg)
        dst[n++] = '-';
    if (dec->x < -4 || dec->x >= 6) {
        dst[n++] = dec->d[0];
        if (dec->p > 1) {
            dst[n++] = '.';
            memcpy(dst + n, dec->d + 1, (size_t)dec->p - 1);
            n += (size_t)dec->p - 1;
        }
        int w = snprintf(dst + n, NUMFMT_MAX - n, "e%c%02d", dec->x < 0 ? '-' : '+',
                         dec->x < 0 ? -dec->x : dec->x);
        RIZK_ASSERT(w > 0 && (size_t)w < NUMFMT_MAX - n);
        return n + (size_t)w;
    }
    if (dec->x < 0) {
        dst[n++] = '0';
        dst[n++] = '.';
        for (int i = -1; i > dec->x; i--)
            dst[n++] = '0';
        memcpy(dst + n, dec->d, (size_t)dec->p);
        n += (size_t)dec->p;
    } else {
        for (int i = 0; i <= dec->x; i++)
            dst[n++] = i < dec->p ? dec->d[i] : '0';
        if (dec->p > dec->x + 1) {
            dst[n++] = '.';
            memcpy(dst + n, dec->d + dec->x + 1, (size_t)(dec->p - dec->x - 1));
            n += (size_t)(dec->p - dec->x - 1);
        }
    }
    dst[n] = '\0';
    return n;
}

size_t numfmt_format(char dst[NUMFMT_MAX], double v)
{
    if (isnan(v))
        return numfmt_copy(dst, "NaN");
    if (isinf(v))
        return numfmt_copy(dst, v > 0 ? "+Inf" : "-Inf");
    /* Fast path for the common case, integral values printed in fixed notation ("-0" too). */
    if (fabs(v) < 1e6 && v == trunc(v)) {
        int n = snprintf(dst, NUMFMT_MAX, "%.0f", v);
        RIZK_ASSERT(n > 0 && n < NUMFMT_MAX);
        return (size_t)n;
    }
    struct numfmt_dec dec;
    numfmt_shortest(&dec, fabs(v));
    return numfmt_compose(dst, signbit(v) != 0, &dec);
}

size_t numfmt_format_canonical(char dst[NUMFMT_MAX], double v)
{
    size_t n = numfmt_format(dst, v);
    if (isfinite(v) && strpbrk(dst, ".e") == NULL) {
        memcpy(dst + n, ".0", 3);
        n += 2;
    }
    return n;
}

int numfmt_append(struct buf *out, double v)
{
    char tmp[NUMFMT_MAX];
    size_t n = numfmt_format(tmp, v);
    return buf_add(out, tmp, n);
}

int numfmt_append_canonical(struct buf *out, double v)
{
    char tmp[NUMFMT_MAX];
    size_t n = numfmt_format_canonical(tmp, v);
    return buf_add(out, tmp, n);
}
