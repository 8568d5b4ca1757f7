/* Unit tests for collect/pull_delta: exact tables of pulled bodies (parsed with the real
 * parse_expo_select, as the pull worker does) and the deltas they must give: first pull a
 * baseline, increases, resets of every counter kind and of histograms, series appearing,
 * vanishing and coming back, app restarts, error rules, skipped series, and the outputs
 * accepted by the app-stats aggregate. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "collect/app_stats.h"
#include "collect/pull_delta.h"
#include "parse/expo_select.h"

static struct pull_map default_map(void)
{
    struct pull_map m;
    memset(&m, 0, sizeof(m));
    m.requests = "rizk_requests_total";
    m.errors = "rizk_request_errors_total";
    m.duration = "rizk_request_duration_seconds";
    m.active = "rizk_active_connections";
    m.cache_hits = "rizk_cache_hits_total";
    m.cache_misses = "rizk_cache_misses_total";
    m.tier_label = "tier";
    m.start_time = "process_start_time_seconds";
    return m;
}

static struct pull_delta *new_pd(const struct pull_map *m)
{
    struct pull_delta *pd = NULL;
    CU_ASSERT_EQUAL_FATAL(pull_delta_new(m, &pd), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pd);
    return pd;
}

/* step parses body (format fmt) with pd's selection and steps pd. */
static void step_fmt(struct pull_delta *pd, const char *body, enum expo_format fmt,
                     struct app_delta *d, struct pull_delta_stats *st)
{
    struct expo_select sel;
    memset(&sel, 0, sizeof(sel));
    sel.names = pull_delta_names(pd, &sel.nnames);
    struct expo_set *set = NULL;
    int rc = parse_expo_select(body, strlen(body), fmt, &sel, &set, NULL);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    pull_delta_step(pd, set, d, st);
    expo_set_free(set);
}

static void step(struct pull_delta *pd, const char *body, struct app_delta *d,
                 struct pull_delta_stats *st)
{
    step_fmt(pd, body, EXPO_FORMAT_TEXT, d, st);
}

static void test_increase_table(void)
{
    static const struct {
        double prev, cur, want;
    } t[] = {
        {0, 0, 0},           {5, 8, 3},     {8, 8, 0},   {8, 3, 3}, {8, 0, 0},
        {1e15, 1e15 + 1, 1}, {2.5, 3, 0.5}, {1e9, 7, 7}, /* a reset to a small value: the new value
                                                            is the increase */
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        CU_ASSERT_EQUAL(pull_delta_increase(t[i].prev, t[i].cur), t[i].want);
}

#define BODY_A                                                                                     \
    "# TYPE rizk_requests_total counter\n"                                                         \
    "rizk_requests_total 100\n"                                                                    \
    "# TYPE rizk_request_errors_total counter\n"                                                   \
    "rizk_request_errors_total 10\n"                                                               \
    "# TYPE rizk_request_duration_seconds histogram\n"                                             \
    "rizk_request_duration_seconds_bucket{le=\"0.1\"} 5\n"                                         \
    "rizk_request_duration_seconds_bucket{le=\"0.25\"} 8\n"                                        \
    "rizk_request_duration_seconds_bucket{le=\"+Inf\"} 10\n"                                       \
    "rizk_request_duration_seconds_sum 3.5\n"                                                      \
    "rizk_request_duration_seconds_count 10\n"                                                     \
    "# TYPE rizk_active_connections gauge\n"                                                       \
    "rizk_active_connections 4\n"                                                                  \
    "# TYPE rizk_cache_hits_total counter\n"                                                       \
    "rizk_cache_hits_total{tier=\"l1\"} 60\n"                                                      \
    "rizk_cache_hits_total{tier=\"l2\"} 30\n"                                                      \
    "# TYPE rizk_cache_misses_total counter\n"                                                     \
    "rizk_cache_misses_total{tier=\"l1\"} 40\n"                                                    \
    "rizk_cache_misses_total{tier=\"l2\"} 10\n"                                                    \
    "process_start_time_seconds 1000\n"

#define BODY_B                                                                                     \
    "# TYPE rizk_requests_total counter\n"                                                         \
    "rizk_requests_total 150\n"                                                                    \
    "# TYPE rizk_request_errors_total counter\n"                                                   \
    "rizk_request_errors_total 13\n"                                                               \
    "# TYPE rizk_request_duration_seconds histogram\n"                                             \
    "rizk_request_duration_seconds_bucket{le=\"0.1\"} 6\n"                                         \
    "rizk_request_duration_seconds_bucket{le=\"0.25\"} 12\n"                                       \
    "rizk_request_duration_seconds_bucket{le=\"+Inf\"} 15\n"                                       \
    "rizk_request_duration_seconds_sum 5.25\n"                                                     \
    "rizk_request_duration_seconds_count 15\n"                                                     \
    "# TYPE rizk_active_connections gauge\n"                                                       \
    "rizk_active_connections 6\n"                                                                  \
    "# TYPE rizk_cache_hits_total counter\n"                                                       \
    "rizk_cache_hits_total{tier=\"l1\"} 66\n"                                                      \
    "rizk_cache_hits_total{tier=\"l2\"} 33\n"                                                      \
    "# TYPE rizk_cache_misses_total counter\n"                                                     \
    "rizk_cache_misses_total{tier=\"l1\"} 44\n"                                                    \
    "rizk_cache_misses_total{tier=\"l2\"} 11\n"                                                    \
    "process_start_time_seconds 1000\n"

static void test_first_pull_is_baseline(void)
{
    struct pull_map m = default_map();
    struct pull_delta *pd = new_pd(&m);
    struct app_delta d;
    struct pull_delta_stats st;
    step(pd, BODY_A, &d, &st);
    CU_ASSERT_TRUE(st.baseline);
    CU_ASSERT_FALSE(d.has_requests);
    CU_ASSERT_FALSE(d.has_histogram);
    CU_ASSERT_FALSE(d.has_cache[APP_TIER_L1]);
    CU_ASSERT_FALSE(d.has_cache[APP_TIER_L2]);
    /* a gauge is not a delta: reported from the first pull on */
    CU_ASSERT_TRUE(d.has_active_connections);
    CU_ASSERT_EQUAL(d.active_connections, 4);
    CU_ASSERT_EQUAL(st.series, 7);
    CU_ASSERT_EQUAL(st.tracked, 7);
    pull_delta_free(pd);
}

static void test_increases(void)
{
    struct pull_map m = default_map();
    struct pull_delta *pd = new_pd(&m);
    struct app_delta d;
    struct pull_delta_stats st;
    step(pd, BODY_A, &d, &st);
    step(pd, BODY_B, &d, &st);
    CU_ASSERT_FALSE(st.baseline);
    CU_ASSERT_FALSE(st.restarted);
    CU_ASSERT_EQUAL(st.resets, 0);
    CU_ASSERT_TRUE(d.has_requests);
    CU_ASSERT_EQUAL(d.requests, 50);
    CU_ASSERT_EQUAL(d.errors, 3);
    CU_ASSERT_TRUE_FATAL(d.has_histogram);
    CU_ASSERT_EQUAL_FATAL(d.nbuckets, 2); /* +Inf is implied by the count */
    CU_ASSERT_EQUAL(d.bounds[0], 0.1);
    CU_ASSERT_EQUAL(d.bounds[1], 0.25);
    CU_ASSERT_EQUAL(d.cum_counts[0], 1);
    CU_ASSERT_EQUAL(d.cum_counts[1], 4);
    CU_ASSERT_EQUAL(d.hist_count, 5);
    CU_ASSERT_EQUAL(d.hist_sum, 1.75);
    CU_ASSERT_EQUAL(d.active_connections, 6);
    CU_ASSERT_EQUAL(d.cache_hits[APP_TIER_L1], 6);
    CU_ASSERT_EQUAL(d.cache_misses[APP_TIER_L1], 4);
    CU_ASSERT_EQUAL(d.cache_hits[APP_TIER_L2], 3);
    CU_ASSERT_EQUAL(d.cache_misses[APP_TIER_L2], 1);
    /* nothing new: zero deltas, groups still present */
    step(pd, BODY_B, &d, &st);
    CU_ASSERT_TRUE(d.has_requests);
    CU_ASSERT_EQUAL(d.requests, 0);
    CU_ASSERT_EQUAL(d.errors, 0);
    CU_ASSERT_EQUAL(d.hist_count, 0);
    CU_ASSERT_EQUAL(d.cum_counts[1], 0);
    CU_ASSERT_EQUAL(d.hist_sum, 0);
    CU_ASSERT_TRUE(d.has_cache[APP_TIER_L2]);
    CU_ASSERT_EQUAL(d.cache_hits[APP_TIER_L2], 0);
    pull_delta_free(pd);
}

/* Every counter kind drops (the start time stays: a reset seen only in the values). */
static void test_resets_every_kind(void)
{
    struct pull_map m = default_map();
    struct pull_delta *pd = new_pd(&m);
    struct app_delta d;
    struct pull_delta_stats st;
    step(pd, BODY_B, &d, &st);
    step(pd,
         "rizk_requests_total 20\n"
         "rizk_request_errors_total 1\n"
         "# TYPE rizk_request_duration_seconds histogram\n"
         "rizk_request_duration_seconds_bucket{le=\"0.1\"} 2\n"
         "rizk_request_duration_seconds_bucket{le=\"0.25\"} 3\n"
         "rizk_request_duration_seconds_bucket{le=\"+Inf\"} 4\n"
         "rizk_request_duration_seconds_sum 1.5\n"
         "rizk_request_duration_seconds_count 4\n"
         "rizk_cache_hits_total{tier=\"l1\"} 7\n"
         "rizk_cache_hits_total{tier=\"l2\"} 2\n"
         "rizk_cache_misses_total{tier=\"l1\"} 44\n" /* unchanged */
         "rizk_cache_misses_total{tier=\"l2\"} 0\n"
         "process_start_time_seconds 1000\n",
         &d, &st);
    CU_ASSERT_FALSE(st.restarted);
    CU_ASSERT_EQUAL(st.resets, 6); /* requests, errors, histogram, 2 hits, l2 misses */
    CU_ASSERT_EQUAL(d.requests, 20);
    CU_ASSERT_EQUAL(d.errors, 1);
    CU_ASSERT_EQUAL(d.cum_counts[0], 2);
    CU_ASSERT_EQUAL(d.cum_counts[1], 3);
    CU_ASSERT_EQUAL(d.hist_count, 4);
    CU_ASSERT_EQUAL(d.hist_sum, 1.5);
    CU_ASSERT_EQUAL(d.cache_hits[APP_TIER_L1], 7);
    CU_ASSERT_EQUAL(d.cache_hits[APP_TIER_L2], 2);
    CU_ASSERT_EQUAL(d.cache_misses[APP_TIER_L1], 0);
    CU_ASSERT_EQUAL(d.cache_misses[APP_TIER_L2], 0);
    /* after the reset, increases resume from the new values */
    step(pd, "rizk_requests_total 25\nrizk_request_errors_total 1\n", &d, &st);
    CU_ASSERT_EQUAL(d.requests, 5);
    CU_ASSERT_EQUAL(d.errors, 0);
    CU_ASSERT_EQUAL(st.resets, 0);
    pull_delta_free(pd);
}

/* A histogram resets when one bucket drops while the count does not, and when its bounds change. */
static void test_histogram_resets(void)
{
    struct pull_map m = default_map();
    struct pull_delta *pd = new_pd(&m);
    struct app_delta d;
    struct pull_delta_stats st;
    const char *h0 = "# TYPE rizk_request_duration_seconds histogram\n"
                     "rizk_request_duration_seconds_bucket{le=\"0.1\"} 5\n"
                     "rizk_request_duration_seconds_bucket{le=\"+Inf\"} 10\n"
                     "rizk_request_duration_seconds_sum 4\n"
                     "rizk_request_duration_seconds_count 10\n";
    step(pd, h0, &d, &st);
    step(pd,
         "# TYPE rizk_request_duration_seconds histogram\n"
         "rizk_request_duration_seconds_bucket{le=\"0.1\"} 3\n"
         "rizk_request_duration_seconds_bucket{le=\"+Inf\"} 12\n"
         "rizk_request_duration_seconds_sum 6\n"
         "rizk_request_duration_seconds_count 12\n",
         &d, &st);
    CU_ASSERT_EQUAL(st.resets, 1);
    CU_ASSERT_EQUAL(d.cum_counts[0], 3);
    CU_ASSERT_EQUAL(d.hist_count, 12);
    CU_ASSERT_EQUAL(d.hist_sum, 6);
    /* other bounds: the series restarted with new buckets */
    step(pd,
         "# TYPE rizk_request_duration_seconds histogram\n"
         "rizk_request_duration_seconds_bucket{le=\"0.05\"} 1\n"
         "rizk_request_duration_seconds_bucket{le=\"0.1\"} 4\n"
         "rizk_request_duration_seconds_bucket{le=\"+Inf\"} 20\n"
         "rizk_request_duration_seconds_sum 9\n"
         "rizk_request_duration_seconds_count 20\n",
         &d, &st);
    CU_ASSERT_EQUAL(st.resets, 1);
    CU_ASSERT_EQUAL_FATAL(d.nbuckets, 2);
    CU_ASSERT_EQUAL(d.bounds[0], 0.05);
    CU_ASSERT_EQUAL(d.cum_counts[0], 1);
    CU_ASSERT_EQUAL(d.cum_counts[1], 4);
    CU_ASSERT_EQUAL(d.hist_count, 20);
    /* no _count: the +Inf bucket is the count */
    step(pd,
         "# TYPE rizk_request_duration_seconds histogram\n"
         "rizk_request_duration_seconds_bucket{le=\"0.05\"} 2\n"
         "rizk_request_duration_seconds_bucket{le=\"0.1\"} 6\n"
         "rizk_request_duration_seconds_bucket{le=\"+Inf\"} 23\n"
         "rizk_request_duration_seconds_sum 10\n",
         &d, &st);
    CU_ASSERT_EQUAL(st.resets, 0);
    CU_ASSERT_EQUAL(d.cum_counts[0], 1);
    CU_ASSERT_EQUAL(d.cum_counts[1], 2);
    CU_ASSERT_EQUAL(d.hist_count, 3);
    CU_ASSERT_EQUAL(d.hist_sum, 1);
    pull_delta_free(pd);
}

/* A labelled series created after the first pull counts whole: client libraries create it on its
 * first increment. */
static void test_new_series_counts_whole(void)
{
    struct pull_map m = default_map();
    m.requests = "http_requests_total";
    struct pull_error_rule r = {"status", "5"};
    m.rules[0] = r;
    m.nrules = 1;
    struct pull_delta *pd = new_pd(&m);
    struct app_delta d;
    struct pull_delta_stats st;
    step(pd, "http_requests_total{status=\"200\",method=\"GET\"} 70\n", &d, &st);
    step(pd,
         "http_requests_total{status=\"200\",method=\"GET\"} 77\n"
         "http_requests_total{method=\"GET\",status=\"404\"} 1\n"
         "http_requests_total{status=\"503\",method=\"POST\"} 1\n",
         &d, &st);
    CU_ASSERT_EQUAL(d.requests, 9);
    CU_ASSERT_EQUAL(d.errors, 1);
    /* label order in the body does not change a series' identity */
    step(pd,
         "http_requests_total{method=\"GET\",status=\"200\"} 84\n"
         "http_requests_total{status=\"404\",method=\"GET\"} 2\n"
         "http_requests_total{method=\"POST\",status=\"503\"} 2\n"
         "http_requests_total{method=\"GET\",status=\"500\"} 1\n",
         &d, &st);
    CU_ASSERT_EQUAL(d.requests, 10);
    CU_ASSERT_EQUAL(d.errors, 2);
    CU_ASSERT_EQUAL(st.series, 4);
    CU_ASSERT_EQUAL(st.resets, 0);
    pull_delta_free(pd);
}

static void test_vanish_and_return(void)
{
    struct pull_map m = default_map();
    struct pull_delta *pd = new_pd(&m);
    struct app_delta d;
    struct pull_delta_stats st;
    step(pd, "rizk_requests_total{w=\"a\"} 10\nrizk_requests_total{w=\"b\"} 5\n", &d, &st);
    step(pd, "rizk_requests_total{w=\"a\"} 12\n", &d, &st);
    CU_ASSERT_EQUAL(d.requests, 2);
    CU_ASSERT_EQUAL(st.tracked, 2); /* b is remembered */
    step(pd, "rizk_requests_total{w=\"a\"} 12\nrizk_requests_total{w=\"b\"} 7\n", &d, &st);
    CU_ASSERT_EQUAL(d.requests, 2); /* b: 7 - 5, not 7 */
    /* b comes back lower: it reset while it was gone */
    step(pd, "rizk_requests_total{w=\"a\"} 12\n", &d, &st);
    step(pd, "rizk_requests_total{w=\"a\"} 12\nrizk_requests_total{w=\"b\"} 3\n", &d, &st);
    CU_ASSERT_EQUAL(d.requests, 3);
    CU_ASSERT_EQUAL(st.resets, 1);
    /* a whole body without the family: nothing counted, nothing forgotten */
    step(pd, "other_metric 1\n", &d, &st);
    CU_ASSERT_FALSE(d.has_requests);
    CU_ASSERT_EQUAL(st.tracked, 2);
    step(pd, "rizk_requests_total{w=\"a\"} 13\nrizk_requests_total{w=\"b\"} 4\n", &d, &st);
    CU_ASSERT_EQUAL(d.requests, 2);
    /* forgotten after PULL_DELTA_FORGET_PULLS pulls: then it counts as new */
    for (int i = 0; i <= PULL_DELTA_FORGET_PULLS; i++)
        step(pd, "rizk_requests_total{w=\"a\"} 13\n", &d, &st);
    CU_ASSERT_EQUAL(st.tracked, 1);
    step(pd, "rizk_requests_total{w=\"a\"} 13\nrizk_requests_total{w=\"b\"} 9\n", &d, &st);
    CU_ASSERT_EQUAL(d.requests, 9);
    pull_delta_free(pd);
}

/* The start time changes: everything counts whole, even a counter that climbed past its old
 * value, and vanished series are forgotten. */
static void test_restart(void)
{
    struct pull_map m = default_map();
    struct pull_delta *pd = new_pd(&m);
    struct app_delta d;
    struct pull_delta_stats st;
    step(pd,
         "rizk_requests_total{w=\"a\"} 10\nrizk_requests_total{w=\"b\"} 5\n"
         "process_start_time_seconds 1000\n",
         &d, &st);
    step(pd, "rizk_requests_total{w=\"a\"} 12\nprocess_start_time_seconds 1000\n", &d, &st);
    CU_ASSERT_EQUAL(d.requests, 2);
    step(pd, "rizk_requests_total{w=\"a\"} 30\nprocess_start_time_seconds 2000\n", &d, &st);
    CU_ASSERT_TRUE(st.restarted);
    CU_ASSERT_EQUAL(st.resets, 0);
    CU_ASSERT_EQUAL(d.requests, 30);
    CU_ASSERT_EQUAL(st.tracked, 1);
    step(pd,
         "rizk_requests_total{w=\"a\"} 31\nrizk_requests_total{w=\"b\"} 6\n"
         "process_start_time_seconds 2000\n",
         &d, &st);
    CU_ASSERT_FALSE(st.restarted);
    CU_ASSERT_EQUAL(d.requests, 7); /* b is new since the restart: 6 whole */
    /* a body without the start time is not a restart */
    step(pd, "rizk_requests_total{w=\"a\"} 32\nrizk_requests_total{w=\"b\"} 6\n", &d, &st);
    CU_ASSERT_FALSE(st.restarted);
    CU_ASSERT_EQUAL(d.requests, 1);
    pull_delta_free(pd);
}

static void test_error_rules(void)
{
    static const struct {
        const char *in;
        int rc;
        unsigned n;
    } t[] = {
        {"status:5", 0, 1},        {"status:5,code:5", 0, 2}, {"code:50", 0, 1},
        {"a:1,b:2,c:3,d:4", 0, 4}, {"", -EINVAL, 0},          {"status", -EINVAL, 0},
        {"status:", -EINVAL, 0},   {":5", -EINVAL, 0},        {"1abc:5", -EINVAL, 0},
        {"st-atus:5", -EINVAL, 0}, {"status:5,", -EINVAL, 0}, {"a:1,b:2,c:3,d:4,e:5", -EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%s", t[i].in);
        struct pull_error_rule r[PULL_DELTA_MAX_RULES];
        unsigned n = 99;
        int rc = parse_pull_error_rules(buf, r, &n);
        CU_ASSERT_EQUAL(rc, t[i].rc);
        unsigned want = rc == 0 ? t[i].n : 99; /* untouched on failure */
        CU_ASSERT_EQUAL(n, want);
    }
    char buf[] = "status:5,code:50";
    struct pull_error_rule r[PULL_DELTA_MAX_RULES];
    unsigned n;
    CU_ASSERT_EQUAL_FATAL(parse_pull_error_rules(buf, r, &n), 0);
    CU_ASSERT_STRING_EQUAL(r[0].label, "status");
    CU_ASSERT_STRING_EQUAL(r[0].prefix, "5");
    CU_ASSERT_STRING_EQUAL(r[1].label, "code");
    CU_ASSERT_STRING_EQUAL(r[1].prefix, "50");

    /* either label matches; the errors family is not read when rules exist */
    struct pull_map m = default_map();
    m.requests = "http_requests_total";
    m.rules[0] = r[0];
    m.rules[1] = r[1];
    m.nrules = 2;
    struct pull_delta *pd = new_pd(&m);
    unsigned nn;
    const char *const *names = pull_delta_names(pd, &nn);
    for (unsigned i = 0; i < nn; i++)
        CU_ASSERT_STRING_NOT_EQUAL(names[i], "rizk_request_errors_total");
    struct app_delta d;
    struct pull_delta_stats st;
    const char *b0 = "http_requests_total{status=\"200\"} 0\n"
                     "http_requests_total{code=\"502\"} 0\n"
                     "http_requests_total{code=\"500\"} 0\n"
                     "http_requests_total{status=\"5xx\"} 0\n";
    step(pd, b0, &d, &st);
    step(pd,
         "http_requests_total{status=\"200\"} 10\n"
         "http_requests_total{code=\"502\"} 1\n"   /* code:50 */
         "http_requests_total{code=\"500\"} 2\n"   /* code:50 */
         "http_requests_total{status=\"5xx\"} 4\n" /* status:5 */
         "rizk_request_errors_total 1000\n",
         &d, &st);
    CU_ASSERT_EQUAL(d.requests, 17);
    CU_ASSERT_EQUAL(d.errors, 7);
    pull_delta_free(pd);
}

static void test_skipped_series(void)
{
    struct pull_map m = default_map();
    struct pull_delta *pd = new_pd(&m);
    struct app_delta d;
    struct pull_delta_stats st;
    /* What breaks the format's rules never reaches the tracker: the parser leaves out the
     * whole family (a negative, a NaN or a repeated series; buckets that drop). */
    const char *broken = "rizk_requests_total{w=\"a\"} 10\n"
                         "rizk_requests_total{w=\"neg\"} -1\n"
                         "rizk_requests_total{w=\"nan\"} NaN\n"
                         "rizk_requests_total{w=\"dup\"} 1\n"
                         "rizk_requests_total{w=\"dup\"} 2\n"
                         "# TYPE rizk_request_duration_seconds histogram\n"
                         "rizk_request_duration_seconds_bucket{r=\"x\",le=\"0.1\"} 5\n"
                         "rizk_request_duration_seconds_bucket{r=\"x\",le=\"0.2\"} 4\n"
                         "rizk_request_duration_seconds_bucket{r=\"x\",le=\"+Inf\"} 6\n"
                         "rizk_request_duration_seconds_sum{r=\"x\"} 1\n"
                         "rizk_request_duration_seconds_count{r=\"x\"} 6\n"
                         "rizk_request_duration_seconds_bucket{r=\"ok\",le=\"0.1\"} 1\n"
                         "rizk_request_duration_seconds_bucket{r=\"ok\",le=\"+Inf\"} 2\n"
                         "rizk_request_duration_seconds_sum{r=\"ok\"} 0.5\n"
                         "rizk_request_duration_seconds_count{r=\"ok\"} 2\n";
    step(pd, broken, &d, &st);
    CU_ASSERT_EQUAL(st.series, 0);
    CU_ASSERT_EQUAL(st.invalid, 0);
    step(pd, broken, &d, &st);
    CU_ASSERT_FALSE(d.has_requests);
    CU_ASSERT_FALSE(d.has_histogram);

    /* Valid exposition the tracker cannot use: tiers it does not know, a histogram without
     * _sum, bounds unlike the first histogram's. */
    pull_delta_free(pd);
    pd = new_pd(&m);
    const char *body = "rizk_requests_total{w=\"a\"} 10\n"
                       "rizk_cache_hits_total{tier=\"l3\"} 5\n"
                       "rizk_cache_hits_total 5\n"
                       "# TYPE rizk_request_duration_seconds histogram\n"
                       "rizk_request_duration_seconds_bucket{r=\"nosum\",le=\"+Inf\"} 6\n"
                       "rizk_request_duration_seconds_count{r=\"nosum\"} 6\n"
                       "rizk_request_duration_seconds_bucket{r=\"ok\",le=\"0.1\"} 1\n"
                       "rizk_request_duration_seconds_bucket{r=\"ok\",le=\"+Inf\"} 2\n"
                       "rizk_request_duration_seconds_sum{r=\"ok\"} 0.5\n"
                       "rizk_request_duration_seconds_count{r=\"ok\"} 2\n"
                       "rizk_request_duration_seconds_bucket{r=\"other\",le=\"0.3\"} 1\n"
                       "rizk_request_duration_seconds_bucket{r=\"other\",le=\"+Inf\"} 1\n"
                       "rizk_request_duration_seconds_sum{r=\"other\"} 0.3\n"
                       "rizk_request_duration_seconds_count{r=\"other\"} 1\n";
    step(pd, body, &d, &st);
    CU_ASSERT_EQUAL(st.invalid, 1); /* nosum */
    CU_ASSERT_EQUAL(st.ignored, 2); /* two tiers */
    CU_ASSERT_EQUAL(st.series, 3);  /* a, ok, other */
    step(pd, body, &d, &st);
    CU_ASSERT_EQUAL(st.ignored, 3); /* + "other": bounds unlike the first histogram's */
    CU_ASSERT_EQUAL(d.requests, 0);
    CU_ASSERT_TRUE(d.has_histogram);
    CU_ASSERT_EQUAL(d.nbuckets, 1);
    CU_ASSERT_EQUAL(d.hist_count, 0);
    pull_delta_free(pd);
}

#define SUM_BODY                                                                                   \
    "# TYPE http_request_duration_seconds histogram\n"                                             \
    "http_request_duration_seconds_bucket{route=\"/a\",le=\"0.25\"} %d\n"                          \
    "http_request_duration_seconds_bucket{route=\"/a\",le=\"+Inf\"} %d\n"                          \
    "http_request_duration_seconds_sum{route=\"/a\"} %g\n"                                         \
    "http_request_duration_seconds_count{route=\"/a\"} %d\n"                                       \
    "http_request_duration_seconds_bucket{route=\"/b\",le=\"0.25\"} %d\n"                          \
    "http_request_duration_seconds_bucket{route=\"/b\",le=\"+Inf\"} %d\n"                          \
    "http_request_duration_seconds_sum{route=\"/b\"} %g\n"                                         \
    "http_request_duration_seconds_count{route=\"/b\"} %d\n"                                       \
    "http_connections_open{worker=\"w1\"} %d\n"                                                    \
    "http_connections_open{worker=\"w2\"} 7\n"

static void test_series_sum(void)
{
    struct pull_map m = default_map();
    m.duration = "http_request_duration_seconds";
    m.active = "http_connections_open";
    struct pull_delta *pd = new_pd(&m);
    struct app_delta d;
    struct pull_delta_stats st;
    char body[2048];
    snprintf(body, sizeof(body), SUM_BODY, 1, 2, 0.625, 2, 0, 2, 0.875, 2, 5);
    step(pd, body, &d, &st);
    CU_ASSERT_EQUAL(d.active_connections, 12);
    snprintf(body, sizeof(body), SUM_BODY, 2, 4, 1.25, 4, 0, 4, 1.75, 4, 6);
    step(pd, body, &d, &st);
    CU_ASSERT_EQUAL(d.active_connections, 13);
    CU_ASSERT_EQUAL(d.nbuckets, 1);
    CU_ASSERT_EQUAL(d.cum_counts[0], 1);
    CU_ASSERT_EQUAL(d.hist_count, 4);
    CU_ASSERT_EQUAL(d.hist_sum, 1.5);
    pull_delta_free(pd);
}

/* The OpenMetrics spelling (family without _total, _created samples) gives the same deltas. */
static void test_openmetrics(void)
{
    struct pull_map m = default_map();
    struct pull_delta *pd = new_pd(&m);
    struct app_delta d;
    struct pull_delta_stats st;
    step_fmt(pd,
             "# TYPE rizk_requests counter\nrizk_requests_total 100.0\n"
             "rizk_requests_created 1.7e+09\n# EOF\n",
             EXPO_FORMAT_OPENMETRICS, &d, &st);
    step_fmt(pd,
             "# TYPE rizk_requests counter\nrizk_requests_total 140.0\n"
             "rizk_requests_created 1.7e+09\n# EOF\n",
             EXPO_FORMAT_OPENMETRICS, &d, &st);
    CU_ASSERT_EQUAL(d.requests, 40);
    CU_ASSERT_EQUAL(st.series, 1);
    pull_delta_free(pd);
}

/* The deltas are what the aggregate accepts, and repeated steps add up to the app's totals. */
static void test_into_app_stats(void)
{
    struct pull_map m = default_map();
    struct pull_delta *pd = new_pd(&m);
    struct app_stats *as = NULL;
    CU_ASSERT_EQUAL_FATAL(app_stats_new(&as), 0);
    struct app_delta d;
    struct pull_delta_stats st;
    step(pd, BODY_A, &d, &st);
    CU_ASSERT_EQUAL(app_stats_add(as, &d), 0);
    step(pd, BODY_B, &d, &st);
    CU_ASSERT_EQUAL(app_stats_add(as, &d), 0);
    step(pd, "rizk_requests_total 5\nprocess_start_time_seconds 1001\n", &d, &st); /* restart */
    CU_ASSERT_EQUAL(app_stats_add(as, &d), 0);
    struct app_stats_view v;
    app_stats_view(as, &v);
    CU_ASSERT_EQUAL(v.requests, 55);
    CU_ASSERT_EQUAL(v.errors, 3);
    CU_ASSERT_EQUAL(v.duration_count, 5);
    CU_ASSERT_EQUAL(v.duration_sum, 1.75);
    CU_ASSERT_EQUAL(v.cache_hits[APP_TIER_L1], 6);
    CU_ASSERT_EQUAL(v.active, 6);
    app_stats_free(as);
    pull_delta_free(pd);
}

static void test_new_invalid(void)
{
    struct pull_delta *pd = NULL;
    struct pull_map m;
    memset(&m, 0, sizeof(m));
    CU_ASSERT_EQUAL(pull_delta_new(&m, &pd), -EINVAL); /* nothing named */
    m.start_time = "process_start_time_seconds";
    CU_ASSERT_EQUAL(pull_delta_new(&m, &pd), -EINVAL); /* only the start time */
    m = default_map();
    m.errors = m.requests;
    CU_ASSERT_EQUAL(pull_delta_new(&m, &pd), -EINVAL); /* a name twice */
    m = default_map();
    m.requests = NULL;
    m.rules[0].label = "status";
    m.rules[0].prefix = "5";
    m.nrules = 1;
    CU_ASSERT_EQUAL(pull_delta_new(&m, &pd), -EINVAL); /* rules need the requests family */
    CU_ASSERT_PTR_NULL(pd);
    m = default_map();
    m.errors = m.requests;
    m.rules[0].label = "status";
    m.rules[0].prefix = "5";
    m.nrules = 1; /* the errors name is not read with rules: no clash */
    CU_ASSERT_EQUAL(pull_delta_new(&m, &pd), 0);
    pull_delta_free(pd);
    pull_delta_free(NULL);
}

static CU_TestInfo pull_delta_tests[] = {
    {"increase rule table", test_increase_table},
    {"first pull is a baseline", test_first_pull_is_baseline},
    {"increases of every family", test_increases},
    {"resets of every counter kind", test_resets_every_kind},
    {"histogram resets and bounds changes", test_histogram_resets},
    {"new series count whole", test_new_series_counts_whole},
    {"series vanishing and coming back", test_vanish_and_return},
    {"app restart by start time", test_restart},
    {"error rules", test_error_rules},
    {"skipped series", test_skipped_series},
    {"series summed", test_series_sum},
    {"OpenMetrics spelling", test_openmetrics},
    {"deltas into the app-stats aggregate", test_into_app_stats},
    {"invalid maps", test_new_invalid},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_pull_delta = {"pull_delta", NULL, NULL, NULL, NULL, pull_delta_tests};
