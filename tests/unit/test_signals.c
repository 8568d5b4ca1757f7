/* signals: CPU and memory utilization from hand-fed stores, container vs node basis, exact
 * ratios (inputs chosen so the results are exact doubles), and every way a signal can be
 * absent rather than zero. */
#include <errno.h>
#include <math.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "signals/signals.h"
#include "core/banned.h"

#define WINDOW 60000
#define GIB (1024.0 * 1024.0 * 1024.0)

static struct store *store_make(void)
{
    struct store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(store_new(64, &s), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    return s;
}

/* put appends v to id at t seconds. */
static void put(struct store *s, enum hist_series id, int64_t t_s, double v)
{
    CU_ASSERT_EQUAL(store_append(s, id, t_s * 1000, v), 0);
}

static void test_basis_names(void)
{
    CU_ASSERT_STRING_EQUAL(signals_basis_name(SIGNALS_BASIS_CONTAINER), "container");
    CU_ASSERT_STRING_EQUAL(signals_basis_name(SIGNALS_BASIS_NODE), "node");
    CU_ASSERT_STRING_EQUAL(signals_basis_name(SIGNALS_BASIS_NONE), "none");
}

static void test_cpu_node(void)
{
    struct store *s = store_make();
    double r = -1.0;
    enum signals_basis b = SIGNALS_BASIS_NONE;
    /* busy +50 of total +200 over the window. */
    put(s, HS_NODE_CPU_BUSY_SECONDS, 100, 1000);
    put(s, HS_NODE_CPU_TOTAL_SECONDS, 100, 8000);
    CU_ASSERT_EQUAL(signals_cpu_utilization(s, 100000, WINDOW, &r, &b), -ENODATA);
    CU_ASSERT_EQUAL(r, -1.0);
    put(s, HS_NODE_CPU_BUSY_SECONDS, 110, 1020);
    put(s, HS_NODE_CPU_TOTAL_SECONDS, 110, 8080);
    put(s, HS_NODE_CPU_BUSY_SECONDS, 120, 1050);
    put(s, HS_NODE_CPU_TOTAL_SECONDS, 120, 8200);
    CU_ASSERT_EQUAL_FATAL(signals_cpu_utilization(s, 120000, WINDOW, &r, &b), 0);
    CU_ASSERT_EQUAL(r, 0.25);
    CU_ASSERT_EQUAL(b, SIGNALS_BASIS_NODE);
    store_free(s);
}

/* A node counter that steps back a little (idle/iowait do on some kernels; a float sum can by
 * rounding) is noise, not a reset: the ratio must not jump by the counter's whole value. */
static void test_cpu_node_step_back(void)
{
    struct store *s = store_make();
    double r = -1.0;
    enum signals_basis b = SIGNALS_BASIS_NONE;
    put(s, HS_NODE_CPU_BUSY_SECONDS, 100, 1000);
    put(s, HS_NODE_CPU_TOTAL_SECONDS, 100, 8000);
    put(s, HS_NODE_CPU_BUSY_SECONDS, 110, 999.5); /* a reset would add 999.5 */
    put(s, HS_NODE_CPU_TOTAL_SECONDS, 110, 8100);
    put(s, HS_NODE_CPU_BUSY_SECONDS, 120, 1050);
    put(s, HS_NODE_CPU_TOTAL_SECONDS, 120, 8200);
    CU_ASSERT_EQUAL_FATAL(signals_cpu_utilization(s, 120000, WINDOW, &r, &b), 0);
    CU_ASSERT_EQUAL(r, 0.25); /* (1050 - 1000) / (8200 - 8000) */
    /* busy ending below where it started: clamped to 0, never negative */
    put(s, HS_NODE_CPU_BUSY_SECONDS, 130, 990);
    put(s, HS_NODE_CPU_TOTAL_SECONDS, 130, 8300);
    CU_ASSERT_EQUAL_FATAL(signals_cpu_utilization(s, 130000, WINDOW, &r, &b), 0);
    CU_ASSERT_EQUAL(r, 0.0);
    store_free(s);
}

static void test_cpu_node_absent(void)
{
    struct store *s = store_make();
    double r = -1.0;
    enum signals_basis b = SIGNALS_BASIS_NONE;
    /* Busy alone is not enough. */
    put(s, HS_NODE_CPU_BUSY_SECONDS, 1, 10);
    put(s, HS_NODE_CPU_BUSY_SECONDS, 2, 11);
    CU_ASSERT_EQUAL(signals_cpu_utilization(s, 2000, WINDOW, &r, &b), -ENODATA);
    /* Total that did not move: no division by zero. */
    put(s, HS_NODE_CPU_TOTAL_SECONDS, 1, 100);
    put(s, HS_NODE_CPU_TOTAL_SECONDS, 2, 100);
    CU_ASSERT_EQUAL(signals_cpu_utilization(s, 2000, WINDOW, &r, &b), -ENODATA);
    /* Samples older than the window do not count. */
    CU_ASSERT_EQUAL(signals_cpu_utilization(s, 2000 + WINDOW, WINDOW, &r, &b), -ENODATA);
    CU_ASSERT_EQUAL(signals_cpu_utilization(s, 2000, 0, &r, &b), -EINVAL);
    CU_ASSERT_EQUAL(r, -1.0);
    CU_ASSERT_EQUAL(b, SIGNALS_BASIS_NONE);
    store_free(s);
}

static void node_cpu_at_half(struct store *s)
{
    put(s, HS_NODE_CPU_BUSY_SECONDS, 0, 0);
    put(s, HS_NODE_CPU_TOTAL_SECONDS, 0, 0);
    put(s, HS_NODE_CPU_BUSY_SECONDS, 20, 40);
    put(s, HS_NODE_CPU_TOTAL_SECONDS, 20, 80);
}

static void test_cpu_container(void)
{
    struct store *s = store_make();
    double r;
    enum signals_basis b;
    node_cpu_at_half(s); /* present, but a container limit takes precedence */
    put(s, HS_CONTAINER_CPU_LIMIT_CORES, 0, 2.0);
    put(s, HS_CONTAINER_CPU_USAGE_SECONDS, 0, 10);
    put(s, HS_CONTAINER_CPU_LIMIT_CORES, 20, 2.0);
    put(s, HS_CONTAINER_CPU_USAGE_SECONDS, 20, 20);
    /* 10 CPU-seconds in 20 s = 0.5 cores of 2. */
    CU_ASSERT_EQUAL_FATAL(signals_cpu_utilization(s, 20000, WINDOW, &r, &b), 0);
    CU_ASSERT_EQUAL(r, 0.25);
    CU_ASSERT_EQUAL(b, SIGNALS_BASIS_CONTAINER);
    /* Bursting past the limit is reported, not clamped: 30 CPU-s in 10 s = 3 cores of 2. */
    put(s, HS_CONTAINER_CPU_LIMIT_CORES, 30, 2.0);
    put(s, HS_CONTAINER_CPU_USAGE_SECONDS, 30, 50);
    CU_ASSERT_EQUAL_FATAL(signals_cpu_utilization(s, 30000, 10001, &r, &b), 0);
    CU_ASSERT_EQUAL(r, 1.5);
    store_free(s);
}

static void test_cpu_container_reset(void)
{
    struct store *s = store_make();
    double r;
    enum signals_basis b;
    /* 10 -> 14, container restart, 0 -> 4: increase 4 + 0 + 4 = 8 CPU-s in 32 s, limit 1. */
    put(s, HS_CONTAINER_CPU_LIMIT_CORES, 0, 1.0);
    put(s, HS_CONTAINER_CPU_USAGE_SECONDS, 0, 10);
    put(s, HS_CONTAINER_CPU_USAGE_SECONDS, 16, 14);
    put(s, HS_CONTAINER_CPU_USAGE_SECONDS, 24, 0);
    put(s, HS_CONTAINER_CPU_USAGE_SECONDS, 32, 4);
    CU_ASSERT_EQUAL_FATAL(signals_cpu_utilization(s, 32000, WINDOW, &r, &b), 0);
    CU_ASSERT_EQUAL(r, 0.25);
    CU_ASSERT_EQUAL(b, SIGNALS_BASIS_CONTAINER);
    store_free(s);
}

static void test_cpu_container_absent_no_fallback(void)
{
    struct store *s = store_make();
    double r = -1.0;
    enum signals_basis b = SIGNALS_BASIS_NONE;
    struct signals_out o;
    node_cpu_at_half(s);
    put(s, HS_CONTAINER_CPU_LIMIT_CORES, 20, 2.0);
    put(s, HS_CONTAINER_CPU_USAGE_SECONDS, 20, 10);
    /* A limit exists, so the node's view must not stand in for the missing usage rate. */
    CU_ASSERT_EQUAL(signals_cpu_utilization(s, 20000, WINDOW, &r, &b), -ENODATA);
    CU_ASSERT_EQUAL(r, -1.0);
    CU_ASSERT_EQUAL_FATAL(signals_compute(s, 20000, WINDOW, &o), 0);
    CU_ASSERT_FALSE(o.has[SIG_CPU_UTILIZATION]);
    CU_ASSERT_STRING_EQUAL(o.basis[SIG_CPU_UTILIZATION], "container");
    store_free(s);
}

static void test_cpu_limit_gone_is_node(void)
{
    struct store *s = store_make();
    double r;
    enum signals_basis b;
    /* The limit was lifted ("max", recorded as NaN): node basis. */
    put(s, HS_CONTAINER_CPU_LIMIT_CORES, 0, NAN);
    put(s, HS_CONTAINER_CPU_LIMIT_CORES, 20, NAN);
    put(s, HS_CONTAINER_CPU_USAGE_SECONDS, 0, 0);
    put(s, HS_CONTAINER_CPU_USAGE_SECONDS, 20, 10);
    node_cpu_at_half(s);
    CU_ASSERT_EQUAL_FATAL(signals_cpu_utilization(s, 20000, WINDOW, &r, &b), 0);
    CU_ASSERT_EQUAL(r, 0.5);
    CU_ASSERT_EQUAL(b, SIGNALS_BASIS_NODE);
    /* A limit seen only before the window does not count either. */
    struct store *s2 = store_make();
    put(s2, HS_CONTAINER_CPU_LIMIT_CORES, -100, 4.0);
    node_cpu_at_half(s2);
    CU_ASSERT_EQUAL_FATAL(signals_cpu_utilization(s2, 20000, WINDOW, &r, &b), 0);
    CU_ASSERT_EQUAL(b, SIGNALS_BASIS_NODE);
    store_free(s2);
    store_free(s);
}

static void test_memory_container(void)
{
    struct store *s = store_make();
    double r = -1.0;
    enum signals_basis b;
    put(s, HS_NODE_MEMORY_TOTAL_BYTES, 10, 16 * GIB);
    put(s, HS_NODE_MEMORY_AVAILABLE_BYTES, 10, 4 * GIB);
    put(s, HS_CONTAINER_MEMORY_LIMIT_BYTES, 10, 2 * GIB);
    put(s, HS_CONTAINER_MEMORY_WORKING_SET_BYTES, 5, 1 * GIB);
    put(s, HS_CONTAINER_MEMORY_WORKING_SET_BYTES, 10, 1.5 * GIB);
    /* last working set / last limit. */
    CU_ASSERT_EQUAL_FATAL(signals_memory_utilization(s, 10000, WINDOW, &r, &b), 0);
    CU_ASSERT_EQUAL(r, 0.75);
    CU_ASSERT_EQUAL(b, SIGNALS_BASIS_CONTAINER);
    /* A limit of 0 is nonsense: absent, never a division by zero. */
    put(s, HS_CONTAINER_MEMORY_LIMIT_BYTES, 11, 0);
    r = -1.0;
    CU_ASSERT_EQUAL(signals_memory_utilization(s, 11000, WINDOW, &r, &b), -ENODATA);
    CU_ASSERT_EQUAL(r, -1.0);
    store_free(s);
}

static void test_memory_node(void)
{
    struct store *s = store_make();
    double r = -1.0;
    enum signals_basis b;
    put(s, HS_NODE_MEMORY_TOTAL_BYTES, 10, 16 * GIB);
    CU_ASSERT_EQUAL(signals_memory_utilization(s, 10000, WINDOW, &r, &b), -ENODATA);
    put(s, HS_NODE_MEMORY_AVAILABLE_BYTES, 10, 4 * GIB);
    /* One sample is enough for a gauge: 1 - 4/16. */
    CU_ASSERT_EQUAL_FATAL(signals_memory_utilization(s, 10000, WINDOW, &r, &b), 0);
    CU_ASSERT_EQUAL(r, 0.75);
    CU_ASSERT_EQUAL(b, SIGNALS_BASIS_NODE);
    /* Available above total (inconsistent reads) clamps at 0 rather than going negative. */
    put(s, HS_NODE_MEMORY_AVAILABLE_BYTES, 11, 17 * GIB);
    CU_ASSERT_EQUAL_FATAL(signals_memory_utilization(s, 11000, WINDOW, &r, &b), 0);
    CU_ASSERT_EQUAL(r, 0.0);
    /* The container limit is NaN ("max"): still node. */
    put(s, HS_CONTAINER_MEMORY_LIMIT_BYTES, 12, NAN);
    put(s, HS_CONTAINER_MEMORY_WORKING_SET_BYTES, 12, 1 * GIB);
    put(s, HS_NODE_MEMORY_AVAILABLE_BYTES, 12, 12 * GIB);
    CU_ASSERT_EQUAL_FATAL(signals_memory_utilization(s, 12000, WINDOW, &r, &b), 0);
    CU_ASSERT_EQUAL(r, 0.25);
    CU_ASSERT_EQUAL(b, SIGNALS_BASIS_NODE);
    store_free(s);
}

static void test_compute(void)
{
    struct store *s = store_make();
    struct signals_out o;
    /* Nothing known: both absent, never 0 in disguise. */
    CU_ASSERT_EQUAL_FATAL(signals_compute(s, 1000, WINDOW, &o), 0);
    CU_ASSERT_FALSE(o.has[SIG_CPU_UTILIZATION]);
    CU_ASSERT_FALSE(o.has[SIG_MEMORY_UTILIZATION]);
    CU_ASSERT_STRING_EQUAL(o.basis[SIG_CPU_UTILIZATION], "node");
    CU_ASSERT_STRING_EQUAL(o.basis[SIG_MEMORY_UTILIZATION], "node");

    node_cpu_at_half(s);
    put(s, HS_CONTAINER_MEMORY_LIMIT_BYTES, 20, 4 * GIB);
    put(s, HS_CONTAINER_MEMORY_WORKING_SET_BYTES, 20, 1 * GIB);
    CU_ASSERT_EQUAL_FATAL(signals_compute(s, 20000, WINDOW, &o), 0);
    CU_ASSERT(o.has[SIG_CPU_UTILIZATION]);
    CU_ASSERT_EQUAL(o.v[SIG_CPU_UTILIZATION], 0.5);
    CU_ASSERT_STRING_EQUAL(o.basis[SIG_CPU_UTILIZATION], "node");
    CU_ASSERT(o.has[SIG_MEMORY_UTILIZATION]);
    CU_ASSERT_EQUAL(o.v[SIG_MEMORY_UTILIZATION], 0.25);
    CU_ASSERT_STRING_EQUAL(o.basis[SIG_MEMORY_UTILIZATION], "container");

    o.v[SIG_CPU_UTILIZATION] = -1.0;
    CU_ASSERT_EQUAL(signals_compute(s, 20000, 0, &o), -EINVAL);
    CU_ASSERT_EQUAL(o.v[SIG_CPU_UTILIZATION], -1.0);
    store_free(s);
}

static CU_TestInfo tests[] = {
    {"basis names", test_basis_names},
    {"cpu: node busy / total", test_cpu_node},
    {"cpu: node counter stepping back is not a reset", test_cpu_node_step_back},
    {"cpu: node absent cases", test_cpu_node_absent},
    {"cpu: container usage rate / limit, not clamped at 1", test_cpu_container},
    {"cpu: container counter reset", test_cpu_container_reset},
    {"cpu: container limit without usage is absent", test_cpu_container_absent_no_fallback},
    {"cpu: NaN or stale limit means node", test_cpu_limit_gone_is_node},
    {"memory: container working set / limit", test_memory_container},
    {"memory: node 1 - available / total", test_memory_node},
    {"compute fills values, flags and bases", test_compute},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_signals = {"signals", NULL, NULL, NULL, NULL, tests};
