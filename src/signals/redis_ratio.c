/* rizk_redis_keyspace_hit_ratio from the history store. */
#include "signals/redis_ratio.h"

#include <errno.h>

#include "core/banned.h"

int redis_ratio_compute(const struct store *s, int64_t now_ms, int64_t window_ms, int64_t fresh_ms,
                        double *ratio)
{
    double last, hits, misses;
    if (window_ms <= 0)
        return -EINVAL;
    int rc = store_last(s, HS_REDIS_KEYSPACE_HITS, now_ms, fresh_ms, &last);
    if (rc == 0)
        rc = store_increase(s, HS_REDIS_KEYSPACE_HITS, now_ms, window_ms, &hits);
    if (rc == 0)
        rc = store_increase(s, HS_REDIS_KEYSPACE_MISSES, now_ms, window_ms, &misses);
    if (rc < 0)
        return rc;
    /* No lookups: a ratio of 0/0 is absent, not 0 and not 1. */
    if (hits + misses <= 0)
        return -ENODATA;
    *ratio = hits / (hits + misses);
    return 0;
}
