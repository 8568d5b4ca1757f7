/* The collector types, one per collect/col_<name>.c. registry.c lists them in its explicit
 * table (no constructor self-registration: STYLE 3.2). */
#ifndef RIZK_COLLECT_COLLECTORS_H
#define RIZK_COLLECT_COLLECTORS_H

#include "collect/collector.h"

/* system: node CPU, memory, load, PSI, network, TCP states from --path.procfs, and the standard
 * process_* metrics of this daemon from the real /proc/self. */
extern const struct collector_type col_system_type;
/* cgroup: the container's cgroup v2 CPU and memory usage, limits and OOM events under
 * --path.cgroupfs; reports the cgroup version and marks the source down on v1 or none. */
extern const struct collector_type col_cgroup_type;
/* redis: per node of --redis.addr / --redis.cluster-nodes (cluster: discovered with CLUSTER
 * NODES) INFO stats, PING round trip and CLUSTER INFO, polled by the collector's own thread;
 * inactive (no metric at all) when no Redis is configured. */
extern const struct collector_type col_redis_type;
/* statsd: the statsd/DogStatsD UDP listener (--statsd.listen-address); the app's rizk.* names
 * feed the app-stats aggregate, other names become rizk_app_* series. */
extern const struct collector_type col_statsd_type;
/* app_pull: the app's /metrics pulled from --app.metrics-url by a worker thread; the mapped
 * families' increases feed the app-stats aggregate; inactive when no URL is set. */
extern const struct collector_type col_app_pull_type;

#endif
