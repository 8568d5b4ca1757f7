/* Fuzz target for the statsd parser: the input is one datagram (capped at 64 KiB, the largest
 * UDP payload), split into lines; every parsed line's invariants are checked, and the sanitizer
 * runs on every name and tag key. The parser takes spans, so no NUL termination is needed, but
 * the copy keeps ASan's bounds exact. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/statsd_line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 65536u

static void fuzz_check_span(struct statsd_span s, const char *lo, const char *hi)
{
    if (s.p == NULL && s.n == 0)
        return;
    if (s.p < lo || s.p + s.n > hi)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    char *d = malloc(size ? size : 1);
    if (d == NULL)
        return 0;
    memcpy(d, data, size);
    const char *p = d, *end = d + size;
    struct statsd_span line;
    struct statsd_line l;
    char name[STATSD_LINE_MAX + 2];
    while (parse_statsd_next_line(&p, end, &line)) {
        if (line.n == 0 || line.p < d || line.p + line.n > end)
            abort();
        enum statsd_reason why = STATSD_REASONS;
        int rc = parse_statsd_line(line.p, line.n, &l, &why);
        if ((rc == 0) != (why == STATSD_OK) || why >= STATSD_REASONS)
            abort();
        if (rc != 0)
            continue;
        const char *hi = line.p + line.n;
        fuzz_check_span(l.name, line.p, hi);
        if (l.kind != STATSD_KIND_METRIC) {
            /* events and service checks: every span inside the line, enums in range */
            fuzz_check_span(l.text, line.p, hi);
            fuzz_check_span(l.hostname, line.p, hi);
            fuzz_check_span(l.message, line.p, hi);
            if (l.name.n == 0 || l.ntags > STATSD_MAX_TAGS || l.alert >= STATSD_ALERTS ||
                l.status >= STATSD_CHECK_STATUSES || l.timestamp < 0 ||
                (l.kind != STATSD_KIND_EVENT && l.kind != STATSD_KIND_SERVICE_CHECK))
                abort();
            for (size_t i = 0; i < l.ntags; i++) {
                fuzz_check_span(l.tags[i].key, line.p, hi);
                fuzz_check_span(l.tags[i].value, line.p, hi);
            }
            continue;
        }
        if (l.name.n == 0 || l.nvalues == 0 || l.nvalues > STATSD_MAX_VALUES ||
            l.ntags > STATSD_MAX_TAGS || !(l.rate > 0 && l.rate <= 1) || l.type >= STATSD_TYPES)
            abort();
        if (l.type == STATSD_SET)
            fuzz_check_span(l.set_value, line.p, hi);
        else
            for (size_t i = 0; i < l.nvalues; i++)
                if (!isfinite(l.values[i]))
                    abort();
        for (size_t i = 0; i < l.ntags; i++) {
            fuzz_check_span(l.tags[i].key, line.p, hi);
            fuzz_check_span(l.tags[i].value, line.p, hi);
            if (l.tags[i].key.n == 0)
                abort();
            if (statsd_sanitize(l.tags[i].key.p, l.tags[i].key.n, false, name, sizeof(name)) < 0)
                abort();
        }
        int w = statsd_sanitize(l.name.p, l.name.n, false, name, sizeof(name));
        if (w < 0 || strlen(name) != (size_t)w)
            abort();
    }
    free(d);
    return 0;
}
