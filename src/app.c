/* The sidecar: wires config -> registry -> store -> signals -> snapshot -> HTTP.
 *
 * DESIGN. Three kinds of thread (STYLE 3.7). main blocks the termination signals in every
 * thread and waits for them with sigwait. The sampler runs one epoll loop over a timerfd (the
 * tick), an eventfd (stop) and the push collectors' fds; each tick collects every source into a
 * fresh metric set, appends the history, computes the signals, renders every body once and
 * publishes the snapshot. libmicrohttpd's pool only acquires snapshots and sends their bodies. */
#include "app.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "collect/app_inbox.h"
#include "collect/app_stats.h"
#include "collect/registry.h"
#include "collect/sink.h"
#include "config/config.h"
#include "core/cidr.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/procsig.h"
#include "core/version.h"
#include "core/xalloc.h"
#include "fleet/publish.h"
#include "http/routes.h"
#include "http/server.h"
#include "io/fsroot.h"
#include "render/api_json.h"
#include "render/bodies.h"
#include "signals/readiness.h"
#include "signals/redis_ratio.h"
#include "signals/scale.h"
#include "signals/signals.h"
#include "store/dhist.h"
#include "store/hwindow.h"
#include "store/snapshot.h"
#include "store/store.h"
#include "core/banned.h"

/* SIGTERM must end the process within 5 s: 4 s for in-flight requests, the rest for teardown. */
#define APP_DRAIN_MS 4000

struct app {
    const struct config *cfg;
    struct registry *reg;
    struct store *store;
    struct snapshot_pub *pub;
    struct http_server *http;
    struct app_routes_ctx routes;
    struct fleet_pub *fleet;     /* NULL when there is no fleet registry to publish to */
    struct app_stats *app_stats; /* sampler-owned; HTTP pushes go through inbox */
    struct app_inbox *inbox;
    struct hwindow *durations_window; /* per-tick duration buckets for the quantiles */
    struct cidr_set *report_allow;
    pthread_t sampler;
    bool sampler_started;
    int stop_fd;
    int timer_fd;
    int epoll_fd;
    uint64_t seq;
    uint64_t overruns;     /* ticks missed because a tick took longer than the interval */
    int64_t start_wall_ms; /* wall time at start ... */
    int64_t start_mono_ms; /* ... and the monotonic time it corresponds to */
    struct scale_history *scale_hist; /* decision samples, one per tick (sampler-owned) */
    struct scale_thresholds scale_th;
};

static void app_emit_self(struct app *a, struct sample_sink *sink)
{
    struct label build[] = {
        {"version", RIZK_VERSION},
        {"revision", RIZK_REVISION},
        {"compiler", __VERSION__},
    };
    sink_gauge(sink, "rizk_build_info",
               "A metric with a constant 1 labeled with the version and revision of rizk-metrics.",
               build, 3, 1);
    sink_gauge(sink, "rizk_history_interval_seconds", "Sampling interval of the history.", NULL, 0,
               (double)a->cfg->history_interval_ms / 1000.0);
    sink_gauge(sink, "rizk_history_retention_seconds", "Time span the history keeps.", NULL, 0,
               (double)a->cfg->history_retention_ms / 1000.0);
    sink_gauge(sink, "rizk_history_memory_bytes", "Memory held by the history ring buffers.", NULL,
               0, (double)store_memory_bytes(a->store));
    sink_gauge(sink, "rizk_signals_window_seconds", "Window over which signals are computed.", NULL,
               0, (double)a->cfg->signals_window_ms / 1000.0);
    sink_counter(sink, "rizk_sampler_ticks_total", "Sampler ticks completed.", NULL, 0,
                 (double)a->seq);
    sink_counter(sink, "rizk_sampler_overruns_total",
                 "Ticks skipped because the previous one ran longer than the interval.", NULL, 0,
                 (double)a->overruns);
}

/* app_gauge_signal appends a present signal to its history series and emits its gauge. */
static void app_gauge_signal(struct app *a, struct sample_sink *sink, int64_t t_ms, bool has,
                             enum hist_series id, const char *name, const char *help,
                             const struct label *l, size_t nl, double v)
{
    if (!has)
        return;
    store_append(a->store, id, t_ms, v);
    sink_gauge(sink, name, help, l, nl, v);
}

/* app_emit_quantiles: p50/p95/p99 of the request duration over the window, from the per-tick
 * bucket snapshots (histogram_quantile over the window's increase). */
static void app_emit_quantiles(struct app *a, struct sample_sink *sink, int64_t t_ms)
{
    static const struct {
        double q;
        const char *label;
        enum hist_series id;
    } qs[] = {{0.5, "0.5", HS_RESPONSE_TIME_P50},
              {0.95, "0.95", HS_RESPONSE_TIME_P95},
              {0.99, "0.99", HS_RESPONSE_TIME_P99}};
    struct app_stats_view v;
    app_stats_view(a->app_stats, &v);
    if (!v.has_durations)
        return;
    struct histogram h;
    dhist_export(app_stats_durations(a->app_stats), &h);
    hwindow_push(a->durations_window, t_ms, &h);
    uint64_t counts[HWINDOW_MAX_BUCKETS];
    struct histogram d;
    if (hwindow_delta(a->durations_window, t_ms, a->cfg->signals_window_ms, counts, &d) < 0)
        return;
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        double x;
        if (signals_histogram_quantile(qs[i].q, d.bounds, d.counts, d.nbuckets, d.count, &x) < 0)
            continue;
        struct label l = {"quantile", qs[i].label};
        store_append(a->store, qs[i].id, t_ms, x);
        /* untyped: a gauge may not carry a "quantile" label (promtool, OpenMetrics) */
        sink_untyped(sink, "rizk_response_time_quantile_seconds",
                     "Quantiles of the app's request duration over the signals window "
                     "(histogram_quantile of the window's increase), in seconds.",
                     &l, 1, x);
    }
}

static void app_emit_app_signals(struct app *a, struct sample_sink *sink, int64_t t_ms,
                                 const struct signals_out *sig)
{
    app_gauge_signal(a, sink, t_ms, sig->has_requests_per_second, HS_REQUESTS_PER_SECOND,
                     "rizk_requests_per_second",
                     "Rate of the app's requests over the signals window, per second.", NULL, 0,
                     sig->requests_per_second);
    app_gauge_signal(a, sink, t_ms, sig->has_error_ratio, HS_ERROR_RATIO, "rizk_error_ratio",
                     "Failed / all requests of the app over the signals window (0-1).", NULL, 0,
                     sig->error_ratio);
    app_gauge_signal(a, sink, t_ms, sig->has_response_time, HS_RESPONSE_TIME_SECONDS,
                     "rizk_response_time_seconds",
                     "Mean request duration of the app over the signals window, in seconds.", NULL,
                     0, sig->response_time_seconds);
    app_emit_quantiles(a, sink, t_ms);
    app_gauge_signal(a, sink, t_ms, sig->has_active_connections, HS_ACTIVE_CONNECTIONS,
                     "rizk_active_connections",
                     "Open client connections of the app: its own gauge, else ESTABLISHED "
                     "sockets on --app.port.",
                     NULL, 0, sig->active_connections);
    app_gauge_signal(a, sink, t_ms, sig->has_cache_hit_ratio, HS_CACHE_HIT_RATIO,
                     "rizk_cache_hit_ratio",
                     "Cache hierarchy hit ratio over the signals window: (l1 hits + l2 hits) / "
                     "l1 lookups (0-1).",
                     NULL, 0, sig->cache_hit_ratio);
    static const enum hist_series tier_id[2] = {HS_CACHE_L1_HIT_RATIO, HS_CACHE_L2_HIT_RATIO};
    for (int t = 0; t < 2; t++) {
        struct label l = {"tier", app_tier_name((enum app_tier)t)};
        app_gauge_signal(a, sink, t_ms, sig->has_cache_tier_hit_ratio[t], tier_id[t],
                         "rizk_cache_tier_hit_ratio",
                         "Hit ratio of one cache tier over the signals window: hits / (hits + "
                         "misses) (0-1).",
                         &l, 1, sig->cache_tier_hit_ratio[t]);
    }
}

static void app_emit_signals(struct app *a, struct sample_sink *sink, int64_t t_ms)
{
    struct signals_out sig;
    if (signals_compute(a->store, t_ms, a->cfg->signals_window_ms, &sig) < 0)
        return;
    if (sig.has_cpu_utilization) {
        store_append(a->store, HS_CPU_UTILIZATION_RATIO, t_ms, sig.cpu_utilization_ratio);
        sink_gauge(sink, "rizk_cpu_utilization_ratio",
                   "CPU utilization over the signals window: container usage / limit when a "
                   "limit is set, else node busy / total (0-1, may exceed 1 when bursting).",
                   NULL, 0, sig.cpu_utilization_ratio);
    }
    if (sig.has_memory_utilization) {
        store_append(a->store, HS_MEMORY_UTILIZATION_RATIO, t_ms, sig.memory_utilization_ratio);
        sink_gauge(sink, "rizk_memory_utilization_ratio",
                   "Memory utilization: container working set / limit when a limit is set, else "
                   "1 - MemAvailable / MemTotal (0-1).",
                   NULL, 0, sig.memory_utilization_ratio);
    }
    struct label lc = {"signal", "cpu"};
    struct label lm = {"signal", "memory"};
    const char *help = "Which source a utilization signal is computed from (value 1, label "
                       "basis = container, node or none).";
    struct label l1[] = {lc, {"basis", signals_basis_name(sig.cpu_basis)}};
    struct label l2[] = {lm, {"basis", signals_basis_name(sig.memory_basis)}};
    sink_gauge(sink, "rizk_signal_basis_info", help, l1, 2, 1);
    sink_gauge(sink, "rizk_signal_basis_info", help, l2, 2, 1);
    struct label l3[] = {{"signal", "active_connections"},
                         {"basis", signals_conn_basis_name(sig.active_connections_basis)}};
    sink_gauge(sink, "rizk_signal_basis_info", help, l3, 2, 1);
    app_emit_app_signals(a, sink, t_ms, &sig);

    double l2_ratio;
    if (redis_ratio_compute(a->store, t_ms, a->cfg->signals_window_ms,
                            2 * a->cfg->history_interval_ms, &l2_ratio) == 0)
        sink_gauge(sink, "rizk_redis_keyspace_hit_ratio",
                   "Redis keyspace hits / lookups over the signals window, summed over every "
                   "node serving reads; absent without lookups.",
                   NULL, 0, l2_ratio);

    /* The fleet publisher's thread takes it from here; only signals with data are offered. */
    struct fleet_signals fs = {.t_ms = t_ms, .window_ms = a->cfg->signals_window_ms};
    if (sig.has_cpu_utilization)
        fleet_signals_set(&fs, FLEET_SIG_CPU_UTILIZATION_RATIO, sig.cpu_utilization_ratio);
    if (sig.has_memory_utilization)
        fleet_signals_set(&fs, FLEET_SIG_MEMORY_UTILIZATION_RATIO, sig.memory_utilization_ratio);
    if (sig.has_requests_per_second)
        fleet_signals_set(&fs, FLEET_SIG_REQUESTS_PER_SECOND, sig.requests_per_second);
    if (sig.has_error_ratio)
        fleet_signals_set(&fs, FLEET_SIG_ERROR_RATIO, sig.error_ratio);
    if (sig.has_response_time)
        fleet_signals_set(&fs, FLEET_SIG_RESPONSE_TIME_SECONDS, sig.response_time_seconds);
    if (sig.has_active_connections)
        fleet_signals_set(&fs, FLEET_SIG_ACTIVE_CONNECTIONS, sig.active_connections);
    if (sig.has_cache_hit_ratio)
        fleet_signals_set(&fs, FLEET_SIG_CACHE_HIT_RATIO, sig.cache_hit_ratio);
    /* The quantiles were appended to the history by app_emit_app_signals this tick (if any):
     * a 1 ms window ending now holds exactly this tick's value. */
    static const struct {
        enum hist_series hs;
        enum fleet_signal fs;
    } quantiles[] = {{HS_RESPONSE_TIME_P50, FLEET_SIG_RESPONSE_TIME_P50_SECONDS},
                     {HS_RESPONSE_TIME_P95, FLEET_SIG_RESPONSE_TIME_P95_SECONDS},
                     {HS_RESPONSE_TIME_P99, FLEET_SIG_RESPONSE_TIME_P99_SECONDS}};
    for (size_t i = 0; i < sizeof(quantiles) / sizeof(quantiles[0]); i++) {
        double q;
        if (store_last(a->store, quantiles[i].hs, t_ms, 1, &q) == 0)
            fleet_signals_set(&fs, quantiles[i].fs, q);
    }
    fleet_pub_offer(a->fleet, &fs);
}

static void app_scale_thresholds(const struct config *cfg, struct scale_thresholds *th)
{
    th->up[SCALE_CPU] = cfg->scaling_cpu_up;
    th->down[SCALE_CPU] = cfg->scaling_cpu_down;
    th->up[SCALE_MEMORY] = cfg->scaling_memory_up;
    th->down[SCALE_MEMORY] = cfg->scaling_memory_down;
    th->up[SCALE_RPS] = cfg->scaling_rps_up;
    th->down[SCALE_RPS] = cfg->scaling_rps_down;
    th->up[SCALE_RESPONSE_TIME] = (double)cfg->scaling_response_time_up_ms / 1000.0;
    th->down[SCALE_RESPONSE_TIME] = (double)cfg->scaling_response_time_down_ms / 1000.0;
    th->up[SCALE_ERROR_RATIO] = cfg->scaling_error_ratio_up;
    th->down[SCALE_ERROR_RATIO] = cfg->scaling_error_ratio_down;
    th->up_min_conditions = (unsigned)cfg->scaling_up_min_conditions;
}

/* app_emit_scaling appends this tick's decision sample (the five signals appended to the
 * history at t_ms, each possibly absent), computes the recommendation and exports it. */
static void app_emit_scaling(struct app *a, struct sample_sink *sink, int64_t t_ms,
                             struct scale_advice *adv)
{
    static const enum hist_series inputs[SCALE_NSIGNALS] = {
        [SCALE_CPU] = HS_CPU_UTILIZATION_RATIO, [SCALE_MEMORY] = HS_MEMORY_UTILIZATION_RATIO,
        [SCALE_RPS] = HS_REQUESTS_PER_SECOND,   [SCALE_RESPONSE_TIME] = HS_RESPONSE_TIME_SECONDS,
        [SCALE_ERROR_RATIO] = HS_ERROR_RATIO,
    };
    struct scale_sample smp;
    for (int i = 0; i < SCALE_NSIGNALS; i++) {
        double v = 0;
        /* A 1 ms window ending now holds exactly what this tick appended, if anything. */
        smp.has[i] = store_last(a->store, inputs[i], t_ms, 1, &v) == 0;
        smp.v[i] = v;
    }
    scale_history_push(a->scale_hist, &smp);
    scale_history_recommend(a->scale_hist, &a->scale_th, adv);
    store_append(a->store, HS_SCALING_REPLICA_CHANGE, t_ms, (double)adv->replica_change);

    const char *help = "Scaling recommendation of the Rizk scaling guide's rules (1 for the "
                       "current action).";
    for (int i = 0; i < SCALE_NACTIONS; i++) {
        struct label l = {"action", scale_action_name((enum scale_action)i)};
        sink_gauge(sink, "rizk_scaling_recommendation", help, &l, 1, (int)adv->action == i);
    }
    sink_gauge(sink, "rizk_scaling_recommended_replica_change",
               "Recommended change of the replica count: +3/+2/+1 to scale up (by CPU), -1 to "
               "scale down, 0 otherwise.",
               NULL, 0, adv->replica_change);
    if (a->cfg->scaling_current_replicas > 0) {
        double want = (double)a->cfg->scaling_current_replicas + adv->replica_change;
        sink_gauge(sink, "rizk_scaling_recommended_replicas",
                   "Recommended replica count: --scaling.current-replicas plus the change.", NULL,
                   0, want < 1 ? 1 : want);
    }
    const char *met = "Scaling conditions met by the newest decision sample: signals above their "
                      "scale-up threshold (up) or below their scale-down threshold (down), 0-5.";
    struct label up = {"direction", "up"}, down = {"direction", "down"};
    sink_gauge(sink, "rizk_scaling_conditions_met", met, &up, 1, adv->conditions_up);
    sink_gauge(sink, "rizk_scaling_conditions_met", met, &down, 1, adv->conditions_down);
    const char *th = "Scaling threshold per signal and direction (--scaling.*).";
    for (int i = 0; i < SCALE_NSIGNALS; i++) {
        struct label lu[] = {{"signal", scale_signal_name((enum scale_signal)i)},
                             {"direction", "up"}};
        struct label ld[] = {{"signal", scale_signal_name((enum scale_signal)i)},
                             {"direction", "down"}};
        sink_gauge(sink, "rizk_scaling_threshold", th, lu, 2, a->scale_th.up[i]);
        sink_gauge(sink, "rizk_scaling_threshold", th, ld, 2, a->scale_th.down[i]);
    }
}

static void app_emit_readiness(struct sample_sink *sink, struct readiness_report *rr)
{
    struct readiness_in in;
    readiness_inputs_from_mset(sink_mset(sink), &in);
    readiness_evaluate(&in, rr);
    sink_gauge(sink, "rizk_scaling_ready",
               "1 when no scaling-readiness check fails (see /api/v1/readiness), else 0.", NULL, 0,
               rr->ready);
}

static void app_tick(struct app *a)
{
    int64_t mono_ms = clock_mono_ms();
    /* History time is start wall time plus monotonic elapsed time: the rings need timestamps
     * that never go backwards, which the wall clock does not promise (NTP steps). */
    int64_t wall_ms = a->start_wall_ms + (mono_ms - a->start_mono_ms);
    struct mset *m = mset_new();
    struct sample_sink *sink = sink_new(m);

    /* Pushed reports first: they were complete before this tick began. */
    app_inbox_drain(a->inbox, a->app_stats);
    registry_collect(a->reg, sink, mono_ms, (double)wall_ms / 1000.0);
    app_stats_emit(a->app_stats, sink);
    app_inbox_emit(a->inbox, sink);
    for (int id = 0; id < HS_COUNT; id++) {
        double v;
        if (sink_history_get(sink, (enum hist_series)id, &v))
            store_append(a->store, (enum hist_series)id, wall_ms, v);
    }
    app_emit_signals(a, sink, wall_ms);
    struct scale_advice adv;
    app_emit_scaling(a, sink, wall_ms, &adv);
    struct readiness_report rr;
    app_emit_readiness(sink, &rr);
    app_stats_tick_done(a->app_stats);
    a->seq++;
    app_emit_self(a, sink);
    fleet_pub_emit(a->fleet, sink);
    sink_free(sink);

    struct snapshot_info info = {
        .seq = a->seq, .wall_ms = wall_ms, .mono_ms = mono_ms, .ready = true};
    struct snapshot *snap = snapshot_new(m, &info);
    int rc = render_snapshot_bodies(snap, m);
    if (rc < 0)
        log_error("sampler", "rendering the metrics failed: %s", err_str(rc));
    struct api_tick at = {.m = m,
                          .info = &info,
                          .interval_ms = a->cfg->history_interval_ms,
                          .window_ms = a->cfg->signals_window_ms,
                          .advice = &adv,
                          .thresholds = &a->scale_th,
                          .current_replicas = a->cfg->scaling_current_replicas,
                          .history_capacity = (size_t)a->cfg->scaling_history,
                          .readiness = &rr};
    rc = render_api_bodies(snap, &at);
    if (rc < 0)
        log_error("sampler", "rendering the API documents failed: %s", err_str(rc));
    snapshot_publish(a->pub, snap);
}

static void *app_sampler_main(void *arg)
{
    struct app *a = arg;
    app_tick(a); /* first tick at once: /ready turns 200 as soon as possible */
    struct epoll_event evs[8];
    for (;;) {
        int n = epoll_wait(a->epoll_fd, evs, 8, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            log_error("sampler", "epoll_wait: %s", strerror(errno));
            break;
        }
        bool tick = false;
        for (int i = 0; i < n; i++) {
            uint64_t tag = evs[i].data.u64;
            if (tag == UINT64_MAX)
                return NULL; /* stop */
            if (tag == UINT64_MAX - 1) {
                uint64_t expirations = 0;
                if (read(a->timer_fd, &expirations, sizeof(expirations)) == sizeof(expirations)) {
                    tick = true;
                    if (expirations > 1)
                        a->overruns += expirations - 1;
                }
            } else {
                registry_on_readable(a->reg, (size_t)tag);
            }
        }
        if (tick)
            app_tick(a);
    }
    return NULL;
}

static int app_loop_init(struct app *a)
{
    a->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    a->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    a->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (a->stop_fd < 0 || a->timer_fd < 0 || a->epoll_fd < 0)
        return -errno;
    struct itimerspec its = {0};
    its.it_interval.tv_sec = a->cfg->history_interval_ms / 1000;
    its.it_interval.tv_nsec = (a->cfg->history_interval_ms % 1000) * 1000000;
    its.it_value = its.it_interval;
    if (timerfd_settime(a->timer_fd, 0, &its, NULL) < 0)
        return -errno;
    struct epoll_event ev = {.events = EPOLLIN};
    ev.data.u64 = UINT64_MAX;
    if (epoll_ctl(a->epoll_fd, EPOLL_CTL_ADD, a->stop_fd, &ev) < 0)
        return -errno;
    ev.data.u64 = UINT64_MAX - 1;
    if (epoll_ctl(a->epoll_fd, EPOLL_CTL_ADD, a->timer_fd, &ev) < 0)
        return -errno;
    for (size_t i = 0; i < registry_event_fd_count(a->reg); i++) {
        ev.data.u64 = i;
        if (epoll_ctl(a->epoll_fd, EPOLL_CTL_ADD, registry_event_fd_at(a->reg, i), &ev) < 0)
            return -errno;
    }
    return 0;
}

static void app_free(struct app *a)
{
    if (a->epoll_fd >= 0)
        close(a->epoll_fd);
    if (a->timer_fd >= 0)
        close(a->timer_fd);
    if (a->stop_fd >= 0)
        close(a->stop_fd);
    snapshot_pub_free(a->pub);
    fleet_pub_free(a->fleet);
    registry_free(a->reg);
    store_free(a->store);
    hwindow_free(a->durations_window);
    app_inbox_free(a->inbox);
    app_stats_free(a->app_stats);
    cidr_set_free(a->report_allow);
    scale_history_free(a->scale_hist);
}

/* app_core_init creates what a tick needs: history, publication point, collectors, and the
 * recommendation's state. Logs its own failure. */
static int app_core_init(struct app *a)
{
    int rc = store_new(config_history_slots(a->cfg), &a->store);
    if (rc < 0) {
        log_error("main", "cannot allocate the history: %s", err_str(rc));
        return rc;
    }
    rc = snapshot_pub_new(&a->pub);
    if (rc < 0)
        return rc;
    rc = app_stats_new(&a->app_stats);
    if (rc == 0)
        rc = app_inbox_new(APP_INBOX_MAX_BYTES, &a->inbox);
    if (rc == 0)
        rc = hwindow_new(a->cfg->signals_window_ms, a->cfg->history_interval_ms,
                         &a->durations_window);
    if (rc == 0)
        rc = cidr_set_parse(a->cfg->web_report_allow, &a->report_allow); /* checked by config */
    if (rc < 0) {
        log_error("main", "cannot set up the app stats: %s", err_str(rc));
        return rc;
    }
    a->reg = registry_new(a->cfg);
    registry_bind_app_stats(a->reg, a->app_stats);
    a->scale_hist = scale_history_new((size_t)a->cfg->scaling_history);
    app_scale_thresholds(a->cfg, &a->scale_th);
    return 0;
}

static void app_stop_sampler(struct app *a)
{
    if (!a->sampler_started)
        return;
    uint64_t one = 1;
    ssize_t w = write(a->stop_fd, &one, sizeof(one));
    (void)w;
    pthread_join(a->sampler, NULL);
    a->sampler_started = false;
}

static void app_reload(void *arg)
{
    (void)arg;
    log_info("main", "SIGHUP: nothing to reload in this version");
}

int app_run(const struct config *cfg)
{
    struct app a = {.cfg = cfg, .stop_fd = -1, .timer_fd = -1, .epoll_fd = -1};
    int exit_code = 1;
    sigset_t set;
    procsig_block(&set);

    a.start_wall_ms = clock_wall_ms();
    a.start_mono_ms = clock_mono_ms();
    int rc = app_core_init(&a);
    if (rc < 0)
        goto out;
    rc = fleet_pub_new(cfg, &a.fleet);
    if (rc < 0)
        log_error("main", "fleet registry publishing disabled: %s", err_str(rc));
    rc = app_loop_init(&a);
    if (rc < 0) {
        log_error("main", "cannot set up the sampler loop: %s", err_str(rc));
        goto out;
    }
    a.routes.cfg = cfg;
    a.routes.pub = a.pub;
    a.routes.store = a.store;
    a.routes.inbox = a.inbox;
    a.routes.report_allow = a.report_allow;
    rc = http_server_start(cfg, app_routes, cfg->web_telemetry_path, app_routes_metrics, &a.routes,
                           &a.http);
    if (rc < 0) {
        log_error("main", "cannot listen on %s: %s", cfg->web_listen_address, err_str(rc));
        goto out;
    }
    if (pthread_create(&a.sampler, NULL, app_sampler_main, &a) != 0) {
        log_error("main", "cannot start the sampler thread");
        goto out;
    }
    a.sampler_started = true;
    log_info("main",
             "rizk-metrics %s listening on %s (port %u), interval %lldms, %llu history "
             "slots",
             RIZK_VERSION, cfg->web_listen_address, http_server_port(a.http),
             (long long)cfg->history_interval_ms, (unsigned long long)config_history_slots(cfg));

    (void)procsig_wait(&set, "main", app_reload, &a);
    exit_code = 0;
out:
    http_server_stop(a.http, APP_DRAIN_MS);
    app_stop_sampler(&a);
    app_free(&a);
    return exit_code;
}

int app_sample(const struct config *cfg, int64_t duration_ms, struct snapshot **out)
{
    struct app a = {.cfg = cfg, .stop_fd = -1, .timer_fd = -1, .epoll_fd = -1};
    a.start_wall_ms = clock_wall_ms();
    a.start_mono_ms = clock_mono_ms();
    int rc = app_core_init(&a);
    if (rc < 0) {
        app_free(&a);
        return rc;
    }
    int64_t end = a.start_mono_ms + duration_ms;
    for (;;) {
        app_tick(&a);
        int64_t left = end - clock_mono_ms();
        if (left <= 0)
            break;
        int64_t nap = left < cfg->history_interval_ms ? left : cfg->history_interval_ms;
        struct timespec ts = {(time_t)(nap / 1000), (long)(nap % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    *out = snapshot_acquire(a.pub);
    app_free(&a);
    return 0;
}

int app_check(const struct config *cfg)
{
    struct fsroot *r = NULL;
    int rc = fsroot_open(cfg->path_procfs, &r);
    if (rc < 0) {
        fprintf(stderr, "rizk-metrics: invalid value \"%s\" for --path.procfs: %s\n",
                cfg->path_procfs, err_str(rc));
        return 2;
    }
    fsroot_free(r);
    /* sysfs and the cgroup fs may be absent (cgroup v1 hosts, minimal containers): the
     * collectors fall back to /proc, so these are warnings, not errors. */
    const char *roots[] = {cfg->path_sysfs, cfg->path_cgroupfs};
    const char *flags[] = {"--path.sysfs", "--path.cgroupfs"};
    for (size_t i = 0; i < 2; i++) {
        rc = fsroot_open(roots[i], &r);
        if (rc < 0)
            fprintf(stderr, "rizk-metrics: warning: %s \"%s\": %s\n", flags[i], roots[i],
                    err_str(rc));
        fsroot_free(r);
        r = NULL;
    }
    printf("configuration OK\n");
    return 0;
}
