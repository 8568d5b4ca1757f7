/* scale: the guide's AutoScalingController rules case by case, with the exact action, replica
 * change and reason string: each threshold on its edge, every 2-of-5 combination, all below,
 * absent signals, fewer than 3 samples, each CPU band of the replica change, the newest sample
 * deciding while the reason quotes 3-sample averages, and the bounded history. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "signals/scale.h"
#include "core/banned.h"

#define A NAN /* absent */

/* Values in the order cpu, memory, rps, response time (s), error ratio. */
struct row {
    const char *name;
    size_t n;
    double s[4][SCALE_NSIGNALS];
    enum scale_action action;
    int change;
    const char *reason;
};

static struct scale_sample mk(const double v[SCALE_NSIGNALS])
{
    struct scale_sample s;
    memset(&s, 0, sizeof(s));
    for (int i = 0; i < SCALE_NSIGNALS; i++) {
        s.has[i] = !isnan(v[i]);
        s.v[i] = s.has[i] ? v[i] : 0.0;
    }
    return s;
}

static void run_row(const struct row *r, const struct scale_thresholds *th)
{
    struct scale_sample hist[4];
    for (size_t i = 0; i < r->n; i++)
        hist[i] = mk(r->s[i]);
    struct scale_advice a;
    scale_recommend(hist, r->n, th, &a);
    if (a.action != r->action || a.replica_change != r->change || strcmp(a.reason, r->reason) != 0)
        fprintf(stderr, "\n  case \"%s\": got %s %+d \"%s\"\n  expected %s %+d \"%s\"\n", r->name,
                scale_action_name(a.action), a.replica_change, a.reason,
                scale_action_name(r->action), r->change, r->reason);
    CU_ASSERT_EQUAL(a.action, r->action);
    CU_ASSERT_EQUAL(a.replica_change, r->change);
    CU_ASSERT_STRING_EQUAL(a.reason, r->reason);
    CU_ASSERT_EQUAL(a.samples, r->n);
}

/* Three equal samples: the averages equal the newest values. */
#define SAME(c, m, r, t, e)                                                                        \
    {                                                                                              \
        {c, m, r, t, e}, {c, m, r, t, e},                                                          \
        {                                                                                          \
            c, m, r, t, e                                                                          \
        }                                                                                          \
    }

static const struct row rows[] = {
    /* fewer than 3 samples */
    {"no history", 0, {{0}}, SCALE_WAIT, 0, "Insufficient metrics history: 0 of 3 samples"},
    {"one sample, even overloaded",
     1,
     {{0.99, 0.99, 500, 5, 0.5}},
     SCALE_WAIT,
     0,
     "Insufficient metrics history: 1 of 3 samples"},
    {"two samples",
     2,
     {{0.99, 0.99, 500, 5, 0.5}, {0.99, 0.99, 500, 5, 0.5}},
     SCALE_WAIT,
     0,
     "Insufficient metrics history: 2 of 3 samples"},
    /* scale-up edges: a value equal to its threshold is not above it (the guide's '>') */
    {"cpu at 0.70 + rps over", 3, SAME(0.70, 0.5, 150, 0.5, 0.02), SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU 70.0%, Memory 50.0%, Response Time 500.0ms, RPS "
     "150.0, Error Rate 2.0%; above scale-up thresholds: RPS"},
    {"cpu just over 0.70 + rps over", 3, SAME(0.7001, 0.5, 150, 0.5, 0.02), SCALE_UP, 1,
     "High resource usage: CPU 70.0%, Memory 50.0%, Response Time 500.0ms, RPS 150.0, Error "
     "Rate 2.0%; above scale-up thresholds: CPU, RPS"},
    {"memory at 0.80 + rps over", 3, SAME(0.5, 0.80, 150, 0.5, 0.02), SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU 50.0%, Memory 80.0%, Response Time 500.0ms, RPS "
     "150.0, Error Rate 2.0%; above scale-up thresholds: RPS"},
    {"memory just over 0.80 + rps over", 3, SAME(0.5, 0.8001, 150, 0.5, 0.02), SCALE_UP, 1,
     "High resource usage: CPU 50.0%, Memory 80.0%, Response Time 500.0ms, RPS 150.0, Error "
     "Rate 2.0%; above scale-up thresholds: Memory, RPS"},
    {"rps at 100 + cpu over", 3, SAME(0.75, 0.5, 100, 0.5, 0.02), SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU 75.0%, Memory 50.0%, Response Time 500.0ms, RPS "
     "100.0, Error Rate 2.0%; above scale-up thresholds: CPU"},
    {"rps just over 100 + cpu over", 3, SAME(0.75, 0.5, 100.01, 0.5, 0.02), SCALE_UP, 1,
     "High resource usage: CPU 75.0%, Memory 50.0%, Response Time 500.0ms, RPS 100.0, Error "
     "Rate 2.0%; above scale-up thresholds: CPU, RPS"},
    {"response time at 1000 ms + cpu over", 3, SAME(0.75, 0.5, 50, 1.0, 0.02), SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU 75.0%, Memory 50.0%, Response Time 1000.0ms, RPS "
     "50.0, Error Rate 2.0%; above scale-up thresholds: CPU"},
    {"response time just over 1000 ms + cpu over", 3, SAME(0.75, 0.5, 50, 1.0001, 0.02), SCALE_UP,
     1,
     "High resource usage: CPU 75.0%, Memory 50.0%, Response Time 1000.1ms, RPS 50.0, Error "
     "Rate 2.0%; above scale-up thresholds: CPU, Response Time"},
    {"error ratio at 5 % + cpu over", 3, SAME(0.75, 0.5, 50, 0.5, 0.05), SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU 75.0%, Memory 50.0%, Response Time 500.0ms, RPS "
     "50.0, Error Rate 5.0%; above scale-up thresholds: CPU"},
    {"error ratio just over 5 % + cpu over", 3, SAME(0.75, 0.5, 50, 0.5, 0.0501), SCALE_UP, 1,
     "High resource usage: CPU 75.0%, Memory 50.0%, Response Time 500.0ms, RPS 50.0, Error "
     "Rate 5.0%; above scale-up thresholds: CPU, Error Rate"},
    /* all five over */
    {"everything over", 3, SAME(0.95, 0.9, 500, 2.5, 0.2), SCALE_UP, 3,
     "High resource usage: CPU 95.0%, Memory 90.0%, Response Time 2500.0ms, RPS 500.0, Error "
     "Rate 20.0%; above scale-up thresholds: CPU, Memory, Response Time, RPS, Error Rate"},
    /* scale-down: all five below, each edge blocks it */
    {"all below", 3, SAME(0.10, 0.20, 5, 0.05, 0.001), SCALE_DOWN, -1,
     "Low resource usage: CPU 10.0%, Memory 20.0%, Response Time 50.0ms, RPS 5.0, Error Rate "
     "0.1%"},
    {"all zero is below", 3, SAME(0, 0, 0, 0, 0), SCALE_DOWN, -1,
     "Low resource usage: CPU 0.0%, Memory 0.0%, Response Time 0.0ms, RPS 0.0, Error Rate 0.0%"},
    {"cpu at 0.30 blocks scale-down", 3, SAME(0.30, 0.20, 5, 0.05, 0.001), SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU 30.0%, Memory 20.0%, Response Time 50.0ms, RPS 5.0, "
     "Error Rate 0.1%"},
    {"memory at 0.40 blocks scale-down", 3, SAME(0.10, 0.40, 5, 0.05, 0.001), SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU 10.0%, Memory 40.0%, Response Time 50.0ms, RPS 5.0, "
     "Error Rate 0.1%"},
    {"rps at 20 blocks scale-down", 3, SAME(0.10, 0.20, 20, 0.05, 0.001), SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU 10.0%, Memory 20.0%, Response Time 50.0ms, RPS "
     "20.0, Error Rate 0.1%"},
    {"response time at 200 ms blocks scale-down", 3, SAME(0.10, 0.20, 5, 0.2, 0.001),
     SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU 10.0%, Memory 20.0%, Response Time 200.0ms, RPS 5.0, "
     "Error Rate 0.1%"},
    {"error ratio at 1 % blocks scale-down", 3, SAME(0.10, 0.20, 5, 0.05, 0.01), SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU 10.0%, Memory 20.0%, Response Time 50.0ms, RPS 5.0, "
     "Error Rate 1.0%"},
    {"just below every edge", 3, SAME(0.2999, 0.3999, 19.99, 0.1999, 0.0099), SCALE_DOWN, -1,
     "Low resource usage: CPU 30.0%, Memory 40.0%, Response Time 199.9ms, RPS 20.0, Error Rate "
     "1.0%"},
    /* absent signals: never exceeded, always block scale-down */
    {"two over, three absent", 3, SAME(A, A, 150, 1.5, A), SCALE_UP, 1,
     "High resource usage: CPU n/a, Memory n/a, Response Time 1500.0ms, RPS 150.0, Error Rate "
     "n/a; above scale-up thresholds: Response Time, RPS"},
    {"one over, rest absent", 3, SAME(0.95, A, A, A, A), SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU 95.0%, Memory n/a, Response Time n/a, RPS n/a, Error "
     "Rate n/a; above scale-up thresholds: CPU; no data: Memory, Response Time, RPS, Error Rate"},
    {"all below but rps absent", 3, SAME(0.1, 0.2, A, 0.05, 0.001), SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU 10.0%, Memory 20.0%, Response Time 50.0ms, RPS n/a, "
     "Error Rate 0.1%; no data: RPS"},
    {"all below but app signals absent", 3, SAME(0.1, 0.2, A, A, A), SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU 10.0%, Memory 20.0%, Response Time n/a, RPS n/a, "
     "Error Rate n/a; no data: Response Time, RPS, Error Rate"},
    {"everything absent", 3, SAME(A, A, A, A, A), SCALE_MAINTAIN, 0,
     "Metrics within acceptable range: CPU n/a, Memory n/a, Response Time n/a, RPS n/a, Error "
     "Rate n/a; no data: CPU, Memory, Response Time, RPS, Error Rate"},
    /* replica change bands by the newest CPU (the guide's > 90 / > 80) */
    {"cpu 0.95 -> +3", 3, SAME(0.95, 0.85, 50, 0.5, 0.02), SCALE_UP, 3,
     "High resource usage: CPU 95.0%, Memory 85.0%, Response Time 500.0ms, RPS 50.0, Error Rate "
     "2.0%; above scale-up thresholds: CPU, Memory"},
    {"cpu exactly 0.90 -> +2", 3, SAME(0.90, 0.85, 50, 0.5, 0.02), SCALE_UP, 2,
     "High resource usage: CPU 90.0%, Memory 85.0%, Response Time 500.0ms, RPS 50.0, Error Rate "
     "2.0%; above scale-up thresholds: CPU, Memory"},
    {"cpu 0.85 -> +2", 3, SAME(0.85, 0.85, 50, 0.5, 0.02), SCALE_UP, 2,
     "High resource usage: CPU 85.0%, Memory 85.0%, Response Time 500.0ms, RPS 50.0, Error Rate "
     "2.0%; above scale-up thresholds: CPU, Memory"},
    {"cpu exactly 0.80 -> +1", 3, SAME(0.80, 0.85, 50, 0.5, 0.02), SCALE_UP, 1,
     "High resource usage: CPU 80.0%, Memory 85.0%, Response Time 500.0ms, RPS 50.0, Error Rate "
     "2.0%; above scale-up thresholds: CPU, Memory"},
    {"cpu below the up threshold -> +1", 3, SAME(0.5, 0.5, 150, 1.2, 0.02), SCALE_UP, 1,
     "High resource usage: CPU 50.0%, Memory 50.0%, Response Time 1200.0ms, RPS 150.0, Error "
     "Rate 2.0%; above scale-up thresholds: Response Time, RPS"},
    {"cpu absent -> +1", 3, SAME(A, 0.5, 150, 1.2, 0.02), SCALE_UP, 1,
     "High resource usage: CPU n/a, Memory 50.0%, Response Time 1200.0ms, RPS 150.0, Error Rate "
     "2.0%; above scale-up thresholds: Response Time, RPS"},
    /* the newest sample decides; the reason quotes the averages of the last 3 */
    {"decided by the newest, averaged over 3",
     3,
     {{0.10, 0.20, 10, 0.1, 0.0}, {0.50, 0.50, 50, 0.5, 0.02}, {0.96, 0.90, 300, 2.0, 0.1}},
     SCALE_UP,
     3,
     "High resource usage: CPU 52.0%, Memory 53.3%, Response Time 866.7ms, RPS 120.0, Error "
     "Rate 4.0%; above scale-up thresholds: CPU, Memory, Response Time, RPS, Error Rate"},
    {"overload in the past, idle now",
     3,
     {{0.99, 0.99, 900, 9, 0.9}, {0.99, 0.99, 900, 9, 0.9}, {0.1, 0.1, 1, 0.01, 0}},
     SCALE_DOWN,
     -1,
     "Low resource usage: CPU 69.3%, Memory 69.3%, Response Time 6003.3ms, RPS 600.3, Error "
     "Rate 60.0%"},
    {"only the last 3 of 4 are averaged",
     4,
     {{0.9, 0.9, 900, 9, 0.9},
      {0.2, 0.2, 10, 0.1, 0},
      {0.4, 0.4, 10, 0.1, 0},
      {0.6, 0.6, 10, 0.1, 0}},
     SCALE_MAINTAIN,
     0,
     "Metrics within acceptable range: CPU 40.0%, Memory 40.0%, Response Time 100.0ms, RPS "
     "10.0, Error Rate 0.0%"},
    {"averages skip absent values",
     3,
     {{0.2, A, 10, A, 0}, {A, A, 30, A, 0}, {0.2, 0.3, 5, 0.1, 0.001}},
     SCALE_DOWN,
     -1,
     "Low resource usage: CPU 20.0%, Memory 30.0%, Response Time 100.0ms, RPS 15.0, Error Rate "
     "0.0%"},
    {"absent now, present before: still absent for the decision",
     3,
     {{0.1, 0.1, 5, 0.05, 0}, {0.1, 0.1, 5, 0.05, 0}, {0.1, 0.1, A, 0.05, 0}},
     SCALE_MAINTAIN,
     0,
     "Metrics within acceptable range: CPU 10.0%, Memory 10.0%, Response Time 50.0ms, RPS 5.0, "
     "Error Rate 0.0%; no data: RPS"},
};

static void test_rows(void)
{
    struct scale_thresholds th;
    scale_thresholds_default(&th);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        run_row(&rows[i], &th);
}

/* Every pair of the five conditions is enough for scale_up (the guide's "any 2"), and no
 * single one is. Values: just over the up threshold for the chosen ones, in between else. */
static void test_two_of_five(void)
{
    struct scale_thresholds th;
    scale_thresholds_default(&th);
    const double over[SCALE_NSIGNALS] = {0.75, 0.85, 120, 1.5, 0.06};
    const double mid[SCALE_NSIGNALS] = {0.5, 0.5, 50, 0.5, 0.02};
    unsigned pairs = 0;
    for (int a = 0; a < SCALE_NSIGNALS; a++) {
        for (int b = a; b < SCALE_NSIGNALS; b++) {
            double v[SCALE_NSIGNALS];
            for (int i = 0; i < SCALE_NSIGNALS; i++)
                v[i] = (i == a || i == b) ? over[i] : mid[i];
            struct scale_sample h[3] = {mk(v), mk(v), mk(v)};
            struct scale_advice adv;
            scale_recommend(h, 3, &th, &adv);
            if (a == b) {
                CU_ASSERT_EQUAL(adv.action, SCALE_MAINTAIN);
                CU_ASSERT_EQUAL(adv.conditions_up, 1);
                CU_ASSERT_EQUAL(adv.replica_change, 0);
            } else {
                CU_ASSERT_EQUAL(adv.action, SCALE_UP);
                CU_ASSERT_EQUAL(adv.conditions_up, 2);
                CU_ASSERT_TRUE(adv.exceeded[a] && adv.exceeded[b]);
                CU_ASSERT_EQUAL(adv.replica_change, 1); /* cpu 0.75: the +1 band */
                CU_ASSERT_STRING_EQUAL(scale_action_name(adv.action), "scale_up");
                pairs++;
            }
            CU_ASSERT_EQUAL(adv.conditions_down, 0);
        }
    }
    CU_ASSERT_EQUAL(pairs, 10);
}

/* Scale-down needs all five: each subset of four below (the fifth in between) maintains. */
static void test_four_of_five_below(void)
{
    struct scale_thresholds th;
    scale_thresholds_default(&th);
    const double low[SCALE_NSIGNALS] = {0.1, 0.1, 1, 0.01, 0};
    const double mid[SCALE_NSIGNALS] = {0.5, 0.5, 50, 0.5, 0.02};
    for (int skip = 0; skip < SCALE_NSIGNALS; skip++) {
        double v[SCALE_NSIGNALS];
        for (int i = 0; i < SCALE_NSIGNALS; i++)
            v[i] = i == skip ? mid[i] : low[i];
        struct scale_sample h[3] = {mk(v), mk(v), mk(v)};
        struct scale_advice adv;
        scale_recommend(h, 3, &th, &adv);
        CU_ASSERT_EQUAL(adv.action, SCALE_MAINTAIN);
        CU_ASSERT_EQUAL(adv.conditions_down, 4);
        CU_ASSERT_FALSE(adv.below[skip]);
    }
}

static void test_custom_thresholds(void)
{
    struct scale_thresholds th;
    scale_thresholds_default(&th);
    th.up_min_conditions = 1;
    th.up[SCALE_RPS] = 10;
    const double v[SCALE_NSIGNALS] = {0.5, 0.5, 11, 0.5, 0.02};
    struct scale_sample h[3] = {mk(v), mk(v), mk(v)};
    struct scale_advice adv;
    scale_recommend(h, 3, &th, &adv);
    CU_ASSERT_EQUAL(adv.action, SCALE_UP);
    CU_ASSERT_EQUAL(adv.replica_change, 1);
    CU_ASSERT_STRING_EQUAL(adv.reason, "High resource usage: CPU 50.0%, Memory 50.0%, Response "
                                       "Time 500.0ms, RPS 11.0, Error Rate 2.0%; above scale-up "
                                       "thresholds: RPS");
}

/* Idle (SPEC 5): zero requests with the source up gives rps 0 and error ratio 0 and no response
 * time; "no requests" counts as below, so an idle pod scales down. Without the idle mark the
 * same absent response time blocks scale-down (a pod with no request source stays unknown). */
static void test_idle_scales_down(void)
{
    struct scale_thresholds th;
    scale_thresholds_default(&th);
    const double v[SCALE_NSIGNALS] = {0.05, 0.20, 0, A, 0};
    struct scale_sample h[3] = {mk(v), mk(v), mk(v)};
    for (int i = 0; i < 3; i++)
        h[i].idle = true;
    struct scale_advice adv;
    scale_recommend(h, 3, &th, &adv);
    CU_ASSERT_EQUAL(adv.action, SCALE_DOWN);
    CU_ASSERT_EQUAL(adv.replica_change, -1);
    CU_ASSERT_EQUAL(adv.conditions_down, 5);
    CU_ASSERT_TRUE(adv.idle);
    CU_ASSERT_TRUE(adv.below[SCALE_RESPONSE_TIME]);
    CU_ASSERT_FALSE(adv.exceeded[SCALE_RESPONSE_TIME]);
    CU_ASSERT_STRING_EQUAL(adv.reason, "Low resource usage: CPU 5.0%, Memory 20.0%, Response "
                                       "Time no requests, RPS 0.0, Error Rate 0.0%");

    for (int i = 0; i < 3; i++)
        h[i].idle = false;
    scale_recommend(h, 3, &th, &adv);
    CU_ASSERT_EQUAL(adv.action, SCALE_MAINTAIN);
    CU_ASSERT_EQUAL(adv.conditions_down, 4);
    CU_ASSERT_FALSE(adv.below[SCALE_RESPONSE_TIME]);
    CU_ASSERT_STRING_EQUAL(adv.reason, "Metrics within acceptable range: CPU 5.0%, Memory 20.0%, "
                                       "Response Time n/a, RPS 0.0, Error Rate 0.0%; no data: "
                                       "Response Time");

    /* Idle with the CPU busy (a batch job beside the server) is not low: maintain. */
    const double busy[SCALE_NSIGNALS] = {0.50, 0.20, 0, A, 0};
    struct scale_sample b[3] = {mk(busy), mk(busy), mk(busy)};
    for (int i = 0; i < 3; i++)
        b[i].idle = true;
    scale_recommend(b, 3, &th, &adv);
    CU_ASSERT_EQUAL(adv.action, SCALE_MAINTAIN);
    CU_ASSERT_EQUAL(adv.conditions_down, 4);
    CU_ASSERT_STRING_EQUAL(adv.reason, "Metrics within acceptable range: CPU 50.0%, Memory 20.0%, "
                                       "Response Time no requests, RPS 0.0, Error Rate 0.0%");
}

static void test_replicas_target(void)
{
    CU_ASSERT_EQUAL(scale_replicas_target(0, 3), 0); /* unknown stays unknown */
    CU_ASSERT_EQUAL(scale_replicas_target(4, 3), 7);
    CU_ASSERT_EQUAL(scale_replicas_target(4, -1), 3);
    CU_ASSERT_EQUAL(scale_replicas_target(1, -1), 1); /* never below one */
    CU_ASSERT_EQUAL(scale_replicas_target(5, 0), 5);
}

static void test_defaults_and_names(void)
{
    struct scale_thresholds th;
    scale_thresholds_default(&th);
    CU_ASSERT_EQUAL(th.up[SCALE_CPU], 0.70);
    CU_ASSERT_EQUAL(th.up[SCALE_MEMORY], 0.80);
    CU_ASSERT_EQUAL(th.up[SCALE_RPS], 100.0);
    CU_ASSERT_EQUAL(th.up[SCALE_RESPONSE_TIME], 1.0);
    CU_ASSERT_EQUAL(th.up[SCALE_ERROR_RATIO], 0.05);
    CU_ASSERT_EQUAL(th.down[SCALE_CPU], 0.30);
    CU_ASSERT_EQUAL(th.down[SCALE_MEMORY], 0.40);
    CU_ASSERT_EQUAL(th.down[SCALE_RPS], 20.0);
    CU_ASSERT_EQUAL(th.down[SCALE_RESPONSE_TIME], 0.2);
    CU_ASSERT_EQUAL(th.down[SCALE_ERROR_RATIO], 0.01);
    CU_ASSERT_EQUAL(th.up_min_conditions, 2);
    CU_ASSERT_STRING_EQUAL(scale_signal_name(SCALE_RPS), "rizk_requests_per_second");
    CU_ASSERT_STRING_EQUAL(scale_signal_name(SCALE_RESPONSE_TIME), "rizk_response_time_seconds");
    CU_ASSERT_STRING_EQUAL(scale_action_name(SCALE_WAIT), "wait");
    CU_ASSERT_STRING_EQUAL(scale_action_name(SCALE_MAINTAIN), "maintain");
    CU_ASSERT_STRING_EQUAL(scale_action_name(SCALE_DOWN), "scale_down");
}

/* Conditions of the newest sample are reported while waiting too (for the metrics). */
static void test_wait_reports_conditions(void)
{
    struct scale_thresholds th;
    scale_thresholds_default(&th);
    const double v[SCALE_NSIGNALS] = {0.95, 0.9, 10, 0.1, 0};
    struct scale_sample h[1] = {mk(v)};
    struct scale_advice adv;
    scale_recommend(h, 1, &th, &adv);
    CU_ASSERT_EQUAL(adv.action, SCALE_WAIT);
    CU_ASSERT_EQUAL(adv.conditions_up, 2);
    CU_ASSERT_EQUAL(adv.conditions_down, 3);
    CU_ASSERT_EQUAL(adv.replica_change, 0);
}

/* The history keeps the newest `capacity` samples; the engine sees the newest 3 after wrap. */
static void test_history_bound(void)
{
    struct scale_thresholds th;
    scale_thresholds_default(&th);
    struct scale_history *h = scale_history_new(100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    struct scale_advice adv;
    scale_history_recommend(h, &th, &adv);
    CU_ASSERT_EQUAL(adv.action, SCALE_WAIT);
    CU_ASSERT_STRING_EQUAL(adv.reason, "Insufficient metrics history: 0 of 3 samples");
    for (int i = 0; i < 250; i++) {
        /* cpu = i / 1000: the newest three are 0.247, 0.248, 0.249 */
        const double v[SCALE_NSIGNALS] = {i / 1000.0, 0.1, 1, 0.01, 0};
        struct scale_sample s = mk(v);
        scale_history_push(h, &s);
        if (i == 1) {
            scale_history_recommend(h, &th, &adv);
            CU_ASSERT_EQUAL(adv.action, SCALE_WAIT);
            CU_ASSERT_STRING_EQUAL(adv.reason, "Insufficient metrics history: 2 of 3 samples");
        }
    }
    CU_ASSERT_EQUAL(scale_history_len(h), 100);
    scale_history_recommend(h, &th, &adv);
    CU_ASSERT_EQUAL(adv.action, SCALE_DOWN);
    CU_ASSERT_EQUAL(adv.samples, 100);
    CU_ASSERT_EQUAL(adv.current.v[SCALE_CPU], 0.249);
    CU_ASSERT_STRING_EQUAL(adv.reason, "Low resource usage: CPU 24.8%, Memory 10.0%, Response "
                                       "Time 10.0ms, RPS 1.0, Error Rate 0.0%");
    scale_history_free(h);
    scale_history_free(NULL);
    /* A capacity below 3 is raised so the engine can ever decide. */
    h = scale_history_new(1);
    const double v[SCALE_NSIGNALS] = {0.1, 0.1, 1, 0.01, 0};
    struct scale_sample s = mk(v);
    for (int i = 0; i < 5; i++)
        scale_history_push(h, &s);
    CU_ASSERT_EQUAL(scale_history_len(h), 3);
    scale_history_recommend(h, &th, &adv);
    CU_ASSERT_EQUAL(adv.action, SCALE_DOWN);
    scale_history_free(h);
}

/* A non-finite value counts as absent. */
static void test_non_finite_is_absent(void)
{
    struct scale_thresholds th;
    scale_thresholds_default(&th);
    struct scale_sample s;
    memset(&s, 0, sizeof(s));
    for (int i = 0; i < SCALE_NSIGNALS; i++) {
        s.has[i] = true;
        s.v[i] = 0.0;
    }
    s.v[SCALE_RPS] = INFINITY;
    struct scale_sample h[3] = {s, s, s};
    struct scale_advice adv;
    scale_recommend(h, 3, &th, &adv);
    CU_ASSERT_EQUAL(adv.action, SCALE_MAINTAIN);
    CU_ASSERT_FALSE(adv.exceeded[SCALE_RPS]);
    CU_ASSERT_FALSE(adv.has_avg[SCALE_RPS]);
}

static CU_TestInfo tests[] = {
    {"table: guide rules case by case", test_rows},
    {"every 2 of 5 scales up, 1 does not", test_two_of_five},
    {"4 of 5 below maintains", test_four_of_five_below},
    {"custom thresholds", test_custom_thresholds},
    {"idle: no requests counts as below, scales down", test_idle_scales_down},
    {"absolute replica target", test_replicas_target},
    {"defaults are the guide's", test_defaults_and_names},
    {"wait still reports conditions", test_wait_reports_conditions},
    {"history bound and wrap", test_history_bound},
    {"non-finite is absent", test_non_finite_is_absent},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_scale = {"scale", NULL, NULL, NULL, NULL, tests};
