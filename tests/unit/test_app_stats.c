/* app_stats: the app-stats aggregate (channels add up, groups absent until reported, a delta
 * applied whole or not at all, what a tick emits), the inbox from HTTP threads (order, budget,
 * outcomes), the histogram window behind the quantiles, and the report allow-list. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "collect/app_inbox.h"
#include "collect/app_stats.h"
#include "collect/sink.h"
#include "core/cidr.h"
#include "store/hwindow.h"
#include "core/banned.h"

static double sample_of(const struct mset *m, const char *name, const char *label_value)
{
    const struct mfamily *f = mset_find(m, name);
    if (f == NULL)
        return -1;
    for (size_t i = 0; i < f->nsamples; i++)
        if (label_value == NULL ||
            (f->samples[i].nlabels > 0 && strcmp(f->samples[i].labels[0].value, label_value) == 0))
            return f->samples[i].value;
    return -1;
}

static void test_absent_until_reported(void)
{
    struct app_stats *st = NULL;
    CU_ASSERT_EQUAL_FATAL(app_stats_new(&st), 0);
    struct mset *m = mset_new();
    struct sample_sink *s = sink_new(m);
    app_stats_emit(st, s);
    CU_ASSERT_EQUAL(mset_nfamilies(m), 0);
    double v;
    for (int id = HS_APP_REQUESTS; id <= HS_CACHE_L2_MISSES; id++)
        CU_ASSERT_FALSE(sink_history_get(s, (enum hist_series)id, &v));
    sink_free(s);
    mset_free(m);
    app_stats_free(st);
}

static void test_channels_add_up(void)
{
    struct app_stats *st = NULL;
    CU_ASSERT_EQUAL_FATAL(app_stats_new(&st), 0);
    /* statsd */
    app_stats_add_requests(st, 10, 1);
    app_stats_observe_duration(st, 0.2, 4);
    app_stats_add_cache(st, APP_TIER_L1, 3, 1);
    app_stats_adjust_active(st, 5);
    /* push / pull */
    double durs[] = {0.05, 0.5};
    double bounds[] = {0.1, 1};
    uint64_t cum[] = {1, 3};
    struct app_delta d = {.has_requests = true,
                          .requests = 5,
                          .errors = 2,
                          .durations = durs,
                          .ndurations = 2,
                          .has_histogram = true,
                          .bounds = bounds,
                          .cum_counts = cum,
                          .nbuckets = 2,
                          .hist_count = 3,
                          .hist_sum = 1.5};
    d.has_cache[APP_TIER_L2] = true;
    d.cache_hits[APP_TIER_L2] = 1;
    d.has_active_connections = true;
    d.active_connections = 9;
    CU_ASSERT_EQUAL(app_stats_add(st, &d), 0);
    struct app_stats_view v;
    app_stats_view(st, &v);
    CU_ASSERT_EQUAL(v.requests, 15);
    CU_ASSERT_EQUAL(v.errors, 3);
    CU_ASSERT_EQUAL(v.duration_count, 4 + 2 + 3);
    CU_ASSERT_DOUBLE_EQUAL(v.duration_sum, 0.8 + 0.55 + 1.5, 1e-12);
    CU_ASSERT_EQUAL(v.cache_hits[APP_TIER_L1], 3);
    CU_ASSERT_EQUAL(v.cache_misses[APP_TIER_L1], 1);
    CU_ASSERT_EQUAL(v.cache_hits[APP_TIER_L2], 1);
    CU_ASSERT_TRUE(v.active_reported);
    CU_ASSERT_EQUAL(v.active, 9);

    struct mset *m = mset_new();
    struct sample_sink *s = sink_new(m);
    app_stats_emit(st, s);
    CU_ASSERT_EQUAL(sample_of(m, "rizk_requests_total", NULL), 15);
    CU_ASSERT_EQUAL(sample_of(m, "rizk_request_errors_total", NULL), 3);
    CU_ASSERT_EQUAL(sample_of(m, "rizk_cache_hits_total", "l2"), 1);
    CU_ASSERT_EQUAL(sample_of(m, "rizk_cache_misses_total", "l1"), 1);
    const struct mfamily *h = mset_find(m, "rizk_request_duration_seconds");
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_EQUAL(h->samples[0].histo->count, 9);
    double x;
    CU_ASSERT_TRUE(sink_history_get(s, HS_APP_REQUESTS, &x));
    CU_ASSERT_EQUAL(x, 15);
    CU_ASSERT_TRUE(sink_history_get(s, HS_APP_ACTIVE_CONNECTIONS, &x));
    CU_ASSERT_EQUAL(x, 9);
    CU_ASSERT_TRUE(sink_history_get(s, HS_CACHE_L2_MISSES, &x));
    CU_ASSERT_EQUAL(x, 0);
    sink_free(s);
    mset_free(m);

    /* the gauge counts as reported only on the tick it was */
    app_stats_tick_done(st);
    m = mset_new();
    s = sink_new(m);
    app_stats_emit(st, s);
    CU_ASSERT_FALSE(sink_history_get(s, HS_APP_ACTIVE_CONNECTIONS, &x));
    sink_free(s);
    mset_free(m);
    app_stats_adjust_active(st, -20);
    app_stats_view(st, &v);
    CU_ASSERT_EQUAL(v.active, 0); /* clamped */
    app_stats_free(st);
}

static void test_all_or_nothing(void)
{
    struct app_stats *st = NULL;
    CU_ASSERT_EQUAL_FATAL(app_stats_new(&st), 0);
    double bounds[] = {1, 0.5}; /* not ascending: the histogram refuses */
    uint64_t cum[] = {1, 2};
    struct app_delta d = {.has_requests = true,
                          .requests = 5,
                          .has_histogram = true,
                          .bounds = bounds,
                          .cum_counts = cum,
                          .nbuckets = 2,
                          .hist_count = 2};
    CU_ASSERT_EQUAL(app_stats_add(st, &d), -EINVAL);
    struct app_stats_view v;
    app_stats_view(st, &v);
    CU_ASSERT_FALSE(v.has_requests);
    CU_ASSERT_FALSE(v.has_durations);
    CU_ASSERT_EQUAL(v.requests, 0);
    app_stats_free(st);
}

static void test_inbox(void)
{
    struct app_inbox *in = NULL;
    struct app_stats *st = NULL;
    CU_ASSERT_EQUAL_FATAL(app_inbox_new(4096, &in), 0);
    CU_ASSERT_EQUAL_FATAL(app_stats_new(&st), 0);
    struct app_delta a = {.has_requests = true, .requests = 2, .errors = 1};
    struct app_delta b = {.has_active_connections = true, .active_connections = 4};
    struct app_delta c = {.has_active_connections = true, .active_connections = 6};
    CU_ASSERT_EQUAL(app_inbox_push(in, &a), 0);
    CU_ASSERT_FALSE(a.has_requests); /* moved */
    CU_ASSERT_EQUAL(app_inbox_push(in, &b), 0);
    CU_ASSERT_EQUAL(app_inbox_push(in, &c), 0);
    CU_ASSERT_EQUAL(app_inbox_drain(in, st), 3);
    struct app_stats_view v;
    app_stats_view(st, &v);
    CU_ASSERT_EQUAL(v.requests, 2);
    CU_ASSERT_EQUAL(v.active, 6); /* arrival order: the last gauge wins */
    CU_ASSERT_EQUAL(app_inbox_drain(in, st), 0);
    /* the budget: a delta too big to queue is left with the caller */
    struct app_delta big = {.ndurations = 1000};
    CU_ASSERT_EQUAL(app_inbox_push(in, &big), -EAGAIN);
    CU_ASSERT_EQUAL(big.ndurations, 1000);
    app_inbox_count(in, APP_INBOX_FORBIDDEN);
    struct mset *m = mset_new();
    struct sample_sink *s = sink_new(m);
    app_inbox_emit(in, s);
    CU_ASSERT_EQUAL(sample_of(m, "rizk_app_reports_total", "forbidden"), 1);
    CU_ASSERT_EQUAL(sample_of(m, "rizk_app_reports_total", "accepted"), 0);
    sink_free(s);
    mset_free(m);
    app_stats_free(st);
    app_inbox_free(in);
}

static void test_hwindow(void)
{
    struct hwindow *w = NULL;
    CU_ASSERT_EQUAL_FATAL(hwindow_new(10000, 1000, &w), 0);
    double bounds[] = {0.1, 0.2};
    uint64_t c1[] = {1, 2}, c2[] = {5, 10}, c3[] = {9, 20}, out[HWINDOW_MAX_BUCKETS];
    struct histogram h = {.nbuckets = 2, .bounds = bounds, .counts = c1, .count = 3, .sum = 0.5}, d;
    hwindow_push(w, 1000, &h);
    CU_ASSERT_EQUAL(hwindow_delta(w, 1000, 10000, out, &d), -ENODATA);
    h.counts = c2;
    h.count = 12;
    h.sum = 1.5;
    hwindow_push(w, 2000, &h);
    CU_ASSERT_EQUAL_FATAL(hwindow_delta(w, 2000, 10000, out, &d), 0);
    CU_ASSERT_EQUAL(d.nbuckets, 2);
    CU_ASSERT_EQUAL(d.counts[0], 4);
    CU_ASSERT_EQUAL(d.counts[1], 8);
    CU_ASSERT_EQUAL(d.count, 9);
    CU_ASSERT_EQUAL(d.sum, 1.0);
    h.counts = c3;
    h.count = 25;
    hwindow_push(w, 11500, &h);
    /* (1500, 11500]: the snapshot at 1000 has left the window, 2000 is the oldest */
    CU_ASSERT_EQUAL_FATAL(hwindow_delta(w, 11500, 10000, out, &d), 0);
    CU_ASSERT_EQUAL(d.counts[0], 4);
    CU_ASSERT_EQUAL(d.count, 13);
    /* a reset restarts the window */
    h.counts = c1;
    h.count = 3;
    hwindow_push(w, 12500, &h);
    CU_ASSERT_EQUAL(hwindow_delta(w, 12500, 10000, out, &d), -ENODATA);
    hwindow_free(w);
    /* many ticks per window are thinned, not allocated */
    CU_ASSERT_EQUAL_FATAL(hwindow_new(86400000, 100, &w), 0);
    hwindow_free(w);
}

static bool match4(const struct cidr_set *s, const char *ip)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, ip, &a.sin_addr);
    return cidr_set_match(s, (const struct sockaddr *)&a);
}

static bool match6(const struct cidr_set *s, const char *ip)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, ip, &a.sin6_addr);
    return cidr_set_match(s, (const struct sockaddr *)&a);
}

static void test_cidr(void)
{
    struct cidr_set *s = NULL;
    CU_ASSERT_EQUAL_FATAL(cidr_set_parse("127.0.0.0/8, ::1/128,10.1.0.0/17,192.168.1.5", &s), 0);
    CU_ASSERT_TRUE(match4(s, "127.4.5.6"));
    CU_ASSERT_TRUE(match6(s, "::ffff:127.0.0.1")); /* IPv4 on a dual-stack listener */
    CU_ASSERT_TRUE(match6(s, "::1"));
    CU_ASSERT_FALSE(match6(s, "::2"));
    CU_ASSERT_TRUE(match4(s, "10.1.127.255"));
    CU_ASSERT_FALSE(match4(s, "10.1.128.0"));
    CU_ASSERT_TRUE(match4(s, "192.168.1.5"));
    CU_ASSERT_FALSE(match4(s, "192.168.1.6"));
    CU_ASSERT_FALSE(cidr_set_match(s, NULL));
    cidr_set_free(s);
    static const char *const bad[] = {"",          "10.0.0.0/33", "::/129",    "abc",
                                      "10.0.0.0/", ",",           "1.2.3.4/8x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        s = NULL;
        CU_ASSERT_EQUAL(cidr_set_parse(bad[i], &s), -EINVAL);
        CU_ASSERT_PTR_NULL(s);
    }
    CU_ASSERT_EQUAL_FATAL(cidr_set_parse("0.0.0.0/0", &s), 0);
    CU_ASSERT_TRUE(match4(s, "8.8.8.8"));
    CU_ASSERT_FALSE(match6(s, "2001:db8::1"));
    cidr_set_free(s);
}

static CU_TestInfo tests[] = {
    {"absent until a channel reports", test_absent_until_reported},
    {"statsd, push and pull add up; the tick emits them", test_channels_add_up},
    {"a refused delta changes nothing", test_all_or_nothing},
    {"inbox: order, budget, outcomes", test_inbox},
    {"histogram window deltas", test_hwindow},
    {"report allow-list", test_cidr},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_app_stats = {"app_stats", NULL, NULL, NULL, NULL, tests};
