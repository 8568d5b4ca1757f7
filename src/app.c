/* The sidecar: wires config -> sampler (registry -> store -> signals -> snapshot) -> HTTP, and
 * the fleet publisher beside them.
 *
 * DESIGN. Three kinds of thread (STYLE 3.7). main blocks the termination signals in every
 * thread and waits for them with sigwait (core/procsig.h). The sampler (sampler.h) is the one
 * writer: its thread ticks, publishes a snapshot per tick and offers the signals to the fleet
 * publisher's thread. libmicrohttpd's pool only acquires snapshots and sends their bodies. */
#include "app.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config/config.h"
#include "core/cidr.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/procsig.h"
#include "core/version.h"
#include "fleet/publish.h"
#include "http/routes.h"
#include "http/server.h"
#include "io/fsroot.h"
#include "sampler.h"
#include "store/snapshot.h"
#include "core/banned.h"

/* SIGTERM must end the process within 5 s: 4 s for in-flight requests, the rest for teardown. */
#define APP_DRAIN_MS 4000

static void app_reload(void *arg)
{
    (void)arg;
    log_info("main", "SIGHUP: nothing to reload in this version");
}

int app_run(const struct config *cfg)
{
    struct sampler *smp = NULL;
    struct fleet_pub *fleet = NULL;
    struct http_server *http = NULL;
    struct cidr_set *report_allow = NULL;
    int exit_code = 1;
    sigset_t set;
    procsig_block(&set);

    int rc = cidr_set_parse(cfg->web_report_allow, &report_allow); /* checked by config */
    if (rc < 0) {
        log_error("main", "cannot set up the app stats: %s", err_str(rc));
        goto out;
    }
    rc = fleet_pub_new(cfg, &fleet);
    if (rc < 0)
        log_error("main", "fleet registry publishing disabled: %s", err_str(rc));
    rc = sampler_new(cfg, fleet, true, &smp);
    if (rc < 0)
        goto out;
    struct app_routes_ctx routes = {.cfg = cfg,
                                    .pub = sampler_pub(smp),
                                    .store = sampler_store(smp),
                                    .inbox = sampler_inbox(smp),
                                    .report_allow = report_allow};
    rc = http_server_start(cfg, app_routes, cfg->web_telemetry_path, app_routes_metrics, &routes,
                           &http);
    if (rc < 0) {
        log_error("main", "cannot listen on %s: %s", cfg->web_listen_address, err_str(rc));
        goto out;
    }
    if (sampler_start(smp) < 0) {
        log_error("main", "cannot start the sampler thread");
        goto out;
    }
    log_info("main",
             "rizk-metrics %s listening on %s (port %u), interval %lldms, %llu history "
             "slots",
             RIZK_VERSION, cfg->web_listen_address, http_server_port(http),
             (long long)cfg->history_interval_ms, (unsigned long long)config_history_slots(cfg));
    (void)procsig_wait(&set, "main", app_reload, NULL);
    exit_code = 0;
out:
    http_server_stop(http, APP_DRAIN_MS);
    sampler_free(smp); /* stops the thread first */
    fleet_pub_free(fleet);
    cidr_set_free(report_allow);
    return exit_code;
}

int app_sample(const struct config *cfg, int64_t duration_ms, struct snapshot **out)
{
    struct sampler *smp = NULL;
    int64_t start = clock_mono_ms();
    int rc = sampler_new(cfg, NULL, false, &smp);
    if (rc < 0)
        return rc;
    int64_t end = start + duration_ms;
    for (;;) {
        sampler_tick(smp);
        int64_t left = end - clock_mono_ms();
        if (left <= 0)
            break;
        int64_t nap = left < cfg->history_interval_ms ? left : cfg->history_interval_ms;
        struct timespec ts = {(time_t)(nap / 1000), (long)(nap % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    *out = snapshot_acquire(sampler_pub(smp));
    sampler_free(smp);
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
