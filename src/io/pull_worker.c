/* Pull worker thread: fetch, parse, publish into a one-slot mailbox; sleep on a condition
 * variable (monotonic clock) so pull_worker_stop wakes it at once. The mutex guards only the
 * slot and the stop flag, never the fetch or the parse. */
#include "io/pull_worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct pull_worker {
    struct http_fetch *fetch;
    int64_t interval_ms;
    int64_t first_delay_ms;
    char *names[EXPO_SELECT_MAX];
    struct expo_select sel;
    uint64_t seq; /* worker thread (or run_once caller) only */

    pthread_t thread;
    bool started;
    pthread_mutex_t lock; /* guards the fields below */
    pthread_cond_t wake;
    bool stopping;
    bool has_new;
    struct pull_result slot;
};

int pull_worker_new(const struct pull_worker_opts *o, struct pull_worker **out)
{
    if (o == NULL || o->interval_ms <= 0 || o->first_delay_ms < 0 || o->nnames == 0 ||
        o->nnames > EXPO_SELECT_MAX || o->names == NULL || o->fetch.timeout_ms <= 0 ||
        o->fetch.timeout_ms >= o->interval_ms)
        return -EINVAL;
    for (unsigned i = 0; i < o->nnames; i++)
        if (o->names[i] == NULL || o->names[i][0] == '\0')
            return -EINVAL;
    struct pull_worker *w = xcalloc(1, sizeof(*w));
    int rc = http_fetch_new(&o->fetch, &w->fetch);
    if (rc < 0) {
        free(w);
        return rc;
    }
    w->interval_ms = o->interval_ms;
    w->first_delay_ms = o->first_delay_ms;
    for (unsigned i = 0; i < o->nnames; i++)
        w->names[i] = xstrdup(o->names[i]);
    w->sel.names = (const char *const *)w->names;
    w->sel.nnames = o->nnames;
    w->sel.max_samples = o->max_samples;
    w->sel.max_bytes = o->max_bytes;

    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&w->lock, NULL);
    *out = w;
    return 0;
}

int pull_worker_run_once(struct pull_worker *w, struct pull_result *out)
{
    struct http_fetch_result res;
    memset(out, 0, sizeof(*out));
    out->seq = ++w->seq;
    out->rc = http_fetch_get(w->fetch, &res);
    out->http_status = res.status;
    out->elapsed_ms = res.elapsed_ms;
    out->body_bytes = res.body_len;
    out->format = expo_format_from_content_type(res.content_type);
    if (out->rc < 0) {
        snprintf(out->error, sizeof(out->error), "fetch: %s (%s)", err_str(out->rc),
                 http_fetch_last_error(w->fetch));
    } else {
        out->rc =
            parse_expo_select(res.body, res.body_len, out->format, &w->sel, &out->set, &out->err);
        out->parse_failed = out->rc < 0;
        if (out->rc < 0)
            snprintf(out->error, sizeof(out->error), "parse: %s at line %u col %u: %s",
                     err_str(out->rc), out->err.line, out->err.col,
                     out->err.what != NULL ? out->err.what : "?");
    }
    out->done_mono_ms = clock_mono_ms();
    return out->rc;
}

static void publish(struct pull_worker *w, struct pull_result *r)
{
    struct pull_result old;
    pthread_mutex_lock(&w->lock);
    old = w->slot;
    w->slot = *r;
    w->has_new = true;
    pthread_mutex_unlock(&w->lock);
    /* An untaken result is replaced: freeing it outside the lock keeps take() short. */
    pull_result_fini(&old);
}

/* worker_sleep_until waits for the monotonic deadline or a stop; returns false on stop. */
static bool worker_sleep_until(struct pull_worker *w, int64_t due)
{
    struct timespec ts = {.tv_sec = (time_t)(due / 1000), .tv_nsec = (long)(due % 1000) * 1000000};
    pthread_mutex_lock(&w->lock);
    while (!w->stopping && clock_mono_ms() < due)
        pthread_cond_timedwait(&w->wake, &w->lock, &ts);
    bool stop = w->stopping;
    pthread_mutex_unlock(&w->lock);
    return !stop;
}

static void *worker_main(void *arg)
{
    struct pull_worker *w = arg;
    /* A fixed grid, not "start + interval" each time: wake-up latency would otherwise drift the
     * phase the consumer relies on, until fetches land on its ticks. */
    int64_t due = clock_mono_ms() + w->first_delay_ms;
    for (;;) {
        if (!worker_sleep_until(w, due))
            break;
        struct pull_result r;
        pull_worker_run_once(w, &r);
        publish(w, &r);
        int64_t now = clock_mono_ms();
        due += w->interval_ms;
        if (due <= now)
            due += ((now - due) / w->interval_ms + 1) * w->interval_ms;
    }
    return NULL;
}

int pull_worker_start(struct pull_worker *w)
{
    if (w->started)
        return -EINVAL;
    w->stopping = false;
    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    if (rc != 0)
        return -rc;
    w->started = true;
    return 0;
}

void pull_worker_stop(struct pull_worker *w)
{
    if (w == NULL || !w->started)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    w->started = false;
}

int pull_worker_take(struct pull_worker *w, struct pull_result *out)
{
    int rc = -EAGAIN;
    pthread_mutex_lock(&w->lock);
    if (w->has_new) {
        *out = w->slot;
        memset(&w->slot, 0, sizeof(w->slot));
        w->has_new = false;
        rc = 0;
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

void pull_result_fini(struct pull_result *r)
{
    if (r == NULL)
        return;
    expo_set_free(r->set);
    r->set = NULL;
}

void pull_worker_free(struct pull_worker *w)
{
    if (w == NULL)
        return;
    pull_worker_stop(w);
    pull_result_fini(&w->slot);
    http_fetch_free(w->fetch);
    for (unsigned i = 0; i < EXPO_SELECT_MAX; i++)
        free(w->names[i]);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
