/* A sleep that can be cut short: the loop of a background I/O thread (the Redis workers) waits
 * for a deadline on the monotonic clock, a kick from another thread, or a stop request. The
 * mutex is exposed so the owner can guard the small state it shares with other threads under
 * the same lock. Fields are private: do not touch them outside waiter.c, except `mu`. */
#ifndef RIZK_CORE_WAITER_H
#define RIZK_CORE_WAITER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t _cv;
    bool _stop;
    bool _kicked;
};

/* waiter_init prepares w (caller's storage). Errors: -ENOMEM/-EAGAIN from pthreads.
 * thread: the creator, before the worker starts. */
int waiter_init(struct waiter *w);
/* waiter_fini destroys w; no thread may use it any more. */
void waiter_fini(struct waiter *w);
/* waiter_wait blocks until the monotonic clock reaches deadline_ms (clock_mono_ms), a kick, or a
 * stop; returns false when stop was requested. Must NOT be called with mu held. thread: the
 * worker. */
bool waiter_wait(struct waiter *w, int64_t deadline_ms);
/* waiter_kick wakes the worker early (never blocks beyond the tiny mutex). thread: any. */
void waiter_kick(struct waiter *w);
/* waiter_stop makes every current and later waiter_wait return false. thread: any. */
void waiter_stop(struct waiter *w);

#endif
