/* rizk-metrics check: the guide's scaling-readiness validation as a command (SPEC 5). It reads
 * the readiness document of a live sidecar (--check.url, alias --url; without it the local
 * sidecar on --web.listen-address's port is tried) or, when none answers, samples the sources
 * directly for --check.duration with the sidecar's own collectors. Prints a table (default) or
 * JSON (--output=json). Exit codes: 0 ready, 1 not ready (a failed check, an unreadable sidecar,
 * or with --strict any warning), 2 usage (handled by the config loader). */
#ifndef RIZK_CHECK_H
#define RIZK_CHECK_H

struct config;

/* check_run runs the check and returns the process exit code. thread: main. */
int check_run(const struct config *cfg);

#endif
