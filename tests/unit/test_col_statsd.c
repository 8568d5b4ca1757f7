/* Unit tests for the statsd collector: the real collector (collect/col_statsd.c) on a loopback
 * UDP socket bound to port 0, fed the datagrams of tests/fixtures/statsd/, read by its
 * on_readable hook exactly as the sampler's loop would, and collected into a recording sink.
 * The test asserts the exact samples, the exact app-stats aggregate (the channel that feeds the
 * signals) and what a second, empty tick keeps. No clock is involved: statsd values are sums and
 * last values, stamped by the sampler, not by the collector. */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "collect/app_stats.h"
#include "collect/collectors.h"
#include "collect/registry.h"
#include "collect/sink.h"
#include "config/config.h"
#include "render/render.h"
#include "store/mset.h"
#include "unit_util.h"

#define EPS 1e-9

struct statsd_run {
    struct config cfg;
    void *ctx;
    struct app_stats *stats;
    int tx; /* the app's socket */
    struct sockaddr_in to;
};

static void statsd_start(struct statsd_run *r, const char *max_series)
{
    char flag[64];
    snprintf(flag, sizeof(flag), "--statsd.max-series=%s", max_series);
    char *argv[] = {"rizk-metrics", "--statsd.listen-address=127.0.0.1:0", flag, NULL};
    char *env[] = {NULL};
    FILE *null = fopen("/dev/null", "w");
    memset(r, 0, sizeof(*r));
    CU_ASSERT_EQUAL_FATAL(
        config_load(&r->cfg, &registry_config_collectors, 3, argv, env, null, null), CONFIG_RUN);
    fclose(null);
    CU_ASSERT_EQUAL_FATAL(col_statsd_type.init(&r->cfg, &r->ctx), 0);
    CU_ASSERT_EQUAL_FATAL(app_stats_new(&r->stats), 0);
    col_statsd_type.bind_app_stats(r->ctx, r->stats);
    int fd = col_statsd_type.event_fd(r->ctx);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    socklen_t sl = sizeof(r->to);
    CU_ASSERT_EQUAL_FATAL(getsockname(fd, (struct sockaddr *)&r->to, &sl), 0);
    r->tx = socket(AF_INET, SOCK_DGRAM, 0);
    CU_ASSERT_TRUE_FATAL(r->tx >= 0);
}

/* statsd_send sends one datagram and lets the collector read it, as the loop does when the fd
 * turns readable. */
static void statsd_send(struct statsd_run *r, const char *dgram, size_t n)
{
    CU_ASSERT_EQUAL_FATAL(
        sendto(r->tx, dgram, n, 0, (const struct sockaddr *)&r->to, sizeof(r->to)), (ssize_t)n);
    struct pollfd p = {col_statsd_type.event_fd(r->ctx), POLLIN, 0};
    CU_ASSERT_EQUAL_FATAL(poll(&p, 1, 5000), 1); /* loopback: there at once; 5 s is a hang */
    col_statsd_type.on_readable(r->ctx);
}

static void statsd_stop(struct statsd_run *r)
{
    close(r->tx);
    col_statsd_type.destroy(r->ctx);
    app_stats_free(r->stats);
    config_fini(&r->cfg);
}

#define ASSERT_SAMPLE(m, name, lname, lval, want)                                                  \
    CU_ASSERT_DOUBLE_EQUAL(unit_sample(m, name, lname, lval), (want), EPS)

static void statsd_collect(struct statsd_run *r, struct mset **m)
{
    *m = mset_new();
    struct sample_sink *s = sink_new(*m);
    CU_ASSERT_EQUAL(col_statsd_type.collect(r->ctx, s), 0);
    sink_free(s);
}

static void test_statsd_fixture(void)
{
    struct statsd_run r;
    statsd_start(&r, "100");
    size_t n = 0;
    char *body = unit_fixture_read("statsd/collector.txt", &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    statsd_send(&r, body, n);
    free(body);
    struct mset *m;
    statsd_collect(&r, &m);

    /* one datagram of 20 lines: 16 used, 4 malformed, one per reason */
    ASSERT_SAMPLE(m, "rizk_statsd_packets_total", NULL, NULL, 1);
    ASSERT_SAMPLE(m, "rizk_statsd_lines_total", NULL, NULL, 20);
    ASSERT_SAMPLE(m, "rizk_statsd_malformed_lines_total", "reason", "bad_name", 1);
    ASSERT_SAMPLE(m, "rizk_statsd_malformed_lines_total", "reason", "bad_value", 1);
    ASSERT_SAMPLE(m, "rizk_statsd_malformed_lines_total", "reason", "bad_type", 1);
    ASSERT_SAMPLE(m, "rizk_statsd_malformed_lines_total", "reason", "bad_rate", 1);
    ASSERT_SAMPLE(m, "rizk_statsd_malformed_lines_total", "reason", "bad_tags", 0);
    ASSERT_SAMPLE(m, "rizk_statsd_dropped_total", "reason", "max_series", 0);
    ASSERT_SAMPLE(m, "rizk_statsd_max_series", NULL, NULL, 100);
    /* other names become rizk_app_* series: a counter summed per tag set, a gauge, a set */
    ASSERT_SAMPLE(m, "rizk_app_api_calls_total", "env", "prod", 5);
    ASSERT_SAMPLE(m, "rizk_app_queue_depth", NULL, NULL, 7);
    ASSERT_SAMPLE(m, "rizk_app_users_unique", NULL, NULL, 2);
    ASSERT_SAMPLE(m, "rizk_statsd_series", NULL, NULL, 3);
    CU_ASSERT_PTR_NULL(mset_find(m, "rizk_app_x_total"));

    /* the rizk.* names feed the app aggregate (rates: @0.5 counts 2, @0.1 counts 10) */
    struct app_stats_view v;
    app_stats_view(r.stats, &v);
    CU_ASSERT_TRUE(v.has_requests);
    CU_ASSERT_DOUBLE_EQUAL(v.requests, 2, EPS);
    CU_ASSERT_DOUBLE_EQUAL(v.errors, 1 + 2, EPS); /* status:500 + rizk.errors@0.5 */
    CU_ASSERT_TRUE(v.has_durations);
    CU_ASSERT_EQUAL(v.duration_count, 11);
    CU_ASSERT_DOUBLE_EQUAL(v.duration_sum, 0.0125 + 10 * 0.030, EPS);
    CU_ASSERT_TRUE(v.has_active && v.active_reported);
    CU_ASSERT_DOUBLE_EQUAL(v.active, 8, EPS); /* 10, then -2 relative */
    CU_ASSERT_TRUE(v.has_cache[APP_TIER_L1] && v.has_cache[APP_TIER_L2]);
    CU_ASSERT_DOUBLE_EQUAL(v.cache_hits[APP_TIER_L1], 9, EPS);
    CU_ASSERT_DOUBLE_EQUAL(v.cache_misses[APP_TIER_L1], 1, EPS);
    CU_ASSERT_DOUBLE_EQUAL(v.cache_hits[APP_TIER_L2], 1, EPS);
    CU_ASSERT_DOUBLE_EQUAL(v.cache_misses[APP_TIER_L2], 0, EPS);
    mset_free(m);

    /* a second tick without traffic: counters and gauges stay, the set starts over */
    statsd_collect(&r, &m);
    ASSERT_SAMPLE(m, "rizk_statsd_packets_total", NULL, NULL, 1);
    ASSERT_SAMPLE(m, "rizk_app_api_calls_total", "env", "prod", 5);
    ASSERT_SAMPLE(m, "rizk_app_queue_depth", NULL, NULL, 7);
    ASSERT_SAMPLE(m, "rizk_app_users_unique", NULL, NULL, 0);
    mset_free(m);
    statsd_stop(&r);
}

/* --statsd.max-series bounds the rizk_app_* series: the rest is dropped and counted. */
static void test_statsd_series_cap(void)
{
    struct statsd_run r;
    statsd_start(&r, "2");
    const char *d = "a:1|g\nb:2|g\nc:3|g\nd:4|c\nrizk.requests:1|c\n";
    statsd_send(&r, d, strlen(d));
    struct mset *m;
    statsd_collect(&r, &m);
    ASSERT_SAMPLE(m, "rizk_statsd_series", NULL, NULL, 2);
    ASSERT_SAMPLE(m, "rizk_statsd_dropped_total", "reason", "max_series", 2);
    ASSERT_SAMPLE(m, "rizk_app_a", NULL, NULL, 1);
    ASSERT_SAMPLE(m, "rizk_app_b", NULL, NULL, 2);
    CU_ASSERT_PTR_NULL(mset_find(m, "rizk_app_c"));
    CU_ASSERT_PTR_NULL(mset_find(m, "rizk_app_d_total"));
    struct app_stats_view v;
    app_stats_view(r.stats, &v);
    CU_ASSERT_DOUBLE_EQUAL(v.requests, 1, EPS); /* the app's own names are not capped */
    mset_free(m);
    statsd_stop(&r);
}

static CU_TestInfo tests[] = {
    {"fixture datagram: exact samples and aggregate", test_statsd_fixture},
    {"series cap", test_statsd_series_cap},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_col_statsd = {"col_statsd", NULL, NULL, NULL, NULL, tests};
