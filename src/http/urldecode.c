/* In-place URL decoding: the output is never longer than the input, so one pass with a read and
 * a write cursor suffices. */
#include "http/urldecode.h"

#include <stdbool.h>

#include "core/banned.h"

static int urldecode_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t urldecode(char *s, unsigned flags)
{
    char *w = s;
    for (const char *r = s; *r != '\0'; r++) {
        if (*r == '+' && (flags & URLDECODE_PLUS)) {
            *w++ = ' ';
            continue;
        }
        if (*r == '%') {
            int hi = urldecode_hex(r[1]);
            int lo = hi < 0 ? -1 : urldecode_hex(r[2]);
            if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
                *w++ = (char)(hi * 16 + lo);
                r += 2;
                continue;
            }
        }
        *w++ = *r;
    }
    *w = '\0';
    return (size_t)(w - s);
}
