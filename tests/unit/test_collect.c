/* Unit tests for the system and cgroup collectors: each runs against a fixture tree through a
 * config whose path_* point into $FIXTURES, with a recording sink (a sink over a fresh metric
 * set), and the test asserts the exact samples and history inputs the fixtures imply. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "collect/collectors.h"
#include "collect/sink.h"
#include "config/config.h"
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
    struct run r;
    run_collector(&r, &col_cgroup_type, "cgroup-v1/proc", "cgroup-v1/sys/fs/cgroup");
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(source_up(&r, "cgroup"), 0);
    ASSERT_VALUE(&r, "rizk_container_cgroup_version", NULL, NULL, 1);
    CU_ASSERT_EQUAL(mset_nfamilies(r.m), 1);
    CU_ASSERT(isnan(history(&r, HS_CONTAINER_CPU_USAGE_SECONDS)));
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

static CU_TestInfo collect_tests[] = {
    {"system_fixture", test_system_fixture},
    {"system_old_kernel", test_system_old_kernel},
    {"system_missing_stat", test_system_missing_stat},
    {"cgroup_v2_limits", test_cgroup_v2_limits},
    {"cgroup_v2_nolimit", test_cgroup_v2_nolimit},
    {"cgroup_v1", test_cgroup_v1},
    {"cgroup_none", test_cgroup_none},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_collect = {"collect", NULL, NULL, NULL, NULL, collect_tests};
