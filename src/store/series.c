/* Names of the input series (and of the recommendation's), in enum order; the signals' rows
 * are named by signals/sigtable.c. */
#include "store/series.h"

#include <string.h>

#include "core/banned.h"

static const struct {
    const char *name;
    int counter;
} hist_series_table[HS_COUNT] = {
    [HS_NODE_CPU_BUSY_SECONDS] = {"rizk_system_cpu_busy_seconds_total", 1},
    [HS_NODE_CPU_TOTAL_SECONDS] = {"rizk_system_cpu_total_seconds_total", 1},
    [HS_NODE_MEMORY_TOTAL_BYTES] = {"rizk_system_memory_total_bytes", 0},
    [HS_NODE_MEMORY_AVAILABLE_BYTES] = {"rizk_system_memory_available_bytes", 0},
    [HS_CONTAINER_CPU_USAGE_SECONDS] = {"rizk_container_cpu_usage_seconds_total", 1},
    [HS_CONTAINER_CPU_LIMIT_CORES] = {"rizk_container_cpu_limit_cores", 0},
    [HS_CONTAINER_MEMORY_WORKING_SET_BYTES] = {"rizk_container_memory_working_set_bytes", 0},
    [HS_CONTAINER_MEMORY_LIMIT_BYTES] = {"rizk_container_memory_limit_bytes", 0},
    [HS_APP_REQUESTS] = {"rizk_requests_total", 1},
    [HS_APP_ERRORS] = {"rizk_request_errors_total", 1},
    [HS_APP_DURATION_SUM] = {"rizk_request_duration_seconds_sum", 1},
    [HS_APP_DURATION_COUNT] = {"rizk_request_duration_seconds_count", 1},
    [HS_APP_ACTIVE_CONNECTIONS] = {"rizk_app_reported_active_connections", 0},
    [HS_APP_PORT_CONNECTIONS] = {"rizk_app_port_established_connections", 0},
    [HS_CACHE_L1_HITS] = {"rizk_cache_hits_total{tier=\"l1\"}", 1},
    [HS_CACHE_L1_MISSES] = {"rizk_cache_misses_total{tier=\"l1\"}", 1},
    [HS_CACHE_L2_HITS] = {"rizk_cache_hits_total{tier=\"l2\"}", 1},
    [HS_CACHE_L2_MISSES] = {"rizk_cache_misses_total{tier=\"l2\"}", 1},
    [HS_SCALING_REPLICA_CHANGE] = {"rizk_scaling_recommended_replica_change", 0},
    [HS_REDIS_KEYSPACE_HITS] = {"rizk_redis_keyspace_hits_all_nodes_total", 1},
    [HS_REDIS_KEYSPACE_MISSES] = {"rizk_redis_keyspace_misses_all_nodes_total", 1},
};

const char *hist_series_name(enum hist_series id)
{
    const char *name = (id >= 0 && id < HS_COUNT) ? hist_series_table[id].name : NULL;
    return name != NULL ? name : "";
}

int hist_series_is_counter(enum hist_series id)
{
    return (id >= 0 && id < HS_COUNT) ? hist_series_table[id].counter : 0;
}

int hist_series_lookup(const char *name)
{
    for (int i = 0; i < HS_COUNT; i++)
        if (hist_series_table[i].name != NULL && strcmp(hist_series_table[i].name, name) == 0)
            return i;
    return -1;
}
