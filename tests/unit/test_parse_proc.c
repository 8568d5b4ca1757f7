/* Unit tests for the /proc parsers: exact values from the fixtures captured on a real machine
 * (tests/fixtures/proc) and from hand-made edge cases (tests/fixtures/edge). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "parse/proc_loadavg.h"
#include "parse/proc_meminfo.h"
#include "parse/proc_netdev.h"
#include "parse/proc_nettcp.h"
#include "parse/proc_pid.h"
#include "parse/proc_pressure.h"
#include "parse/proc_stat.h"
#include "unit_util.h"

#define EPS 1e-9

/* The big result structs live on the heap: some hold hundreds of entries. */
static char *fixture(const char *rel)
{
    char *t = unit_fixture_read(rel, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

/* ---- /proc/stat ---- */

static void test_stat_fixture(void)
{
    char *t = fixture("proc/stat");
    struct proc_stat *s = calloc(1, sizeof(*s));
    struct parse_err e = {0};
    CU_ASSERT_EQUAL_FATAL(parse_proc_stat(t, s, &e), 0);
    const uint64_t total[PROC_CPU_MODES] = {1545, 0, 1756, 48645, 221, 0, 24, 6, 0, 0};
    const uint64_t cpu1[PROC_CPU_MODES] = {1018, 0, 1022, 23814, 215, 0, 19, 4, 0, 0};
    CU_ASSERT_EQUAL(s->total.nmodes, 10);
    CU_ASSERT_EQUAL(memcmp(s->total.ticks, total, sizeof(total)), 0);
    CU_ASSERT_EQUAL(s->ncpus, 2);
    CU_ASSERT_EQUAL(s->cpus_dropped, 0);
    CU_ASSERT_EQUAL(s->cpus[0].id, 0);
    CU_ASSERT_EQUAL(s->cpus[0].ticks[PROC_CPU_USER], 527);
    CU_ASSERT_EQUAL(s->cpus[0].ticks[PROC_CPU_IDLE], 24831);
    CU_ASSERT_EQUAL(s->cpus[1].id, 1);
    CU_ASSERT_EQUAL(memcmp(s->cpus[1].ticks, cpu1, sizeof(cpu1)), 0);
    CU_ASSERT(s->has_btime && s->has_ctxt && s->has_processes);
    CU_ASSERT(s->has_procs_running && s->has_procs_blocked);
    CU_ASSERT_EQUAL(s->btime, 1795723153);
    CU_ASSERT_EQUAL(s->ctxt, 290072);
    CU_ASSERT_EQUAL(s->processes, 9854);
    CU_ASSERT_EQUAL(s->procs_running, 2);
    CU_ASSERT_EQUAL(s->procs_blocked, 0);
    CU_ASSERT_EQUAL(s->malformed, 0);
    CU_ASSERT_STRING_EQUAL(proc_cpu_mode_name(PROC_CPU_GUEST_NICE), "guest_nice");
    CU_ASSERT_STRING_EQUAL(proc_cpu_mode_name(PROC_CPU_MODES), "");
    free(s);
    free(t);
}

static void test_stat_old_kernels(void)
{
    struct proc_stat *s = calloc(1, sizeof(*s));
    char *t = fixture("edge/stat_linux24_4cols");
    CU_ASSERT_EQUAL_FATAL(parse_proc_stat(t, s, NULL), 0);
    CU_ASSERT_EQUAL(s->total.nmodes, 4);
    CU_ASSERT_EQUAL(s->total.ticks[PROC_CPU_IDLE], 1000);
    CU_ASSERT_EQUAL(s->total.ticks[PROC_CPU_IOWAIT], 0);
    CU_ASSERT_EQUAL(s->ncpus, 1);
    CU_ASSERT_EQUAL(s->btime, 1000000000);
    free(t);

    t = fixture("edge/stat_7cols");
    CU_ASSERT_EQUAL_FATAL(parse_proc_stat(t, s, NULL), 0);
    CU_ASSERT_EQUAL(s->total.nmodes, 7);
    CU_ASSERT_EQUAL(s->total.ticks[PROC_CPU_SOFTIRQ], 70);
    CU_ASSERT_EQUAL(s->total.ticks[PROC_CPU_STEAL], 0);
    CU_ASSERT_EQUAL(s->ncpus, 2);
    CU_ASSERT_EQUAL(s->ctxt, 99);
    CU_ASSERT_FALSE(s->has_btime);
    free(t);
    free(s);
}

static void test_stat_huge_and_overflow(void)
{
    struct proc_stat *s = calloc(1, sizeof(*s));
    struct parse_err e = {0};
    char *t = fixture("edge/stat_huge");
    CU_ASSERT_EQUAL_FATAL(parse_proc_stat(t, s, &e), 0);
    CU_ASSERT_EQUAL(s->total.ticks[PROC_CPU_USER], UINT64_MAX);
    CU_ASSERT_EQUAL(s->ncpus, 1); /* cpu0 overflowed and was skipped */
    CU_ASSERT_EQUAL(s->cpus[0].id, 1);
    CU_ASSERT_EQUAL(s->cpus[0].nmodes, 10); /* 12 columns: extras ignored */
    CU_ASSERT_EQUAL(s->cpus[0].ticks[PROC_CPU_GUEST_NICE], 10);
    CU_ASSERT_FALSE(s->has_btime);
    CU_ASSERT_EQUAL(s->processes, UINT64_MAX);
    CU_ASSERT_EQUAL(s->malformed, 2);
    free(t);

    t = fixture("edge/stat_total_overflow");
    memset(s, 0x5a, sizeof(*s));
    CU_ASSERT_EQUAL(parse_proc_stat(t, s, &e), -ERANGE);
    CU_ASSERT_EQUAL(e.line, 1);
    CU_ASSERT_EQUAL(s->ncpus, 0x5a5a5a5a); /* untouched on failure */
    free(t);

    t = fixture("edge/stat_no_total");
    CU_ASSERT_EQUAL(parse_proc_stat(t, s, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.line, 1);
    CU_ASSERT_EQUAL(e.col, 1);
    CU_ASSERT_PTR_NOT_NULL(e.what);
    free(t);
    free(s);
}

static void test_stat_crlf_truncated_garbage(void)
{
    struct proc_stat *s = calloc(1, sizeof(*s));
    char *t = fixture("edge/stat_crlf");
    CU_ASSERT_EQUAL_FATAL(parse_proc_stat(t, s, NULL), 0);
    CU_ASSERT_EQUAL(s->total.nmodes, 10);
    CU_ASSERT_EQUAL(s->total.ticks[PROC_CPU_STEAL], 8);
    CU_ASSERT_EQUAL(s->ncpus, 1);
    CU_ASSERT_EQUAL(s->btime, 1700000000);
    CU_ASSERT_EQUAL(s->procs_running, 3);
    CU_ASSERT_EQUAL(s->malformed, 0);
    free(t);

    t = fixture("edge/stat_truncated");
    CU_ASSERT_EQUAL_FATAL(parse_proc_stat(t, s, NULL), 0);
    CU_ASSERT_EQUAL(s->ncpus, 2);
    CU_ASSERT_EQUAL(s->ctxt, 12345);
    CU_ASSERT_EQUAL(s->btime, 1700000000);
    CU_ASSERT_FALSE(s->has_procs_blocked);
    CU_ASSERT_EQUAL(s->malformed, 0);
    free(t);

    t = fixture("edge/stat_garbage");
    CU_ASSERT_EQUAL_FATAL(parse_proc_stat(t, s, NULL), 0);
    CU_ASSERT_EQUAL(s->total.ticks[PROC_CPU_USER], 1);
    CU_ASSERT_EQUAL(s->ncpus, 0);
    CU_ASSERT_FALSE(s->has_btime);
    CU_ASSERT_FALSE(s->has_ctxt);
    CU_ASSERT_EQUAL(s->procs_running, 7);
    CU_ASSERT_EQUAL(s->malformed, 5);
    free(t);

    struct parse_err e = {0};
    CU_ASSERT_EQUAL(parse_proc_stat("", s, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.line, 1);
    free(s);
}

static void test_stat_many_cpus(void)
{
    /* 600 per-CPU lines: 512 stored, 88 counted as dropped, ncpus counts all. */
    size_t cap = 700 * 40;
    char *t = malloc(cap);
    size_t n = (size_t)snprintf(t, cap, "cpu  1 2 3 4\n");
    for (int i = 0; i < 600; i++)
        n += (size_t)snprintf(t + n, cap - n, "cpu%d 1 2 3 4\n", i);
    struct proc_stat *s = calloc(1, sizeof(*s));
    CU_ASSERT_EQUAL_FATAL(parse_proc_stat(t, s, NULL), 0);
    CU_ASSERT_EQUAL(s->ncpus, 600);
    CU_ASSERT_EQUAL(s->cpus_dropped, 88);
    CU_ASSERT_EQUAL(s->cpus[PROC_STAT_MAX_CPUS - 1].id, 511);
    free(s);
    free(t);
}

/* ---- /proc/meminfo ---- */

static void test_meminfo_fixture(void)
{
    char *t = fixture("proc/meminfo");
    struct proc_meminfo *m = calloc(1, sizeof(*m));
    CU_ASSERT_EQUAL_FATAL(parse_proc_meminfo(t, m, NULL), 0);
    CU_ASSERT_EQUAL(m->mem_total, 25276502016ULL);
    CU_ASSERT_EQUAL(m->mem_free, 24694575104ULL);
    CU_ASSERT(m->has_mem_available);
    CU_ASSERT_EQUAL(m->mem_available, 24910131200ULL);
    CU_ASSERT_EQUAL(m->buffers, 15355904);
    CU_ASSERT_EQUAL(m->cached, 392413184);
    CU_ASSERT(m->has_swap_total && m->has_swap_free);
    CU_ASSERT_EQUAL(m->swap_total, 0);
    CU_ASSERT_EQUAL(m->swap_free, 0);
    CU_ASSERT_EQUAL(m->nentries, 54);
    CU_ASSERT_EQUAL(m->dropped, 0);
    CU_ASSERT_EQUAL(m->malformed, 0);
    CU_ASSERT_STRING_EQUAL(m->entries[0].name, "MemTotal");
    const struct proc_meminfo_entry *e = proc_meminfo_find(m, "Active(anon)");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->value, 1556 * 1024);
    CU_ASSERT(e->has_unit);
    e = proc_meminfo_find(m, "HugePages_Total");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_FALSE(e->has_unit);
    CU_ASSERT_EQUAL(e->value, 0);
    e = proc_meminfo_find(m, "VmallocTotal");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->value, 35184372087808ULL);
    CU_ASSERT_PTR_NULL(proc_meminfo_find(m, "NoSuchField"));
    free(m);
    free(t);
}

static void test_meminfo_edges(void)
{
    struct proc_meminfo *m = calloc(1, sizeof(*m));
    struct parse_err e = {0};
    char *t = fixture("edge/meminfo_no_available");
    CU_ASSERT_EQUAL_FATAL(parse_proc_meminfo(t, m, NULL), 0);
    CU_ASSERT_FALSE(m->has_mem_available);
    CU_ASSERT_EQUAL(m->mem_available, 0);
    CU_ASSERT_EQUAL(m->mem_total, 1048576000ULL);
    CU_ASSERT_EQUAL(m->mem_free, 524288000ULL);
    CU_ASSERT_EQUAL(m->buffers, 10240000);
    CU_ASSERT_EQUAL(m->cached, 102400000);
    free(t);

    t = fixture("edge/meminfo_huge");
    CU_ASSERT_EQUAL_FATAL(parse_proc_meminfo(t, m, NULL), 0);
    CU_ASSERT_EQUAL(m->mem_total, UINT64_MAX - 1023); /* (2^54 - 1) kB */
    CU_ASSERT_FALSE(m->has_mem_free);                 /* 2^54 kB overflows bytes */
    CU_ASSERT_EQUAL(m->nentries, 2);
    CU_ASSERT_EQUAL(m->entries[1].value, UINT64_MAX);
    CU_ASSERT_EQUAL(m->malformed, 2);
    free(t);

    t = fixture("edge/meminfo_total_overflow");
    CU_ASSERT_EQUAL(parse_proc_meminfo(t, m, &e), -ERANGE);
    CU_ASSERT_EQUAL(e.line, 1);
    free(t);

    t = fixture("edge/meminfo_crlf");
    CU_ASSERT_EQUAL_FATAL(parse_proc_meminfo(t, m, NULL), 0);
    CU_ASSERT_EQUAL(m->mem_total, 2097152);
    CU_ASSERT_EQUAL(m->mem_available, 1048576);
    CU_ASSERT_EQUAL(m->nentries, 3);
    CU_ASSERT_EQUAL(m->malformed, 0);
    free(t);

    t = fixture("edge/meminfo_garbage");
    CU_ASSERT_EQUAL_FATAL(parse_proc_meminfo(t, m, NULL), 0);
    CU_ASSERT_EQUAL(m->mem_total, 2097152); /* the first MemTotal wins; the repeat is skipped */
    CU_ASSERT_EQUAL(m->nentries, 2);
    CU_ASSERT(m->has_swap_free);
    CU_ASSERT_EQUAL(m->swap_free, 3072);
    CU_ASSERT_FALSE(m->has_mem_available);
    CU_ASSERT_FALSE(m->has_buffers);
    CU_ASSERT_EQUAL(m->malformed, 8);
    free(t);

    t = fixture("edge/empty");
    CU_ASSERT_EQUAL(parse_proc_meminfo(t, m, &e), -EPROTO);
    free(t);
    free(m);
}

/* ---- /proc/loadavg ---- */

static void test_loadavg(void)
{
    struct proc_loadavg l;
    struct parse_err e = {0};
    char *t = fixture("proc/loadavg");
    CU_ASSERT_EQUAL_FATAL(parse_proc_loadavg(t, &l, NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(l.load1, 0.00, EPS);
    CU_ASSERT_DOUBLE_EQUAL(l.load5, 0.02, EPS);
    CU_ASSERT_DOUBLE_EQUAL(l.load15, 0.00, EPS);
    CU_ASSERT(l.has_tasks && l.has_last_pid);
    CU_ASSERT_EQUAL(l.running, 2);
    CU_ASSERT_EQUAL(l.total, 96);
    CU_ASSERT_EQUAL(l.last_pid, 9857);
    free(t);

    t = fixture("edge/loadavg_crlf");
    CU_ASSERT_EQUAL_FATAL(parse_proc_loadavg(t, &l, NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(l.load15, 3.0, EPS);
    CU_ASSERT_EQUAL(l.total, 500);
    CU_ASSERT_EQUAL(l.last_pid, 123);
    free(t);

    t = fixture("edge/loadavg_bad_tasks");
    CU_ASSERT_EQUAL_FATAL(parse_proc_loadavg(t, &l, NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(l.load1, 12.5, EPS);
    CU_ASSERT_DOUBLE_EQUAL(l.load5, 7.25, EPS);
    CU_ASSERT_DOUBLE_EQUAL(l.load15, 3.125, EPS);
    CU_ASSERT_FALSE(l.has_tasks);
    CU_ASSERT_FALSE(l.has_last_pid);
    free(t);

    t = fixture("edge/loadavg_truncated");
    CU_ASSERT_EQUAL(parse_proc_loadavg(t, &l, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.line, 1);
    CU_ASSERT_EQUAL(e.col, 10);
    free(t);

    t = fixture("edge/loadavg_nan");
    CU_ASSERT_EQUAL(parse_proc_loadavg(t, &l, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.col, 1);
    free(t);
    CU_ASSERT_EQUAL(parse_proc_loadavg("", &l, NULL), -EPROTO);
    CU_ASSERT_EQUAL(parse_proc_loadavg("-1 0 0\n", &l, NULL), -EPROTO);
    CU_ASSERT_EQUAL(parse_proc_loadavg("1e999 0 0\n", &l, NULL), -ERANGE);
}

/* ---- PSI ---- */

static void test_pressure_fixtures(void)
{
    struct proc_pressure p;
    char *t = fixture("proc/pressure/cpu");
    CU_ASSERT_EQUAL_FATAL(parse_proc_pressure(t, &p, NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(p.some.avg10, 1.77, EPS);
    CU_ASSERT_DOUBLE_EQUAL(p.some.avg60, 0.62, EPS);
    CU_ASSERT_DOUBLE_EQUAL(p.some.avg300, 0.58, EPS);
    CU_ASSERT_EQUAL(p.some.total, 4030936);
    CU_ASSERT(p.has_full);
    CU_ASSERT_EQUAL(p.full.total, 0);
    free(t);

    t = fixture("proc/pressure/io");
    CU_ASSERT_EQUAL_FATAL(parse_proc_pressure(t, &p, NULL), 0);
    CU_ASSERT_EQUAL(p.some.total, 1893370);
    CU_ASSERT_EQUAL(p.full.total, 1793647);
    CU_ASSERT_DOUBLE_EQUAL(p.full.avg60, 0.22, EPS);
    CU_ASSERT_DOUBLE_EQUAL(p.full.avg300, 0.26, EPS);
    free(t);

    t = fixture("proc/pressure/memory");
    CU_ASSERT_EQUAL_FATAL(parse_proc_pressure(t, &p, NULL), 0);
    CU_ASSERT_EQUAL(p.some.total, 0);
    CU_ASSERT(p.has_full);
    CU_ASSERT_EQUAL(p.malformed, 0);
    free(t);
}

static void test_pressure_edges(void)
{
    struct proc_pressure p;
    struct parse_err e = {0};
    char *t = fixture("edge/pressure_cpu_old");
    CU_ASSERT_EQUAL_FATAL(parse_proc_pressure(t, &p, NULL), 0);
    CU_ASSERT_FALSE(p.has_full);
    CU_ASSERT_DOUBLE_EQUAL(p.some.avg300, 1.25, EPS);
    CU_ASSERT_EQUAL(p.some.total, 123456);
    free(t);

    t = fixture("edge/pressure_some_overflow");
    CU_ASSERT_EQUAL(parse_proc_pressure(t, &p, &e), -ERANGE);
    CU_ASSERT_EQUAL(e.line, 1);
    free(t);

    t = fixture("edge/pressure_crlf");
    CU_ASSERT_EQUAL_FATAL(parse_proc_pressure(t, &p, NULL), 0);
    CU_ASSERT_EQUAL(p.some.total, 10);
    CU_ASSERT_EQUAL(p.full.total, 4);
    CU_ASSERT_DOUBLE_EQUAL(p.full.avg300, 0.125, EPS);
    free(t);

    t = fixture("edge/pressure_garbage");
    CU_ASSERT_EQUAL_FATAL(parse_proc_pressure(t, &p, NULL), 0);
    CU_ASSERT_EQUAL(p.some.total, 42);
    CU_ASSERT_DOUBLE_EQUAL(p.some.avg60, 2.0, EPS);
    CU_ASSERT(p.has_full);
    CU_ASSERT_EQUAL(p.full.total, 8);
    CU_ASSERT_DOUBLE_EQUAL(p.full.avg10, 0.0, EPS);
    CU_ASSERT_EQUAL(p.malformed, 3);
    free(t);

    CU_ASSERT_EQUAL(parse_proc_pressure("", &p, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_proc_pressure("full total=1\n", &p, &e), -EPROTO);
}

/* ---- /proc/net/dev ---- */

static void test_netdev_fixture(void)
{
    char *t = fixture("proc/net/dev");
    struct proc_netdev *n = calloc(1, sizeof(*n));
    CU_ASSERT_EQUAL_FATAL(parse_proc_netdev(t, n, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(n->nifs, 4);
    CU_ASSERT_STRING_EQUAL(n->ifs[0].name, "lo");
    CU_ASSERT_EQUAL(n->ifs[0].v[NETDEV_RX_BYTES], 3267);
    CU_ASSERT_EQUAL(n->ifs[0].v[NETDEV_RX_PACKETS], 29);
    CU_ASSERT_EQUAL(n->ifs[0].v[NETDEV_TX_BYTES], 3267);
    CU_ASSERT_EQUAL(n->ifs[0].v[NETDEV_TX_PACKETS], 29);
    CU_ASSERT_STRING_EQUAL(n->ifs[1].name, "ifb0");
    CU_ASSERT_STRING_EQUAL(n->ifs[2].name, "ifb1");
    CU_ASSERT_STRING_EQUAL(n->ifs[3].name, "eth0");
    CU_ASSERT_EQUAL(n->ifs[3].v[NETDEV_RX_BYTES], 48903984);
    CU_ASSERT_EQUAL(n->ifs[3].v[NETDEV_RX_PACKETS], 1104);
    CU_ASSERT_EQUAL(n->ifs[3].v[NETDEV_TX_BYTES], 45230);
    CU_ASSERT_EQUAL(n->ifs[3].v[NETDEV_TX_PACKETS], 561);
    CU_ASSERT_EQUAL(n->ifs[3].v[NETDEV_TX_ERRS], 0);
    CU_ASSERT_EQUAL(n->malformed, 0);
    CU_ASSERT_EQUAL(n->dropped, 0);
    free(n);
    free(t);
}

static void test_netdev_edges(void)
{
    struct proc_netdev *n = calloc(1, sizeof(*n));
    struct parse_err e = {0};
    char *t = fixture("edge/netdev_header_only");
    CU_ASSERT_EQUAL_FATAL(parse_proc_netdev(t, n, NULL), 0);
    CU_ASSERT_EQUAL(n->nifs, 0);
    free(t);

    t = fixture("edge/netdev_300");
    CU_ASSERT_EQUAL_FATAL(parse_proc_netdev(t, n, NULL), 0);
    CU_ASSERT_EQUAL(n->nifs, PROC_NETDEV_MAX);
    CU_ASSERT_EQUAL(n->dropped, 44);
    CU_ASSERT_STRING_EQUAL(n->ifs[255].name, "veth255");
    CU_ASSERT_EQUAL(n->ifs[255].v[NETDEV_RX_BYTES], 255);
    CU_ASSERT_EQUAL(n->ifs[255].v[NETDEV_TX_BYTES], 510);
    CU_ASSERT_EQUAL(n->ifs[255].v[NETDEV_TX_COMPRESSED], 16);
    free(t);

    t = fixture("edge/netdev_garbage");
    CU_ASSERT_EQUAL_FATAL(parse_proc_netdev(t, n, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(n->nifs, 2);
    CU_ASSERT_STRING_EQUAL(n->ifs[0].name, "lo");
    for (int i = 0; i < NETDEV_COLS; i++)
        CU_ASSERT_EQUAL(n->ifs[0].v[i], (uint64_t)i + 1);
    CU_ASSERT_STRING_EQUAL(n->ifs[1].name, "eth2");
    CU_ASSERT_EQUAL(n->ifs[1].v[NETDEV_RX_PACKETS], 200);
    CU_ASSERT_EQUAL(n->ifs[1].v[NETDEV_TX_PACKETS], 400);
    CU_ASSERT_EQUAL(n->malformed, 5);
    free(t);

    CU_ASSERT_EQUAL(parse_proc_netdev("", n, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_proc_netdev("hello world\n", n, &e), -EPROTO);
    free(n);
}

/* ---- /proc/net/tcp{,6} ---- */

static void test_nettcp_fixtures(void)
{
    struct proc_nettcp a, b;
    char *t = fixture("proc/net/tcp");
    /* Captured with a test server on 127.0.0.1:18080 and [::1]:18080 (0x46A0). */
    CU_ASSERT_EQUAL_FATAL(parse_proc_nettcp(t, 18080, &a, NULL), 0);
    CU_ASSERT_EQUAL(a.sockets, 11);
    CU_ASSERT_EQUAL(a.by_state[PROC_TCP_ESTABLISHED], 6);
    CU_ASSERT_EQUAL(a.by_state[PROC_TCP_LISTEN], 2);
    CU_ASSERT_EQUAL(a.by_state[PROC_TCP_CLOSE_WAIT], 1);
    CU_ASSERT_EQUAL(a.by_state[PROC_TCP_FIN_WAIT2], 1);
    CU_ASSERT_EQUAL(a.by_state[PROC_TCP_TIME_WAIT], 1);
    CU_ASSERT_EQUAL(a.by_state[PROC_TCP_SYN_SENT], 0);
    CU_ASSERT_EQUAL(a.established_on_port, 3);
    CU_ASSERT_EQUAL(a.malformed, 0);
    CU_ASSERT_EQUAL(a.unknown_state, 0);
    free(t);

    t = fixture("proc/net/tcp6");
    CU_ASSERT_EQUAL_FATAL(parse_proc_nettcp(t, 18080, &b, NULL), 0);
    CU_ASSERT_EQUAL(b.sockets, 5);
    CU_ASSERT_EQUAL(b.by_state[PROC_TCP_ESTABLISHED], 4);
    CU_ASSERT_EQUAL(b.by_state[PROC_TCP_LISTEN], 1);
    CU_ASSERT_EQUAL(b.established_on_port, 2);
    free(t);

    proc_nettcp_add(&a, &b);
    CU_ASSERT_EQUAL(a.by_state[PROC_TCP_ESTABLISHED], 10);
    CU_ASSERT_EQUAL(a.established_on_port, 5);
    CU_ASSERT_EQUAL(a.sockets, 16);

    t = fixture("proc/net/tcp");
    CU_ASSERT_EQUAL_FATAL(parse_proc_nettcp(t, 0, &a, NULL), 0);
    CU_ASSERT_EQUAL(a.established_on_port, 0);
    free(t);

    CU_ASSERT_STRING_EQUAL(proc_tcp_state_name(PROC_TCP_FIN_WAIT1), "fin_wait1");
    CU_ASSERT_STRING_EQUAL(proc_tcp_state_name(PROC_TCP_CLOSING), "closing");
    CU_ASSERT_STRING_EQUAL(proc_tcp_state_name(0), "");
    CU_ASSERT_STRING_EQUAL(proc_tcp_state_name(PROC_TCP_STATES), "");
}

static void test_nettcp_edges(void)
{
    struct proc_nettcp a;
    struct parse_err e = {0};
    char *t = fixture("edge/tcp_crlf");
    CU_ASSERT_EQUAL_FATAL(parse_proc_nettcp(t, 8080, &a, NULL), 0);
    CU_ASSERT_EQUAL(a.by_state[PROC_TCP_ESTABLISHED], 2);
    CU_ASSERT_EQUAL(a.by_state[PROC_TCP_LISTEN], 1);
    CU_ASSERT_EQUAL(a.established_on_port, 1);
    CU_ASSERT_EQUAL(a.malformed, 0);
    free(t);

    t = fixture("edge/tcp_garbage");
    CU_ASSERT_EQUAL_FATAL(parse_proc_nettcp(t, 8080, &a, NULL), 0);
    CU_ASSERT_EQUAL(a.by_state[PROC_TCP_ESTABLISHED], 3);
    CU_ASSERT_EQUAL(a.by_state[PROC_TCP_LISTEN], 1);
    CU_ASSERT_EQUAL(a.sockets, 4);
    CU_ASSERT_EQUAL(a.unknown_state, 1);
    CU_ASSERT_EQUAL(a.established_on_port, 3);
    CU_ASSERT_EQUAL(a.malformed, 5);
    free(t);

    CU_ASSERT_EQUAL(parse_proc_nettcp("", 0, &a, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_proc_nettcp("x\ny\n", 0, &a, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.line, 1);
}

static void test_nettcp_big_linear(void)
{
    /* 100k sockets (~15 MB): a quadratic parser would take minutes, this takes milliseconds. */
    const char *line = "   0: 0100007F:1F90 0100007F:D000 01 00000000:00000000 00:00000000 "
                       "00000000     0        0 13535 1 000000003721baab 20 0 0 10 -1\n";
    size_t ll = strlen(line), count = 100000;
    char *t = malloc(ll * count + 1);
    for (size_t i = 0; i < count; i++)
        memcpy(t + i * ll, line, ll);
    t[ll * count] = '\0';
    struct proc_nettcp a;
    CU_ASSERT_EQUAL_FATAL(parse_proc_nettcp(t, 8080, &a, NULL), 0);
    CU_ASSERT_EQUAL(a.by_state[PROC_TCP_ESTABLISHED], count);
    CU_ASSERT_EQUAL(a.established_on_port, count);
    free(t);
}

/* ---- /proc/self/{stat,limits} ---- */

static void test_pid_stat(void)
{
    struct proc_pid_stat ps;
    struct parse_err e = {0};
    char *t = fixture("proc/self/stat");
    CU_ASSERT_EQUAL_FATAL(parse_proc_pid_stat(t, &ps, NULL), 0);
    CU_ASSERT_EQUAL(ps.pid, 10551);
    CU_ASSERT_EQUAL(ps.state, 'R');
    CU_ASSERT_EQUAL(ps.utime, 81);
    CU_ASSERT_EQUAL(ps.stime, 1);
    CU_ASSERT_EQUAL(ps.num_threads, 4);
    CU_ASSERT_EQUAL(ps.starttime, 34260);
    CU_ASSERT_EQUAL(ps.vsize, 243523584);
    CU_ASSERT_EQUAL(ps.rss, 3341);
    free(t);

    t = fixture("edge/pid_stat_weird_comm");
    CU_ASSERT_EQUAL_FATAL(parse_proc_pid_stat(t, &ps, NULL), 0);
    CU_ASSERT_EQUAL(ps.pid, 4242);
    CU_ASSERT_EQUAL(ps.state, 'S');
    CU_ASSERT_EQUAL(ps.utime, 250);
    CU_ASSERT_EQUAL(ps.stime, 75);
    CU_ASSERT_EQUAL(ps.num_threads, 9);
    CU_ASSERT_EQUAL(ps.starttime, 123456);
    CU_ASSERT_EQUAL(ps.vsize, 987654321);
    CU_ASSERT_EQUAL(ps.rss, 2048);
    free(t);

    t = fixture("edge/pid_stat_short");
    CU_ASSERT_EQUAL(parse_proc_pid_stat(t, &ps, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.line, 1);
    free(t);
    t = fixture("edge/pid_stat_overflow");
    CU_ASSERT_EQUAL(parse_proc_pid_stat(t, &ps, &e), -ERANGE);
    free(t);
    CU_ASSERT_EQUAL(parse_proc_pid_stat("", &ps, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_proc_pid_stat("12 noparen S 1", &ps, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_proc_pid_stat("12 (x", &ps, &e), -EPROTO);
}

static void test_pid_limits(void)
{
    struct proc_pid_limits l;
    struct parse_err e = {0};
    char *t = fixture("proc/self/limits");
    CU_ASSERT_EQUAL_FATAL(parse_proc_pid_limits(t, &l, NULL), 0);
    CU_ASSERT(l.has_open_files && l.has_address_space);
    CU_ASSERT_EQUAL(l.open_files_soft, 20000);
    CU_ASSERT_EQUAL(l.open_files_hard, 20000);
    CU_ASSERT_EQUAL(l.address_space_soft, PROC_LIMIT_UNLIMITED);
    CU_ASSERT_EQUAL(l.address_space_hard, PROC_LIMIT_UNLIMITED);
    CU_ASSERT_EQUAL(l.malformed, 0);
    free(t);

    t = fixture("edge/limits_unlimited_crlf");
    CU_ASSERT_EQUAL_FATAL(parse_proc_pid_limits(t, &l, NULL), 0);
    CU_ASSERT_EQUAL(l.open_files_soft, UINT64_MAX);
    CU_ASSERT_EQUAL(l.address_space_soft, 17179869184ULL);
    CU_ASSERT_EQUAL(l.address_space_hard, UINT64_MAX);
    free(t);

    t = fixture("edge/limits_bad_open_files");
    CU_ASSERT_EQUAL_FATAL(parse_proc_pid_limits(t, &l, NULL), 0);
    CU_ASSERT_FALSE(l.has_open_files);
    CU_ASSERT(l.has_address_space);
    CU_ASSERT_EQUAL(l.malformed, 1);
    free(t);

    CU_ASSERT_EQUAL(parse_proc_pid_limits("", &l, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_proc_pid_limits("Max open files 18446744073709551616 1\n", &l, &e),
                    -ERANGE);
}

static CU_TestInfo parse_proc_tests[] = {
    {"stat_fixture", test_stat_fixture},
    {"stat_old_kernels", test_stat_old_kernels},
    {"stat_huge_and_overflow", test_stat_huge_and_overflow},
    {"stat_crlf_truncated_garbage", test_stat_crlf_truncated_garbage},
    {"stat_many_cpus", test_stat_many_cpus},
    {"meminfo_fixture", test_meminfo_fixture},
    {"meminfo_edges", test_meminfo_edges},
    {"loadavg", test_loadavg},
    {"pressure_fixtures", test_pressure_fixtures},
    {"pressure_edges", test_pressure_edges},
    {"netdev_fixture", test_netdev_fixture},
    {"netdev_edges", test_netdev_edges},
    {"nettcp_fixtures", test_nettcp_fixtures},
    {"nettcp_edges", test_nettcp_edges},
    {"nettcp_big_linear", test_nettcp_big_linear},
    {"pid_stat", test_pid_stat},
    {"pid_limits", test_pid_limits},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_parse_proc = {"parse_proc", NULL, NULL, NULL, NULL, parse_proc_tests};
