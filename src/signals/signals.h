/* The scaling signals (SPEC 4) derived from the history store: pure functions of the store's
 * contents at now_ms over window_ms, with no clock, I/O or state of their own. The sampler calls
 * signals_compute once per tick, appends the results to the HS_*_RATIO series and emits them as
 * gauges. A signal without data is absent (has_* false, -ENODATA), never 0: a zero in place of
 * unknown would scale production down.
 *
 * Ratios are clamped below at 0 (bad inputs such as MemAvailable > MemTotal) but not above 1:
 * a container may burst past its CPU quota within a CFS period and a node can report more
 * working set than a limit it is about to enforce; hiding that would hide saturation. */
#ifndef RIZK_SIGNALS_SIGNALS_H
#define RIZK_SIGNALS_SIGNALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signals/sigtable.h"
#include "store/store.h"

/* Where a utilization ratio came from: the container's cgroup (usage / limit), when a limit
 * exists, else the node's /proc view. */
enum signals_basis { SIGNALS_BASIS_NONE = 0, SIGNALS_BASIS_CONTAINER, SIGNALS_BASIS_NODE };

/* Where rizk_active_connections came from: the app's own gauge, else the ESTABLISHED sockets on
 * --app.port. */
enum signals_conn_basis { SIGNALS_CONN_NONE = 0, SIGNALS_CONN_APP, SIGNALS_CONN_SOCKETS };

/* One tick's signals, indexed by the signal table's rows (signals/sigtable.h): v[id] is valid
 * when has[id]. signals_compute fills every row but the quantiles (the sampler computes those
 * from the duration histograms); basis[id] is set for the rows with a basis label, also when
 * the value is absent. */
struct signals_out {
    bool has[SIG_COUNT];
    double v[SIG_COUNT];
    const char *basis[SIG_COUNT]; /* static: "container", "node", "app", "sockets", "none" */
    /* Idle (SPEC 5, set by signals_mark_idle): the request source is up and counted zero
     * requests over the window; then the error ratio is 0 and the response time is absent, read
     * as "no requests" by the scaling engine. */
    bool idle;
};

/* signals_basis_name returns "container", "node" or "none" (static; for a label or a log).
 * thread: any. */
const char *signals_basis_name(enum signals_basis basis);

/* signals_cpu_utilization computes rizk_cpu_utilization_ratio. Container basis when
 * HS_CONTAINER_CPU_LIMIT_CORES has a non-NaN value in the window: rate(usage seconds) / last
 * limit. Node basis otherwise: increase(busy) / increase(total) of HS_NODE_CPU_*.
 * Writes *ratio and *basis on success. Errors: -EINVAL (window_ms <= 0), -ENODATA (inputs
 * missing, fewer than 2 samples for a rate, a limit or total increase <= 0), -EAGAIN (see
 * store.h). thread: any. */
int signals_cpu_utilization(const struct store *s, int64_t now_ms, int64_t window_ms, double *ratio,
                            enum signals_basis *basis);

/* signals_memory_utilization computes rizk_memory_utilization_ratio. Container basis when
 * HS_CONTAINER_MEMORY_LIMIT_BYTES has a non-NaN value in the window: last working set / last
 * limit. Node basis otherwise: 1 - last available / last total. Writes *ratio and *basis on
 * success. Errors as signals_cpu_utilization. thread: any. */
int signals_memory_utilization(const struct store *s, int64_t now_ms, int64_t window_ms,
                               double *ratio, enum signals_basis *basis);

/* The app signals. Same contract as above: 0 and *out on success; -EINVAL (window_ms <= 0),
 * -ENODATA (input absent, fewer than two samples, or a zero denominator), -EAGAIN. thread: any.
 *
 * signals_requests_per_second: rate(HS_APP_REQUESTS) over the window. */
int signals_requests_per_second(const struct store *s, int64_t now_ms, int64_t window_ms,
                                double *out);
/* signals_error_ratio: increase(errors) / increase(requests), clamped to [0, 1]; -ENODATA when
 * no request was counted in the window. */
int signals_error_ratio(const struct store *s, int64_t now_ms, int64_t window_ms, double *out);
/* signals_response_time: increase(duration sum) / increase(duration count), in seconds. */
int signals_response_time(const struct store *s, int64_t now_ms, int64_t window_ms, double *out);
/* signals_cache_tier_hit_ratio: hits / (hits + misses) of tier 0 (l1) or 1 (l2) over the
 * window. */
int signals_cache_tier_hit_ratio(const struct store *s, int tier, int64_t now_ms,
                                 int64_t window_ms, double *out);
/* signals_cache_hit_ratio: the hierarchy ratio (l1 hits + l2 hits) / l1 lookups, where l1
 * lookups = l1 hits + l1 misses and l2 is only asked on an l1 miss; clamped to [0, 1]. An app
 * that reports no l1 tier at all gets the l2 ratio (every lookup goes to l2); l2 absent counts
 * as no l2 hits. */
int signals_cache_hit_ratio(const struct store *s, int64_t now_ms, int64_t window_ms,
                            double *out);
/* signals_active_connections: the newest app-reported gauge in the window (the app input is
 * recorded only on ticks it was reported, so "in the window" means "reported within the
 * window"), else the newest ESTABLISHED-socket count on --app.port, else -ENODATA. */
int signals_active_connections(const struct store *s, int64_t now_ms, int64_t window_ms,
                               double *out, enum signals_conn_basis *basis);
/* signals_conn_basis_name returns "app", "sockets" or "none" (static). */
const char *signals_conn_basis_name(enum signals_conn_basis basis);

/* signals_histogram_quantile estimates the q-quantile (0 <= q <= 1) of a classic histogram the
 * way PromQL's histogram_quantile does: linear interpolation inside the bucket holding rank
 * q * count, the first bucket starting at 0 (or answering its bound when that is <= 0), and the
 * highest finite bound when the rank falls into the +Inf bucket. bounds ascending (nb of them),
 * cum cumulative, count the +Inf count. -ENODATA when count is 0 or nb is 0, -EINVAL when q is
 * outside [0, 1]. Pure. thread: any. */
int signals_histogram_quantile(double q, const double *bounds, const uint64_t *cum, size_t nb,
                               uint64_t count, double *out);

/* signals_mark_idle marks o idle when the request source is up (request_source_up: every
 * configured request channel answered this tick) and the window counted zero requests (rps
 * present and exactly 0); an idle pod's error ratio is 0, not absent. A pod with no request
 * source (rps absent) stays unknown. thread: any (pure). */
void signals_mark_idle(struct signals_out *o, bool request_source_up);

/* signals_compute fills *out with every signal over (now_ms - window_ms, now_ms]: a value with
 * has_* true, or has_* false when absent for any reason. Returns 0, or -EINVAL when
 * window_ms <= 0 (out untouched). thread: any (the sampler in practice). */
int signals_compute(const struct store *s, int64_t now_ms, int64_t window_ms,
                    struct signals_out *out);

#endif
