/* cgroup collector: the container's CPU and memory from cgroup v2 under --path.cgroupfs.
 * Inside a pod /proc shows the node, so these are the numbers that make utilization mean
 * "of my limit" (SPEC 2). DESIGN: the cgroup is located every tick (cheap: two small reads) from
 * <procfs>/self/cgroup's "0::/path"; that sub-directory is used when it holds cgroup files,
 * otherwise the root itself, because inside a cgroup namespace the mounted root IS the
 * container. On v1 or without cgroups only the version gauge is emitted and the source is
 * reported down, so the signals fall back to /proc; that is not a collector failure. */
#include "collect/collectors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/sink.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "io/fsroot.h"
#include "parse/cgroup.h"
#include "core/banned.h"

#define CG_BUF_CAP (256u * 1024)
#define CG_REL_MAX (CGROUP_PATH_MAX + 64)

struct col_cgroup {
    struct fsroot *proc; /* --path.procfs, for self/cgroup */
    struct fsroot *cg;   /* --path.cgroupfs; NULL when it could not be opened */
    struct buf buf;
    char dir[CGROUP_PATH_MAX]; /* the cgroup, relative to cg: "" (root) or "a/b" */
    struct cgroup_membership memb;
    struct cgroup_memory_stat mstat;
};

static bool cg_absent(int rc)
{
    return rc == -ENOENT;
}

/* cg_rel joins the cgroup directory and a file name; false when it does not fit. */
static bool cg_rel(const struct col_cgroup *c, const char *file, char *out, size_t n)
{
    int w =
        c->dir[0] != '\0' ? snprintf(out, n, "%s/%s", c->dir, file) : snprintf(out, n, "%s", file);
    return w > 0 && (size_t)w < n;
}

static int cg_read(struct col_cgroup *c, const char *file)
{
    char rel[CG_REL_MAX];
    if (!cg_rel(c, file, rel, sizeof(rel)))
        return -ENAMETOOLONG;
    buf_reset(&c->buf);
    return fsroot_read(c->cg, rel, &c->buf);
}

static bool cg_has(const struct col_cgroup *c, const char *file)
{
    char rel[CG_REL_MAX];
    return cg_rel(c, file, rel, sizeof(rel)) && fsroot_exists(c->cg, rel);
}

/* cg_locate sets c->dir from the "0::/path" line; see the DESIGN note at the top. A path the
 * root cannot hold (another namespace's "/../..", too long) falls back to the root. */
static void cg_locate(struct col_cgroup *c)
{
    c->dir[0] = '\0';
    if (!c->memb.has_v2)
        return;
    const char *p = c->memb.v2_path;
    while (*p == '/')
        p++;
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == '/')
        n--;
    if (n == 0 || n >= sizeof(c->dir))
        return;
    memcpy(c->dir, p, n);
    c->dir[n] = '\0';
    if (!cg_has(c, "cpu.stat") && !cg_has(c, "memory.current"))
        c->dir[0] = '\0';
}

/* cg_version is 2 on a unified mount, 1 when /proc says v1 controllers exist, else 0. */
static int cg_version(struct col_cgroup *c)
{
    bool have_memb = false;
    buf_reset(&c->buf);
    if (fsroot_read(c->proc, "self/cgroup", &c->buf) == 0 &&
        parse_cgroup_membership(buf_ptr(&c->buf), &c->memb, NULL) == 0)
        have_memb = true;
    if (!have_memb)
        memset(&c->memb, 0, sizeof(c->memb));
    if (c->cg != NULL && fsroot_exists(c->cg, "cgroup.controllers"))
        return 2;
    if (c->memb.mode == CGROUP_MODE_V1 || c->memb.mode == CGROUP_MODE_HYBRID)
        return 1;
    return 0;
}

static void cg_counter(struct sample_sink *out, const char *name, const char *help, double v)
{
    (void)sink_counter(out, name, help, NULL, 0, v);
}

static void cg_gauge(struct sample_sink *out, const char *name, const char *help, double v)
{
    (void)sink_gauge(out, name, help, NULL, 0, v);
}

static int cg_cpu(struct col_cgroup *c, struct sample_sink *out)
{
    struct cgroup_cpu_stat cs;
    struct cgroup_cpu_max cm;
    int rc = cg_read(c, "cpu.stat");
    if (rc == 0)
        rc = parse_cgroup_cpu_stat(buf_ptr(&c->buf), &cs, NULL);
    if (rc < 0)
        return rc;
    double usage = (double)cs.usage_usec / 1e6;
    cg_counter(out, "rizk_container_cpu_usage_seconds_total",
               "CPU time consumed by the container's cgroup (cpu.stat usage_usec).", usage);
    sink_history(out, HS_CONTAINER_CPU_USAGE_SECONDS, usage);
    if (cs.has_user)
        cg_counter(out, "rizk_container_cpu_user_seconds_total",
                   "User CPU time of the container's cgroup.", (double)cs.user_usec / 1e6);
    if (cs.has_system)
        cg_counter(out, "rizk_container_cpu_system_seconds_total",
                   "System CPU time of the container's cgroup.", (double)cs.system_usec / 1e6);
    /* The throttling keys exist only when the cpu controller is enabled for the cgroup. */
    if (cs.has_periods)
        cg_counter(out, "rizk_container_cpu_periods_total",
                   "Enforcement periods that elapsed (cpu.stat nr_periods).",
                   (double)cs.nr_periods);
    if (cs.has_throttled)
        cg_counter(out, "rizk_container_cpu_throttled_periods_total",
                   "Periods in which the cgroup was throttled (cpu.stat nr_throttled).",
                   (double)cs.nr_throttled);
    if (cs.has_throttled_usec)
        cg_counter(out, "rizk_container_cpu_throttled_seconds_total",
                   "Time the cgroup spent throttled (cpu.stat throttled_usec).",
                   (double)cs.throttled_usec / 1e6);

    rc = cg_read(c, "cpu.max");
    if (cg_absent(rc))
        return 0;
    if (rc == 0)
        rc = parse_cgroup_cpu_max(buf_ptr(&c->buf), &cm, NULL);
    if (rc < 0)
        return rc;
    if (cm.has_quota) {
        double cores = (double)cm.quota_usec / (double)cm.period_usec;
        cg_gauge(out, "rizk_container_cpu_limit_cores",
                 "CPU limit in cores (cpu.max quota / period); absent without a quota.", cores);
        sink_history(out, HS_CONTAINER_CPU_LIMIT_CORES, cores);
    }
    return 0;
}

static int cg_memory(struct col_cgroup *c, struct sample_sink *out)
{
    struct cgroup_value cur, max;
    struct cgroup_memory_events ev;
    int first = 0;
    int rc = cg_read(c, "memory.current");
    /* No memory controller for this cgroup: nothing to report, nothing wrong. */
    if (cg_absent(rc))
        return 0;
    if (rc == 0)
        rc = parse_cgroup_value(buf_ptr(&c->buf), &cur, NULL);
    if (rc < 0)
        return rc;
    cg_gauge(out, "rizk_container_memory_usage_bytes",
             "Memory charged to the container's cgroup (memory.current).", (double)cur.value);

    /* Working set as cAdvisor computes it: usage minus inactive file pages, floored at 0. */
    uint64_t ws = cur.value;
    rc = cg_read(c, "memory.stat");
    if (rc == 0)
        rc = parse_cgroup_memory_stat(buf_ptr(&c->buf), &c->mstat, NULL);
    if (rc == 0 && c->mstat.has_inactive_file)
        ws = cur.value > c->mstat.inactive_file ? cur.value - c->mstat.inactive_file : 0;
    if (rc < 0 && !cg_absent(rc) && first == 0)
        first = rc;
    cg_gauge(out, "rizk_container_memory_working_set_bytes",
             "Memory usage minus inactive file cache, as cAdvisor computes it.", (double)ws);
    sink_history(out, HS_CONTAINER_MEMORY_WORKING_SET_BYTES, (double)ws);

    rc = cg_read(c, "memory.max");
    if (rc == 0)
        rc = parse_cgroup_value(buf_ptr(&c->buf), &max, NULL);
    if (rc == 0 && !max.is_max) {
        cg_gauge(out, "rizk_container_memory_limit_bytes",
                 "Memory limit of the container's cgroup (memory.max); absent when unlimited.",
                 (double)max.value);
        sink_history(out, HS_CONTAINER_MEMORY_LIMIT_BYTES, (double)max.value);
    }
    if (rc < 0 && !cg_absent(rc) && first == 0)
        first = rc;

    rc = cg_read(c, "memory.events");
    if (rc == 0)
        rc = parse_cgroup_memory_events(buf_ptr(&c->buf), &ev, NULL);
    if (rc == 0 && ev.has_oom)
        cg_counter(out, "rizk_container_memory_oom_events_total",
                   "Times the cgroup's OOM killer was invoked (memory.events oom).",
                   (double)ev.oom);
    if (rc == 0 && ev.has_oom_kill)
        cg_counter(out, "rizk_container_memory_oom_kills_total",
                   "Processes killed by the OOM killer in the cgroup (memory.events oom_kill).",
                   (double)ev.oom_kill);
    if (rc == 0 && ev.has_max)
        cg_counter(out, "rizk_container_memory_max_events_total",
                   "Times usage hit memory.max (memory.events max).", (double)ev.max);
    if (rc < 0 && !cg_absent(rc) && first == 0)
        first = rc;
    return first;
}

static int col_cgroup_collect(void *ctx, struct sample_sink *out)
{
    struct col_cgroup *c = ctx;
    int version = cg_version(c);
    cg_gauge(out, "rizk_container_cgroup_version",
             "cgroup version of the container: 2 (unified), 1 (v1 or hybrid), 0 (none).",
             (double)version);
    if (version != 2) {
        sink_source(out, "cgroup", false);
        return 0;
    }
    cg_locate(c);
    int rc = cg_cpu(c, out);
    int rc_mem = cg_memory(c, out);
    sink_source(out, "cgroup", rc == 0);
    return rc < 0 ? rc : rc_mem;
}

static void col_cgroup_destroy(void *ctx)
{
    struct col_cgroup *c = ctx;
    if (c == NULL)
        return;
    buf_fini(&c->buf);
    fsroot_free(c->cg);
    fsroot_free(c->proc);
    free(c);
}

static int col_cgroup_init(const struct config *cfg, void **ctx)
{
    struct col_cgroup *c = xcalloc(1, sizeof(*c));
    buf_init(&c->buf, CG_BUF_CAP);
    const char *procfs = (cfg != NULL && cfg->path_procfs != NULL) ? cfg->path_procfs : "/proc";
    const char *cgfs =
        (cfg != NULL && cfg->path_cgroupfs != NULL) ? cfg->path_cgroupfs : "/sys/fs/cgroup";
    int rc = fsroot_open(procfs, &c->proc);
    if (rc < 0) {
        col_cgroup_destroy(c);
        return rc;
    }
    /* A host without a cgroup mount is a valid (version 0) state, not an init failure. */
    if (fsroot_open(cgfs, &c->cg) < 0)
        c->cg = NULL;
    *ctx = c;
    return 0;
}

const struct collector_type col_cgroup_type = {
    .name = "cgroup",
    .help = "Container CPU and memory usage, limits and OOM events from cgroup v2",
    .default_enabled = true,
    .init = col_cgroup_init,
    .collect = col_cgroup_collect,
    .destroy = col_cgroup_destroy,
};
