/* Percent-decoding with a read and a write cursor: the output is never longer than the input,
 * so decoding in place is one pass. */
#include "parse/urldecode.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "parse/lex.h"
#include "core/banned.h"

int urldecode_n(const char *in, size_t n, char *out, size_t cap, unsigned flags, size_t *len)
{
    bool strict = (flags & URLDECODE_STRICT) != 0;
    size_t w = 0;
    for (size_t r = 0; r < n; r++) {
        char c = in[r];
        if (c == '+' && (flags & URLDECODE_PLUS)) {
            c = ' ';
        } else if (c == '%') {
            int hi = n - r > 2 ? lex_hex_digit(in[r + 1]) : -1;
            int lo = hi < 0 ? -1 : lex_hex_digit(in[r + 2]);
            if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
                c = (char)(hi * 16 + lo);
                r += 2;
            } else if (strict) {
                return -EPROTO;
            }
        } else if (c == '\0' && strict) {
            return -EPROTO;
        }
        if (w + 1 >= cap)
            return -E2BIG;
        out[w++] = c;
    }
    if (cap == 0)
        return -E2BIG;
    out[w] = '\0';
    if (len != NULL)
        *len = w;
    return 0;
}

size_t urldecode(char *s, unsigned flags)
{
    size_t n = strlen(s), len = 0;
    /* lenient and in place: cannot fail */
    int rc = urldecode_n(s, n, s, n + 1, flags & ~URLDECODE_STRICT, &len);
    (void)rc;
    return len;
}
