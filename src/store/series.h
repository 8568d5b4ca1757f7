/* The history series: a fixed, explicit list of what the ring-buffer store keeps. Collectors feed
 * inputs (raw counters and gauges) through sink_history(); the signals module derives the
 * scaling signals from them each tick and feeds those back. Fixed at compile time so every ring
 * is allocated at start and memory is bounded (SPEC 3). */
#ifndef RIZK_STORE_SERIES_H
#define RIZK_STORE_SERIES_H

enum hist_series {
    /* inputs: node (/proc) */
    HS_NODE_CPU_BUSY_SECONDS = 0, /* counter: all modes but idle and iowait, summed over CPUs */
    HS_NODE_CPU_TOTAL_SECONDS,    /* counter: all modes, summed over CPUs */
    HS_NODE_MEMORY_TOTAL_BYTES,
    HS_NODE_MEMORY_AVAILABLE_BYTES,
    /* inputs: container (cgroup v2) */
    HS_CONTAINER_CPU_USAGE_SECONDS, /* counter: cpu.stat usage_usec / 1e6 */
    HS_CONTAINER_CPU_LIMIT_CORES,   /* cpu.max quota / period; absent when "max" */
    HS_CONTAINER_MEMORY_WORKING_SET_BYTES,
    HS_CONTAINER_MEMORY_LIMIT_BYTES, /* memory.max; absent when "max" */
    /* signals (SPEC 4) */
    HS_CPU_UTILIZATION_RATIO,
    HS_MEMORY_UTILIZATION_RATIO,
    /* inputs: the app (statsd, push, pull added up; collect/app_stats.h). Counters are recorded
     * only once a channel reported them; the gauge only on ticks it was reported. */
    HS_APP_REQUESTS,           /* counter: rizk_requests_total */
    HS_APP_ERRORS,             /* counter: rizk_request_errors_total */
    HS_APP_DURATION_SUM,       /* counter: rizk_request_duration_seconds_sum */
    HS_APP_DURATION_COUNT,     /* counter: rizk_request_duration_seconds_count */
    HS_APP_ACTIVE_CONNECTIONS, /* gauge reported by the app */
    HS_APP_PORT_CONNECTIONS,   /* ESTABLISHED sockets on --app.port (/proc/net/tcp{,6}) */
    HS_CACHE_L1_HITS,          /* counters: rizk_cache_{hits,misses}_total{tier} */
    HS_CACHE_L1_MISSES,
    HS_CACHE_L2_HITS,
    HS_CACHE_L2_MISSES,
    /* signals: the app (SPEC 4) */
    HS_REQUESTS_PER_SECOND,
    HS_ERROR_RATIO,
    HS_RESPONSE_TIME_SECONDS,
    HS_RESPONSE_TIME_P50,
    HS_RESPONSE_TIME_P95,
    HS_RESPONSE_TIME_P99,
    HS_ACTIVE_CONNECTIONS,
    HS_CACHE_HIT_RATIO,
    HS_CACHE_L1_HIT_RATIO,
    HS_CACHE_L2_HIT_RATIO,
    /* the recommendation (SPEC 5): signed replica change, 0 for maintain and wait */
    HS_SCALING_REPLICA_CHANGE,
    /* inputs: redis (running sums over every node serving reads; see col_redis.c) */
    HS_REDIS_KEYSPACE_HITS,   /* counter */
    HS_REDIS_KEYSPACE_MISSES, /* counter */
    HS_COUNT
};

/* hist_series_name returns the stable public name of an input series (used by the history
 * API), e.g. "rizk_system_cpu_busy_seconds_total", and "" for a signal's series: the signal
 * table names those (signals/sigtable.h, sigtable_history_name). thread: any. */
const char *hist_series_name(enum hist_series id);
/* hist_series_is_counter tells whether rates (not averages) apply. */
int hist_series_is_counter(enum hist_series id);
/* hist_series_lookup maps an input's public name back to its id; -1 if unknown. */
int hist_series_lookup(const char *name);

#endif
