/* The sidecar application: owns every long-lived module (registry, store, snapshot publisher,
 * HTTP server), starts and stops the sampler thread, and handles signals. */
#ifndef RIZK_APP_H
#define RIZK_APP_H

struct config;

/* app_run runs the sidecar until SIGTERM/SIGINT: stops accepting, lets in-flight requests finish,
 * and returns the process exit code (0 on a clean stop, 1 on a startup failure). thread: main. */
int app_run(const struct config *cfg);
/* app_check validates what --check-config can check without serving (roots readable, listen
 * address bindable) and returns 0 when valid, 2 otherwise, with one line on stderr. */
int app_check(const struct config *cfg);

#endif
