/* signals (the app part): requests per second, error ratio, response time, the cache
 * hierarchy and tier ratios, active connections and histogram quantiles, from hand-fed stores
 * with exact results, and every way each signal is absent rather than 0. */
#include <errno.h>
#include <math.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "signals/signals.h"
#include "core/banned.h"

#define WINDOW 60000

/* One row: samples of some series at t seconds, then the expected result at now. */
struct feed {
    enum hist_series id;
    int64_t t_s;
    double v;
};

enum sig { SIG_RPS, SIG_ERR, SIG_RT, SIG_HIT, SIG_L1, SIG_L2, SIG_CONN };

struct row {
    const char *what;
    enum sig sig;
    struct feed feed[12];
    int64_t now_s;
    int rc;
    double want;
};

static const struct row rows[] = {
    {"rps: 600 requests in 60 s",
     SIG_RPS,
     {{HS_APP_REQUESTS, 10, 1000}, {HS_APP_REQUESTS, 40, 1300}, {HS_APP_REQUESTS, 70, 1600}},
     70,
     0,
     10.0},
    {"rps: a counter reset counts the new value",
     SIG_RPS,
     {{HS_APP_REQUESTS, 20, 500}, {HS_APP_REQUESTS, 30, 600}, {HS_APP_REQUESTS, 40, 100}},
     40,
     0,
     10.0},
    {"rps: idle app is a measured 0",
     SIG_RPS,
     {{HS_APP_REQUESTS, 20, 7}, {HS_APP_REQUESTS, 30, 7}},
     30,
     0,
     0.0},
    {"rps: one sample is absent", SIG_RPS, {{HS_APP_REQUESTS, 20, 7}}, 30, -ENODATA, 0},
    {"rps: no source is absent", SIG_RPS, {{HS_NODE_CPU_BUSY_SECONDS, 20, 7}}, 30, -ENODATA, 0},
    {"rps: samples older than the window are absent",
     SIG_RPS,
     {{HS_APP_REQUESTS, 1, 7}, {HS_APP_REQUESTS, 2, 9}},
     100,
     -ENODATA,
     0},
    {"error ratio: 25 of 200",
     SIG_ERR,
     {{HS_APP_REQUESTS, 10, 100},
      {HS_APP_ERRORS, 10, 5},
      {HS_APP_REQUESTS, 20, 300},
      {HS_APP_ERRORS, 20, 30}},
     20,
     0,
     0.125},
    {"error ratio: no requests in the window is absent",
     SIG_ERR,
     {{HS_APP_REQUESTS, 10, 100},
      {HS_APP_ERRORS, 10, 5},
      {HS_APP_REQUESTS, 20, 100},
      {HS_APP_ERRORS, 20, 6}},
     20,
     -ENODATA,
     0},
    {"error ratio: errors ahead of requests clamp at 1",
     SIG_ERR,
     {{HS_APP_REQUESTS, 10, 100},
      {HS_APP_ERRORS, 10, 0},
      {HS_APP_REQUESTS, 20, 101},
      {HS_APP_ERRORS, 20, 3}},
     20,
     0,
     1.0},
    {"response time: 30 s over 120 requests",
     SIG_RT,
     {{HS_APP_DURATION_SUM, 10, 10},
      {HS_APP_DURATION_COUNT, 10, 40},
      {HS_APP_DURATION_SUM, 20, 40},
      {HS_APP_DURATION_COUNT, 20, 160}},
     20,
     0,
     0.25},
    {"response time: no request in the window is absent",
     SIG_RT,
     {{HS_APP_DURATION_SUM, 10, 10},
      {HS_APP_DURATION_COUNT, 10, 40},
      {HS_APP_DURATION_SUM, 20, 10},
      {HS_APP_DURATION_COUNT, 20, 40}},
     20,
     -ENODATA,
     0},
    {"cache hierarchy: (60 + 20) / (60 + 40)",
     SIG_HIT,
     {{HS_CACHE_L1_HITS, 10, 0},
      {HS_CACHE_L1_MISSES, 10, 0},
      {HS_CACHE_L2_HITS, 10, 0},
      {HS_CACHE_L2_MISSES, 10, 0},
      {HS_CACHE_L1_HITS, 20, 60},
      {HS_CACHE_L1_MISSES, 20, 40},
      {HS_CACHE_L2_HITS, 20, 20},
      {HS_CACHE_L2_MISSES, 20, 20}},
     20,
     0,
     0.8},
    {"cache hierarchy: l2 absent counts no l2 hits",
     SIG_HIT,
     {{HS_CACHE_L1_HITS, 10, 0},
      {HS_CACHE_L1_MISSES, 10, 0},
      {HS_CACHE_L1_HITS, 20, 30},
      {HS_CACHE_L1_MISSES, 20, 10}},
     20,
     0,
     0.75},
    {"cache hierarchy: l1 never reported falls back to the l2 ratio",
     SIG_HIT,
     {{HS_CACHE_L2_HITS, 10, 0},
      {HS_CACHE_L2_MISSES, 10, 0},
      {HS_CACHE_L2_HITS, 20, 9},
      {HS_CACHE_L2_MISSES, 20, 3}},
     20,
     0,
     0.75},
    {"cache hierarchy: no lookups is absent",
     SIG_HIT,
     {{HS_CACHE_L1_HITS, 10, 5},
      {HS_CACHE_L1_MISSES, 10, 5},
      {HS_CACHE_L1_HITS, 20, 5},
      {HS_CACHE_L1_MISSES, 20, 5}},
     20,
     -ENODATA,
     0},
    {"tier l1: 60 / 100",
     SIG_L1,
     {{HS_CACHE_L1_HITS, 10, 0},
      {HS_CACHE_L1_MISSES, 10, 0},
      {HS_CACHE_L1_HITS, 20, 60},
      {HS_CACHE_L1_MISSES, 20, 40}},
     20,
     0,
     0.6},
    {"tier l2: 20 / 40",
     SIG_L2,
     {{HS_CACHE_L2_HITS, 10, 0},
      {HS_CACHE_L2_MISSES, 10, 0},
      {HS_CACHE_L2_HITS, 20, 20},
      {HS_CACHE_L2_MISSES, 20, 20}},
     20,
     0,
     0.5},
    {"tier l2: absent", SIG_L2, {{HS_CACHE_L1_HITS, 10, 0}}, 20, -ENODATA, 0},
    {"connections: the app's gauge wins",
     SIG_CONN,
     {{HS_APP_PORT_CONNECTIONS, 19, 3}, {HS_APP_ACTIVE_CONNECTIONS, 10, 12}},
     20,
     0,
     12},
    {"connections: sockets when the app did not report in the window",
     SIG_CONN,
     {{HS_APP_ACTIVE_CONNECTIONS, 1, 12}, {HS_APP_PORT_CONNECTIONS, 99, 3}},
     100,
     0,
     3},
    {"connections: absent without either", SIG_CONN, {{HS_APP_REQUESTS, 10, 1}}, 20, -ENODATA, 0},
};

static int run(const struct store *s, enum sig sig, int64_t now_ms, double *v,
               enum signals_conn_basis *b)
{
    switch (sig) {
    case SIG_RPS:
        return signals_requests_per_second(s, now_ms, WINDOW, v);
    case SIG_ERR:
        return signals_error_ratio(s, now_ms, WINDOW, v);
    case SIG_RT:
        return signals_response_time(s, now_ms, WINDOW, v);
    case SIG_HIT:
        return signals_cache_hit_ratio(s, now_ms, WINDOW, v);
    case SIG_L1:
        return signals_cache_tier_hit_ratio(s, 0, now_ms, WINDOW, v);
    case SIG_L2:
        return signals_cache_tier_hit_ratio(s, 1, now_ms, WINDOW, v);
    case SIG_CONN:
        return signals_active_connections(s, now_ms, WINDOW, v, b);
    }
    return -EINVAL;
}

static void test_table(void)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *r = &rows[i];
        struct store *s = NULL;
        CU_ASSERT_EQUAL_FATAL(store_new(64, &s), 0);
        for (size_t k = 0; k < 12 && r->feed[k].t_s != 0; k++)
            CU_ASSERT_EQUAL(store_append(s, r->feed[k].id, r->feed[k].t_s * 1000, r->feed[k].v), 0);
        double v = -1;
        enum signals_conn_basis b = SIGNALS_CONN_NONE;
        int rc = run(s, r->sig, r->now_s * 1000, &v, &b);
        CU_ASSERT_EQUAL(rc, r->rc);
        if (r->rc == 0) {
            CU_ASSERT_EQUAL(v, r->want);
        } else {
            CU_ASSERT_EQUAL(v, -1); /* untouched */
        }
        if (rc != r->rc || (rc == 0 && v != r->want))
            fprintf(stderr, "\n%s: rc %d value %.17g\n", r->what, rc, v);
        store_free(s);
    }
}

static void test_connection_basis(void)
{
    struct store *s = NULL;
    double v;
    enum signals_conn_basis b = SIGNALS_CONN_NONE;
    CU_ASSERT_EQUAL_FATAL(store_new(64, &s), 0);
    store_append(s, HS_APP_PORT_CONNECTIONS, 10000, 4);
    CU_ASSERT_EQUAL(signals_active_connections(s, 10000, WINDOW, &v, &b), 0);
    CU_ASSERT_EQUAL(b, SIGNALS_CONN_SOCKETS);
    store_append(s, HS_APP_ACTIVE_CONNECTIONS, 11000, 9);
    CU_ASSERT_EQUAL(signals_active_connections(s, 11000, WINDOW, &v, &b), 0);
    CU_ASSERT_EQUAL(b, SIGNALS_CONN_APP);
    CU_ASSERT_EQUAL(v, 9);
    CU_ASSERT_STRING_EQUAL(signals_conn_basis_name(SIGNALS_CONN_APP), "app");
    CU_ASSERT_STRING_EQUAL(signals_conn_basis_name(SIGNALS_CONN_SOCKETS), "sockets");
    CU_ASSERT_STRING_EQUAL(signals_conn_basis_name(SIGNALS_CONN_NONE), "none");
    store_free(s);
}

/* Prometheus histogram_quantile on the same buckets gives these values. */
static void test_quantiles(void)
{
    static const double bounds[] = {0.1, 0.2, 0.4, 0.8};
    static const uint64_t cum[] = {10, 30, 80, 100};
    double v;
    CU_ASSERT_EQUAL(signals_histogram_quantile(0.5, bounds, cum, 4, 100, &v), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 0.28, 1e-12); /* rank 50: 0.2 + 0.2 * 20/50 */
    CU_ASSERT_EQUAL(signals_histogram_quantile(0.05, bounds, cum, 4, 100, &v), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 0.05, 1e-12); /* first bucket starts at 0 */
    CU_ASSERT_EQUAL(signals_histogram_quantile(0.99, bounds, cum, 4, 100, &v), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 0.78, 1e-12);
    CU_ASSERT_EQUAL(signals_histogram_quantile(0.99, bounds, cum, 4, 200, &v), 0);
    CU_ASSERT_EQUAL(v, 0.8); /* rank 198 in +Inf: highest finite bound */
    CU_ASSERT_EQUAL(signals_histogram_quantile(1.0, bounds, cum, 4, 100, &v), 0);
    CU_ASSERT_EQUAL(v, 0.8);
    CU_ASSERT_EQUAL(signals_histogram_quantile(0.0, bounds, cum, 4, 100, &v), 0);
    CU_ASSERT_EQUAL(v, 0.0);
    v = -1;
    CU_ASSERT_EQUAL(signals_histogram_quantile(0.5, bounds, cum, 4, 0, &v), -ENODATA);
    CU_ASSERT_EQUAL(signals_histogram_quantile(1.5, bounds, cum, 4, 100, &v), -EINVAL);
    CU_ASSERT_EQUAL(signals_histogram_quantile(NAN, bounds, cum, 4, 100, &v), -EINVAL);
    CU_ASSERT_EQUAL(v, -1);
    static const double neg[] = {-1, 1};
    static const uint64_t ncum[] = {5, 10};
    CU_ASSERT_EQUAL(signals_histogram_quantile(0.1, neg, ncum, 2, 10, &v), 0);
    CU_ASSERT_EQUAL(v, -1);
}

/* signals_compute carries the app signals and keeps them absent without data. */
static void test_compute(void)
{
    struct store *s = NULL;
    struct signals_out o;
    CU_ASSERT_EQUAL_FATAL(store_new(64, &s), 0);
    CU_ASSERT_EQUAL(signals_compute(s, 20000, WINDOW, &o), 0);
    CU_ASSERT_FALSE(o.has[SIG_REQUESTS_PER_SECOND]);
    CU_ASSERT_FALSE(o.has[SIG_ERROR_RATIO]);
    CU_ASSERT_FALSE(o.has[SIG_RESPONSE_TIME]);
    CU_ASSERT_FALSE(o.has[SIG_ACTIVE_CONNECTIONS]);
    CU_ASSERT_FALSE(o.has[SIG_CACHE_HIT_RATIO]);
    CU_ASSERT_FALSE(o.has[SIG_CACHE_L1_HIT_RATIO]);
    CU_ASSERT_FALSE(o.has[SIG_CACHE_L2_HIT_RATIO]);
    CU_ASSERT_STRING_EQUAL(o.basis[SIG_ACTIVE_CONNECTIONS], "none");
    store_append(s, HS_APP_REQUESTS, 10000, 0);
    store_append(s, HS_APP_ERRORS, 10000, 0);
    store_append(s, HS_APP_REQUESTS, 20000, 50);
    store_append(s, HS_APP_ERRORS, 20000, 5);
    CU_ASSERT_EQUAL(signals_compute(s, 20000, WINDOW, &o), 0);
    CU_ASSERT_TRUE(o.has[SIG_REQUESTS_PER_SECOND]);
    CU_ASSERT_EQUAL(o.v[SIG_REQUESTS_PER_SECOND], 5.0);
    CU_ASSERT_TRUE(o.has[SIG_ERROR_RATIO]);
    CU_ASSERT_EQUAL(o.v[SIG_ERROR_RATIO], 0.1);
    CU_ASSERT_FALSE(o.has[SIG_RESPONSE_TIME]);
    store_free(s);
}

/* Idle (SPEC 5): a flat request counter with the source up is idle, error ratio 0, response
 * time still absent; the same counter with the source down, or no counter, stays unknown. */
static void test_idle(void)
{
    struct store *s = NULL;
    struct signals_out o;
    CU_ASSERT_EQUAL_FATAL(store_new(64, &s), 0);
    CU_ASSERT_EQUAL(signals_compute(s, 20000, WINDOW, &o), 0);
    signals_mark_idle(&o, true);
    CU_ASSERT_FALSE(o.idle); /* no request source: unknown */
    CU_ASSERT_FALSE(o.has[SIG_ERROR_RATIO]);
    for (int t = 10; t <= 30; t += 10) {
        store_append(s, HS_APP_REQUESTS, t * 1000, 42);
        store_append(s, HS_APP_ERRORS, t * 1000, 3);
        store_append(s, HS_APP_DURATION_SUM, t * 1000, 9.5);
        store_append(s, HS_APP_DURATION_COUNT, t * 1000, 42);
    }
    CU_ASSERT_EQUAL(signals_compute(s, 30000, WINDOW, &o), 0);
    CU_ASSERT_TRUE(o.has[SIG_REQUESTS_PER_SECOND]);
    CU_ASSERT_EQUAL(o.v[SIG_REQUESTS_PER_SECOND], 0.0);
    CU_ASSERT_FALSE(o.has[SIG_ERROR_RATIO]);
    signals_mark_idle(&o, false); /* the pull source is down: a flat counter proves nothing */
    CU_ASSERT_FALSE(o.idle);
    CU_ASSERT_FALSE(o.has[SIG_ERROR_RATIO]);
    signals_mark_idle(&o, true);
    CU_ASSERT_TRUE(o.idle);
    CU_ASSERT_TRUE(o.has[SIG_ERROR_RATIO]);
    CU_ASSERT_EQUAL(o.v[SIG_ERROR_RATIO], 0.0);
    CU_ASSERT_FALSE(o.has[SIG_RESPONSE_TIME]);
    /* One request arrives: no longer idle, the ratios are measured again. */
    store_append(s, HS_APP_REQUESTS, 40000, 43);
    store_append(s, HS_APP_ERRORS, 40000, 4);
    CU_ASSERT_EQUAL(signals_compute(s, 40000, WINDOW, &o), 0);
    signals_mark_idle(&o, true);
    CU_ASSERT_FALSE(o.idle);
    CU_ASSERT_EQUAL(o.v[SIG_ERROR_RATIO], 1.0);
    store_free(s);
}

static CU_TestInfo tests[] = {
    {"idle: zero requests with the source up", test_idle},
    {"table: exact values and absences", test_table},
    {"active connections basis", test_connection_basis},
    {"histogram_quantile", test_quantiles},
    {"compute carries the app signals", test_compute},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_signals_app = {"signals_app", NULL, NULL, NULL, NULL, tests};
