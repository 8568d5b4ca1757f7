/* Deadline / kick / stop sleep for worker threads. The condition variable uses CLOCK_MONOTONIC
 * so a wall-clock step (NTP) cannot stretch or skip a wait. */
#include "core/waiter.h"

#include <errno.h>
#include <time.h>

#include "core/clock.h"
#include "core/banned.h"

int waiter_init(struct waiter *w)
{
    pthread_condattr_t ca;
    int rc = pthread_mutex_init(&w->mu, NULL);
    if (rc != 0)
        return -rc;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    rc = pthread_cond_init(&w->_cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0) {
        pthread_mutex_destroy(&w->mu);
        return -rc;
    }
    w->_stop = false;
    w->_kicked = false;
    return 0;
}

void waiter_fini(struct waiter *w)
{
    pthread_cond_destroy(&w->_cv);
    pthread_mutex_destroy(&w->mu);
}

bool waiter_wait(struct waiter *w, int64_t deadline_ms)
{
    struct timespec ts = {deadline_ms / 1000, (deadline_ms % 1000) * 1000000};
    pthread_mutex_lock(&w->mu);
    while (!w->_stop && !w->_kicked && clock_mono_ms() < deadline_ms)
        if (pthread_cond_timedwait(&w->_cv, &w->mu, &ts) == ETIMEDOUT)
            break;
    bool go = !w->_stop;
    w->_kicked = false;
    pthread_mutex_unlock(&w->mu);
    return go;
}

void waiter_kick(struct waiter *w)
{
    pthread_mutex_lock(&w->mu);
    w->_kicked = true;
    pthread_cond_signal(&w->_cv);
    pthread_mutex_unlock(&w->mu);
}

void waiter_stop(struct waiter *w)
{
    pthread_mutex_lock(&w->mu);
    w->_stop = true;
    pthread_cond_broadcast(&w->_cv);
    pthread_mutex_unlock(&w->mu);
}
