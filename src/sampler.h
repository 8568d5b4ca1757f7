/* The sampler: the one writer of the sidecar (STYLE 3.7). It owns the history store, the
 * collectors' registry, the app's counters and the recommendation's state, and once per
 * --history.interval runs a tick: collect every source into a fresh metric set, append the
 * history, derive the signals (one pass over the signal table: history, gauge, fleet offer),
 * recommend, check readiness, render every body once and publish the snapshot. Its thread runs
 * one epoll loop over a timerfd (the tick), an eventfd (stop) and the push collectors' fds. */
#ifndef RIZK_SAMPLER_H
#define RIZK_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

struct app_inbox;
struct config;
struct fleet_pub;
struct sampler;
struct snapshot_pub;
struct store;

/* sampler_new creates what a tick needs (history, publication point, collectors, app stats and
 * inbox, recommendation state) and, when with_loop, the tick timer and event loop. cfg is
 * borrowed and must outlive the sampler; fleet (may be NULL: nothing to publish to) is borrowed
 * and must outlive it too. Logs its own failure. Errors: -ENOMEM and the errnos of the history
 * allocation, timerfd, eventfd and epoll. thread: main. */
int sampler_new(const struct config *cfg, struct fleet_pub *fleet, bool with_loop,
                struct sampler **out);
/* sampler_free stops the thread if it runs, then frees. NULL-safe. thread: main. */
void sampler_free(struct sampler *s);

/* sampler_start starts the sampler thread (a tick at once, then one per interval); needs a
 * sampler made with_loop. sampler_stop wakes it and joins it (idempotent). Errors: -EAGAIN.
 * thread: main. */
int sampler_start(struct sampler *s);
void sampler_stop(struct sampler *s);

/* sampler_tick runs one tick now (the check command's direct sampling). thread: main, only
 * while the sampler thread is not running. */
void sampler_tick(struct sampler *s);

/* What the HTTP side reads, borrowed for the sampler's lifetime. thread: any. */
struct snapshot_pub *sampler_pub(struct sampler *s);
const struct store *sampler_store(const struct sampler *s);
struct app_inbox *sampler_inbox(struct sampler *s);

#endif
