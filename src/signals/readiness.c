/* Scaling readiness: the guide's validate_scaling_readiness and checklist as data. The inputs
 * are read from a tick's metric set by the names the redis collector exports:
 *   rizk_source_up{source="redis"}   absent = no Redis configured
 *   rizk_redis_up{node}              any 1 = reachable (in cluster mode the source is down as
 *                                    soon as the cluster state is not ok, though nodes answer)
 *   rizk_redis_cluster_state_ok      present = clustered; 1 = cluster_state:ok (all must be 1)
 *   rizk_redis_cluster_size          masters serving at least one slot (the largest wins)
 * and the cache ratio is rizk_cache_hit_ratio (the hierarchy's), else Redis' own
 * rizk_redis_keyspace_hit_ratio when the app reports no cache stats. */
#include "signals/readiness.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "signals/sigtable.h"
#include "core/banned.h"

static const struct {
    const char *name;
    const char *target;
} readiness_checks[READINESS_NCHECKS] = {
    [READINESS_REDIS] = {"redis", "reachable"},
    [READINESS_REDIS_CLUSTER] = {"redis_cluster", "state ok, >= 3 masters"},
    [READINESS_CACHE_HIT_RATIO] = {"cache_hit_ratio", "> 80% (warning < 70%)"},
    [READINESS_RESPONSE_TIME] = {"response_time", "< 500ms"},
    [READINESS_ERROR_RATIO] = {"error_ratio", "< 1%"},
    [READINESS_CPU] = {"cpu_utilization", "60-80%"},
    [READINESS_MEMORY] = {"memory_utilization", "< 85%"},
};

const char *readiness_check_name(enum readiness_check_id id)
{
    return (unsigned)id < READINESS_NCHECKS ? readiness_checks[id].name : "";
}

const char *readiness_check_target(enum readiness_check_id id)
{
    return (unsigned)id < READINESS_NCHECKS ? readiness_checks[id].target : "";
}

const char *readiness_status_name(enum readiness_status st)
{
    switch (st) {
    case READINESS_OK:
        return "ok";
    case READINESS_WARN:
        return "warn";
    case READINESS_FAIL:
        return "fail";
    case READINESS_SKIP:
        return "skip";
    }
    return "";
}

__attribute__((format(printf, 3, 4))) static void
set(struct readiness_check *c, enum readiness_status st, const char *fmt, ...)
{
    c->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof(c->message), fmt, ap);
    va_end(ap);
}

static void check_redis(const struct readiness_in *in, struct readiness_check *c)
{
    switch (in->redis) {
    case READINESS_REDIS_UP:
        set(c, READINESS_OK, "Redis reachable");
        return;
    case READINESS_REDIS_DOWN:
        set(c, READINESS_FAIL, "Redis not reachable");
        return;
    case READINESS_REDIS_NOT_CONFIGURED:
        break;
    }
    set(c, READINESS_FAIL,
        "no Redis configured (--redis.addr, REDIS_URL or --redis.cluster-nodes): instances "
        "need a shared L2 cache to scale out");
}

static void check_cluster(const struct readiness_in *in, struct readiness_check *c)
{
    if (in->redis != READINESS_REDIS_UP) {
        set(c, READINESS_SKIP,
            in->redis == READINESS_REDIS_DOWN ? "Redis not reachable" : "no Redis configured");
        return;
    }
    if (!in->clustered) {
        set(c, READINESS_SKIP, "standalone Redis (not clustered)");
        return;
    }
    if (in->has_cluster_masters) {
        c->has_value = true;
        c->value = in->cluster_masters;
    }
    if (!in->has_cluster_state) {
        set(c, READINESS_WARN, "Redis cluster state unknown");
        return;
    }
    if (!in->cluster_state_ok) {
        set(c, READINESS_FAIL, "Redis cluster not healthy: cluster_state is fail");
        return;
    }
    if (!in->has_cluster_masters) {
        set(c, READINESS_WARN, "Redis cluster state ok, master count unknown");
        return;
    }
    if (in->cluster_masters < READINESS_CLUSTER_MASTERS) {
        set(c, READINESS_FAIL, "Redis cluster has %.0f masters, needs at least %d",
            in->cluster_masters, READINESS_CLUSTER_MASTERS);
        return;
    }
    set(c, READINESS_OK, "Redis cluster state ok, %.0f masters", in->cluster_masters);
}

static void check_cache(const struct readiness_in *in, struct readiness_check *c)
{
    if (!in->has_cache_hit_ratio) {
        set(c, READINESS_WARN, "Cache hit rate: no data");
        return;
    }
    double pct = in->cache_hit_ratio * 100.0;
    const char *src = in->cache_source != NULL ? in->cache_source : "";
    c->has_value = true;
    c->value = in->cache_hit_ratio;
    if (in->cache_hit_ratio < READINESS_CACHE_WARN)
        set(c, READINESS_WARN, "Cache hit rate low: %.1f%%%s", pct, src);
    else if (in->cache_hit_ratio <= READINESS_CACHE_TARGET)
        set(c, READINESS_WARN, "Cache hit rate %.1f%% not above the 80%% target%s", pct, src);
    else
        set(c, READINESS_OK, "Cache hit rate %.1f%%%s", pct, src);
}

/* check_upper: ok when value < limit, else a warning; missing data is a warning too. */
static void check_upper(struct readiness_check *c, bool has, double v, double limit,
                        const char *label, double scale, const char *unit, const char *target)
{
    if (!has) {
        set(c, READINESS_WARN, "%s: no data", label);
        return;
    }
    c->has_value = true;
    c->value = v;
    if (v < limit)
        set(c, READINESS_OK, "%s %.1f%s", label, v * scale, unit);
    else
        set(c, READINESS_WARN, "%s %.1f%s not below %s", label, v * scale, unit, target);
}

static void check_cpu(const struct readiness_in *in, struct readiness_check *c)
{
    if (!in->has_cpu) {
        set(c, READINESS_WARN, "CPU: no data");
        return;
    }
    c->has_value = true;
    c->value = in->cpu_ratio;
    double pct = in->cpu_ratio * 100.0;
    if (in->cpu_ratio < READINESS_CPU_LOW || in->cpu_ratio > READINESS_CPU_HIGH)
        set(c, READINESS_WARN, "CPU %.1f%% outside 60-80%%", pct);
    else
        set(c, READINESS_OK, "CPU %.1f%%", pct);
}

void readiness_evaluate(const struct readiness_in *in, struct readiness_report *out)
{
    struct readiness_report r;
    memset(&r, 0, sizeof(r));
    check_redis(in, &r.checks[READINESS_REDIS]);
    check_cluster(in, &r.checks[READINESS_REDIS_CLUSTER]);
    check_cache(in, &r.checks[READINESS_CACHE_HIT_RATIO]);
    check_upper(&r.checks[READINESS_RESPONSE_TIME], in->has_response_time,
                in->response_time_seconds, READINESS_RESPONSE_TIME_MAX, "Response time", 1000.0,
                "ms", "500ms");
    check_upper(&r.checks[READINESS_ERROR_RATIO], in->has_error_ratio, in->error_ratio,
                READINESS_ERROR_RATIO_MAX, "Error rate", 100.0, "%", "1%");
    check_cpu(in, &r.checks[READINESS_CPU]);
    check_upper(&r.checks[READINESS_MEMORY], in->has_memory, in->memory_ratio, READINESS_MEMORY_MAX,
                "Memory", 100.0, "%", "85%");
    for (int i = 0; i < READINESS_NCHECKS; i++) {
        r.failures += r.checks[i].status == READINESS_FAIL;
        r.warnings += r.checks[i].status == READINESS_WARN;
    }
    r.ready = r.failures == 0;
    r.strict_ready = r.ready && r.warnings == 0;
    *out = r;
}

static const char *sample_label(const struct msample *s, const char *name)
{
    for (size_t i = 0; i < s->nlabels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return s->labels[i].value;
    return NULL;
}

/* first_value: the first finite sample of a family, preferring one without labels. */
static bool first_value(const struct mset *m, const char *name, double *v)
{
    const struct mfamily *f = mset_find(m, name);
    bool found = false;
    for (size_t i = 0; f != NULL && i < f->nsamples; i++) {
        if (!isfinite(f->samples[i].value))
            continue;
        if (!found || f->samples[i].nlabels == 0)
            *v = f->samples[i].value;
        found = true;
        if (f->samples[i].nlabels == 0)
            break;
    }
    return found;
}

static const char *sig_name(enum sig_id id)
{
    return sigtable_at(id)->name;
}

static void redis_from_mset(const struct mset *m, struct readiness_in *in)
{
    const struct mfamily *up = mset_find(m, "rizk_source_up");
    for (size_t i = 0; up != NULL && i < up->nsamples; i++) {
        const char *src = sample_label(&up->samples[i], "source");
        if (src != NULL && strcmp(src, "redis") == 0)
            in->redis = up->samples[i].value > 0 ? READINESS_REDIS_UP : READINESS_REDIS_DOWN;
    }
    const struct mfamily *f = mset_find(m, "rizk_redis_up");
    for (size_t i = 0; in->redis == READINESS_REDIS_DOWN && f != NULL && i < f->nsamples; i++)
        if (f->samples[i].value > 0)
            in->redis = READINESS_REDIS_UP;
    f = mset_find(m, "rizk_redis_cluster_state_ok");
    in->cluster_state_ok = true;
    for (size_t i = 0; f != NULL && i < f->nsamples; i++) {
        in->clustered = true;
        in->has_cluster_state = true;
        in->cluster_state_ok = in->cluster_state_ok && f->samples[i].value == 1.0;
    }
    if (!in->has_cluster_state)
        in->cluster_state_ok = false;
    f = mset_find(m, "rizk_redis_cluster_size");
    for (size_t i = 0; f != NULL && i < f->nsamples; i++) {
        double v = f->samples[i].value;
        if (!isfinite(v))
            continue;
        if (!in->has_cluster_masters || v > in->cluster_masters)
            in->cluster_masters = v;
        in->has_cluster_masters = true;
    }
}

void readiness_inputs_from_mset(const struct mset *m, struct readiness_in *in)
{
    memset(in, 0, sizeof(*in));
    if (m == NULL)
        return;
    redis_from_mset(m, in);
    in->has_cache_hit_ratio = first_value(m, sig_name(SIG_CACHE_HIT_RATIO), &in->cache_hit_ratio);
    if (!in->has_cache_hit_ratio) {
        in->has_cache_hit_ratio =
            first_value(m, "rizk_redis_keyspace_hit_ratio", &in->cache_hit_ratio);
        if (in->has_cache_hit_ratio)
            in->cache_source = " (Redis keyspace)";
    }
    in->has_response_time = first_value(m, sig_name(SIG_RESPONSE_TIME), &in->response_time_seconds);
    in->has_error_ratio = first_value(m, sig_name(SIG_ERROR_RATIO), &in->error_ratio);
    in->has_cpu = first_value(m, sig_name(SIG_CPU_UTILIZATION), &in->cpu_ratio);
    in->has_memory = first_value(m, sig_name(SIG_MEMORY_UTILIZATION), &in->memory_ratio);
}
