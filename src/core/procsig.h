/* The process signals of the long-running commands (sidecar and adapter): SIGTERM and SIGINT
 * stop, SIGHUP reloads, SIGPIPE is ignored. They are blocked in every thread and taken by main
 * with sigwait, so no handler runs in async-signal context and no other thread sees them. */
#ifndef RIZK_CORE_PROCSIG_H
#define RIZK_CORE_PROCSIG_H

#include <signal.h>

/* procsig_hup_fn is called on main for each SIGHUP; arg is procsig_wait's. */
typedef void (*procsig_hup_fn)(void *arg);

/* procsig_block blocks SIGTERM, SIGINT and SIGHUP in the calling thread, ignores SIGPIPE and
 * fills *set for procsig_wait. Call it before any thread exists, so that every thread inherits
 * the mask. thread: main. */
void procsig_block(sigset_t *set);
/* procsig_wait waits until SIGTERM or SIGINT arrives, calling on_hup(arg) for every SIGHUP
 * before that, then logs "received SIGTERM, shutting down" (or SIGINT) under component and
 * returns the signal. thread: main, after procsig_block. */
int procsig_wait(const sigset_t *set, const char *component, procsig_hup_fn on_hup, void *arg);

#endif
