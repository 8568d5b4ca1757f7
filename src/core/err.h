/* Project-wide error conventions: functions return 0 or a negative errno (libuv style);
 * parsers also report where the input went wrong; RIZK_ASSERT checks invariants, never input. */
#ifndef RIZK_CORE_ERR_H
#define RIZK_CORE_ERR_H

#include <stddef.h>

/* Where a parser stopped: 1-based line and column and a static description.
 * what points to a string literal (never freed). */
struct parse_err {
    unsigned line;
    unsigned col;
    const char *what;
};

/* err_str returns a static message for a negative errno-style code. thread: any. */
const char *err_str(int rc);

/* parse_err_set fills e (if not NULL) with the position of p inside buf and a literal. thread: any. */
void parse_err_set(struct parse_err *e, const char *buf, const char *p, const char *what);

/* err_assert_fail prints the failed invariant and aborts. */
__attribute__((noreturn)) void err_assert_fail(const char *expr, const char *file, int line);

/* Always on: invariants only, never external input (STYLE 3.5). */
#define RIZK_ASSERT(e) ((e) ? (void)0 : err_assert_fail(#e, __FILE__, __LINE__))

#endif
