/* Names of the history series, in enum order. */
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
    [HS_CPU_UTILIZATION_RATIO] = {"rizk_cpu_utilization_ratio", 0},
    [HS_MEMORY_UTILIZATION_RATIO] = {"rizk_memory_utilization_ratio", 0},
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
    [HS_REQUESTS_PER_SECOND] = {"rizk_requests_per_second", 0},
    [HS_ERROR_RATIO] = {"rizk_error_ratio", 0},
    [HS_RESPONSE_TIME_SECONDS] = {"rizk_response_time_seconds", 0},
    [HS_RESPONSE_TIME_P50] = {"rizk_response_time_quantile_seconds{quantile=\"0.5\"}", 0},
    [HS_RESPONSE_TIME_P95] = {"rizk_response_time_quantile_seconds{quantile=\"0.95\"}", 0},
    [HS_RESPONSE_TIME_P99] = {"rizk_response_time_quantile_seconds{quantile=\"0.99\"}", 0},
    [HS_ACTIVE_CONNECTIONS] = {"rizk_active_connections", 0},
    [HS_CACHE_HIT_RATIO] = {"rizk_cache_hit_ratio", 0},
    [HS_CACHE_L1_HIT_RATIO] = {"rizk_cache_tier_hit_ratio{tier=\"l1\"}", 0},
    [HS_CACHE_L2_HIT_RATIO] = {"rizk_cache_tier_hit_ratio{tier=\"l2\"}", 0},
    [HS_SCALING_REPLICA_CHANGE] = {"rizk_scaling_recommended_replica_change", 0},
    [HS_REDIS_KEYSPACE_HITS] = {"rizk_redis_keyspace_hits_all_nodes_total", 1},
    [HS_REDIS_KEYSPACE_MISSES] = {"rizk_redis_keyspace_misses_all_nodes_total", 1},
    [HS_CGROUP_BASIS] = {"rizk_signal_basis_code", 0},
};

const char *hist_series_name(enum hist_series id)
{
    return (id >= 0 && id < HS_COUNT) ? hist_series_table[id].name : "";
}

int hist_series_is_counter(enum hist_series id)
{
    return (id >= 0 && id < HS_COUNT) ? hist_series_table[id].counter : 0;
}

int hist_series_lookup(const char *name)
{
    for (int i = 0; i < HS_COUNT; i++)
        if (strcmp(hist_series_table[i].name, name) == 0)
            return i;
    return -1;
}
