/* Unit tests for the cgroup v2 parsers: exact values from the v2 fixture trees
 * (tests/fixtures/sys/fs/cgroup, tests/fixtures/cgroup-nolimit), the captured
 * tests/fixtures/proc/self/cgroup, and the edge cases in tests/fixtures/edge. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "parse/cgroup.h"
#include "unit_util.h"

#define NOLIMIT                                                                                    \
    "cgroup-nolimit/sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice/"                       \
    "kubepods-besteffort-pod7f1e.slice/cri-containerd-4b9c.scope/"

static char *fixture(const char *rel)
{
    char *t = unit_fixture_read(rel, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

static void test_cpu_stat(void)
{
    struct cgroup_cpu_stat c;
    struct parse_err e = {0};
    char *t = fixture("sys/fs/cgroup/cpu.stat");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_cpu_stat(t, &c, NULL), 0);
    CU_ASSERT_EQUAL(c.usage_usec, 8734561234ULL);
    CU_ASSERT_EQUAL(c.user_usec, 6123456789ULL);
    CU_ASSERT_EQUAL(c.system_usec, 2611104445ULL);
    CU_ASSERT(c.has_user && c.has_system && c.has_periods && c.has_throttled);
    CU_ASSERT(c.has_throttled_usec);
    CU_ASSERT_EQUAL(c.nr_periods, 412345);
    CU_ASSERT_EQUAL(c.nr_throttled, 1234);
    CU_ASSERT_EQUAL(c.throttled_usec, 98765432);
    CU_ASSERT_EQUAL(c.malformed, 0);
    free(t);

    t = fixture("edge/cpu_stat_no_controller");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_cpu_stat(t, &c, NULL), 0);
    CU_ASSERT_EQUAL(c.usage_usec, 100);
    CU_ASSERT_EQUAL(c.user_usec, 60);
    CU_ASSERT_EQUAL(c.system_usec, 40);
    CU_ASSERT_FALSE(c.has_periods);
    CU_ASSERT_FALSE(c.has_throttled_usec);
    free(t);

    t = fixture("edge/cpu_stat_crlf_dup");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_cpu_stat(t, &c, NULL), 0);
    CU_ASSERT_EQUAL(c.usage_usec, 100); /* the repeated key is skipped, not taken */
    CU_ASSERT_EQUAL(c.nr_periods, 5);
    CU_ASSERT_EQUAL(c.nr_throttled, 1);
    CU_ASSERT_EQUAL(c.throttled_usec, 9);
    CU_ASSERT_EQUAL(c.malformed, 2);
    free(t);

    t = fixture("edge/cpu_stat_no_usage");
    CU_ASSERT_EQUAL(parse_cgroup_cpu_stat(t, &c, &e), -EPROTO);
    free(t);
    t = fixture("edge/cpu_stat_usage_overflow");
    CU_ASSERT_EQUAL(parse_cgroup_cpu_stat(t, &c, &e), -ERANGE);
    CU_ASSERT_EQUAL(e.line, 1);
    free(t);
    CU_ASSERT_EQUAL(parse_cgroup_cpu_stat("", &c, &e), -EPROTO);
}

static void test_cpu_max(void)
{
    struct cgroup_cpu_max m;
    struct parse_err e = {0};
    char *t = fixture("sys/fs/cgroup/cpu.max");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_cpu_max(t, &m, NULL), 0);
    CU_ASSERT(m.has_quota);
    CU_ASSERT_EQUAL(m.quota_usec, 200000);
    CU_ASSERT_EQUAL(m.period_usec, 100000);
    free(t);

    t = fixture(NOLIMIT "cpu.max");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_cpu_max(t, &m, NULL), 0);
    CU_ASSERT_FALSE(m.has_quota);
    CU_ASSERT_EQUAL(m.period_usec, 100000);
    free(t);

    t = fixture("edge/cpu_max_max_only");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_cpu_max(t, &m, NULL), 0);
    CU_ASSERT_FALSE(m.has_quota);
    CU_ASSERT_EQUAL(m.period_usec, 100000);
    free(t);

    t = fixture("edge/cpu_max_crlf");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_cpu_max(t, &m, NULL), 0);
    CU_ASSERT_EQUAL(m.quota_usec, 150000);
    CU_ASSERT_EQUAL(m.period_usec, 100000);
    free(t);

    t = fixture("edge/cpu_max_zero_period");
    CU_ASSERT_EQUAL(parse_cgroup_cpu_max(t, &m, &e), -EPROTO);
    free(t);
    t = fixture("edge/cpu_max_trailing");
    CU_ASSERT_EQUAL(parse_cgroup_cpu_max(t, &m, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.col, 14);
    free(t);
    CU_ASSERT_EQUAL(parse_cgroup_cpu_max("", &m, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_cgroup_cpu_max("maxx 100000\n", &m, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_cgroup_cpu_max("18446744073709551616 100000\n", &m, &e), -ERANGE);
}

static void test_value(void)
{
    struct cgroup_value v;
    struct parse_err e = {0};
    char *t = fixture("sys/fs/cgroup/memory.current");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_value(t, &v, NULL), 0);
    CU_ASSERT_FALSE(v.is_max);
    CU_ASSERT_EQUAL(v.value, 412352512);
    free(t);

    t = fixture("sys/fs/cgroup/memory.max");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_value(t, &v, NULL), 0);
    CU_ASSERT_EQUAL(v.value, 1073741824);
    free(t);

    t = fixture(NOLIMIT "memory.max");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_value(t, &v, NULL), 0);
    CU_ASSERT(v.is_max);
    CU_ASSERT_EQUAL(v.value, UINT64_MAX);
    free(t);

    t = fixture("edge/value_u64max");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_value(t, &v, NULL), 0);
    CU_ASSERT_FALSE(v.is_max);
    CU_ASSERT_EQUAL(v.value, UINT64_MAX);
    free(t);

    t = fixture("edge/value_max_crlf");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_value(t, &v, NULL), 0);
    CU_ASSERT(v.is_max);
    free(t);

    t = fixture("edge/value_overflow");
    CU_ASSERT_EQUAL(parse_cgroup_value(t, &v, &e), -ERANGE);
    CU_ASSERT_EQUAL(e.line, 1);
    CU_ASSERT_EQUAL(e.col, 1);
    free(t);
    t = fixture("edge/value_negative");
    CU_ASSERT_EQUAL(parse_cgroup_value(t, &v, &e), -EPROTO);
    free(t);
    CU_ASSERT_EQUAL(parse_cgroup_value("", &v, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_cgroup_value("12 34\n", &v, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.col, 4);
}

static void test_memory_stat(void)
{
    struct cgroup_memory_stat *m = calloc(1, sizeof(*m));
    struct parse_err e = {0};
    char *t = fixture("sys/fs/cgroup/memory.stat");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_memory_stat(t, m, NULL), 0);
    CU_ASSERT_EQUAL(m->nentries, 56);
    CU_ASSERT_EQUAL(m->malformed, 0);
    CU_ASSERT_EQUAL(m->dropped, 0);
    CU_ASSERT(m->has_anon && m->has_file && m->has_active_file && m->has_inactive_file);
    CU_ASSERT(m->has_shmem);
    CU_ASSERT_EQUAL(m->anon, 201326592);
    CU_ASSERT_EQUAL(m->file, 180355072);
    CU_ASSERT_EQUAL(m->active_file, 59768832);
    CU_ASSERT_EQUAL(m->inactive_file, 120586240);
    CU_ASSERT_EQUAL(m->shmem, 4096);
    CU_ASSERT_STRING_EQUAL(m->entries[0].name, "anon");
    CU_ASSERT_STRING_EQUAL(m->entries[55].name, "thp_swpout_fallback");
    CU_ASSERT_STRING_EQUAL(m->entries[42].name, "pgfault");
    CU_ASSERT_EQUAL(m->entries[42].value, 2345678);
    free(t);

    t = fixture("edge/memory_stat_garbage");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_memory_stat(t, m, NULL), 0);
    CU_ASSERT_EQUAL(m->nentries, 3);
    CU_ASSERT_EQUAL(m->anon, 1);
    CU_ASSERT_EQUAL(m->file, 2);
    CU_ASSERT_EQUAL(m->shmem, 4);
    CU_ASSERT_FALSE(m->has_inactive_file);
    CU_ASSERT_FALSE(m->has_active_file);
    CU_ASSERT_EQUAL(m->malformed, 4);
    free(t);

    CU_ASSERT_EQUAL(parse_cgroup_memory_stat("", m, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_cgroup_memory_stat("anon 18446744073709551616\n", m, &e), -ERANGE);
    free(m);
}

static void test_memory_events(void)
{
    struct cgroup_memory_events ev;
    struct parse_err e = {0};
    char *t = fixture("sys/fs/cgroup/memory.events");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_memory_events(t, &ev, NULL), 0);
    CU_ASSERT_EQUAL(ev.low, 0);
    CU_ASSERT_EQUAL(ev.high, 0);
    CU_ASSERT_EQUAL(ev.max, 17);
    CU_ASSERT_EQUAL(ev.oom, 2);
    CU_ASSERT_EQUAL(ev.oom_kill, 1);
    CU_ASSERT(ev.has_oom_group_kill);
    CU_ASSERT_EQUAL(ev.oom_group_kill, 0);
    free(t);

    t = fixture("edge/memory_events_old");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_memory_events(t, &ev, NULL), 0);
    CU_ASSERT_EQUAL(ev.oom, 3);
    CU_ASSERT_FALSE(ev.has_oom_kill);
    CU_ASSERT_FALSE(ev.has_oom_group_kill);
    free(t);

    CU_ASSERT_EQUAL(parse_cgroup_memory_events("", &ev, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_cgroup_memory_events("unknown 5\n", &ev, &e), -EPROTO);
}

static void test_membership(void)
{
    struct cgroup_membership *m = calloc(1, sizeof(*m));
    char *t = fixture("proc/self/cgroup"); /* captured: a hybrid host, unified root "/" */
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_membership(t, m, NULL), 0);
    CU_ASSERT_EQUAL(m->mode, CGROUP_MODE_HYBRID);
    CU_ASSERT(m->has_v2);
    CU_ASSERT_STRING_EQUAL(m->v2_path, "/");
    CU_ASSERT_EQUAL(m->v1_lines, 9);
    CU_ASSERT_EQUAL(m->malformed, 0);
    free(t);

    t = fixture("cgroup-nolimit/proc/self/cgroup");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_membership(t, m, NULL), 0);
    CU_ASSERT_EQUAL(m->mode, CGROUP_MODE_V2);
    CU_ASSERT_STRING_EQUAL(m->v2_path,
                           "/kubepods.slice/kubepods-besteffort.slice/"
                           "kubepods-besteffort-pod7f1e.slice/cri-containerd-4b9c.scope");
    free(t);

    t = fixture("cgroup-v1/proc/self/cgroup");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_membership(t, m, NULL), 0);
    CU_ASSERT_EQUAL(m->mode, CGROUP_MODE_V1);
    CU_ASSERT_FALSE(m->has_v2);
    CU_ASSERT_EQUAL(m->v1_lines, 4);
    free(t);

    t = fixture("edge/self_cgroup_v2_root");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_membership(t, m, NULL), 0);
    CU_ASSERT_EQUAL(m->mode, CGROUP_MODE_V2);
    CU_ASSERT_STRING_EQUAL(m->v2_path, "/");
    free(t);

    t = fixture("edge/self_cgroup_v2_odd_path");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_membership(t, m, NULL), 0);
    CU_ASSERT_STRING_EQUAL(m->v2_path, "/kubepods/pod 1/ctr:with:colons");
    free(t);

    t = fixture("edge/self_cgroup_hybrid");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_membership(t, m, NULL), 0);
    CU_ASSERT_EQUAL(m->mode, CGROUP_MODE_HYBRID);
    CU_ASSERT_STRING_EQUAL(m->v2_path, "/a");
    CU_ASSERT_EQUAL(m->v1_lines, 2);
    free(t);

    t = fixture("edge/self_cgroup_v1");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_membership(t, m, NULL), 0);
    CU_ASSERT_EQUAL(m->mode, CGROUP_MODE_V1);
    free(t);

    t = fixture("edge/self_cgroup_garbage");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_membership(t, m, NULL), 0);
    CU_ASSERT_EQUAL(m->mode, CGROUP_MODE_NONE);
    CU_ASSERT_EQUAL(m->malformed, 4);
    free(t);

    CU_ASSERT_EQUAL_FATAL(parse_cgroup_membership("", m, NULL), 0);
    CU_ASSERT_EQUAL(m->mode, CGROUP_MODE_NONE);
    CU_ASSERT_FALSE(m->has_v2);

    /* A path longer than PATH_MAX cannot be opened: the line is malformed. */
    size_t n = CGROUP_PATH_MAX + 16;
    char *big = malloc(n + 8);
    memcpy(big, "0::/", 4);
    memset(big + 4, 'a', n);
    big[n + 4] = '\0';
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_membership(big, m, NULL), 0);
    CU_ASSERT_FALSE(m->has_v2);
    CU_ASSERT_EQUAL(m->malformed, 1);
    free(big);
    free(m);
}

static void test_membership_v1(void)
{
    struct cgroup_membership *m = malloc(sizeof(*m));
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    /* This machine: separate cpu and cpuacct hierarchies, a unified line with a path (hybrid). */
    const char *host = "9:name=systemd:/libpod_parent/p/libpod-c\n"
                       "4:memory:/libpod_parent/p/libpod-c\n"
                       "2:cpuacct:/libpod_parent/p/libpod-c\n"
                       "1:cpu:/libpod_parent/p/libpod-c\n"
                       "0::/libpod_parent/p/libpod-c\n";
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_membership(host, m, NULL), 0);
    CU_ASSERT_EQUAL(m->mode, CGROUP_MODE_HYBRID);
    CU_ASSERT_EQUAL(m->v1_lines, 4);
    CU_ASSERT_TRUE(m->v1_cpu.found);
    CU_ASSERT_STRING_EQUAL(m->v1_cpu.ctrl, "cpu");
    CU_ASSERT_STRING_EQUAL(m->v1_cpuacct.ctrl, "cpuacct");
    CU_ASSERT_STRING_EQUAL(m->v1_memory.ctrl, "memory");
    CU_ASSERT_STRING_EQUAL(m->v1_memory.path, "/libpod_parent/p/libpod-c");
    /* The usual co-mount serves both; "cpuset" is not "cpu". */
    const char *comount =
        "5:cpuset:/a\n4:cpu,cpuacct:/kubepods/pod1/c\r\n11:memory:/kubepods/pod1/c\n";
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_membership(comount, m, NULL), 0);
    CU_ASSERT_EQUAL(m->mode, CGROUP_MODE_V1);
    CU_ASSERT_STRING_EQUAL(m->v1_cpu.ctrl, "cpu,cpuacct");
    CU_ASSERT_STRING_EQUAL(m->v1_cpuacct.ctrl, "cpu,cpuacct");
    CU_ASSERT_STRING_EQUAL(m->v1_cpu.path, "/kubepods/pod1/c");
    CU_ASSERT_STRING_EQUAL(m->v1_memory.path, "/kubepods/pod1/c");
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_membership("0::/\n", m, NULL), 0);
    CU_ASSERT_FALSE(m->v1_cpu.found);
    CU_ASSERT_FALSE(m->v1_memory.found);
    free(m);
}

static void test_v1_files(void)
{
    struct cgroup_v1_quota q;
    struct parse_err e;
    CU_ASSERT_EQUAL(parse_cgroup_v1_quota("-1\n", &q, &e), 0);
    CU_ASSERT_FALSE(q.has_quota);
    CU_ASSERT_EQUAL(parse_cgroup_v1_quota("50000\n", &q, &e), 0);
    CU_ASSERT_TRUE(q.has_quota);
    CU_ASSERT_EQUAL(q.quota_usec, 50000);
    CU_ASSERT_EQUAL(parse_cgroup_v1_quota("-2\n", &q, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_cgroup_v1_quota("0\n", &q, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_cgroup_v1_quota("50000 x\n", &q, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_cgroup_v1_quota("", &q, &e), -EPROTO);

    struct cgroup_v1_cpu_stat cs;
    CU_ASSERT_EQUAL(parse_cgroup_v1_cpu_stat("nr_periods 929\nnr_throttled 12\nthrottled_time "
                                             "3500000000\nnr_bursts 0\nburst_time 0\n",
                                             &cs, &e),
                    0);
    CU_ASSERT_EQUAL(cs.nr_periods, 929);
    CU_ASSERT_EQUAL(cs.nr_throttled, 12);
    CU_ASSERT_EQUAL(cs.throttled_time_ns, 3500000000ULL);
    CU_ASSERT_EQUAL(parse_cgroup_v1_cpu_stat("usage_usec 1\n", &cs, &e), -EPROTO);

    struct cgroup_v1_oom o;
    CU_ASSERT_EQUAL(
        parse_cgroup_v1_oom_control("oom_kill_disable 0\nunder_oom 1\noom_kill 3\n", &o, &e), 0);
    CU_ASSERT_EQUAL(o.under_oom, 1);
    CU_ASSERT_TRUE(o.has_oom_kill);
    CU_ASSERT_EQUAL(o.oom_kill, 3);
    /* Kernels before 4.13 have no oom_kill line. */
    CU_ASSERT_EQUAL(parse_cgroup_v1_oom_control("oom_kill_disable 0\nunder_oom 0\n", &o, &e), 0);
    CU_ASSERT_FALSE(o.has_oom_kill);
    CU_ASSERT_EQUAL(parse_cgroup_v1_oom_control("garbage\n", &o, &e), -EPROTO);

    struct cgroup_memory_stat *ms = malloc(sizeof(*ms));
    CU_ASSERT_PTR_NOT_NULL_FATAL(ms);
    CU_ASSERT_EQUAL(
        parse_cgroup_memory_stat("cache 5\ninactive_file 1\ntotal_inactive_file 7\n", ms, &e), 0);
    CU_ASSERT_TRUE(ms->has_total_inactive_file);
    CU_ASSERT_EQUAL(ms->total_inactive_file, 7);
    CU_ASSERT_EQUAL(ms->inactive_file, 1);
    free(ms);
}

static void test_container_id(void)
{
    char id[CGROUP_ID_MAX];
    static const struct {
        const char *dir, *id;
    } ok[] = {
        {"cri-containerd-a1b2c3.scope", "a1b2c3"},
        {"crio-a1b2c3.scope", "a1b2c3"},
        {"crio-a1b2c3", "a1b2c3"},
        {"docker-a1b2c3.scope", "a1b2c3"},
        {"libpod-a1b2c3.scope", "a1b2c3"},
        {"libpod-a1b2c3", "a1b2c3"},
        {"a1b2c3", "a1b2c3"},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        CU_ASSERT_EQUAL(parse_cgroup_container_id(ok[i].dir, id, sizeof(id)), 0);
        CU_ASSERT_STRING_EQUAL(id, ok[i].id);
    }
    static const char *const not_ctr[] = {"crio-conmon-a1b2.scope",
                                          "libpod-conmon-a1b2",
                                          "kubepods-besteffort.slice",
                                          "cri-containerd-.scope",
                                          "",
                                          "a b"};
    for (size_t i = 0; i < sizeof(not_ctr) / sizeof(not_ctr[0]); i++)
        CU_ASSERT_EQUAL(parse_cgroup_container_id(not_ctr[i], id, sizeof(id)), -ENOENT);
    CU_ASSERT_EQUAL(parse_cgroup_container_id("0123456789", id, 4), -E2BIG);
}

static void test_pod_dirs(void)
{
    char(*d)[CGROUP_PATH_MAX] = malloc(CGROUP_POD_DIRS * CGROUP_PATH_MAX);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL_FATAL(parse_cgroup_pod_dirs("6f2b41c1-9c1e-4b7a", d), 0);
    CU_ASSERT_STRING_EQUAL(d[0], "kubepods.slice/kubepods-pod6f2b41c1_9c1e_4b7a.slice");
    CU_ASSERT_STRING_EQUAL(d[1], "kubepods/pod6f2b41c1-9c1e-4b7a");
    CU_ASSERT_STRING_EQUAL(d[2], "kubepods.slice/kubepods-burstable.slice/"
                                 "kubepods-burstable-pod6f2b41c1_9c1e_4b7a.slice");
    CU_ASSERT_STRING_EQUAL(d[3], "kubepods/burstable/pod6f2b41c1-9c1e-4b7a");
    CU_ASSERT_STRING_EQUAL(d[4], "kubepods.slice/kubepods-besteffort.slice/"
                                 "kubepods-besteffort-pod6f2b41c1_9c1e_4b7a.slice");
    CU_ASSERT_STRING_EQUAL(d[5], "kubepods/besteffort/pod6f2b41c1-9c1e-4b7a");
    CU_ASSERT_STRING_EQUAL(d[6], "libpod_parent/6f2b41c1-9c1e-4b7a");
    CU_ASSERT_STRING_EQUAL(d[7], "machine.slice/machine-libpod_pod_6f2b41c1-9c1e-4b7a.slice");
    CU_ASSERT_EQUAL(parse_cgroup_pod_dirs("", d), -EINVAL);
    CU_ASSERT_EQUAL(parse_cgroup_pod_dirs("../etc", d), -EINVAL);
    CU_ASSERT_EQUAL(parse_cgroup_pod_dirs("6f2b/../x", d), -EINVAL);
    free(d);
}

static CU_TestInfo parse_cgroup_tests[] = {
    {"cpu_stat", test_cpu_stat},
    {"cpu_max", test_cpu_max},
    {"value", test_value},
    {"memory_stat", test_memory_stat},
    {"memory_events", test_memory_events},
    {"membership", test_membership},
    {"membership_v1", test_membership_v1},
    {"v1_files", test_v1_files},
    {"container_id", test_container_id},
    {"pod_dirs", test_pod_dirs},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_parse_cgroup = {"parse_cgroup", NULL, NULL,
                                         NULL,           NULL, parse_cgroup_tests};
