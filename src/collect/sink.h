/* The sample sink: the only way a collector emits data (collectd plugin_dispatch_values,
 * node_exporter's channel). It validates metric and label names, enforces the per-collector
 * series limit, groups samples into families of a metric set, and records history inputs.
 * Tests build one over a fresh metric set and inspect the set: that is the recording sink.
 * thread: the sampler (one sink per tick, never shared). */
#ifndef RIZK_COLLECT_SINK_H
#define RIZK_COLLECT_SINK_H

#include <stdbool.h>
#include <stddef.h>

#include "store/mset.h"
#include "store/series.h"

struct sample_sink;

/* sink_new wraps m (borrowed; must outlive the sink). Caller frees with sink_free. */
struct sample_sink *sink_new(struct mset *m);
void sink_free(struct sample_sink *s);

/* sink_set_limit sets how many more samples the current emitter may add (0 = unlimited);
 * the registry calls it before each collector. Samples over the limit are counted, not added. */
void sink_set_limit(struct sample_sink *s, size_t max_samples);
/* sink_dropped returns how many samples were refused (limit or invalid) since sink_new. */
size_t sink_dropped(const struct sample_sink *s);

/* Emitters. name must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* and not
 * start with "__"; counters must end in "_total"; values may be any double (NaN allowed for
 * gauges only). Label values are arbitrary bytes (escaped by the renderers).
 * Errors: -EINVAL (bad name, type clash), -E2BIG (limit reached). */
int sink_gauge(struct sample_sink *s, const char *name, const char *help,
               const struct label *labels, size_t nlabels, double value);
int sink_counter(struct sample_sink *s, const char *name, const char *help,
                 const struct label *labels, size_t nlabels, double value);
/* sink_untyped emits an untyped sample: for a gauge-like value whose labels a type would make
 * invalid, e.g. a precomputed quantile (promtool and OpenMetrics reserve "quantile" for
 * summaries, which this metric set does not model). */
int sink_untyped(struct sample_sink *s, const char *name, const char *help,
                 const struct label *labels, size_t nlabels, double value);
int sink_histogram(struct sample_sink *s, const char *name, const char *help,
                   const struct label *labels, size_t nlabels, const struct histogram *h);

/* sink_history records this tick's value of a history input (last call wins). */
void sink_history(struct sample_sink *s, enum hist_series id, double value);
/* sink_history_get reads what was recorded this tick; false if nothing was. */
bool sink_history_get(const struct sample_sink *s, enum hist_series id, double *value);

/* sink_source reports the status of a named source ("system", "cgroup", "redis", "app"; the
 * string must outlive the sink, normally a literal) for this
 * tick; the registry turns it into rizk_source_up / rizk_source_last_success_timestamp_seconds. */
void sink_source(struct sample_sink *s, const char *source, bool up);
/* sink_source_count / sink_source_at iterate the sources reported this tick. */
size_t sink_source_count(const struct sample_sink *s);
void sink_source_at(const struct sample_sink *s, size_t i, const char **source, bool *up);

/* sink_mset returns the underlying set (borrowed). */
struct mset *sink_mset(struct sample_sink *s);

#endif
