/* Unit tests for the system and cgroup collectors: each runs against a fixture tree through a
 * config whose path_* point into $FIXTURES, with a recording sink (a sink over a fresh metric
 * set), and the test asserts the exact samples and history inputs the fixtures imply. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "collect/collectors.h"
#include "collect/sink.h"
#include "config/config.h"
#include "signals/basis.h"
#include "store/mset.h"
#include "unit_util.h"

#define EPS 1e-6

struct run {
    struct config cfg;
    struct mset *m;
    struct sample_sink *s;
    int rc;
};

/* run_collector runs one tick of type with --path.procfs/--path.cgroupfs under $FIXTURES. */
static void run_collector(struct run *r, const struct collector_type *type, const char *procfs,
                          const char *cgroupfs)
{
    void *ctx = NULL;
    memset(r, 0, sizeof(*r));
    r->cfg.path_procfs = strdup(unit_fixture_path(procfs));
    r->cfg.path_cgroupfs = strdup(unit_fixture_path(cgroupfs));
    r->cfg.path_sysfs = strdup(unit_fixture_path("sys"));
    r->m = mset_new();
    r->s = sink_new(r->m);
    CU_ASSERT_EQUAL_FATAL(type->init(&r->cfg, &ctx), 0);
    r->rc = type->collect(ctx, r->s);
    type->destroy(ctx);
}

static void run_free(struct run *r)
{
    sink_free(r->s);
    mset_free(r->m);
    free(r->cfg.path_procfs);
    free(r->cfg.path_cgroupfs);
    free(r->cfg.path_sysfs);
    free(r->cfg.signals_basis);
    free(r->cfg.app_container);
    free(r->cfg.pod_uid);
}

/* value returns the sample of name whose label lname has value lval (lname NULL: the first
 * sample); NaN when there is none. */
static double value(const struct run *r, const char *name, const char *lname, const char *lval)
{
    const struct mfamily *f = mset_find(r->m, name);
    if (f == NULL)
        return NAN;
    for (size_t i = 0; i < f->nsamples; i++) {
        const struct msample *s = &f->samples[i];
        if (lname == NULL)
            return s->value;
        for (size_t j = 0; j < s->nlabels; j++)
            if (strcmp(s->labels[j].name, lname) == 0 && strcmp(s->labels[j].value, lval) == 0)
                return s->value;
    }
    return NAN;
}

static size_t nsamples(const struct run *r, const char *name)
{
    const struct mfamily *f = mset_find(r->m, name);
    return f != NULL ? f->nsamples : 0;
}

static int source_up(const struct run *r, const char *name)
{
    for (size_t i = 0; i < sink_source_count(r->s); i++) {
        const char *src;
        bool up;
        sink_source_at(r->s, i, &src, &up);
        if (strcmp(src, name) == 0)
            return up ? 1 : 0;
    }
    return -1;
}

static double history(const struct run *r, enum hist_series id)
{
    double v;
    return sink_history_get(r->s, id, &v) ? v : NAN;
}

#define ASSERT_VALUE(r, name, lname, lval, expect)                                                 \
    CU_ASSERT_DOUBLE_EQUAL(value(r, name, lname, lval), (expect), EPS)

static void test_system_fixture(void)
{
    struct run r;
    double hz = (double)sysconf(_SC_CLK_TCK);
    run_collector(&r, &col_system_type, "proc", "sys/fs/cgroup");
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(source_up(&r, "system"), 1);

    /* cpu  1545 0 1756 48645 221 0 24 6 0 0: guest columns are inside user/nice, not exported. */
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_system_cpu_seconds_total"), 8);
    ASSERT_VALUE(&r, "rizk_system_cpu_seconds_total", "mode", "user", 1545 / hz);
    ASSERT_VALUE(&r, "rizk_system_cpu_seconds_total", "mode", "nice", 0);
    ASSERT_VALUE(&r, "rizk_system_cpu_seconds_total", "mode", "system", 1756 / hz);
    ASSERT_VALUE(&r, "rizk_system_cpu_seconds_total", "mode", "idle", 48645 / hz);
    ASSERT_VALUE(&r, "rizk_system_cpu_seconds_total", "mode", "iowait", 221 / hz);
    ASSERT_VALUE(&r, "rizk_system_cpu_seconds_total", "mode", "softirq", 24 / hz);
    ASSERT_VALUE(&r, "rizk_system_cpu_seconds_total", "mode", "steal", 6 / hz);
    CU_ASSERT(isnan(value(&r, "rizk_system_cpu_seconds_total", "mode", "guest")));
    ASSERT_VALUE(&r, "rizk_system_cpus", NULL, NULL, 2);
    ASSERT_VALUE(&r, "rizk_system_boot_time_seconds", NULL, NULL, 1795723153);
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_NODE_CPU_TOTAL_SECONDS), 52197 / hz, EPS);
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_NODE_CPU_BUSY_SECONDS), 3331 / hz, EPS);

    ASSERT_VALUE(&r, "rizk_system_memory_total_bytes", NULL, NULL, 25276502016.0);
    ASSERT_VALUE(&r, "rizk_system_memory_available_bytes", NULL, NULL, 24910131200.0);
    ASSERT_VALUE(&r, "rizk_system_memory_free_bytes", NULL, NULL, 24694575104.0);
    ASSERT_VALUE(&r, "rizk_system_memory_buffers_bytes", NULL, NULL, 15355904);
    ASSERT_VALUE(&r, "rizk_system_memory_cached_bytes", NULL, NULL, 392413184);
    ASSERT_VALUE(&r, "rizk_system_swap_total_bytes", NULL, NULL, 0);
    ASSERT_VALUE(&r, "rizk_system_swap_free_bytes", NULL, NULL, 0);
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_NODE_MEMORY_TOTAL_BYTES), 25276502016.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_NODE_MEMORY_AVAILABLE_BYTES), 24910131200.0, EPS);

    ASSERT_VALUE(&r, "rizk_system_load1", NULL, NULL, 0.00);
    ASSERT_VALUE(&r, "rizk_system_load5", NULL, NULL, 0.02);
    ASSERT_VALUE(&r, "rizk_system_load15", NULL, NULL, 0.00);

    ASSERT_VALUE(&r, "rizk_system_pressure_cpu_waiting_seconds_total", NULL, NULL, 4.030936);
    ASSERT_VALUE(&r, "rizk_system_pressure_cpu_stalled_seconds_total", NULL, NULL, 0);
    ASSERT_VALUE(&r, "rizk_system_pressure_memory_waiting_seconds_total", NULL, NULL, 0);
    ASSERT_VALUE(&r, "rizk_system_pressure_memory_stalled_seconds_total", NULL, NULL, 0);
    ASSERT_VALUE(&r, "rizk_system_pressure_io_waiting_seconds_total", NULL, NULL, 1.893370);
    ASSERT_VALUE(&r, "rizk_system_pressure_io_stalled_seconds_total", NULL, NULL, 1.793647);

    CU_ASSERT_EQUAL(nsamples(&r, "rizk_system_network_receive_bytes_total"), 4);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_system_network_transmit_drops_total"), 4);
    ASSERT_VALUE(&r, "rizk_system_network_receive_bytes_total", "device", "eth0", 48903984);
    ASSERT_VALUE(&r, "rizk_system_network_receive_packets_total", "device", "eth0", 1104);
    ASSERT_VALUE(&r, "rizk_system_network_transmit_bytes_total", "device", "eth0", 45230);
    ASSERT_VALUE(&r, "rizk_system_network_transmit_packets_total", "device", "eth0", 561);
    ASSERT_VALUE(&r, "rizk_system_network_receive_errors_total", "device", "eth0", 0);
    ASSERT_VALUE(&r, "rizk_system_network_receive_drops_total", "device", "lo", 0);
    ASSERT_VALUE(&r, "rizk_system_network_transmit_bytes_total", "device", "lo", 3267);
    ASSERT_VALUE(&r, "rizk_system_network_transmit_errors_total", "device", "ifb1", 0);

    /* tcp + tcp6 of the capture: 10 established, 3 listening, one each of the closing states. */
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_system_tcp_connections"), 11);
    ASSERT_VALUE(&r, "rizk_system_tcp_connections", "state", "established", 10);
    ASSERT_VALUE(&r, "rizk_system_tcp_connections", "state", "listen", 3);
    ASSERT_VALUE(&r, "rizk_system_tcp_connections", "state", "close_wait", 1);
    ASSERT_VALUE(&r, "rizk_system_tcp_connections", "state", "fin_wait2", 1);
    ASSERT_VALUE(&r, "rizk_system_tcp_connections", "state", "time_wait", 1);
    ASSERT_VALUE(&r, "rizk_system_tcp_connections", "state", "syn_sent", 0);
    ASSERT_VALUE(&r, "rizk_system_tcp_connections", "state", "closing", 0);

    /* process_* describe this test process (the real /proc/self), so only sanity is exact. */
    CU_ASSERT(value(&r, "process_cpu_seconds_total", NULL, NULL) >= 0);
    CU_ASSERT(value(&r, "process_resident_memory_bytes", NULL, NULL) > 0);
    CU_ASSERT(value(&r, "process_virtual_memory_bytes", NULL, NULL) > 0);
    CU_ASSERT(value(&r, "process_start_time_seconds", NULL, NULL) > 1e9);
    CU_ASSERT(value(&r, "process_open_fds", NULL, NULL) >= 3);
    CU_ASSERT(value(&r, "process_max_fds", NULL, NULL) >= 64);
    CU_ASSERT(value(&r, "process_virtual_memory_max_bytes", NULL, NULL) > 0);
    CU_ASSERT(value(&r, "process_threads", NULL, NULL) >= 1);
    const struct mfamily *f = mset_find(r.m, "process_cpu_seconds_total");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->help, "Total user and system CPU time spent in seconds.");
    CU_ASSERT_EQUAL(f->type, METRIC_COUNTER);
    CU_ASSERT_EQUAL(sink_dropped(r.s), 0);
    run_free(&r);
}

static void test_system_old_kernel(void)
{
    /* 7 cpu columns, no MemAvailable, no PSI, no tcp6: absent, not failed. */
    struct run r;
    double hz = (double)sysconf(_SC_CLK_TCK);
    run_collector(&r, &col_system_type, "edge/proc-old", "sys/fs/cgroup");
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(source_up(&r, "system"), 1);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_system_cpu_seconds_total"), 7);
    ASSERT_VALUE(&r, "rizk_system_cpu_seconds_total", "mode", "softirq", 70 / hz);
    CU_ASSERT(isnan(value(&r, "rizk_system_cpu_seconds_total", "mode", "steal")));
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_NODE_CPU_TOTAL_SECONDS), 280 / hz, EPS);
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_NODE_CPU_BUSY_SECONDS), 190 / hz, EPS);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_system_boot_time_seconds"), 0);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_system_memory_available_bytes"), 0);
    CU_ASSERT(isnan(history(&r, HS_NODE_MEMORY_AVAILABLE_BYTES)));
    ASSERT_VALUE(&r, "rizk_system_memory_total_bytes", NULL, NULL, 1048576000.0);
    CU_ASSERT_PTR_NULL(mset_find(r.m, "rizk_system_pressure_cpu_waiting_seconds_total"));
    ASSERT_VALUE(&r, "rizk_system_load1", NULL, NULL, 1.5);
    ASSERT_VALUE(&r, "rizk_system_tcp_connections", "state", "established", 2);
    ASSERT_VALUE(&r, "rizk_system_tcp_connections", "state", "listen", 1);
    run_free(&r);
}

static void test_system_missing_stat(void)
{
    struct run r;
    run_collector(&r, &col_system_type, "edge/proc-nostat", "sys/fs/cgroup");
    CU_ASSERT_EQUAL(r.rc, -ENOENT);
    CU_ASSERT_EQUAL(source_up(&r, "system"), 0);
    /* What could be read is still emitted. */
    ASSERT_VALUE(&r, "rizk_system_memory_total_bytes", NULL, NULL, 25276502016.0);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_system_cpu_seconds_total"), 0);
    CU_ASSERT(isnan(history(&r, HS_NODE_CPU_TOTAL_SECONDS)));
    run_free(&r);
}

static void test_cgroup_v2_limits(void)
{
    struct run r;
    run_collector(&r, &col_cgroup_type, "proc", "sys/fs/cgroup");
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(source_up(&r, "cgroup"), 1);
    ASSERT_VALUE(&r, "rizk_container_cgroup_version", NULL, NULL, 2);
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", NULL, NULL, 8734.561234);
    ASSERT_VALUE(&r, "rizk_container_cpu_user_seconds_total", NULL, NULL, 6123.456789);
    ASSERT_VALUE(&r, "rizk_container_cpu_system_seconds_total", NULL, NULL, 2611.104445);
    ASSERT_VALUE(&r, "rizk_container_cpu_periods_total", NULL, NULL, 412345);
    ASSERT_VALUE(&r, "rizk_container_cpu_throttled_periods_total", NULL, NULL, 1234);
    ASSERT_VALUE(&r, "rizk_container_cpu_throttled_seconds_total", NULL, NULL, 98.765432);
    ASSERT_VALUE(&r, "rizk_container_cpu_limit_cores", NULL, NULL, 2.0);
    ASSERT_VALUE(&r, "rizk_container_memory_usage_bytes", NULL, NULL, 412352512);
    /* 412352512 - inactive_file 120586240 */
    ASSERT_VALUE(&r, "rizk_container_memory_working_set_bytes", NULL, NULL, 291766272);
    ASSERT_VALUE(&r, "rizk_container_memory_limit_bytes", NULL, NULL, 1073741824);
    ASSERT_VALUE(&r, "rizk_container_memory_oom_events_total", NULL, NULL, 2);
    ASSERT_VALUE(&r, "rizk_container_memory_oom_kills_total", NULL, NULL, 1);
    ASSERT_VALUE(&r, "rizk_container_memory_max_events_total", NULL, NULL, 17);
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_CONTAINER_CPU_USAGE_SECONDS), 8734.561234, EPS);
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_CONTAINER_CPU_LIMIT_CORES), 2.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_CONTAINER_MEMORY_WORKING_SET_BYTES), 291766272, EPS);
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_CONTAINER_MEMORY_LIMIT_BYTES), 1073741824, EPS);
    CU_ASSERT_EQUAL(mset_nfamilies(r.m), 14);
    CU_ASSERT_EQUAL(sink_dropped(r.s), 0);
    run_free(&r);
}

static void test_cgroup_v2_nolimit(void)
{
    /* self/cgroup points into a kubepods sub-cgroup: its files, not the root's, are used. */
    struct run r;
    run_collector(&r, &col_cgroup_type, "cgroup-nolimit/proc", "cgroup-nolimit/sys/fs/cgroup");
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(source_up(&r, "cgroup"), 1);
    ASSERT_VALUE(&r, "rizk_container_cgroup_version", NULL, NULL, 2);
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", NULL, NULL, 4.5);
    ASSERT_VALUE(&r, "rizk_container_cpu_user_seconds_total", NULL, NULL, 3.0);
    ASSERT_VALUE(&r, "rizk_container_cpu_throttled_periods_total", NULL, NULL, 0);
    CU_ASSERT_PTR_NULL(mset_find(r.m, "rizk_container_cpu_limit_cores"));
    CU_ASSERT_PTR_NULL(mset_find(r.m, "rizk_container_memory_limit_bytes"));
    ASSERT_VALUE(&r, "rizk_container_memory_usage_bytes", NULL, NULL, 104857600);
    /* inactive_file (125829120) exceeds usage: floored at 0. */
    ASSERT_VALUE(&r, "rizk_container_memory_working_set_bytes", NULL, NULL, 0);
    ASSERT_VALUE(&r, "rizk_container_memory_oom_kills_total", NULL, NULL, 0);
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_CONTAINER_CPU_USAGE_SECONDS), 4.5, EPS);
    CU_ASSERT(isnan(history(&r, HS_CONTAINER_CPU_LIMIT_CORES)));
    CU_ASSERT(isnan(history(&r, HS_CONTAINER_MEMORY_LIMIT_BYTES)));
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_CONTAINER_MEMORY_WORKING_SET_BYTES), 0, EPS);
    run_free(&r);
}

static void test_cgroup_v1(void)
{
    /* A v1 tree as a container sees it: its own cgroup mounted at each hierarchy's root (the
     * kubepods path of self/cgroup does not exist below it). No cfs_period_us: the default. */
    struct run r;
    run_collector(&r, &col_cgroup_type, "cgroup-v1/proc", "cgroup-v1/sys/fs/cgroup");
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(source_up(&r, "cgroup"), 1);
    ASSERT_VALUE(&r, "rizk_container_cgroup_version", NULL, NULL, 1);
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", "container", "abc", 0.123456789);
    ASSERT_VALUE(&r, "rizk_container_cpu_limit_cores", "container", "abc", 0.5);
    ASSERT_VALUE(&r, "rizk_container_memory_usage_bytes", "container", "abc", 104857600);
    ASSERT_VALUE(&r, "rizk_container_memory_working_set_bytes", "container", "abc", 104857600);
    CU_ASSERT_PTR_NULL(mset_find(r.m, "rizk_container_memory_limit_bytes"));
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_CONTAINER_CPU_USAGE_SECONDS), 0.123456789, EPS);
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_CONTAINER_CPU_LIMIT_CORES), 0.5, EPS);
    CU_ASSERT_DOUBLE_EQUAL(history(&r, HS_CGROUP_BASIS), BASIS_CONTAINER, EPS);
    run_free(&r);
}

/* run_cgroup runs the cgroup collector on tests/fixtures/cgroup/<tree>/{proc,sys/fs/cgroup}. */
static void run_cgroup(struct run *r, const char *tree, const char *basis, const char *app,
                       const char *uid)
{
    char proc[256], cg[256];
    void *ctx = NULL;
    (void)snprintf(proc, sizeof(proc), "cgroup/%s/proc", tree);
    (void)snprintf(cg, sizeof(cg), "cgroup/%s/sys/fs/cgroup", tree);
    memset(r, 0, sizeof(*r));
    r->cfg.path_procfs = strdup(unit_fixture_path(proc));
    r->cfg.path_cgroupfs = strdup(unit_fixture_path(cg));
    r->cfg.path_sysfs = strdup(unit_fixture_path("sys"));
    r->cfg.signals_basis = basis != NULL ? strdup(basis) : NULL;
    r->cfg.app_container = app != NULL ? strdup(app) : NULL;
    r->cfg.pod_uid = uid != NULL ? strdup(uid) : NULL;
    r->m = mset_new();
    r->s = sink_new(r->m);
    CU_ASSERT_EQUAL_FATAL(col_cgroup_type.init(&r->cfg, &ctx), 0);
    r->rc = col_cgroup_type.collect(ctx, r->s);
    col_cgroup_type.destroy(ctx);
}

#define UID "6f2b41c1-9c1e-4b7a-8a57-1d2e3f4a5b6c"
#define NODE_CPUS 4
#define NODE_MEM (8388608.0 * 1024)

/* ASSERT_BASIS checks the four history inputs and whose they are. */
#define ASSERT_BASIS(r, basis, cpu, cpu_limit, ws, mem_limit)                                      \
    do {                                                                                           \
        CU_ASSERT_DOUBLE_EQUAL(history(r, HS_CGROUP_BASIS), (basis), EPS);                         \
        CU_ASSERT_DOUBLE_EQUAL(history(r, HS_CONTAINER_CPU_USAGE_SECONDS), (cpu), EPS);            \
        CU_ASSERT_DOUBLE_EQUAL(history(r, HS_CONTAINER_CPU_LIMIT_CORES), (cpu_limit), EPS);        \
        CU_ASSERT_DOUBLE_EQUAL(history(r, HS_CONTAINER_MEMORY_WORKING_SET_BYTES), (ws), EPS);      \
        CU_ASSERT_DOUBLE_EQUAL(history(r, HS_CONTAINER_MEMORY_LIMIT_BYTES), (mem_limit), EPS);     \
    } while (0)

static void test_cgroup_v2_systemd_guaranteed(void)
{
    /* Node tree mounted, pod found by UID. Beside the sidecar: the app and the pause
     * container, which cannot be told apart without a process name: auto takes the pod. */
    struct run r;
    run_cgroup(&r, "v2-systemd-guaranteed-containerd", "auto", NULL, UID);
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(source_up(&r, "cgroup"), 1);
    ASSERT_BASIS(&r, BASIS_POD, 90.0, 0.6, 100663296 - 4194304, 167772160);
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", "container", "rizk-metrics", 5.0);
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", "container", "a1b2c3d4e5f6", 80.0);
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", "container", "9f8e7d6c5b4a", 0.02);
    ASSERT_VALUE(&r, "rizk_container_cpu_limit_cores", "container", "a1b2c3d4e5f6", 0.5);
    ASSERT_VALUE(&r, "rizk_container_memory_working_set_bytes", "container", "a1b2c3d4e5f6",
                 83886080 - 8388608);
    ASSERT_VALUE(&r, "rizk_container_memory_oom_kills_total", "container", "a1b2c3d4e5f6", 2);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_container_cpu_usage_seconds_total"), 3);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_container_memory_limit_bytes"), 2);
    run_free(&r);

    /* --app.container as a container id prefix picks the app. */
    run_cgroup(&r, "v2-systemd-guaranteed-containerd", "app", "a1b2c3", UID);
    ASSERT_BASIS(&r, BASIS_APP, 80.0, 0.5, 83886080 - 8388608, 134217728);
    run_free(&r);

    /* The sidecar's own container, and the node (no cgroup input at all). */
    run_cgroup(&r, "v2-systemd-guaranteed-containerd", "container", NULL, UID);
    ASSERT_BASIS(&r, BASIS_CONTAINER, 5.0, 0.1, 8388608, 33554432);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_container_cpu_usage_seconds_total"), 1);
    run_free(&r);
    run_cgroup(&r, "v2-systemd-guaranteed-containerd", "node", NULL, UID);
    CU_ASSERT(isnan(history(&r, HS_CGROUP_BASIS)));
    CU_ASSERT(isnan(history(&r, HS_CONTAINER_CPU_USAGE_SECONDS)));
    run_free(&r);

    /* Without the pod UID nothing else is visible: auto falls back to the sidecar's own. */
    run_cgroup(&r, "v2-systemd-guaranteed-containerd", "auto", NULL, NULL);
    ASSERT_BASIS(&r, BASIS_CONTAINER, 5.0, 0.1, 8388608, 33554432);
    run_free(&r);
}

static void test_cgroup_v2_mount_cgroupns(void)
{
    /* The node's tree mounted, but the sidecar in a cgroup namespace ("0::/"): the tree's root
     * is the node, not the sidecar, so its own container is not read as the root; the pod's
     * three containers (sidecar, app, pause) are all "others", and auto takes the pod. */
    struct run r;
    run_cgroup(&r, "v2-mount-cgroupns", "auto", NULL, UID);
    CU_ASSERT_EQUAL(r.rc, 0);
    ASSERT_BASIS(&r, BASIS_POD, 90.0, 0.6, 100663296 - 4194304, 167772160);
    CU_ASSERT(
        isnan(value(&r, "rizk_container_cpu_usage_seconds_total", "container", "rizk-metrics")));
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", "container", "5e4d3c2b1a0f", 5.0);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_container_cpu_usage_seconds_total"), 3);
    run_free(&r);
    /* Nothing of its own to measure: the container basis falls back to the node. */
    run_cgroup(&r, "v2-mount-cgroupns", "container", NULL, UID);
    CU_ASSERT(isnan(history(&r, HS_CGROUP_BASIS)));
    run_free(&r);
}

static void test_cgroup_v2_cgroupfs_burstable_crio(void)
{
    /* CRI-O runs no infra container and keeps conmon in its own cgroup: the only other
     * container is the app. No CPU limit: the node's 4 CPUs are the denominator. */
    struct run r;
    run_cgroup(&r, "v2-cgroupfs-burstable-crio", "auto", NULL, UID);
    CU_ASSERT_EQUAL(r.rc, 0);
    ASSERT_BASIS(&r, BASIS_APP, 60.0, NODE_CPUS, 142606336 - 16777216, 268435456);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_container_cpu_usage_seconds_total"), 2);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_container_cpu_limit_cores"), 1);
    ASSERT_VALUE(&r, "rizk_container_memory_limit_bytes", "container", "a1b2c3d4e5f6", 268435456);
    run_free(&r);

    /* The pod: no limit on either resource (Burstable), so both denominators are the node's. */
    run_cgroup(&r, "v2-cgroupfs-burstable-crio", "pod", NULL, UID);
    ASSERT_BASIS(&r, BASIS_POD, 62.0, NODE_CPUS, 150994944, NODE_MEM);
    run_free(&r);
}

static void test_cgroup_v1_systemd_besteffort_docker(void)
{
    /* v1 node tree, co-mounted cpu,cpuacct; a BestEffort pod has no limits anywhere
     * (memory.limit_in_bytes is PAGE_COUNTER_MAX); docker runs a pause container. */
    struct run r;
    run_cgroup(&r, "v1-systemd-besteffort-docker", "auto", NULL, UID);
    CU_ASSERT_EQUAL(r.rc, 0);
    ASSERT_VALUE(&r, "rizk_container_cgroup_version", NULL, NULL, 1);
    ASSERT_BASIS(&r, BASIS_POD, 45.0, NODE_CPUS, 134217728 - 8388608, NODE_MEM);
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", "container", "rizk-metrics", 3.0);
    ASSERT_VALUE(&r, "rizk_container_cpu_throttled_seconds_total", "container", "rizk-metrics",
                 3.5);
    ASSERT_VALUE(&r, "rizk_container_cpu_throttled_periods_total", "container", "a1b2c3d4e5f6", 12);
    ASSERT_VALUE(&r, "rizk_container_memory_oom_kills_total", "container", "a1b2c3d4e5f6", 0);
    CU_ASSERT_PTR_NULL(mset_find(r.m, "rizk_container_memory_limit_bytes"));
    CU_ASSERT_PTR_NULL(mset_find(r.m, "rizk_container_cpu_limit_cores"));
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_container_cpu_usage_seconds_total"), 3);
    run_free(&r);

    run_cgroup(&r, "v1-systemd-besteffort-docker", "auto", "a1b2", UID);
    ASSERT_BASIS(&r, BASIS_APP, 42.0, NODE_CPUS, 123207680 - 8388608, NODE_MEM);
    run_free(&r);
}

static void test_cgroup_v1_hybrid_shared(void)
{
    /* Hybrid host (v1 controllers and an empty "0::/"), shared process namespace: the app's
     * files come through /proc/7/root; pid 15 is the sidecar itself, pid 1 the pause. */
    struct run r;
    run_cgroup(&r, "v1-hybrid-cgroupfs-containerd-shared", "auto", NULL, NULL);
    CU_ASSERT_EQUAL(r.rc, 0);
    ASSERT_VALUE(&r, "rizk_container_cgroup_version", NULL, NULL, 1);
    ASSERT_BASIS(&r, BASIS_APP, 30.0, 1.0, 402653184 - 33554432, 536870912);
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", "container", "python3", 30.0);
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", "container", "rizk-metrics", 1.5);
    ASSERT_VALUE(&r, "rizk_container_memory_oom_kills_total", "container", "python3", 1);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_container_cpu_usage_seconds_total"), 2);
    run_free(&r);

    /* The pod from its containers: sums, limit = sum of limits (1 + 0.2 cores). */
    run_cgroup(&r, "v1-hybrid-cgroupfs-containerd-shared", "pod", NULL, NULL);
    ASSERT_BASIS(&r, BASIS_POD, 31.5, 1.2, (402653184 - 33554432) + (12582912 - 1048576),
                 536870912 + 33554432);
    run_free(&r);

    /* A name that matches nothing: the app is not guessed, auto falls back to the pod. */
    run_cgroup(&r, "v1-hybrid-cgroupfs-containerd-shared", "app", "gunicorn", NULL);
    ASSERT_BASIS(&r, BASIS_POD, 31.5, 1.2, (402653184 - 33554432) + (12582912 - 1048576),
                 536870912 + 33554432);
    run_free(&r);
    run_cgroup(&r, "v1-hybrid-cgroupfs-containerd-shared", "app", "python3", NULL);
    ASSERT_BASIS(&r, BASIS_APP, 30.0, 1.0, 402653184 - 33554432, 536870912);
    run_free(&r);
}

static void test_cgroup_v1_podman_shared(void)
{
    /* This machine's layout under podman kube play (runc, hybrid v1): separate cpu and cpuacct
     * hierarchies, catatonit as the infra process. */
    struct run r;
    run_cgroup(&r, "v1-podman-shared", "auto", NULL, NULL);
    CU_ASSERT_EQUAL(r.rc, 0);
    ASSERT_BASIS(&r, BASIS_APP, 95.0, 0.5, 50331648, 67108864);
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", "container", "pod_app", 95.0);
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", "container", "rizk-metrics",
                 2.338446104);
    ASSERT_VALUE(&r, "rizk_container_cpu_limit_cores", "container", "rizk-metrics", 0.1);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_container_cpu_usage_seconds_total"), 2);
    run_free(&r);
}

static void test_cgroup_v2_cgroupns_shared(void)
{
    /* v2 with a cgroup namespace per container: the app's path is "/../cri-containerd-<id>.scope"
     * from here; two processes of the app are one container; its files come through
     * /proc/8/root. */
    struct run r;
    run_cgroup(&r, "v2-containerd-cgroupns-shared", "auto", NULL, NULL);
    CU_ASSERT_EQUAL(r.rc, 0);
    ASSERT_BASIS(&r, BASIS_APP, 120.0, 1.0, 805306368 - 67108864, 1073741824);
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", "container", "gunicorn", 120.0);
    ASSERT_VALUE(&r, "rizk_container_cpu_usage_seconds_total", "container", "rizk-metrics", 4.0);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_container_cpu_usage_seconds_total"), 2);
    run_free(&r);
}

static void test_cgroup_none(void)
{
    /* No cgroup mount at all and no self/cgroup under the procfs root. */
    struct run r;
    run_collector(&r, &col_cgroup_type, "edge/proc-old", "edge/no-such-cgroupfs");
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(source_up(&r, "cgroup"), 0);
    ASSERT_VALUE(&r, "rizk_container_cgroup_version", NULL, NULL, 0);
    CU_ASSERT_EQUAL(mset_nfamilies(r.m), 1);
    run_free(&r);
}

/* --- TCP sockets counted every --system.tcp-interval --------------------------------------- */

static const char tcp_head[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n";
/* 127.0.0.1:18080 (0x46A0): a listener and two ESTABLISHED sockets. */
static const char tcp_three[] =
    "   0: 0100007F:46A0 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1 0 100 0 "
    "0 10 0\n"
    "   1: 0100007F:46A0 0100007F:AF20 01 00000000:00000000 00:00000000 00000000 0 0 2 1 0 20 0 "
    "0 10 -1\n"
    "   2: 0100007F:46A0 0100007F:AF38 01 00000000:00000000 00:00000000 00000000 0 0 3 1 0 20 0 "
    "0 10 -1\n";
static const char tcp_one[] =
    "   0: 0100007F:46A0 0100007F:AF20 01 00000000:00000000 00:00000000 00000000 0 0 2 1 0 20 0 "
    "0 10 -1\n";

static void tcp_write(const char *dir, const char *rows)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/net/tcp", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(tcp_head, f);
    fputs(rows, f);
    fclose(f);
}

/* tcp_root makes a procfs whose net/tcp the test rewrites: the other files link to the
 * fixture's, there is no tcp6. */
static void tcp_root(char *dir, size_t n)
{
    static const char *const files[] = {"stat", "meminfo", "loadavg", "pressure", "net/dev"};
    char tmpl[] = "/tmp/rizk-tcp.XXXXXX", path[512], target[512];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
    snprintf(dir, n, "%s", tmpl);
    snprintf(path, sizeof(path), "%s/net", dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0);
    /* the links live in /tmp: their targets must not be relative to the working directory */
    char proc[PATH_MAX];
    CU_ASSERT_PTR_NOT_NULL_FATAL(realpath(unit_fixture_path("proc"), proc));
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        CU_ASSERT_FATAL(snprintf(target, sizeof(target), "%s/%s", proc, files[i]) <
                        (int)sizeof(target));
        CU_ASSERT_EQUAL_FATAL(symlink(target, path), 0);
    }
    tcp_write(dir, tcp_three);
}

static void tcp_root_free(const char *dir)
{
    static const char *const rel[] = {"stat",    "meminfo", "loadavg", "pressure",
                                      "net/dev", "net/tcp", "net",     ""};
    char path[512];
    for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, rel[i]);
        CU_ASSERT_EQUAL(remove(path), 0);
    }
}

/* tcp_tick runs one collection with ctx and checks the established count it serves and the
 * app port's history sample it pushes (NaN: none). */
static void tcp_tick(void *ctx, double established, double history_sample)
{
    struct run r = {.m = mset_new()};
    r.s = sink_new(r.m);
    CU_ASSERT_EQUAL(col_system_type.collect(ctx, r.s), 0);
    CU_ASSERT_EQUAL(nsamples(&r, "rizk_system_tcp_connections"), 11);
    ASSERT_VALUE(&r, "rizk_system_tcp_connections", "state", "established", established);
    double v = NAN;
    bool pushed = sink_history_get(r.s, HS_APP_PORT_CONNECTIONS, &v);
    if (isnan(history_sample)) {
        CU_ASSERT(!pushed);
    } else {
        CU_ASSERT(pushed && v == history_sample);
    }
    sink_free(r.s);
    mset_free(r.m);
}

static void test_system_tcp_interval(void)
{
    char dir[64];
    tcp_root(dir, sizeof(dir));
    struct config cfg = {.path_procfs = dir,
                         .app_port = 18080,
                         .history_interval_ms = 1000,
                         .signals_window_ms = 60000,
                         .system_tcp_interval_ms = 5000};
    void *ctx = NULL;
    CU_ASSERT_EQUAL_FATAL(col_system_type.init(&cfg, &ctx), 0);
    tcp_tick(ctx, 2, 2);
    tcp_write(dir, tcp_one);
    /* Within the interval the last count is served, and the app port's history gets no new
     * sample: it holds only what was counted. */
    tcp_tick(ctx, 2, NAN);
    col_system_type.destroy(ctx);

    /* Half the signals window caps the interval: 5 s asked, 100 ms window -> 50 ms, so a tick
     * 60 ms later counts again. */
    cfg.signals_window_ms = 100;
    cfg.history_interval_ms = 10;
    CU_ASSERT_EQUAL_FATAL(col_system_type.init(&cfg, &ctx), 0);
    tcp_tick(ctx, 1, 1);
    tcp_write(dir, tcp_three);
    usleep(60 * 1000);
    tcp_tick(ctx, 2, 2);
    col_system_type.destroy(ctx);
    tcp_root_free(dir);
}

static CU_TestInfo collect_tests[] = {
    {"system_fixture", test_system_fixture},
    {"system_old_kernel", test_system_old_kernel},
    {"system_tcp_interval", test_system_tcp_interval},
    {"system_missing_stat", test_system_missing_stat},
    {"cgroup_v2_limits", test_cgroup_v2_limits},
    {"cgroup_v2_nolimit", test_cgroup_v2_nolimit},
    {"cgroup_v1", test_cgroup_v1},
    {"cgroup_v2_systemd_guaranteed", test_cgroup_v2_systemd_guaranteed},
    {"cgroup_v2_mount_cgroupns", test_cgroup_v2_mount_cgroupns},
    {"cgroup_v2_cgroupfs_burstable_crio", test_cgroup_v2_cgroupfs_burstable_crio},
    {"cgroup_v1_systemd_besteffort_docker", test_cgroup_v1_systemd_besteffort_docker},
    {"cgroup_v1_hybrid_shared", test_cgroup_v1_hybrid_shared},
    {"cgroup_v1_podman_shared", test_cgroup_v1_podman_shared},
    {"cgroup_v2_cgroupns_shared", test_cgroup_v2_cgroupns_shared},
    {"cgroup_none", test_cgroup_none},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_collect = {"collect", NULL, NULL, NULL, NULL, collect_tests};
