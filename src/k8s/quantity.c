/* Quantity formatting (integer milli-units) and a reader for the HPA's view of a quantity. */
#include "k8s/quantity.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

int quantity_format(double v, char *buf, size_t n)
{
    if (!isfinite(v))
        return -EDOM;
    /* Away from zero, as apimachinery's MilliValue rounds ("up"); the epsilon keeps
     * 0.1 * 1000 = 100.00000000000001 at 100 m instead of 101 m. */
    double m = v >= 0 ? ceil(v * 1000.0 - 1e-9) : floor(v * 1000.0 + 1e-9);
    if (m > 9.2e15 || m < -9.2e15)
        return -ERANGE;
    long long mi = (long long)m;
    int w = mi % 1000 == 0 ? snprintf(buf, n, "%lld", mi / 1000) : snprintf(buf, n, "%lldm", mi);
    if (w < 0 || (size_t)w >= n)
        return -E2BIG;
    return 0;
}

/* A parsed quantity: value = mant x 10^exp10 x 2^exp2, with up to 18 significant digits in
 * mant and a flag for non-zero digits dropped beyond them (they only matter for rounding). */
struct qparts {
    bool neg;
    bool dropped; /* a non-zero digit was dropped: the true value is a bit further from 0 */
    int64_t mant;
    int nd; /* significant digits in mant */
    int exp10;
    int exp2;
};

static int q_suffix(const char *s, struct qparts *q)
{
    static const struct {
        const char *sfx;
        int e10, e2;
    } sfx[] = {{"Ki", 0, 10}, {"Mi", 0, 20}, {"Gi", 0, 30}, {"Ti", 0, 40},
               {"Pi", 0, 50}, {"Ei", 0, 60}, {"n", -9, 0},  {"u", -6, 0},
               {"m", -3, 0},  {"", 0, 0},    {"k", 3, 0},   {"M", 6, 0},
               {"G", 9, 0},   {"T", 12, 0},  {"P", 15, 0},  {"E", 18, 0}};
    for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
        if (strcmp(s, sfx[i].sfx) == 0) {
            q->exp10 += sfx[i].e10;
            q->exp2 += sfx[i].e2;
            return 0;
        }
    }
    if (s[0] != 'e' && s[0] != 'E')
        return -EPROTO;
    const char *p = s + 1;
    bool eneg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    if (*p < '0' || *p > '9')
        return -EPROTO;
    int e = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (e > 1000)
            return -ERANGE;
        e = e * 10 + (*p - '0');
    }
    if (*p != '\0')
        return -EPROTO;
    q->exp10 += eneg ? -e : e;
    return 0;
}

static int q_parse(const char *s, struct qparts *q)
{
    memset(q, 0, sizeof(*q));
    const char *p = s;
    if (*p == '+' || *p == '-')
        q->neg = *p++ == '-';
    bool any = false, dot = false;
    for (; (*p >= '0' && *p <= '9') || (*p == '.' && !dot); p++) {
        if (*p == '.') {
            dot = true;
            continue;
        }
        any = true;
        int d = *p - '0';
        if (q->nd == 0 && d == 0) {
            if (dot)
                q->exp10--; /* 0.05: leading zeros after the point still scale */
            continue;
        }
        if (q->nd < 18) {
            q->mant = q->mant * 10 + d;
            q->nd++;
            if (dot)
                q->exp10--;
        } else {
            if (!dot)
                q->exp10++;
            if (d != 0)
                q->dropped = true;
        }
    }
    if (!any)
        return -EPROTO;
    return q_suffix(p, q);
}

int quantity_parse_milli(const char *s, int64_t *milli)
{
    struct qparts q;
    int rc = q_parse(s, &q);
    if (rc < 0)
        return rc;
    /* milli = mant x 10^(exp10+3) x 2^exp2, rounded away from zero as apimachinery's
     * AsScale does ("rounding up"); __int128 holds mant (< 1e18) x 2^60. */
    __int128 v = q.mant;
    bool frac = q.dropped;
    for (int k = 0; k < q.exp2; k++)
        v *= 2;
    int e = q.exp10 + 3;
    for (; e > 0 && v != 0; e--) {
        v *= 10;
        if (v > (__int128)INT64_MAX)
            return -ERANGE;
    }
    for (; e < 0 && v != 0; e++) {
        if (v % 10 != 0)
            frac = true;
        v /= 10;
    }
    if (e < 0 && q.mant != 0)
        frac = true;
    if (frac)
        v += 1;
    if (v > (__int128)INT64_MAX)
        return -ERANGE;
    *milli = (int64_t)(q.neg ? -v : v);
    return 0;
}
