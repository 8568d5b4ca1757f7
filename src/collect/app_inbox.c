/* The app inbox (see app_inbox.h for why a mutex and a byte budget). */
#include "collect/app_inbox.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "collect/app_stats.h"
#include "collect/sink.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct app_inbox_node {
    struct app_inbox_node *next;
    size_t bytes;
    struct app_delta d;
};

/* One counter per cache line: HTTP threads bump them concurrently. */
struct app_inbox_counter {
    alignas(64) atomic_uint_fast64_t n;
};

struct app_inbox {
    pthread_mutex_t mu; /* guards head, tail, bytes */
    struct app_inbox_node *head;
    struct app_inbox_node *tail;
    size_t bytes;
    size_t max_bytes;
    struct app_inbox_counter results[APP_INBOX_RESULTS];
};

int app_inbox_new(size_t max_bytes, struct app_inbox **out)
{
    struct app_inbox *in = xcalloc(1, sizeof(*in));
    pthread_mutex_init(&in->mu, NULL);
    in->max_bytes = max_bytes;
    for (int i = 0; i < APP_INBOX_RESULTS; i++)
        atomic_init(&in->results[i].n, 0);
    *out = in;
    return 0;
}

static void app_inbox_free_list(struct app_inbox_node *n)
{
    while (n != NULL) {
        struct app_inbox_node *next = n->next;
        app_delta_fini(&n->d);
        free(n);
        n = next;
    }
}

void app_inbox_free(struct app_inbox *in)
{
    if (in == NULL)
        return;
    app_inbox_free_list(in->head);
    pthread_mutex_destroy(&in->mu);
    free(in);
}

static size_t app_inbox_size(const struct app_delta *d)
{
    return sizeof(struct app_inbox_node) + d->ndurations * sizeof(double) +
           d->nbuckets * (sizeof(double) + sizeof(uint64_t));
}

int app_inbox_push(struct app_inbox *in, struct app_delta *d)
{
    size_t bytes = app_inbox_size(d);
    pthread_mutex_lock(&in->mu);
    bool full = in->bytes + bytes > in->max_bytes;
    if (!full)
        in->bytes += bytes;
    pthread_mutex_unlock(&in->mu);
    if (full)
        return -EAGAIN;
    /* Allocate outside the lock; the budget is already reserved. */
    struct app_inbox_node *n = xcalloc(1, sizeof(*n));
    n->bytes = bytes;
    n->d = *d;
    memset(d, 0, sizeof(*d));
    pthread_mutex_lock(&in->mu);
    if (in->tail != NULL)
        in->tail->next = n;
    else
        in->head = n;
    in->tail = n;
    pthread_mutex_unlock(&in->mu);
    return 0;
}

size_t app_inbox_drain(struct app_inbox *in, struct app_stats *st)
{
    pthread_mutex_lock(&in->mu);
    struct app_inbox_node *list = in->head;
    size_t released = 0;
    for (struct app_inbox_node *n = list; n != NULL; n = n->next)
        released += n->bytes;
    in->head = in->tail = NULL;
    in->bytes -= released;
    pthread_mutex_unlock(&in->mu);

    size_t applied = 0;
    for (struct app_inbox_node *n = list; n != NULL; n = n->next) {
        if (app_stats_add(st, &n->d) < 0) {
            app_inbox_count(in, APP_INBOX_REFUSED);
            log_warn("app", "a pushed report was refused by the duration histogram");
            continue;
        }
        applied++;
    }
    app_inbox_free_list(list);
    return applied;
}

void app_inbox_count(struct app_inbox *in, enum app_inbox_result r)
{
    if ((unsigned)r < APP_INBOX_RESULTS)
        atomic_fetch_add_explicit(&in->results[r].n, 1, memory_order_relaxed);
}

void app_inbox_emit(struct app_inbox *in, struct sample_sink *sink)
{
    static const char *const names[APP_INBOX_RESULTS] = {"accepted", "invalid",     "forbidden",
                                                         "busy",     "unsupported", "refused"};
    for (int i = 0; i < APP_INBOX_RESULTS; i++) {
        struct label l = {"result", names[i]};
        sink_counter(sink, "rizk_app_reports_total",
                     "Reports pushed to POST /api/v1/report, by outcome.", &l, 1,
                     (double)atomic_load_explicit(&in->results[i].n, memory_order_relaxed));
    }
}
