/* The sampler: one tick of the sidecar, and the thread that runs the ticks (see sampler.h). */
#include "sampler.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "collect/app_inbox.h"
#include "collect/app_stats.h"
#include "collect/registry.h"
#include "collect/sink.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/version.h"
#include "core/xalloc.h"
#include "fleet/publish.h"
#include "render/api_json.h"
#include "render/bodies.h"
#include "signals/readiness.h"
#include "signals/redis_ratio.h"
#include "signals/scale.h"
#include "signals/signals.h"
#include "signals/sigtable.h"
#include "store/dhist.h"
#include "store/hwindow.h"
#include "io/persist.h"
#include "store/snapshot.h"
#include "store/store.h"
#include "core/banned.h"

struct sampler {
    const struct config *cfg;
    struct registry *reg;
    struct store *store;
    struct snapshot_pub *pub;
    struct fleet_pub *fleet;     /* borrowed; NULL when there is no fleet registry */
    struct app_stats *app_stats; /* sampler-owned; HTTP pushes go through inbox */
    struct app_inbox *inbox;
    struct hwindow *durations_window; /* per-tick duration buckets for the quantiles */
    pthread_t thread;
    bool started;
    int stop_fd;
    int timer_fd;
    int epoll_fd;
    uint64_t seq;
    uint64_t overruns;     /* ticks missed because a tick took longer than the interval */
    int64_t start_wall_ms; /* wall time at start ... */
    int64_t start_mono_ms; /* ... and the monotonic time it corresponds to */
    struct scale_history *scale_hist; /* decision samples, one per tick (sampler-owned) */
    struct scale_thresholds scale_th;
    unsigned long cur_replicas;   /* this tick's current replica count (0 unknown) ... */
    const char *cur_replicas_src; /* ... and where it came from ("flag", "fleet"); static */
    bool persist;              /* --history.path set and this is the daemon's sampler */
    int64_t persisted_mono_ms; /* last save */
};

static void sampler_emit_self(struct sampler *a, struct sample_sink *sink)
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

/* sampler_quantiles fills the quantile rows of sig: p50/p95/p99 of the request duration over
 * the window, from the per-tick bucket snapshots (histogram_quantile over the window's
 * increase). */
static void sampler_quantiles(struct sampler *a, int64_t t_ms, struct signals_out *sig)
{
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
    for (int i = 0; i < SIG_COUNT; i++) {
        const struct sig_def *def = sigtable_at((enum sig_id)i);
        if (def->quantile > 0)
            sig->has[i] = signals_histogram_quantile(def->quantile, d.bounds, d.counts, d.nbuckets,
                                                     d.count, &sig->v[i]) == 0;
    }
}

/* sampler_request_source_up: no request channel reported down this tick. statsd and push have
 * no "down" (silence is their zero); the pulled endpoint ("app") does, and a flat counter behind
 * a dead endpoint is not an idle app. */
static bool sampler_request_source_up(struct sample_sink *sink)
{
    for (size_t i = 0; i < sink_source_count(sink); i++) {
        const char *name;
        bool up;
        sink_source_at(sink, i, &name, &up);
        if (strcmp(name, "app") == 0 && !up)
            return false;
    }
    return true;
}

/* sampler_emit_signals derives this tick's signals and, for each present one (a row of the
 * signal table), appends it to its history series, exports it and offers it to the fleet
 * publisher (which keeps the published rows); then the basis of the rows that have one. *idle
 * says whether the pod is idle (signals_mark_idle) for the decision sample. */
static void sampler_emit_signals(struct sampler *a, struct sample_sink *sink, int64_t t_ms,
                                 bool *idle)
{
    struct signals_out sig;
    *idle = false;
    if (signals_compute(a->store, t_ms, a->cfg->signals_window_ms, &sig) < 0)
        return;
    signals_mark_idle(&sig, sampler_request_source_up(sink));
    *idle = sig.idle;
    sampler_quantiles(a, t_ms, &sig);
    struct fleet_signals fs = {.t_ms = t_ms,
                               .window_ms = a->cfg->signals_window_ms,
                               .basis = sig.basis[SIG_CPU_UTILIZATION]};
    for (int i = 0; i < SIG_COUNT; i++) {
        const struct sig_def *d = sigtable_at((enum sig_id)i);
        if (!sig.has[i])
            continue;
        store_append(a->store, d->history, t_ms, sig.v[i]);
        struct label l = {d->label_name, d->label_value};
        size_t nl = d->label_name != NULL ? 1 : 0;
        if (d->untyped)
            sink_untyped(sink, d->name, d->help, &l, nl, sig.v[i]);
        else
            sink_gauge(sink, d->name, d->help, &l, nl, sig.v[i]);
        fleet_signals_set(&fs, (enum sig_id)i, sig.v[i]);
    }
    const char *help = "Which source a signal is computed from (value 1): basis = app, pod, "
                       "container, node or none; requested = --signals.basis for cpu and memory "
                       "(a different basis means a fallback, logged with its reason).";
    const char *requested = a->cfg->signals_basis != NULL ? a->cfg->signals_basis : "auto";
    for (int i = 0; i < SIG_COUNT; i++) {
        const struct sig_def *d = sigtable_at((enum sig_id)i);
        if (d->basis == NULL || sig.basis[i] == NULL)
            continue;
        /* --signals.basis chooses the cgroup bases only; connections have their own. */
        bool cgroup = i == SIG_CPU_UTILIZATION || i == SIG_MEMORY_UTILIZATION;
        struct label l[] = {
            {"signal", d->basis}, {"basis", sig.basis[i]}, {"requested", requested}};
        sink_gauge(sink, "rizk_signal_basis_info", help, l, cgroup ? 3 : 2, 1);
    }

    double l2_ratio;
    if (redis_ratio_compute(a->store, t_ms, a->cfg->signals_window_ms,
                            2 * a->cfg->history_interval_ms, &l2_ratio) == 0)
        sink_gauge(sink, "rizk_redis_keyspace_hit_ratio",
                   "Redis keyspace hits / lookups over the signals window, summed over every "
                   "node serving reads; absent without lookups.",
                   NULL, 0, l2_ratio);

    /* The fleet publisher's thread takes it from here; only signals with data are offered. */
    fleet_pub_offer(a->fleet, &fs);
}

static void sampler_scale_thresholds(const struct config *cfg, struct scale_thresholds *th)
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

/* sampler_current_replicas: --scaling.current-replicas, else the live pods of this pod's
 * workload in the fleet registry, else 0 (unknown); *src says which ("flag", "fleet"). */
static unsigned long sampler_current_replicas(const struct sampler *a, const char **src)
{
    *src = "flag";
    if (a->cfg->scaling_current_replicas > 0)
        return (unsigned long)a->cfg->scaling_current_replicas;
    *src = "fleet";
    return fleet_pub_workload_pods(a->fleet);
}

/* sampler_scale_sample reads the decision sample of the tick at t_ms from the store. */
static void sampler_scale_sample(const struct sampler *a, int64_t t_ms, struct scale_sample *smp)
{
    for (int i = 0; i < SCALE_NSIGNALS; i++) {
        double v = 0;
        /* The signal table says which row plays each role. A 1 ms window ending at the tick
         * holds exactly what that tick appended, if anything. */
        int row = sigtable_scale_row(i);
        smp->has[i] = row >= 0 && store_last(a->store, sigtable_at((enum sig_id)row)->history, t_ms,
                                             1, &v) == 0;
        smp->v[i] = v;
    }
}

static const struct persist_names sampler_persist_names = {sigtable_history_name,
                                                           sigtable_history_lookup};

/* sampler_history_restore loads --history.path into the new store and replays the decision
 * history from it (one sample per tick that recorded a replica change), so rates and the
 * recommendation carry on where the last run stopped. A replayed tick was idle when its rps
 * was recorded as 0 (signals_mark_idle is what records a 0). */
static void sampler_history_restore(struct sampler *a)
{
    const char *why = NULL;
    long n = persist_load(a->store, &sampler_persist_names, a->cfg->history_path, a->start_wall_ms,
                          a->cfg->history_retention_ms, &why);
    if (n == -ENOENT) {
        log_info("main", "no history at %s yet: starting empty", a->cfg->history_path);
        return;
    }
    if (n < 0) {
        log_warn("main", "ignoring the history file %s: %s", a->cfg->history_path,
                 why != NULL ? why : err_str((int)n));
        return;
    }
    size_t cap = (size_t)a->cfg->scaling_history;
    struct ring_sample *ticks = xcalloc(cap, sizeof(*ticks));
    int k = store_copy_window(a->store, HS_SCALING_REPLICA_CHANGE, a->start_wall_ms,
                              a->cfg->history_retention_ms, ticks, cap);
    for (int i = 0; i < k; i++) {
        struct scale_sample smp;
        sampler_scale_sample(a, ticks[i].t_ms, &smp);
        smp.idle = smp.has[SCALE_RPS] && smp.v[SCALE_RPS] == 0;
        scale_history_push(a->scale_hist, &smp);
    }
    free(ticks);
    log_info("main", "history restored from %s: %ld samples, %d decision samples",
             a->cfg->history_path, n, k < 0 ? 0 : k);
}

static void sampler_history_save(struct sampler *a, int64_t wall_ms)
{
    long n = persist_save(a->store, &sampler_persist_names, a->cfg->history_path, wall_ms);
    if (n < 0)
        log_warn("main", "cannot save the history to %s: %s", a->cfg->history_path,
                 err_str((int)n));
}

/* sampler_emit_scaling appends this tick's decision sample (the five signals appended to the
 * history at t_ms, each possibly absent; idle as sampler_emit_signals found it), computes the
 * recommendation and exports it. */
static void sampler_emit_scaling(struct sampler *a, struct sample_sink *sink, int64_t t_ms,
                                 bool idle, struct scale_advice *adv)
{
    struct scale_sample smp;
    sampler_scale_sample(a, t_ms, &smp);
    smp.idle = idle;
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
    a->cur_replicas = sampler_current_replicas(a, &a->cur_replicas_src);
    if (a->cur_replicas > 0) {
        struct label l = {"source", a->cur_replicas_src};
        sink_gauge(sink, "rizk_scaling_current_replicas",
                   "Current replica count the target is computed from: --scaling.current-replicas "
                   "(source=flag), else the live pods of this workload in the fleet registry "
                   "(source=fleet).",
                   &l, 1, (double)a->cur_replicas);
        sink_gauge(sink, "rizk_scaling_recommended_replicas",
                   "Recommended replica count (absolute target): the current replicas plus the "
                   "change, never below 1.",
                   NULL, 0, (double)scale_replicas_target(a->cur_replicas, adv->replica_change));
    }
    sink_gauge(sink, "rizk_scaling_idle",
               "1 when the request source is up and counted zero requests over the signals "
               "window (rps 0, error ratio 0, no response time: counted as low), else 0.",
               NULL, 0, adv->idle ? 1 : 0);
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

static void sampler_emit_readiness(struct sample_sink *sink, struct readiness_report *rr)
{
    struct readiness_in in;
    readiness_inputs_from_mset(sink_mset(sink), &in);
    readiness_evaluate(&in, rr);
    sink_gauge(sink, "rizk_scaling_ready",
               "1 when no scaling-readiness check fails (see /api/v1/readiness), else 0.", NULL, 0,
               rr->ready);
}

void sampler_tick(struct sampler *a)
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
    bool idle = false;
    sampler_emit_signals(a, sink, wall_ms, &idle);
    struct scale_advice adv;
    sampler_emit_scaling(a, sink, wall_ms, idle, &adv);
    struct readiness_report rr;
    sampler_emit_readiness(sink, &rr);
    app_stats_tick_done(a->app_stats);
    if (a->persist && mono_ms - a->persisted_mono_ms >= a->cfg->history_persist_interval_ms) {
        sampler_history_save(a, wall_ms);
        a->persisted_mono_ms = mono_ms;
    }
    a->seq++;
    sampler_emit_self(a, sink);
    fleet_pub_emit(a->fleet, sink);
    sink_free(sink);

    struct snapshot_info info = {
        .seq = a->seq, .wall_ms = wall_ms, .mono_ms = mono_ms, .ready = true};
    struct snapshot *snap = snapshot_new(m, &info);
    render_snapshot_bodies(snap); /* on first use, in the scrape that asks */
    struct api_tick at = {.m = m,
                          .info = &info,
                          .interval_ms = a->cfg->history_interval_ms,
                          .window_ms = a->cfg->signals_window_ms,
                          .advice = &adv,
                          .thresholds = &a->scale_th,
                          .current_replicas = a->cur_replicas,
                          .replicas_source = a->cur_replicas_src,
                          .history_capacity = (size_t)a->cfg->scaling_history,
                          .readiness = &rr};
    int rc = render_api_bodies(snap, &at);
    if (rc < 0)
        log_error("sampler", "rendering the API documents failed: %s", err_str(rc));
    snapshot_publish(a->pub, snap);
}

static void *sampler_main(void *arg)
{
    struct sampler *a = arg;
    sampler_tick(a); /* first tick at once: /ready turns 200 as soon as possible */
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
            sampler_tick(a);
    }
    return NULL;
}

static int sampler_loop_init(struct sampler *a)
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

static void sampler_close_loop(struct sampler *a)
{
    if (a->epoll_fd >= 0)
        close(a->epoll_fd);
    if (a->timer_fd >= 0)
        close(a->timer_fd);
    if (a->stop_fd >= 0)
        close(a->stop_fd);
    a->epoll_fd = a->timer_fd = a->stop_fd = -1;
}

void sampler_free(struct sampler *a)
{
    if (a == NULL)
        return;
    sampler_stop(a);
    sampler_close_loop(a);
    snapshot_pub_free(a->pub);
    registry_free(a->reg);
    store_free(a->store);
    hwindow_free(a->durations_window);
    app_inbox_free(a->inbox);
    app_stats_free(a->app_stats);
    scale_history_free(a->scale_hist);
    free(a);
}

int sampler_new(const struct config *cfg, struct fleet_pub *fleet, bool with_loop,
                struct sampler **out)
{
    struct sampler *a = xcalloc(1, sizeof(*a));
    a->cfg = cfg;
    a->fleet = fleet;
    a->stop_fd = a->timer_fd = a->epoll_fd = -1;
    a->start_wall_ms = clock_wall_ms();
    a->start_mono_ms = clock_mono_ms();
    int rc = store_new(config_history_slots(cfg), &a->store);
    if (rc < 0) {
        log_error("main", "cannot allocate the history: %s", err_str(rc));
        goto fail;
    }
    rc = snapshot_pub_new(&a->pub);
    if (rc < 0)
        goto fail;
    rc = app_stats_new(&a->app_stats);
    if (rc == 0)
        rc = app_inbox_new(APP_INBOX_MAX_BYTES, &a->inbox);
    if (rc == 0)
        rc = hwindow_new(cfg->signals_window_ms, cfg->history_interval_ms, &a->durations_window);
    if (rc < 0) {
        log_error("main", "cannot set up the app stats: %s", err_str(rc));
        goto fail;
    }
    a->reg = registry_new(cfg);
    registry_bind_app_stats(a->reg, a->app_stats);
    a->scale_hist = scale_history_new((size_t)cfg->scaling_history);
    sampler_scale_thresholds(cfg, &a->scale_th);
    a->persist = with_loop && cfg->history_path != NULL;
    a->persisted_mono_ms = a->start_mono_ms;
    if (a->persist)
        sampler_history_restore(a);
    if (with_loop) {
        rc = sampler_loop_init(a);
        if (rc < 0) {
            log_error("main", "cannot set up the sampler loop: %s", err_str(rc));
            goto fail;
        }
    }
    *out = a;
    return 0;
fail:
    sampler_free(a);
    return rc;
}

int sampler_start(struct sampler *a)
{
    RIZK_ASSERT(a->epoll_fd >= 0 && !a->started);
    if (pthread_create(&a->thread, NULL, sampler_main, a) != 0)
        return -EAGAIN;
    a->started = true;
    return 0;
}

void sampler_stop(struct sampler *a)
{
    if (!a->started)
        return;
    uint64_t one = 1;
    ssize_t w = write(a->stop_fd, &one, sizeof(one));
    (void)w;
    pthread_join(a->thread, NULL);
    a->started = false;
    if (a->persist)
        sampler_history_save(a, a->start_wall_ms + (clock_mono_ms() - a->start_mono_ms));
}

struct snapshot_pub *sampler_pub(struct sampler *a)
{
    return a->pub;
}

const struct store *sampler_store(const struct sampler *a)
{
    return a->store;
}

struct app_inbox *sampler_inbox(struct sampler *a)
{
    return a->inbox;
}
