/* Unit tests for the app-pull collector: the real collector (collect/col_app_http.c, its pull
 * worker and libcurl) against an in-process HTTP server on a loopback port that serves two
 * fixed exposition bodies in turn (the first pull is the baseline, the second and later ones
 * the next state). The test asserts the exact increases the app-stats aggregate receives
 * (summed per series: a reset, a new series and a histogram included) and the collector's
 * self-metrics. The only waiting is for the worker's pulls (a hang guard, never a timing). */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "collect/app_stats.h"
#include "collect/collectors.h"
#include "collect/registry.h"
#include "collect/sink.h"
#include "config/config.h"
#include "io/http_fetch.h"
#include "store/mset.h"
#include "unit_util.h"

#define EPS 1e-9

static const char body_first[] = "# TYPE rizk_requests_total counter\n"
                                 "rizk_requests_total{route=\"/a\"} 100\n"
                                 "rizk_requests_total{route=\"/b\"} 50\n"
                                 "# TYPE rizk_request_errors_total counter\n"
                                 "rizk_request_errors_total 5\n"
                                 "# TYPE rizk_request_duration_seconds histogram\n"
                                 "rizk_request_duration_seconds_bucket{le=\"0.1\"} 10\n"
                                 "rizk_request_duration_seconds_bucket{le=\"1\"} 20\n"
                                 "rizk_request_duration_seconds_bucket{le=\"+Inf\"} 20\n"
                                 "rizk_request_duration_seconds_sum 4\n"
                                 "rizk_request_duration_seconds_count 20\n"
                                 "# TYPE rizk_active_connections gauge\n"
                                 "rizk_active_connections 7\n"
                                 "# TYPE rizk_cache_hits_total counter\n"
                                 "rizk_cache_hits_total{tier=\"l1\"} 30\n"
                                 "# TYPE rizk_cache_misses_total counter\n"
                                 "rizk_cache_misses_total{tier=\"l1\"} 10\n"
                                 "# TYPE process_start_time_seconds gauge\n"
                                 "process_start_time_seconds 1000\n";

/* /a +30, /b reset (50 -> 40: +40), /c new on a later pull (+2, counted whole); errors +4;
 * durations +6 below 0.1 s, +4 in (0.1, 1], sum +3; gauge now 3; l1 +15 hits, +2 misses;
 * one malformed line, skipped and counted. */
static const char body_next[] = "# TYPE rizk_requests_total counter\n"
                                "rizk_requests_total{route=\"/a\"} 130\n"
                                "rizk_requests_total{route=\"/b\"} 40\n"
                                "rizk_requests_total{route=\"/c\"} 2\n"
                                "# TYPE rizk_request_errors_total counter\n"
                                "rizk_request_errors_total 9\n"
                                "# TYPE rizk_request_duration_seconds histogram\n"
                                "rizk_request_duration_seconds_bucket{le=\"0.1\"} 16\n"
                                "rizk_request_duration_seconds_bucket{le=\"1\"} 30\n"
                                "rizk_request_duration_seconds_bucket{le=\"+Inf\"} 30\n"
                                "rizk_request_duration_seconds_sum 7\n"
                                "rizk_request_duration_seconds_count 30\n"
                                "# TYPE rizk_active_connections gauge\n"
                                "rizk_active_connections 3\n"
                                "this line is not exposition\n"
                                "# TYPE rizk_cache_hits_total counter\n"
                                "rizk_cache_hits_total{tier=\"l1\"} 45\n"
                                "# TYPE rizk_cache_misses_total counter\n"
                                "rizk_cache_misses_total{tier=\"l1\"} 12\n"
                                "# TYPE process_start_time_seconds gauge\n"
                                "process_start_time_seconds 1000\n";

struct fake_app {
    int lfd;
    unsigned port;
    pthread_t thread;
    atomic_uint served;
};

static void *fake_app_main(void *arg)
{
    struct fake_app *f = arg;
    for (;;) {
        int cfd = accept(f->lfd, NULL, NULL);
        if (cfd < 0)
            return NULL; /* shut down: the test is over */
        char req[4096];
        size_t n = 0;
        while (n < sizeof(req) - 1) {
            ssize_t r = read(cfd, req + n, sizeof(req) - 1 - n);
            if (r <= 0)
                break;
            n += (size_t)r;
            req[n] = '\0';
            if (strstr(req, "\r\n\r\n") != NULL)
                break;
        }
        const char *body = atomic_fetch_add(&f->served, 1) == 0 ? body_first : body_next;
        char head[256];
        int hl = snprintf(head, sizeof(head),
                          "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
                          "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                          strlen(body));
        if (write(cfd, head, (size_t)hl) == hl)
            (void)!write(cfd, body, strlen(body));
        close(cfd);
    }
}

static void fake_app_start(struct fake_app *f)
{
    memset(f, 0, sizeof(*f));
    f->lfd = unit_tcp_listen(&f->port);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&f->thread, NULL, fake_app_main, f), 0);
}

static void fake_app_stop(struct fake_app *f)
{
    shutdown(f->lfd, SHUT_RDWR);
    close(f->lfd);
    pthread_join(f->thread, NULL);
}

static void test_app_pull_increases(void)
{
    CU_ASSERT_EQUAL_FATAL(http_fetch_global_init(), 0);
    struct fake_app f;
    fake_app_start(&f);
    char url[80];
    snprintf(url, sizeof(url), "--app.metrics-url=http://127.0.0.1:%u/metrics", f.port);
    /* A long interval and timeout: a pull that timed out on a loaded box would shift which body
     * is the baseline. */
    char *argv[] = {"rizk-metrics", url, "--history.interval=2s", "--app.timeout=1500ms", NULL};
    char *env[] = {NULL};
    FILE *null = fopen("/dev/null", "w");
    struct config cfg;
    CU_ASSERT_EQUAL_FATAL(config_load(&cfg, &registry_config_collectors, 4, argv, env, null, null),
                          CONFIG_RUN);
    fclose(null);
    void *ctx = NULL;
    struct app_stats *stats = NULL;
    CU_ASSERT_EQUAL_FATAL(col_app_pull_type.init(&cfg, &ctx), 0);
    CU_ASSERT_EQUAL_FATAL(app_stats_new(&stats), 0);
    col_app_pull_type.bind_app_stats(ctx, stats);

    /* collect (as the sampler's ticks do) until two pulls were taken: at most 20 s */
    struct mset *m = NULL;
    double pulls = 0;
    for (int i = 0; i < 1000 && !(pulls >= 2); i++) {
        mset_free(m);
        m = mset_new();
        struct sample_sink *s = sink_new(m);
        CU_ASSERT_EQUAL(col_app_pull_type.collect(ctx, s), 0);
        sink_free(s);
        pulls = unit_sample(m, "rizk_app_pulls_total", NULL, NULL);
        if (!(pulls >= 2))
            unit_nap_ms(20);
    }
    CU_ASSERT_TRUE_FATAL(pulls >= 2);
    /* later pulls serve the same body again: they add nothing but one malformed line each */
    CU_ASSERT_DOUBLE_EQUAL(unit_sample(m, "rizk_app_pull_malformed_lines_total", NULL, NULL),
                           pulls - 1, EPS);
    CU_ASSERT_DOUBLE_EQUAL(unit_sample(m, "rizk_app_pull_counter_resets_total", NULL, NULL), 1,
                           EPS);
    CU_ASSERT_DOUBLE_EQUAL(unit_sample(m, "rizk_app_pull_restarts_total", NULL, NULL), 0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(unit_sample(m, "rizk_app_pull_skipped_series_total", NULL, NULL), 0,
                           EPS);
    CU_ASSERT_DOUBLE_EQUAL(unit_sample(m, "rizk_app_pull_errors_total", "kind", "timeout"), 0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(unit_sample(m, "rizk_app_pull_body_bytes", NULL, NULL),
                           (double)strlen(body_next), EPS);

    struct app_stats_view v;
    app_stats_view(stats, &v);
    CU_ASSERT_TRUE(v.has_requests);
    CU_ASSERT_DOUBLE_EQUAL(v.requests, 30 + 40 + 2, EPS);
    CU_ASSERT_DOUBLE_EQUAL(v.errors, 4, EPS);
    CU_ASSERT_TRUE(v.has_durations);
    CU_ASSERT_EQUAL(v.duration_count, 10);
    CU_ASSERT_DOUBLE_EQUAL(v.duration_sum, 3, EPS);
    CU_ASSERT_TRUE(v.has_active);
    CU_ASSERT_DOUBLE_EQUAL(v.active, 3, EPS);
    CU_ASSERT_TRUE(v.has_cache[APP_TIER_L1]);
    CU_ASSERT_FALSE(v.has_cache[APP_TIER_L2]);
    CU_ASSERT_DOUBLE_EQUAL(v.cache_hits[APP_TIER_L1], 15, EPS);
    CU_ASSERT_DOUBLE_EQUAL(v.cache_misses[APP_TIER_L1], 2, EPS);

    mset_free(m);
    col_app_pull_type.destroy(ctx);
    app_stats_free(stats);
    config_fini(&cfg);
    fake_app_stop(&f);
}

static CU_TestInfo tests[] = {
    {"two pulls: exact increases and self-metrics", test_app_pull_increases},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_col_app_pull = {"col_app_pull", NULL, NULL, NULL, NULL, tests};
