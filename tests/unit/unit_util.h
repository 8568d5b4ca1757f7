/* Helpers shared by the unit suites: fixture loading. */
#ifndef RIZK_TESTS_UNIT_UTIL_H
#define RIZK_TESTS_UNIT_UTIL_H

#include <stddef.h>

/* unit_fixture_path returns "$FIXTURES/<rel>" (static buffer, valid until the next call). */
const char *unit_fixture_path(const char *rel);
/* unit_fixture_read returns the NUL-terminated contents of $FIXTURES/<rel> (caller frees),
 * or NULL when missing; *len gets the byte count when len is not NULL. */
char *unit_fixture_read(const char *rel, size_t *len);

#endif
