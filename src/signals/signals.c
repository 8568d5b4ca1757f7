/* Utilization signals from the store. Each signal first picks its basis (is there a container
 * limit in the window?) and then divides, refusing every division whose denominator is not a
 * positive finite number: an absent signal is better than an invented one. */
#include "signals/signals.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>

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
    /* Node counters are differenced end to end, without reset handling: they only restart with
     * the node (and this process with it), while idle and iowait are known to step backwards a
     * little on some kernels, which reset handling would turn into a huge spurious increase. */
    rc = store_delta(s, HS_NODE_CPU_BUSY_SECONDS, now_ms, window_ms, &num);
    if (rc < 0)
        return rc;
    rc = store_delta(s, HS_NODE_CPU_TOTAL_SECONDS, now_ms, window_ms, &den);
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

/* ---- the app signals ---- */

const char *signals_conn_basis_name(enum signals_conn_basis basis)
{
    switch (basis) {
    case SIGNALS_CONN_APP:
        return "app";
    case SIGNALS_CONN_SOCKETS:
        return "sockets";
    case SIGNALS_CONN_NONE:
        break;
    }
    return "none";
}

static double clamp01(double v)
{
    return v > 1.0 ? 1.0 : v;
}

int signals_requests_per_second(const struct store *s, int64_t now_ms, int64_t window_ms,
                                double *out)
{
    double r;
    int rc = store_rate(s, HS_APP_REQUESTS, now_ms, window_ms, &r);
    if (rc < 0)
        return rc;
    if (!isfinite(r))
        return -ENODATA;
    *out = r;
    return 0;
}

/* increase_ratio divides two increases over the window (ratio_finish rules). */
static int increase_ratio(const struct store *s, enum hist_series num_id, enum hist_series den_id,
                          int64_t now_ms, int64_t window_ms, double *out)
{
    double num, den;
    int rc = store_increase(s, num_id, now_ms, window_ms, &num);
    if (rc < 0)
        return rc;
    rc = store_increase(s, den_id, now_ms, window_ms, &den);
    if (rc < 0)
        return rc;
    return ratio_finish(num, den, out);
}

int signals_error_ratio(const struct store *s, int64_t now_ms, int64_t window_ms, double *out)
{
    double r;
    int rc = increase_ratio(s, HS_APP_ERRORS, HS_APP_REQUESTS, now_ms, window_ms, &r);
    if (rc < 0)
        return rc;
    /* Errors arrive on their own statsd metric and may run ahead of the requests counted in
     * the same window; a ratio is 0-1 by definition (SPEC 6). */
    *out = clamp01(r);
    return 0;
}

int signals_response_time(const struct store *s, int64_t now_ms, int64_t window_ms, double *out)
{
    return increase_ratio(s, HS_APP_DURATION_SUM, HS_APP_DURATION_COUNT, now_ms, window_ms, out);
}

static const enum hist_series cache_hits_id[2] = {HS_CACHE_L1_HITS, HS_CACHE_L2_HITS};
static const enum hist_series cache_misses_id[2] = {HS_CACHE_L1_MISSES, HS_CACHE_L2_MISSES};

/* tier_increase gives the window's hit and miss increases of one tier. */
static int tier_increase(const struct store *s, int tier, int64_t now_ms, int64_t window_ms,
                         double *hits, double *misses)
{
    int rc = store_increase(s, cache_hits_id[tier], now_ms, window_ms, hits);
    if (rc < 0)
        return rc;
    return store_increase(s, cache_misses_id[tier], now_ms, window_ms, misses);
}

int signals_cache_tier_hit_ratio(const struct store *s, int tier, int64_t now_ms,
                                 int64_t window_ms, double *out)
{
    double h, m;
    if (window_ms <= 0 || tier < 0 || tier > 1)
        return -EINVAL;
    int rc = tier_increase(s, tier, now_ms, window_ms, &h, &m);
    if (rc < 0)
        return rc;
    return ratio_finish(h, h + m, out);
}

int signals_cache_hit_ratio(const struct store *s, int64_t now_ms, int64_t window_ms,
                            double *out)
{
    double h1, m1, h2 = 0.0, m2 = 0.0, r;
    if (window_ms <= 0)
        return -EINVAL;
    int rc = tier_increase(s, 0, now_ms, window_ms, &h1, &m1);
    if (rc == -ENODATA && store_count(s, HS_CACHE_L1_HITS) == 0)
        return signals_cache_tier_hit_ratio(s, 1, now_ms, window_ms, out);
    if (rc < 0)
        return rc;
    rc = tier_increase(s, 1, now_ms, window_ms, &h2, &m2);
    if (rc < 0 && rc != -ENODATA)
        return rc;
    if (rc == -ENODATA)
        h2 = 0.0;
    rc = ratio_finish(h1 + h2, h1 + m1, &r);
    if (rc < 0)
        return rc;
    *out = clamp01(r);
    return 0;
}

int signals_active_connections(const struct store *s, int64_t now_ms, int64_t window_ms,
                               double *out, enum signals_conn_basis *basis)
{
    double v;
    int rc = store_last(s, HS_APP_ACTIVE_CONNECTIONS, now_ms, window_ms, &v);
    if (rc == 0) {
        *out = v;
        *basis = SIGNALS_CONN_APP;
        return 0;
    }
    if (rc != -ENODATA)
        return rc;
    rc = store_last(s, HS_APP_PORT_CONNECTIONS, now_ms, window_ms, &v);
    if (rc < 0)
        return rc;
    *out = v;
    *basis = SIGNALS_CONN_SOCKETS;
    return 0;
}

int signals_histogram_quantile(double q, const double *bounds, const uint64_t *cum, size_t nb,
                               uint64_t count, double *out)
{
    if (!(q >= 0.0 && q <= 1.0))
        return -EINVAL;
    if (count == 0 || nb == 0)
        return -ENODATA;
    double rank = q * (double)count;
    size_t b = 0;
    while (b < nb && (double)cum[b] < rank)
        b++;
    if (b == nb) {
        /* In the +Inf bucket: the best known answer is the highest finite bound. */
        *out = bounds[nb - 1];
        return 0;
    }
    if (b == 0 && bounds[0] <= 0) {
        *out = bounds[0];
        return 0;
    }
    double start = b == 0 ? 0.0 : bounds[b - 1];
    double below = b == 0 ? 0.0 : (double)cum[b - 1];
    double in_bucket = (double)cum[b] - below;
    if (in_bucket <= 0) {
        *out = bounds[b];
        return 0;
    }
    *out = start + (bounds[b] - start) * ((rank - below) / in_bucket);
    return 0;
}

static void signals_compute_app(const struct store *s, int64_t now_ms, int64_t window_ms,
                                struct signals_out *o)
{
    o->has[SIG_REQUESTS_PER_SECOND] =
        signals_requests_per_second(s, now_ms, window_ms, &o->v[SIG_REQUESTS_PER_SECOND]) == 0;
    o->has[SIG_ERROR_RATIO] =
        signals_error_ratio(s, now_ms, window_ms, &o->v[SIG_ERROR_RATIO]) == 0;
    o->has[SIG_RESPONSE_TIME] =
        signals_response_time(s, now_ms, window_ms, &o->v[SIG_RESPONSE_TIME]) == 0;
    enum signals_conn_basis cb = SIGNALS_CONN_NONE;
    o->has[SIG_ACTIVE_CONNECTIONS] =
        signals_active_connections(s, now_ms, window_ms, &o->v[SIG_ACTIVE_CONNECTIONS], &cb) == 0;
    o->basis[SIG_ACTIVE_CONNECTIONS] = signals_conn_basis_name(cb);
    o->has[SIG_CACHE_HIT_RATIO] =
        signals_cache_hit_ratio(s, now_ms, window_ms, &o->v[SIG_CACHE_HIT_RATIO]) == 0;
    static const enum sig_id tier[2] = {SIG_CACHE_L1_HIT_RATIO, SIG_CACHE_L2_HIT_RATIO};
    for (int t = 0; t < 2; t++)
        o->has[tier[t]] =
            signals_cache_tier_hit_ratio(s, t, now_ms, window_ms, &o->v[tier[t]]) == 0;
}

void signals_mark_idle(struct signals_out *o, bool request_source_up)
{
    o->idle = request_source_up && o->has[SIG_REQUESTS_PER_SECOND] &&
              o->v[SIG_REQUESTS_PER_SECOND] == 0.0;
    if (!o->idle)
        return;
    /* errors / requests with zero requests is 0/0; for an idle pod "no errors" is the truth
     * the scaler needs, and an absent ratio would block scale-down forever. */
    if (!o->has[SIG_ERROR_RATIO]) {
        o->has[SIG_ERROR_RATIO] = true;
        o->v[SIG_ERROR_RATIO] = 0.0;
    }
}

int signals_compute(const struct store *s, int64_t now_ms, int64_t window_ms,
                    struct signals_out *out)
{
    struct signals_out o = {0};
    double limit = 0.0;
    enum signals_basis cpu = SIGNALS_BASIS_NONE, mem = SIGNALS_BASIS_NONE;
    if (window_ms <= 0)
        return -EINVAL;

    /* Any failure below leaves the signal absent; the basis is kept for the info metric. */
    if (limit_basis(s, HS_CONTAINER_CPU_LIMIT_CORES, now_ms, window_ms, &limit, &cpu) == 0)
        o.has[SIG_CPU_UTILIZATION] =
            cpu_ratio(s, now_ms, window_ms, cpu, limit, &o.v[SIG_CPU_UTILIZATION]) == 0;
    if (limit_basis(s, HS_CONTAINER_MEMORY_LIMIT_BYTES, now_ms, window_ms, &limit, &mem) == 0)
        o.has[SIG_MEMORY_UTILIZATION] =
            memory_ratio(s, now_ms, window_ms, mem, limit, &o.v[SIG_MEMORY_UTILIZATION]) == 0;
    o.basis[SIG_CPU_UTILIZATION] = signals_basis_name(cpu);
    o.basis[SIG_MEMORY_UTILIZATION] = signals_basis_name(mem);
    signals_compute_app(s, now_ms, window_ms, &o);
    *out = o;
    return 0;
}
