/* history_fill: writes a --history.path file holding a full history, for the RSS benchmark.
 *   history_fill PATH [SLOTS [INTERVAL_MS]]     (defaults: 3600 samples at 1000 ms, the 1 h default)
 * Every series gets SLOTS samples ending now (wall clock), INTERVAL_MS apart, with values that
 * change at every sample (counters increase, gauges and ratios wander), so a sidecar started with
 * --history.path=PATH and the same retention loads every ring full and writes every page of it.
 * Prints "series samples". Not a test: a benchmark tool. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "io/persist.h"
#include "signals/sigtable.h"
#include "store/store.h"

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s PATH [SLOTS [INTERVAL_MS]]\n", argv[0]);
        return 2;
    }
    uint64_t slots = argc > 2 ? strtoull(argv[2], NULL, 10) : 3600;
    int64_t step = argc > 3 ? strtoll(argv[3], NULL, 10) : 1000;
    struct store *s = NULL;
    if (slots == 0 || step <= 0 || store_new(slots, &s) != 0) {
        fprintf(stderr, "%s: bad SLOTS or INTERVAL_MS\n", argv[0]);
        return 2;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    /* The newest sample a little before now: persist_load keeps (now - retention, now). */
    int64_t t0 = now - 2000 - (int64_t)(slots - 1) * step;
    for (uint64_t i = 0; i < slots; i++) {
        for (int id = 0; id < HS_COUNT; id++) {
            double x = (double)i, k = (double)(id + 1);
            /* counters and gauges alike change every sample, in every byte of the double */
            double v = x * k * 1.37 + 0.5 + 0.25 * sin(x / (3.0 + k));
            if (store_append(s, (enum hist_series)id, t0 + (int64_t)i * step, v) != 0) {
                fprintf(stderr, "%s: append failed\n", argv[0]);
                return 1;
            }
        }
    }
    const struct persist_names names = {sigtable_history_name, sigtable_history_lookup};
    long n = persist_save(s, &names, argv[1], now);
    store_free(s);
    if (n < 0) {
        fprintf(stderr, "%s: cannot write %s\n", argv[1], argv[0]);
        return 1;
    }
    printf("%d %ld\n", HS_COUNT, n);
    return 0;
}
