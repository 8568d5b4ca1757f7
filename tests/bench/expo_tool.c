/* expo_tool: the pull parser on a file, for the conformance and speed figures of the README.
 *   expo_tool check FILE om|text    prints "invalid" (rc 1) or "valid" (rc 0) and the reasons
 *   expo_tool bench FILE om|text N  selects the app's families N times (parse_expo_select, as
 *                                   the pull worker does); run it under callgrind to count */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/expo_select.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    size_t got;
    while (b != NULL && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            b = realloc(b, cap + 1);
        }
    }
    fclose(f);
    if (b == NULL)
        exit(2);
    b[n] = '\0';
    *len = n;
    return b;
}

int main(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "bench") != 0)) {
        fprintf(stderr, "usage: expo_tool check FILE om|text | bench FILE om|text N\n");
        return 2;
    }
    size_t len;
    char *body = slurp(argv[2], &len);
    enum expo_format fmt = strcmp(argv[3], "om") == 0 ? EXPO_FORMAT_OPENMETRICS : EXPO_FORMAT_TEXT;
    if (strcmp(argv[1], "check") == 0) {
        struct expo_callbacks cb = {0};
        struct expo_stats st;
        struct parse_err e = {0};
        int rc = parse_expo(body, len, fmt, NULL, &cb, NULL, &st, &e);
        bool invalid = rc < 0 || st.malformed > 0;
        printf("%s", invalid ? "invalid" : "valid");
        if (rc < 0)
            printf(" body: line %u: %s", e.line, e.what);
        for (int k = 0; k < EXPO_REASON_COUNT; k++) {
            if (st.reasons[k] != 0)
                printf(" %s: line %u: %s", expo_reason_name(k), st.reason_first[k].line,
                       st.reason_first[k].what);
        }
        printf("\n");
        free(body);
        return invalid ? 1 : 0;
    }
    static const char *const names[] = {
        "rizk_requests_total",       "rizk_request_errors_total", "rizk_request_duration_seconds",
        "rizk_active_connections",   "rizk_cache_hits_total",     "rizk_cache_misses_total",
        "process_start_time_seconds"};
    struct expo_select sel = {
        .names = names, .nnames = 7, .max_samples = 100000, .max_bytes = (size_t)1 << 24};
    int n = argc > 4 ? atoi(argv[4]) : 1;
    unsigned kept = 0;
    for (int i = 0; i < n; i++) {
        struct expo_set *s = NULL;
        if (parse_expo_select(body, len, fmt, &sel, &s, NULL) == 0) {
            kept = s->nsamples;
            expo_set_free(s);
        }
    }
    printf("parsed %d times, %zu bytes, %u samples kept\n", n, len, kept);
    free(body);
    return 0;
}
