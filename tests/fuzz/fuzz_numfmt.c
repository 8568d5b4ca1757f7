/* fuzz_numfmt: every double (8 input bytes, little-endian bit pattern) must print as a token
 * that reads back to the same bits (NaN aside), in Go's layout: exponent form exactly when the
 * decimal exponent is < -4 or >= 6, no trailing zeros in the digits, and a canonical form that
 * always holds '.' or 'e' when finite. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/numfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double v;
    char s[NUMFMT_MAX], c[NUMFMT_MAX];

    if (size < sizeof(v))
        return 0;
    memcpy(&v, data, sizeof(v));
    size_t n = numfmt_format(s, v);
    size_t cn = numfmt_format_canonical(c, v);
    if (n != strlen(s) || cn != strlen(c) || n >= NUMFMT_MAX || cn >= NUMFMT_MAX)
        abort();
    if (isnan(v)) {
        if (strcmp(s, "NaN") != 0 || strcmp(c, "NaN") != 0)
            abort();
        return 0;
    }
    char *end = NULL;
    double back = strtod(s, &end);
    if (*end != '\0' || memcmp(&back, &v, sizeof(v)) != 0)
        abort();
    if (isinf(v))
        return 0;
    if (strpbrk(c, ".e") == NULL)
        abort();
    /* Fixed notation exactly for decimal exponents -4..5: compare with |v| itself. */
    double a = fabs(v);
    bool expo = strchr(s, 'e') != NULL;
    if (a != 0 && expo != (a < 1e-4 || a >= 1e6)) {
        /* Rounding can move a value just below a power of ten onto it: 999999.99999999994
         * prints as 1e+06. Accept only that boundary case. */
        if (!(a >= 9.99999e5 && a < 1e6) && !(a >= 9.99999e-5 && a < 1e-4))
            abort();
    }
    const char *mant_end = expo ? strchr(s, 'e') : s + n;
    if (memchr(s, '.', (size_t)(mant_end - s)) != NULL && mant_end[-1] == '0')
        abort(); /* shortest digits never end in 0 after the point */
    return 0;
}
