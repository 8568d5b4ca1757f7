/* The adapter mode: the Kubernetes custom and external metrics APIs over HTTPS, read from the
 * fleet registry the sidecars publish to Redis (SPEC 6, 7, 8). */
#ifndef RIZK_ADAPTER_H
#define RIZK_ADAPTER_H

struct config;

/* adapter_run serves until SIGTERM/SIGINT; SIGHUP reloads the certificates. Returns the exit
 * code: 0 after a clean shutdown, 1 when it cannot start, 2 when no Redis is configured.
 * thread: main. */
int adapter_run(const struct config *cfg);

#endif
