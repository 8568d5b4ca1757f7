/* cgroup collector: CPU and memory of the containers of this pod, cgroup v2 or v1, and the basis
 * of the utilization signals (SPEC 2). Inside a pod /proc shows the node and the sidecar's own
 * cgroup describes only the sidecar, so the collector also looks for the app container:
 *  - shared process namespace: the app's processes are visible in /proc; its cgroup files are
 *    read through /proc/<pid>/root/sys/fs/cgroup (its own mount of its cgroup), which needs the
 *    same user as the app or CAP_SYS_PTRACE;
 *  - node cgroup tree mounted read-only at --path.cgroupfs: the pod's cgroup is found by
 *    --pod.uid under kubelet's layouts (systemd and cgroupfs drivers, every QoS class), the
 *    containers are its sub-directories.
 * DESIGN: everything is located again every tick (a few small reads; a pod has few processes), so
 * a restarted app container is picked up without state. The chosen basis's numbers feed the
 * HS_CONTAINER_* history inputs the signals divide, with HS_CGROUP_BASIS saying whose they are;
 * without a limit the node's capacity (CPUs, MemTotal) is the denominator. */
#include "collect/collectors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/cgroup_read.h"
#include "collect/sink.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "io/fsroot.h"
#include "parse/cgroup.h"
#include "parse/proc_meminfo.h"
#include "parse/proc_stat.h"
#include "signals/basis.h"
#include "core/banned.h"

#define CG_BUF_CAP (256u * 1024)
#define CG_CONTAINERS_MAX 16 /* containers of one pod read per tick; more are ignored */
#define CG_SCAN_MAX 4096     /* /proc entries: more means the node's process namespace */
#define CG_WHY_MAX 256
#define CG_PREFIX_MAX 96

/* One container (or the pod) read this tick. */
struct cg_target {
    char name[CGROUP_ID_MAX]; /* the container label: process name, else short container id */
    char id[CGROUP_ID_MAX];   /* container id from the cgroup directory, "" if unknown */
    char key[CGROUP_PATH_MAX];
    long pid; /* a process of it in the shared namespace, 0 if none */
    const struct fsroot *root;
    struct cgroup_loc loc;
    struct cgroup_usage u;
    int rc; /* of the read: 0 ok */
};

struct col_cgroup {
    struct fsroot *proc; /* --path.procfs, for self/cgroup and the shared process namespace */
    struct fsroot *cg;   /* --path.cgroupfs; NULL when it could not be opened */
    struct buf buf;
    enum basis_kind requested;
    char *app_container;           /* NULL: the only other container */
    char *pod_uid;                 /* NULL: unknown */
    struct cgroup_membership memb; /* ours */
    struct cgroup_membership scan; /* scratch: another process's */
    struct cg_target self, pod, others[CG_CONTAINERS_MAX];
    unsigned nothers;
    bool has_pod;
    char why_app[CG_WHY_MAX], why_pod[CG_WHY_MAX];
    struct proc_stat pstat;
    /* what was last logged, so a basis change is logged once */
    enum basis_kind logged_basis;
    char logged_why[CG_WHY_MAX];
};

static void cg_counter(struct sample_sink *out, const char *name, const char *help, const char *ctr,
                       double v)
{
    struct label l = {"container", ctr};
    (void)sink_counter(out, name, help, &l, 1, v);
}

static void cg_gauge(struct sample_sink *out, const char *name, const char *help, const char *ctr,
                     double v)
{
    struct label l = {"container", ctr};
    (void)sink_gauge(out, name, help, &l, 1, v);
}

static void cg_emit(struct sample_sink *out, const struct cg_target *t)
{
    const struct cgroup_usage *u = &t->u;
    const char *n = t->name;
    if (u->has_cpu)
        cg_counter(out, "rizk_container_cpu_usage_seconds_total",
                   "CPU time consumed by the container's cgroup (v2 cpu.stat usage_usec, v1 "
                   "cpuacct.usage).",
                   n, u->cpu_seconds);
    if (u->has_user)
        cg_counter(out, "rizk_container_cpu_user_seconds_total",
                   "User CPU time of the container's cgroup.", n, u->user_seconds);
    if (u->has_system)
        cg_counter(out, "rizk_container_cpu_system_seconds_total",
                   "System CPU time of the container's cgroup.", n, u->system_seconds);
    /* The throttling counters exist only when the cpu controller is enabled for the cgroup. */
    if (u->has_periods)
        cg_counter(out, "rizk_container_cpu_periods_total",
                   "Enforcement periods that elapsed (cpu.stat nr_periods).", n, u->periods);
    if (u->has_throttled)
        cg_counter(out, "rizk_container_cpu_throttled_periods_total",
                   "Periods in which the cgroup was throttled (cpu.stat nr_throttled).", n,
                   u->throttled_periods);
    if (u->has_throttled_seconds)
        cg_counter(out, "rizk_container_cpu_throttled_seconds_total",
                   "Time the cgroup spent throttled (cpu.stat throttled_usec, v1 throttled_time).",
                   n, u->throttled_seconds);
    if (u->has_cpu_limit)
        cg_gauge(out, "rizk_container_cpu_limit_cores",
                 "CPU limit in cores (quota / period); absent without a quota.", n,
                 u->cpu_limit_cores);
    if (u->has_memory) {
        cg_gauge(out, "rizk_container_memory_usage_bytes",
                 "Memory charged to the container's cgroup (memory.current, v1 "
                 "memory.usage_in_bytes).",
                 n, u->memory_usage_bytes);
        cg_gauge(out, "rizk_container_memory_working_set_bytes",
                 "Memory usage minus inactive file cache, as cAdvisor computes it.", n,
                 u->memory_working_set_bytes);
    }
    if (u->has_memory_limit)
        cg_gauge(out, "rizk_container_memory_limit_bytes",
                 "Memory limit of the container's cgroup (memory.max, v1 memory.limit_in_bytes); "
                 "absent when unlimited.",
                 n, u->memory_limit_bytes);
    if (u->has_oom_events)
        cg_counter(out, "rizk_container_memory_oom_events_total",
                   "Times the cgroup's OOM killer was invoked (memory.events oom).", n,
                   u->oom_events);
    if (u->has_oom_kills)
        cg_counter(out, "rizk_container_memory_oom_kills_total",
                   "Processes killed by the OOM killer in the cgroup (memory.events oom_kill, v1 "
                   "memory.oom_control oom_kill).",
                   n, u->oom_kills);
    if (u->has_max_events)
        cg_counter(out, "rizk_container_memory_max_events_total",
                   "Times usage hit memory.max (memory.events max).", n, u->max_events);
}

/* cg_membership reads and parses <procfs>/<pid>/cgroup into *m; false when unusable. */
static bool cg_membership(struct col_cgroup *c, const char *pid, struct cgroup_membership *m)
{
    char rel[64];
    int w = snprintf(rel, sizeof(rel), "%s/cgroup", pid);
    buf_reset(&c->buf);
    if (w <= 0 || (size_t)w >= sizeof(rel) || fsroot_read(c->proc, rel, &c->buf) < 0 ||
        parse_cgroup_membership(buf_ptr(&c->buf), m, NULL) < 0 || m->mode == CGROUP_MODE_NONE) {
        memset(m, 0, sizeof(*m));
        return false;
    }
    return true;
}

/* cg_key is what tells two containers apart: the memory (v1) or unified (v2) cgroup path. */
static const char *cg_key(const struct cgroup_membership *m)
{
    if (m->v1_memory.found)
        return m->v1_memory.path;
    if (m->v1_cpuacct.found)
        return m->v1_cpuacct.path;
    return m->has_v2 ? m->v2_path : "";
}

static void cg_id_from_path(const char *path, char *id, size_t n)
{
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    if (parse_cgroup_container_id(base, id, n) < 0)
        id[0] = '\0';
}

static void cg_read_comm(struct col_cgroup *c, const char *pid, char *out, size_t n)
{
    char rel[64];
    out[0] = '\0';
    int w = snprintf(rel, sizeof(rel), "%s/comm", pid);
    buf_reset(&c->buf);
    if (w <= 0 || (size_t)w >= sizeof(rel) || fsroot_read(c->proc, rel, &c->buf) < 0)
        return;
    const char *s = buf_ptr(&c->buf);
    size_t len = strcspn(s, "\n");
    if (len >= n)
        len = n - 1;
    memcpy(out, s, len);
    out[len] = '\0';
}

static void cg_name(struct cg_target *t, const char *comm)
{
    if (comm[0] != '\0')
        (void)snprintf(t->name, sizeof(t->name), "%s", comm);
    else if (t->id[0] != '\0')
        (void)snprintf(t->name, sizeof(t->name), "%.12s", t->id);
    else
        (void)snprintf(t->name, sizeof(t->name), "unknown");
}

/* Infrastructure processes that share the pod's process namespace but are not its workload:
 * the pause container (kubelet, podman's catatonit) and the runtime monitor. */
static bool cg_is_infra(const char *comm)
{
    static const char *const infra[] = {"pause", "catatonit", "conmon"};
    for (size_t i = 0; i < sizeof(infra) / sizeof(infra[0]); i++)
        if (strcmp(comm, infra[i]) == 0)
            return true;
    return false;
}

struct cg_scan {
    struct col_cgroup *c;
    long pids[CG_SCAN_MAX];
    unsigned n;
};

static int cg_scan_entry(const char *name, void *ctx)
{
    struct cg_scan *s = ctx;
    char *end = NULL;
    if (name[0] < '1' || name[0] > '9')
        return 0;
    long pid = strtol(name, &end, 10);
    if (*end == '\0' && s->n < CG_SCAN_MAX)
        s->pids[s->n++] = pid;
    return 0;
}

static int cg_cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static struct cg_target *cg_other_by_key(struct col_cgroup *c, const char *key)
{
    for (unsigned i = 0; i < c->nothers; i++)
        if (strcmp(c->others[i].key, key) == 0)
            return &c->others[i];
    return NULL;
}

/* cg_scan_pids finds the other containers of a shared process namespace: one per distinct
 * cgroup, named by its oldest process, read through that process's root. */
static void cg_scan_pids(struct col_cgroup *c)
{
    char comm1[CGROUP_ID_MAX];
    /* A pod's shared process namespace starts with its infra process (kubelet's pause,
     * podman's catatonit) as PID 1; anything else is a host or an unshared container, where a
     * scan would only find unrelated cgroups. */
    cg_read_comm(c, "1", comm1, sizeof(comm1));
    if (!cg_is_infra(comm1)) {
        (void)snprintf(c->why_app, sizeof(c->why_app),
                       "no other container visible: PID 1 is %s, not a pod's pause process "
                       "(shareProcessNamespace: true), and no node cgroup tree with --pod.uid",
                       comm1[0] != '\0' ? comm1 : "unknown");
        return;
    }
    struct cg_scan *s = xcalloc(1, sizeof(*s));
    s->c = c;
    int rc = fsroot_list(c->proc, ".", CG_SCAN_MAX + 256, cg_scan_entry, s);
    if (rc == -E2BIG || s->n >= CG_SCAN_MAX) {
        (void)snprintf(c->why_app, sizeof(c->why_app),
                       "more than %d processes in /proc: the node's process namespace, not a "
                       "pod's",
                       CG_SCAN_MAX);
        free(s);
        return;
    }
    qsort(s->pids, s->n, sizeof(s->pids[0]), cg_cmp_long);
    const char *self_key = cg_key(&c->memb);
    bool denied = false;
    for (unsigned i = 0; i < s->n && c->nothers < CG_CONTAINERS_MAX; i++) {
        char pid[24], comm[CGROUP_ID_MAX];
        (void)snprintf(pid, sizeof(pid), "%ld", s->pids[i]);
        if (!cg_membership(c, pid, &c->scan))
            continue;
        const char *key = cg_key(&c->scan);
        if (strcmp(key, self_key) == 0 || cg_other_by_key(c, key) != NULL)
            continue;
        cg_read_comm(c, pid, comm, sizeof(comm));
        if (cg_is_infra(comm))
            continue;
        struct cg_target *t = &c->others[c->nothers];
        memset(t, 0, sizeof(*t));
        (void)snprintf(t->key, sizeof(t->key), "%s", key);
        t->pid = s->pids[i];
        t->root = c->proc;
        cg_id_from_path(key, t->id, sizeof(t->id));
        cg_name(t, comm);
        char prefix[CG_PREFIX_MAX];
        (void)snprintf(prefix, sizeof(prefix), "%ld/root/sys/fs/cgroup", t->pid);
        t->rc = cgroup_loc_find(c->proc, prefix, &c->scan, &t->loc);
        if (t->rc == 0)
            t->rc = cgroup_read_usage(c->proc, &t->loc, &c->buf, &t->u);
        if (t->rc == -EACCES || t->rc == -EPERM)
            denied = true;
        c->nothers++;
    }
    if (denied)
        (void)snprintf(c->why_app, sizeof(c->why_app),
                       "/proc/PID/root of the app is not readable: run the sidecar as the app's "
                       "user or give it CAP_SYS_PTRACE");
    free(s);
}

struct cg_children {
    struct col_cgroup *c;
    const char *pod_dir; /* relative to the hierarchy */
    int version;
    const char *self_id;
};

static int cg_child(const char *name, void *ctx)
{
    struct cg_children *k = ctx;
    struct col_cgroup *c = k->c;
    char id[CGROUP_ID_MAX], rel[CGROUP_PATH_MAX];
    if (c->nothers >= CG_CONTAINERS_MAX || parse_cgroup_container_id(name, id, sizeof(id)) < 0)
        return 0;
    /* Ourselves, when our own cgroup path names us (v1, or v2 without a cgroup namespace). */
    if (k->self_id[0] != '\0' && strcmp(id, k->self_id) == 0)
        return 0;
    int w = snprintf(rel, sizeof(rel), "%s/%s", k->pod_dir, name);
    if (w <= 0 || (size_t)w >= sizeof(rel))
        return 0;
    struct cg_target t;
    memset(&t, 0, sizeof(t));
    if (cgroup_loc_dir(c->cg, "", k->version, &c->memb, rel, &t.loc) < 0)
        return 0;
    w = snprintf(t.key, sizeof(t.key), "/%s", rel);
    if (w <= 0 || (size_t)w >= sizeof(t.key))
        return 0;
    (void)snprintf(t.id, sizeof(t.id), "%s", id);
    t.root = c->cg;
    t.rc = cgroup_read_usage(c->cg, &t.loc, &c->buf, &t.u);
    /* A container already seen through the shared process namespace keeps its process name. */
    for (unsigned i = 0; i < c->nothers; i++)
        if (strcmp(c->others[i].id, t.id) == 0)
            return 0;
    cg_name(&t, "");
    c->others[c->nothers++] = t;
    return 0;
}

/* cg_pod_dir finds the pod's directory by --pod.uid in the node's tree at the cgroupfs root:
 * 0 with *dir (relative to a hierarchy) and *hier_rel (the same under the hierarchy used for v1,
 * for listing) when either is non-NULL; -ENOENT when absent, -EINVAL without a usable UID. */
static int cg_pod_dir(struct col_cgroup *c, int version, char (*dir)[CGROUP_PATH_MAX],
                      char (*hier_rel)[CGROUP_LOC_MAX])
{
    char dirs[CGROUP_POD_DIRS][CGROUP_PATH_MAX];
    if (c->pod_uid == NULL || c->cg == NULL || parse_cgroup_pod_dirs(c->pod_uid, dirs) < 0)
        return -EINVAL;
    /* v1: the pod directory is looked up in the memory hierarchy; the others mirror it. */
    const char *hier =
        version == 2 ? "" : (c->memb.v1_memory.found ? c->memb.v1_memory.ctrl : "memory");
    for (int i = 0; i < CGROUP_POD_DIRS; i++) {
        char rel[CGROUP_LOC_MAX];
        int w = hier[0] ? snprintf(rel, sizeof(rel), "%s/%s", hier, dirs[i])
                        : snprintf(rel, sizeof(rel), "%s", dirs[i]);
        if (w <= 0 || (size_t)w >= sizeof(rel) || !fsroot_exists(c->cg, rel))
            continue;
        if (dir != NULL)
            memcpy(*dir, dirs[i], sizeof(*dir));
        if (hier_rel != NULL)
            memcpy(*hier_rel, rel, sizeof(*hier_rel));
        return 0;
    }
    return -ENOENT;
}

/* cg_find_pod reads the pod's cgroup found by cg_pod_dir and lists its containers. */
static void cg_find_pod(struct col_cgroup *c, int version)
{
    char dir[CGROUP_PATH_MAX], rel[CGROUP_LOC_MAX];
    int rc = cg_pod_dir(c, version, &dir, &rel);
    if (rc == -EINVAL && c->pod_uid == NULL) {
        (void)snprintf(c->why_pod, sizeof(c->why_pod),
                       "no other container visible and the pod UID is unknown (--pod.uid / "
                       "POD_UID from the downward API)");
        return;
    }
    if (rc == -EINVAL) {
        (void)snprintf(c->why_pod, sizeof(c->why_pod), "--pod.uid is not a pod UID");
        return;
    }
    if (rc < 0) {
        (void)snprintf(c->why_pod, sizeof(c->why_pod),
                       "no cgroup for pod UID %.80s under %.80s (mount the node's /sys/fs/cgroup "
                       "there)",
                       c->pod_uid, fsroot_path(c->cg));
        return;
    }
    if (cgroup_loc_dir(c->cg, "", version, &c->memb, dir, &c->pod.loc) < 0) {
        (void)snprintf(c->why_pod, sizeof(c->why_pod),
                       "pod cgroup %.160s has no CPU or memory files", dir);
        return;
    }
    c->pod.root = c->cg;
    (void)snprintf(c->pod.name, sizeof(c->pod.name), "POD");
    c->pod.rc = cgroup_read_usage(c->cg, &c->pod.loc, &c->buf, &c->pod.u);
    c->has_pod = c->pod.rc == 0;
    if (!c->has_pod)
        (void)snprintf(c->why_pod, sizeof(c->why_pod), "pod cgroup %.160s unreadable: %s", dir,
                       strerror(-c->pod.rc));
    char self_id[CGROUP_ID_MAX];
    cg_id_from_path(cg_key(&c->memb), self_id, sizeof(self_id));
    struct cg_children k = {c, dir, version, self_id};
    (void)fsroot_list(c->cg, rel, 256, cg_child, &k);
}

/* cg_sum_pod makes the pod from its containers seen in the shared process namespace: usage is
 * the sum, and a limit exists only when every container has one (limit = sum of limits). */
static void cg_sum_pod(struct col_cgroup *c)
{
    struct cgroup_usage p;
    memset(&p, 0, sizeof(p));
    p.has_cpu = p.has_cpu_limit = p.has_memory = p.has_memory_limit = true;
    unsigned n = 0;
    for (unsigned i = 0; i <= c->nothers; i++) {
        const struct cg_target *t = i < c->nothers ? &c->others[i] : &c->self;
        if (t->rc < 0) {
            (void)snprintf(c->why_pod, sizeof(c->why_pod), "container %s unreadable: %s", t->name,
                           strerror(-t->rc));
            return;
        }
        p.has_cpu &= t->u.has_cpu;
        p.has_cpu_limit &= t->u.has_cpu_limit;
        p.has_memory &= t->u.has_memory;
        p.has_memory_limit &= t->u.has_memory_limit;
        p.cpu_seconds += t->u.cpu_seconds;
        p.cpu_limit_cores += t->u.cpu_limit_cores;
        p.memory_usage_bytes += t->u.memory_usage_bytes;
        p.memory_working_set_bytes += t->u.memory_working_set_bytes;
        p.memory_limit_bytes += t->u.memory_limit_bytes;
        n++;
    }
    if (n < 2) {
        (void)snprintf(c->why_pod, sizeof(c->why_pod), "%s", c->why_app);
        return;
    }
    c->pod.u = p;
    c->pod.rc = 0;
    (void)snprintf(c->pod.name, sizeof(c->pod.name), "POD");
    c->has_pod = p.has_cpu || p.has_memory;
}

/* cg_pick_app returns the app container, or NULL with why_app set. */
static const struct cg_target *cg_pick_app(struct col_cgroup *c)
{
    const struct cg_target *found = NULL;
    unsigned matches = 0;
    for (unsigned i = 0; i < c->nothers; i++) {
        const struct cg_target *t = &c->others[i];
        bool match =
            c->app_container == NULL || strcmp(t->name, c->app_container) == 0 ||
            (t->id[0] != '\0' && strncmp(t->id, c->app_container, strlen(c->app_container)) == 0);
        if (match) {
            found = t;
            matches++;
        }
    }
    if (matches == 1 && found->rc == 0)
        return found;
    if (c->why_app[0] != '\0')
        return NULL;
    if (matches == 1)
        (void)snprintf(c->why_app, sizeof(c->why_app), "app container %s unreadable: %s",
                       found->name, strerror(-found->rc));
    else if (c->nothers == 0)
        (void)snprintf(c->why_app, sizeof(c->why_app),
                       "no other container visible: share the process namespace "
                       "(shareProcessNamespace: true) or mount the node's cgroup tree at "
                       "--path.cgroupfs with --pod.uid");
    else if (c->app_container != NULL)
        (void)snprintf(c->why_app, sizeof(c->why_app),
                       "%u containers match --app.container=%s among %u", matches, c->app_container,
                       c->nothers);
    else
        (void)snprintf(c->why_app, sizeof(c->why_app),
                       "%u other containers: name the app with --app.container", c->nothers);
    return NULL;
}

/* cg_capacity reads the node's CPUs and MemTotal, the denominators when a cgroup has no limit. */
static void cg_capacity(struct col_cgroup *c, double *cpus, double *mem)
{
    struct proc_meminfo mi;
    *cpus = 0;
    *mem = 0;
    buf_reset(&c->buf);
    if (fsroot_read(c->proc, "stat", &c->buf) == 0 &&
        parse_proc_stat(buf_ptr(&c->buf), &c->pstat, NULL) == 0)
        *cpus = (double)c->pstat.ncpus;
    buf_reset(&c->buf);
    if (fsroot_read(c->proc, "meminfo", &c->buf) == 0 &&
        parse_proc_meminfo(buf_ptr(&c->buf), &mi, NULL) == 0)
        *mem = (double)mi.mem_total;
}

static void cg_feed(struct col_cgroup *c, struct sample_sink *out, enum basis_kind basis,
                    const struct cgroup_usage *u)
{
    double cpus, mem;
    cg_capacity(c, &cpus, &mem);
    sink_history(out, HS_CGROUP_BASIS, (double)basis);
    if (u->has_cpu) {
        sink_history(out, HS_CONTAINER_CPU_USAGE_SECONDS, u->cpu_seconds);
        if (u->has_cpu_limit)
            sink_history(out, HS_CONTAINER_CPU_LIMIT_CORES, u->cpu_limit_cores);
        else if (cpus > 0)
            sink_history(out, HS_CONTAINER_CPU_LIMIT_CORES, cpus);
    }
    if (u->has_memory) {
        sink_history(out, HS_CONTAINER_MEMORY_WORKING_SET_BYTES, u->memory_working_set_bytes);
        if (u->has_memory_limit)
            sink_history(out, HS_CONTAINER_MEMORY_LIMIT_BYTES, u->memory_limit_bytes);
        else if (mem > 0)
            sink_history(out, HS_CONTAINER_MEMORY_LIMIT_BYTES, mem);
    }
}

static void cg_log_basis(struct col_cgroup *c, enum basis_kind basis)
{
    char why[CG_WHY_MAX];
    why[0] = '\0';
    if (basis != BASIS_APP && (c->requested == BASIS_AUTO || c->requested == BASIS_APP))
        (void)snprintf(why, sizeof(why), "%s", c->why_app);
    else if (basis != BASIS_POD && c->requested == BASIS_POD)
        (void)snprintf(why, sizeof(why), "%s", c->why_pod);
    if (basis == c->logged_basis && strcmp(why, c->logged_why) == 0)
        return;
    c->logged_basis = basis;
    (void)snprintf(c->logged_why, sizeof(c->logged_why), "%s", why);
    if (why[0] != '\0')
        log_warn("cgroup", "utilization signals use basis=%s (requested %s): %s", basis_name(basis),
                 basis_name(c->requested), why);
    else
        log_info("cgroup", "utilization signals use basis=%s (requested %s)", basis_name(basis),
                 basis_name(c->requested));
}

/* cg_unique_names keeps the container label unique: two containers running the same program
 * (the same image twice) are told apart by their short container id, else their pid. */
static void cg_unique_names(struct col_cgroup *c)
{
    for (unsigned i = 0; i < c->nothers; i++) {
        struct cg_target *t = &c->others[i];
        bool dup = strcmp(t->name, c->self.name) == 0;
        for (unsigned j = 0; j < i && !dup; j++)
            dup = strcmp(t->name, c->others[j].name) == 0;
        if (!dup)
            continue;
        if (t->id[0] != '\0') {
            memcpy(t->name, t->id, 12);
            t->name[strnlen(t->id, 12)] = '\0';
        } else
            (void)snprintf(t->name, sizeof(t->name), "pid%ld", t->pid);
    }
}

/* cg_loc_is_root tells whether loc is the root of the cgroupfs (v2) or of a hierarchy (v1). */
static bool cg_loc_is_root(const struct cgroup_loc *loc, const struct cgroup_membership *m)
{
    if (loc->version == 2)
        return loc->cpu[0] == '\0';
    return (m->v1_memory.found && strcmp(loc->memory, m->v1_memory.ctrl) == 0) ||
           (m->v1_cpuacct.found && strcmp(loc->cpuacct, m->v1_cpuacct.ctrl) == 0);
}

/* cg_version is 2 on a unified mount, 1 when /proc says v1 controllers exist, else 0. */
static int cg_version(struct col_cgroup *c)
{
    if (!cg_membership(c, "self", &c->memb))
        memset(&c->memb, 0, sizeof(c->memb));
    if (c->cg != NULL && fsroot_exists(c->cg, "cgroup.controllers"))
        return 2;
    if (c->memb.mode == CGROUP_MODE_V1 || c->memb.mode == CGROUP_MODE_HYBRID)
        return 1;
    return 0;
}

static int col_cgroup_collect(void *ctx, struct sample_sink *out)
{
    struct col_cgroup *c = ctx;
    int version = cg_version(c);
    (void)sink_gauge(out, "rizk_container_cgroup_version",
                     "cgroup version of the container: 2 (unified), 1 (v1 or hybrid), 0 (none).",
                     NULL, 0, (double)version);
    c->nothers = 0;
    c->has_pod = false;
    c->why_app[0] = c->why_pod[0] = '\0';
    memset(&c->self, 0, sizeof(c->self));
    memset(&c->pod, 0, sizeof(c->pod));
    c->self.rc = -ENOENT;
    if (version != 0 && c->cg != NULL) {
        c->self.root = c->cg;
        c->self.rc = cgroup_loc_find(c->cg, "", &c->memb, &c->self.loc);
        if (c->self.rc == 0)
            c->self.rc = cgroup_read_usage(c->cg, &c->self.loc, &c->buf, &c->self.u);
        /* When the pod's cgroup is under the cgroupfs root, the root is the node's tree: if our
         * own path is not found in it (a cgroup namespace shows "/"), the root stands for the
         * node, not for us. */
        if (c->self.rc == 0 && cg_loc_is_root(&c->self.loc, &c->memb) &&
            cg_pod_dir(c, version, NULL, NULL) == 0)
            c->self.rc = -ENOENT;
        cg_id_from_path(cg_key(&c->memb), c->self.id, sizeof(c->self.id));
        char comm[CGROUP_ID_MAX];
        cg_read_comm(c, "self", comm, sizeof(comm));
        cg_name(&c->self, comm);
    }
    const struct cg_target *app = NULL;
    if (version != 0 && c->requested != BASIS_CONTAINER && c->requested != BASIS_NODE) {
        cg_scan_pids(c);
        if (c->pod_uid != NULL)
            cg_find_pod(c, version);
        app = cg_pick_app(c);
        if (!c->has_pod && c->nothers > 0 && c->pod_uid == NULL)
            cg_sum_pod(c);
        else if (!c->has_pod && c->why_pod[0] == '\0')
            cg_find_pod(c, version);
    }
    cg_unique_names(c);
    if (c->self.rc == 0)
        cg_emit(out, &c->self);
    for (unsigned i = 0; i < c->nothers; i++)
        if (c->others[i].rc == 0)
            cg_emit(out, &c->others[i]);

    struct basis_avail avail = {
        .app = app != NULL, .pod = c->has_pod, .container = c->self.rc == 0};
    enum basis_kind basis = basis_choose(c->requested, &avail);
    if (basis == BASIS_APP)
        cg_feed(c, out, basis, &app->u);
    else if (basis == BASIS_POD)
        cg_feed(c, out, basis, &c->pod.u);
    else if (basis == BASIS_CONTAINER)
        cg_feed(c, out, basis, &c->self.u);
    cg_log_basis(c, basis);
    sink_source(out, "cgroup", c->self.rc == 0 || basis != BASIS_NODE);
    if (c->self.rc < 0 && c->self.rc != -ENOENT)
        return c->self.rc;
    return 0;
}

static void col_cgroup_destroy(void *ctx)
{
    struct col_cgroup *c = ctx;
    if (c == NULL)
        return;
    buf_fini(&c->buf);
    fsroot_free(c->cg);
    fsroot_free(c->proc);
    free(c->app_container);
    free(c->pod_uid);
    free(c);
}

static int col_cgroup_init(const struct config *cfg, void **ctx)
{
    struct col_cgroup *c = xcalloc(1, sizeof(*c));
    buf_init(&c->buf, CG_BUF_CAP);
    const char *procfs = (cfg != NULL && cfg->path_procfs != NULL) ? cfg->path_procfs : "/proc";
    const char *cgfs =
        (cfg != NULL && cfg->path_cgroupfs != NULL) ? cfg->path_cgroupfs : "/sys/fs/cgroup";
    c->requested = BASIS_AUTO;
    if (cfg != NULL && cfg->signals_basis != NULL &&
        basis_parse(cfg->signals_basis, &c->requested) < 0)
        c->requested = BASIS_AUTO;
    if (cfg != NULL && cfg->app_container != NULL && cfg->app_container[0] != '\0')
        c->app_container = xstrdup(cfg->app_container);
    if (cfg != NULL && cfg->pod_uid != NULL && cfg->pod_uid[0] != '\0')
        c->pod_uid = xstrdup(cfg->pod_uid);
    c->logged_basis = (enum basis_kind) - 1;
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
    .help = "CPU and memory of the pod's containers from cgroup v2 or v1, and the basis of the "
            "utilization signals",
    .default_enabled = true,
    .init = col_cgroup_init,
    .collect = col_cgroup_collect,
    .destroy = col_cgroup_destroy,
};
