/* Utilization signals from the store. Each signal first picks its basis (is there a container
 * limit in the window?) and then divides, refusing every division whose denominator is not a
 * positive finite number: an absent signal is better than an invented one. */
#include "signals/signals.h"

#include <errno.h>
#include <math.h>

#include "core/banned.h"

const char *signals_basis_name(enum signals_basis basis)
{
    switch (basis) {
    case SIGNALS_BASIS_CONTAINER:
        return "container";
    case SIGNALS_BASIS_NODE:
        return "node";
    case SIGNALS_BASIS_NONE:
        break;
    }
    return "none";
}

/* ratio_finish divides and clamps at 0 from below, or reports no data for a denominator that
 * is not positive and finite, or a result that is not finite. */
static int ratio_finish(double num, double den, double *ratio)
{
    if (!isfinite(num) || !isfinite(den) || den <= 0.0)
        return -ENODATA;
    double r = num / den;
    if (!isfinite(r))
        return -ENODATA;
    *ratio = r < 0.0 ? 0.0 : r;
    return 0;
}

/* limit_basis picks the basis from the newest limit in the window: inside a pod /proc shows
 * the node, so a container limit, when set, is what utilization is measured against (SPEC 2).
 * The cgroup collector appends NaN while the limit is "max", which store_last skips. Returns 0
 * or an error other than -ENODATA. */
static int limit_basis(const struct store *s, enum hist_series limit_id, int64_t now_ms,
                       int64_t window_ms, double *limit, enum signals_basis *basis)
{
    int rc = store_last(s, limit_id, now_ms, window_ms, limit);
    if (rc == 0)
        *basis = SIGNALS_BASIS_CONTAINER;
    else if (rc == -ENODATA)
        *basis = SIGNALS_BASIS_NODE;
    else
        return rc;
    return 0;
}

static int cpu_ratio(const struct store *s, int64_t now_ms, int64_t window_ms,
                     enum signals_basis basis, double limit, double *ratio)
{
    double num, den;
    int rc;
    if (basis == SIGNALS_BASIS_CONTAINER) {
        rc = store_rate(s, HS_CONTAINER_CPU_USAGE_SECONDS, now_ms, window_ms, &num);
        if (rc < 0)
            return rc;
        return ratio_finish(num, limit, ratio);
    }
    rc = store_increase(s, HS_NODE_CPU_BUSY_SECONDS, now_ms, window_ms, &num);
    if (rc < 0)
        return rc;
    rc = store_increase(s, HS_NODE_CPU_TOTAL_SECONDS, now_ms, window_ms, &den);
    if (rc < 0)
        return rc;
    return ratio_finish(num, den, ratio);
}

int signals_cpu_utilization(const struct store *s, int64_t now_ms, int64_t window_ms, double *ratio,
                            enum signals_basis *basis)
{
    double limit = 0.0, r;
    enum signals_basis b = SIGNALS_BASIS_NONE;
    if (window_ms <= 0)
        return -EINVAL;
    int rc = limit_basis(s, HS_CONTAINER_CPU_LIMIT_CORES, now_ms, window_ms, &limit, &b);
    if (rc < 0)
        return rc;
    rc = cpu_ratio(s, now_ms, window_ms, b, limit, &r);
    if (rc < 0)
        return rc;
    *ratio = r;
    *basis = b;
    return 0;
}

static int memory_ratio(const struct store *s, int64_t now_ms, int64_t window_ms,
                        enum signals_basis basis, double limit, double *ratio)
{
    double num, den, used;
    int rc;
    if (basis == SIGNALS_BASIS_CONTAINER) {
        rc = store_last(s, HS_CONTAINER_MEMORY_WORKING_SET_BYTES, now_ms, window_ms, &num);
        if (rc < 0)
            return rc;
        return ratio_finish(num, limit, ratio);
    }
    rc = store_last(s, HS_NODE_MEMORY_AVAILABLE_BYTES, now_ms, window_ms, &num);
    if (rc < 0)
        return rc;
    rc = store_last(s, HS_NODE_MEMORY_TOTAL_BYTES, now_ms, window_ms, &den);
    if (rc < 0)
        return rc;
    /* used / total, with used = total - available, so the clamp in ratio_finish also catches
     * available > total. */
    used = den - num;
    return ratio_finish(used, den, ratio);
}

int signals_memory_utilization(const struct store *s, int64_t now_ms, int64_t window_ms,
                               double *ratio, enum signals_basis *basis)
{
    double limit = 0.0, r;
    enum signals_basis b = SIGNALS_BASIS_NONE;
    if (window_ms <= 0)
        return -EINVAL;
    int rc = limit_basis(s, HS_CONTAINER_MEMORY_LIMIT_BYTES, now_ms, window_ms, &limit, &b);
    if (rc < 0)
        return rc;
    rc = memory_ratio(s, now_ms, window_ms, b, limit, &r);
    if (rc < 0)
        return rc;
    *ratio = r;
    *basis = b;
    return 0;
}

int signals_compute(const struct store *s, int64_t now_ms, int64_t window_ms,
                    struct signals_out *out)
{
    struct signals_out o = {0};
    double limit = 0.0;
    if (window_ms <= 0)
        return -EINVAL;

    /* Any failure below leaves the signal absent; the basis is kept for the log line. */
    if (limit_basis(s, HS_CONTAINER_CPU_LIMIT_CORES, now_ms, window_ms, &limit, &o.cpu_basis) == 0)
        o.has_cpu_utilization =
            cpu_ratio(s, now_ms, window_ms, o.cpu_basis, limit, &o.cpu_utilization_ratio) == 0;
    if (limit_basis(s, HS_CONTAINER_MEMORY_LIMIT_BYTES, now_ms, window_ms, &limit,
                    &o.memory_basis) == 0)
        o.has_memory_utilization = memory_ratio(s, now_ms, window_ms, o.memory_basis, limit,
                                                &o.memory_utilization_ratio) == 0;
    *out = o;
    return 0;
}
