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
#include <stdint.h>

#include "store/store.h"

/* Where a utilization ratio came from: the container's cgroup (usage / limit), when a limit
 * exists, else the node's /proc view. */
enum signals_basis { SIGNALS_BASIS_NONE = 0, SIGNALS_BASIS_CONTAINER, SIGNALS_BASIS_NODE };

struct signals_out {
    bool has_cpu_utilization;
    double cpu_utilization_ratio; /* rizk_cpu_utilization_ratio; valid when has_* */
    enum signals_basis cpu_basis; /* set even when the value is absent */
    bool has_memory_utilization;
    double memory_utilization_ratio; /* rizk_memory_utilization_ratio; valid when has_* */
    enum signals_basis memory_basis; /* set even when the value is absent */
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

/* signals_compute fills *out with every signal over (now_ms - window_ms, now_ms]: a value with
 * has_* true, or has_* false when absent for any reason. Returns 0, or -EINVAL when
 * window_ms <= 0 (out untouched). thread: any (the sampler in practice). */
int signals_compute(const struct store *s, int64_t now_ms, int64_t window_ms,
                    struct signals_out *out);

#endif
