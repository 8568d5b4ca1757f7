/* Fixture access for unit tests: $FIXTURES is set by ctest (tests/CMakeLists.txt). */
#include "unit_util.h"

#include <stdio.h>
#include <stdlib.h>

const char *unit_fixture_path(const char *rel)
{
    static char path[4096];
    const char *root = getenv("FIXTURES");
    snprintf(path, sizeof(path), "%s/%s", root ? root : "tests/fixtures", rel);
    return path;
}

char *unit_fixture_read(const char *rel, size_t *len)
{
    FILE *f = fopen(unit_fixture_path(rel), "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    size_t r;
    while (p != NULL && (r = fread(p + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            cap *= 2;
            char *q = realloc(p, cap);
            if (q == NULL) {
                free(p);
                p = NULL;
            } else {
                p = q;
            }
        }
    }
    fclose(f);
    if (p == NULL)
        return NULL;
    p[n] = '\0';
    if (len != NULL)
        *len = n;
    return p;
}
