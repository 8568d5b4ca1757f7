/* The sidecar application: owns every long-lived module (registry, store, snapshot publisher,
 * HTTP server), starts and stops the sampler thread, and handles signals. */
#ifndef RIZK_APP_H
#define RIZK_APP_H

#include <stdint.h>

struct config;
struct snapshot;

/* app_run runs the sidecar until SIGTERM/SIGINT: stops accepting, lets in-flight requests finish,
 * and returns the process exit code (0 on a clean stop, 1 on a startup failure). thread: main. */
int app_run(const struct config *cfg);
/* app_sample runs the sidecar's collectors and tick for duration_ms without serving (the check
 * command's direct sampling: a tick at once, then one per --history.interval) and hands over
 * the last snapshot in *out with a reference the caller drops with snapshot_release. Push
 * sources (statsd) are not listened to. Errors: as the sidecar's startup (logged).
 * thread: main. */
int app_sample(const struct config *cfg, int64_t duration_ms, struct snapshot **out);
/* app_check validates what --check-config can check without serving (roots readable, listen
 * address bindable) and returns 0 when valid, 2 otherwise, with one line on stderr. */
int app_check(const struct config *cfg);

#endif
