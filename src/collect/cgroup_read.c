/* cgroup v2 and v1 readers. The two versions name the same quantities differently: v2 cpu.stat
 * usage_usec / cpu.max / memory.current / memory.max / memory.events, v1 cpuacct.usage (ns) /
 * cpu.cfs_quota_us + cpu.cfs_period_us / memory.usage_in_bytes / memory.limit_in_bytes (huge =
 * none) / memory.oom_control. The working set is usage minus inactive file pages in both
 * (memory.stat inactive_file, v1 total_inactive_file), as cAdvisor computes it. */
#include "collect/cgroup_read.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static bool join(char *out, size_t n, const char *a, const char *b)
{
    int w;
    while (*b == '/')
        b++;
    if (a[0] == '\0')
        w = snprintf(out, n, "%s", b);
    else if (b[0] == '\0')
        w = snprintf(out, n, "%s", a);
    else
        w = snprintf(out, n, "%s/%s", a, b);
    /* A trailing '/' of a path such as "/" is dropped so "x/" + "f" does not become "x//f". */
    if (w > 0 && (size_t)w < n && out[w - 1] == '/')
        out[w - 1] = '\0';
    return w >= 0 && (size_t)w < n;
}

static bool has_file(const struct fsroot *root, const char *dir, const char *file)
{
    char rel[CGROUP_LOC_MAX + 64];
    return join(rel, sizeof(rel), dir, file) && fsroot_exists(root, rel[0] ? rel : ".");
}

static int read_file(const struct fsroot *root, const char *dir, const char *file,
                     struct buf *scratch)
{
    char rel[CGROUP_LOC_MAX + 64];
    if (dir[0] == '\0' && file == NULL)
        return -EINVAL;
    if (!join(rel, sizeof(rel), dir, file))
        return -ENAMETOOLONG;
    buf_reset(scratch);
    return fsroot_read(root, rel, scratch);
}

/* pick sets out to base/path when it holds marker, else (with fallback) to base when that does. */
static bool pick(const struct fsroot *root, const char *base, const char *path, const char *marker,
                 bool fallback, char *out, size_t n)
{
    char tmp[CGROUP_LOC_MAX];
    if (path != NULL && join(tmp, sizeof(tmp), base, path) && has_file(root, tmp, marker)) {
        (void)join(out, n, tmp, "");
        return true;
    }
    if (fallback && has_file(root, base, marker)) {
        (void)join(out, n, base, "");
        return true;
    }
    out[0] = '\0';
    return false;
}

static int version_of(const struct fsroot *root, const char *prefix)
{
    return has_file(root, prefix, "cgroup.controllers") ? 2 : 1;
}

/* loc_build fills *out with the directories of the cgroup at rel (NULL: at memb's own paths)
 * under prefix; fallback lets a hierarchy's root stand in (see cgroup_loc_find). */
static int loc_build(const struct fsroot *root, const char *prefix, int version,
                     const struct cgroup_membership *memb, const char *rel, bool fallback,
                     struct cgroup_loc *out)
{
    struct cgroup_loc l;
    memset(&l, 0, sizeof(l));
    l.version = version;
    bool found = false;
    if (version == 2) {
        const char *path = rel != NULL ? rel : (memb->has_v2 ? memb->v2_path : NULL);
        found = pick(root, prefix, path, "cpu.stat", fallback, l.cpu, sizeof(l.cpu)) ||
                pick(root, prefix, path, "memory.current", fallback, l.cpu, sizeof(l.cpu));
        memcpy(l.cpuacct, l.cpu, sizeof(l.cpu));
        memcpy(l.memory, l.cpu, sizeof(l.cpu));
    } else {
        const struct cgroup_v1_line *h[3] = {&memb->v1_cpu, &memb->v1_cpuacct, &memb->v1_memory};
        const char *marker[3] = {"cpu.cfs_quota_us", "cpuacct.usage", "memory.usage_in_bytes"};
        char *dst[3] = {l.cpu, l.cpuacct, l.memory};
        for (int i = 0; i < 3; i++) {
            char base[CGROUP_LOC_MAX];
            if (!h[i]->found || !join(base, sizeof(base), prefix, h[i]->ctrl))
                continue;
            const char *path = rel != NULL ? rel : h[i]->path;
            if (pick(root, base, path, marker[i], fallback, dst[i], CGROUP_LOC_MAX))
                found = true;
        }
    }
    if (!found)
        return -ENOENT;
    *out = l;
    return 0;
}

int cgroup_loc_find(const struct fsroot *root, const char *prefix,
                    const struct cgroup_membership *memb, struct cgroup_loc *out)
{
    return loc_build(root, prefix, version_of(root, prefix), memb, NULL, true, out);
}

int cgroup_loc_dir(const struct fsroot *root, const char *prefix, int version,
                   const struct cgroup_membership *memb, const char *rel, struct cgroup_loc *out)
{
    return loc_build(root, prefix, version, memb, rel, false, out);
}

/* keep remembers the first error other than "file absent". */
static void keep(int *first, int rc)
{
    if (rc < 0 && rc != -ENOENT && *first == 0)
        *first = rc;
}

static int read_v2_cpu(const struct fsroot *root, const char *dir, struct buf *b,
                       struct cgroup_usage *u)
{
    struct cgroup_cpu_stat cs;
    struct cgroup_cpu_max cm;
    int rc = read_file(root, dir, "cpu.stat", b);
    if (rc == 0)
        rc = parse_cgroup_cpu_stat(buf_ptr(b), &cs, NULL);
    if (rc < 0)
        return rc;
    u->has_cpu = true;
    u->cpu_seconds = (double)cs.usage_usec / 1e6;
    u->has_user = cs.has_user;
    u->user_seconds = (double)cs.user_usec / 1e6;
    u->has_system = cs.has_system;
    u->system_seconds = (double)cs.system_usec / 1e6;
    u->has_periods = cs.has_periods;
    u->periods = (double)cs.nr_periods;
    u->has_throttled = cs.has_throttled;
    u->throttled_periods = (double)cs.nr_throttled;
    u->has_throttled_seconds = cs.has_throttled_usec;
    u->throttled_seconds = (double)cs.throttled_usec / 1e6;
    rc = read_file(root, dir, "cpu.max", b);
    if (rc == 0)
        rc = parse_cgroup_cpu_max(buf_ptr(b), &cm, NULL);
    if (rc == 0 && cm.has_quota) {
        u->has_cpu_limit = true;
        u->cpu_limit_cores = (double)cm.quota_usec / (double)cm.period_usec;
    }
    return rc == -ENOENT ? 0 : rc;
}

static int read_v1_cpu(const struct fsroot *root, const struct cgroup_loc *loc, struct buf *b,
                       struct cgroup_usage *u)
{
    struct cgroup_value v;
    int first = 0, rc = -ENOENT;
    if (loc->cpuacct[0] != '\0') {
        rc = read_file(root, loc->cpuacct, "cpuacct.usage", b);
        if (rc == 0)
            rc = parse_cgroup_value(buf_ptr(b), &v, NULL);
        if (rc == 0 && v.is_max)
            rc = -EPROTO;
        if (rc == 0) {
            u->has_cpu = true;
            u->cpu_seconds = (double)v.value / 1e9;
        }
    }
    keep(&first, rc);
    if (loc->cpu[0] == '\0')
        return first;
    struct cgroup_v1_quota q;
    struct cgroup_value period;
    rc = read_file(root, loc->cpu, "cpu.cfs_quota_us", b);
    if (rc == 0)
        rc = parse_cgroup_v1_quota(buf_ptr(b), &q, NULL);
    if (rc == 0 && q.has_quota) {
        rc = read_file(root, loc->cpu, "cpu.cfs_period_us", b);
        if (rc == 0)
            rc = parse_cgroup_value(buf_ptr(b), &period, NULL);
        /* The kernel always has the file; a copy of the tree without it means the default. */
        if (rc == -ENOENT) {
            period.is_max = false;
            period.value = 100000;
            rc = 0;
        }
        if (rc == 0 && (period.is_max || period.value == 0))
            rc = -EPROTO;
        if (rc == 0) {
            u->has_cpu_limit = true;
            u->cpu_limit_cores = (double)q.quota_usec / (double)period.value;
        }
    }
    keep(&first, rc);
    /* v1 cpu.stat: nr_periods, nr_throttled, throttled_time (ns). */
    struct cgroup_v1_cpu_stat cs;
    rc = read_file(root, loc->cpu, "cpu.stat", b);
    if (rc == 0)
        rc = parse_cgroup_v1_cpu_stat(buf_ptr(b), &cs, NULL);
    if (rc == 0) {
        u->has_periods = cs.has_periods;
        u->periods = (double)cs.nr_periods;
        u->has_throttled = cs.has_throttled;
        u->throttled_periods = (double)cs.nr_throttled;
        u->has_throttled_seconds = cs.has_throttled_time;
        u->throttled_seconds = (double)cs.throttled_time_ns / 1e9;
    }
    keep(&first, rc);
    return first;
}

static int read_memory(const struct fsroot *root, const struct cgroup_loc *loc, struct buf *b,
                       struct cgroup_usage *u)
{
    bool v2 = loc->version == 2;
    const char *dir = loc->memory;
    struct cgroup_value cur, max;
    struct cgroup_memory_stat ms;
    int first = 0;
    if (dir[0] == '\0' && !v2)
        return -ENOENT;
    int rc = read_file(root, dir, v2 ? "memory.current" : "memory.usage_in_bytes", b);
    if (rc == 0)
        rc = parse_cgroup_value(buf_ptr(b), &cur, NULL);
    if (rc == 0 && cur.is_max)
        rc = -EPROTO;
    if (rc < 0)
        return rc;
    u->has_memory = true;
    u->memory_usage_bytes = (double)cur.value;
    uint64_t ws = cur.value;
    rc = read_file(root, dir, "memory.stat", b);
    if (rc == 0)
        rc = parse_cgroup_memory_stat(buf_ptr(b), &ms, NULL);
    if (rc == 0) {
        bool has = v2 ? ms.has_inactive_file : ms.has_total_inactive_file;
        uint64_t inactive = v2 ? ms.inactive_file : ms.total_inactive_file;
        if (has)
            ws = cur.value > inactive ? cur.value - inactive : 0;
    }
    keep(&first, rc);
    u->memory_working_set_bytes = (double)ws;

    rc = read_file(root, dir, v2 ? "memory.max" : "memory.limit_in_bytes", b);
    if (rc == 0)
        rc = parse_cgroup_value(buf_ptr(b), &max, NULL);
    if (rc == 0 && !max.is_max && (v2 || max.value < CGROUP_V1_UNLIMITED)) {
        u->has_memory_limit = true;
        u->memory_limit_bytes = (double)max.value;
    }
    keep(&first, rc);

    if (v2) {
        struct cgroup_memory_events ev;
        rc = read_file(root, dir, "memory.events", b);
        if (rc == 0)
            rc = parse_cgroup_memory_events(buf_ptr(b), &ev, NULL);
        if (rc == 0) {
            u->has_oom_events = ev.has_oom;
            u->oom_events = (double)ev.oom;
            u->has_oom_kills = ev.has_oom_kill;
            u->oom_kills = (double)ev.oom_kill;
            u->has_max_events = ev.has_max;
            u->max_events = (double)ev.max;
        }
    } else {
        struct cgroup_v1_oom oc;
        rc = read_file(root, dir, "memory.oom_control", b);
        if (rc == 0)
            rc = parse_cgroup_v1_oom_control(buf_ptr(b), &oc, NULL);
        if (rc == 0) {
            u->has_oom_kills = oc.has_oom_kill;
            u->oom_kills = (double)oc.oom_kill;
        }
    }
    keep(&first, rc);
    return first;
}

int cgroup_read_usage(const struct fsroot *root, const struct cgroup_loc *loc, struct buf *scratch,
                      struct cgroup_usage *out)
{
    memset(out, 0, sizeof(*out));
    int rc_cpu = loc->version == 2 ? read_v2_cpu(root, loc->cpu, scratch, out)
                                   : read_v1_cpu(root, loc, scratch, out);
    int rc_mem = read_memory(root, loc, scratch, out);
    if (!out->has_cpu && !out->has_memory)
        return rc_cpu == -ENOENT && rc_mem == -ENOENT ? -ENOENT : (rc_cpu < 0 ? rc_cpu : rc_mem);
    if (rc_cpu < 0 && rc_cpu != -ENOENT)
        return rc_cpu;
    return rc_mem < 0 && rc_mem != -ENOENT ? rc_mem : 0;
}
