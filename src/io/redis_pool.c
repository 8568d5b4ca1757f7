/* Redis client pool: a LIFO free list under a mutex (the most recently used client is the one
 * most likely to have a live connection), a condition variable for the rare wait. The lock is
 * held only to pop or push a pointer, never across Redis I/O. */
#include "io/redis_pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "io/redis_cluster.h"
#include "core/banned.h"

/* Reconnect backoff cap of a pooled client: short, so a restarted Redis is back within about a
 * second while a dead one costs one fast failure per request in between. */
#define REDIS_POOL_BACKOFF_MAX_MS 1000

struct redis_pool {
    struct redis_client_opts opts; /* strings borrowed */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct redis_cluster **idle;
    size_t nidle;
    size_t created, max;
};

int redis_pool_new(const struct redis_client_opts *o, size_t max, struct redis_pool **out)
{
    /* One client up front validates the configuration and makes "no Redis" an answer here. */
    struct redis_cluster *first = NULL;
    int rc = redis_cluster_from_opts(o, REDIS_POOL_BACKOFF_MAX_MS, &first);
    if (rc != 0) {
        *out = NULL;
        return rc;
    }
    struct redis_pool *p = xcalloc(1, sizeof(*p));
    p->opts = *o;
    p->max = max > 0 ? max : 1;
    p->idle = xcalloc(p->max, sizeof(*p->idle));
    p->idle[p->nidle++] = first;
    p->created = 1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    *out = p;
    return 0;
}

void redis_pool_free(struct redis_pool *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nidle; i++)
        redis_cluster_free(p->idle[i]);
    free(p->idle);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

struct redis_cluster *redis_pool_acquire(struct redis_pool *p)
{
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->nidle > 0) {
            struct redis_cluster *c = p->idle[--p->nidle];
            pthread_mutex_unlock(&p->mu);
            return c;
        }
        if (p->created < p->max)
            break;
        pthread_cond_wait(&p->cv, &p->mu);
    }
    p->created++;
    pthread_mutex_unlock(&p->mu);
    struct redis_cluster *c = NULL;
    /* The configuration was accepted by redis_pool_new: this cannot fail differently. */
    int rc = redis_cluster_from_opts(&p->opts, REDIS_POOL_BACKOFF_MAX_MS, &c);
    RIZK_ASSERT(rc == 0 && c != NULL);
    return c;
}

void redis_pool_release(struct redis_pool *p, struct redis_cluster *c)
{
    pthread_mutex_lock(&p->mu);
    RIZK_ASSERT(p->nidle < p->max);
    p->idle[p->nidle++] = c;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}
