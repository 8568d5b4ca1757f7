/* The Redis-side L2 hit ratio, rizk_redis_keyspace_hit_ratio (SPEC 4, cache_hit_rate row):
 * increase(hits) / (increase(hits) + increase(misses)) over the signals window, from the
 * HS_REDIS_KEYSPACE_* running sums the redis collector feeds (summed over every node serving
 * reads). Pure function of the store, like signals.h. */
#ifndef RIZK_SIGNALS_REDIS_RATIO_H
#define RIZK_SIGNALS_REDIS_RATIO_H

#include <stdint.h>

#include "store/store.h"

/* redis_ratio_compute writes the ratio over (now_ms - window_ms, now_ms] into *ratio.
 * Absent (-ENODATA) when there were no lookups in the window, when fewer than two samples
 * exist, or when the newest sample is older than fresh_ms (Redis down: no current value).
 * Errors: -EINVAL (window_ms <= 0), -ENODATA, -EAGAIN (see store.h). thread: any. */
int redis_ratio_compute(const struct store *s, int64_t now_ms, int64_t window_ms, int64_t fresh_ms,
                        double *ratio);

#endif
