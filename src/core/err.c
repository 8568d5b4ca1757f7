/* Error strings and the always-on invariant check. */
#include "core/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *err_str(int rc)
{
    switch (-rc) {
    case 0:
        return "success";
    case EINVAL:
        return "invalid argument";
    case ENOMEM:
        return "out of memory";
    case E2BIG:
        return "size limit exceeded";
    case EPROTO:
        return "malformed input";
    case ETIMEDOUT:
        return "timed out";
    case ECONNREFUSED:
        return "connection refused";
    case ENOENT:
        return "no such file or directory";
    case ERANGE:
        return "value out of range";
    case EAGAIN:
        return "try again";
    case ENODATA:
        return "no data";
    case ENOTSUP:
        return "not supported";
    default:
        return strerror(-rc);
    }
}

void parse_err_set(struct parse_err *e, const char *buf, const char *p, const char *what)
{
    if (e == NULL)
        return;
    unsigned line = 1, col = 1;
    for (const char *q = buf; q != NULL && q < p; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    e->line = line;
    e->col = col;
    e->what = what;
}

void err_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}
