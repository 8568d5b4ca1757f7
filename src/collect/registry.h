/* The collector registry: the one explicit table of collector types, their enable flags, and
 * the per-tick driver that times each collector, backs off failing ones, rate-limits their logs
 * and emits rizk_collector_{duration_seconds,success}{collector} and
 * rizk_source_{up,last_success_timestamp_seconds}{source}. Owned by the sampler thread. */
#ifndef RIZK_COLLECT_REGISTRY_H
#define RIZK_COLLECT_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "collect/collector.h"

struct app_stats;
struct config;
struct config_collectors;
struct sample_sink;
struct registry;

/* Static table access. thread: any. */
size_t registry_type_count(void);
const struct collector_type *registry_type_at(size_t i);
/* registry_type_find returns the table index of name, or -1. */
int registry_type_find(const char *name);
/* registry_config_collectors is the table as config_load takes it (names, help, defaults). */
extern const struct config_collectors registry_config_collectors;

/* registry_new initialises every enabled collector (a failing init disables that collector
 * with one error line). cfg is borrowed and must outlive the registry. Caller frees. */
struct registry *registry_new(const struct config *cfg);
void registry_free(struct registry *r);

/* registry_collect runs every enabled collector once into sink, in table order, then emits the
 * self-metrics. now_ms is monotonic (for backoff), wall_s is Unix time (for timestamps).
 * thread: sampler. */
void registry_collect(struct registry *r, struct sample_sink *sink, int64_t now_ms, double wall_s);

/* registry_event_fd_count / registry_event_fd_at expose the fds of push collectors; the sampler
 * polls them and calls registry_on_readable(r, i) when fd i is readable. thread: sampler. */
size_t registry_event_fd_count(const struct registry *r);
int registry_event_fd_at(const struct registry *r, size_t i);
void registry_on_readable(struct registry *r, size_t i);

/* registry_bind_app_stats hands the app-stats aggregate (borrowed; must outlive r) to every
 * active collector with a bind_app_stats hook. thread: main, before the sampler starts. */
void registry_bind_app_stats(struct registry *r, struct app_stats *stats);

#endif
