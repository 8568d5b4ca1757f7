/* Chained hash table (power-of-two buckets, at least twice the entry bound) plus an intrusive
 * doubly-linked LRU list; entries are one allocation each (header + value). */
#include "core/ttl_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct ttl_entry {
    struct ttl_entry *next_hash;
    struct ttl_entry *prev, *next; /* LRU: head is the most recently used */
    int64_t expires_ms;
    uint8_t key[TTL_CACHE_KEY_LEN];
    size_t len;
    unsigned char value[];
};

struct ttl_cache {
    pthread_mutex_t mu;
    struct ttl_entry **buckets;
    size_t mask;
    size_t n, max;
    struct ttl_entry *head, *tail;
};

struct ttl_cache *ttl_cache_new(size_t max_entries)
{
    struct ttl_cache *c = xcalloc(1, sizeof(*c));
    size_t nb = 16;
    if (max_entries < 1)
        max_entries = 1;
    while (nb < 2 * max_entries)
        nb *= 2;
    c->buckets = xcalloc(nb, sizeof(*c->buckets));
    c->mask = nb - 1;
    c->max = max_entries;
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void ttl_cache_free(struct ttl_cache *c)
{
    if (c == NULL)
        return;
    for (struct ttl_entry *e = c->head, *nx = NULL; e != NULL; e = nx) {
        nx = e->next;
        free(e);
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* The key is a digest already: its first bytes are as good a hash as any. */
static size_t ttl_bucket(const struct ttl_cache *c, const uint8_t *key)
{
    uint64_t h;
    memcpy(&h, key, sizeof(h));
    return (size_t)h & c->mask;
}

static void ttl_lru_unlink(struct ttl_cache *c, struct ttl_entry *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void ttl_lru_push(struct ttl_cache *c, struct ttl_entry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head != NULL)
        c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
        c->tail = e;
}

/* ttl_find returns the link that points at key's entry (or at the NULL ending its chain). */
static struct ttl_entry **ttl_find(struct ttl_cache *c, const uint8_t *key)
{
    struct ttl_entry **pp = &c->buckets[ttl_bucket(c, key)];
    while (*pp != NULL && memcmp((*pp)->key, key, TTL_CACHE_KEY_LEN) != 0)
        pp = &(*pp)->next_hash;
    return pp;
}

static void ttl_remove(struct ttl_cache *c, struct ttl_entry **pp)
{
    struct ttl_entry *e = *pp;
    RIZK_ASSERT(e != NULL);
    *pp = e->next_hash;
    ttl_lru_unlink(c, e);
    c->n--;
    free(e);
}

int ttl_cache_get(struct ttl_cache *c, const uint8_t key[TTL_CACHE_KEY_LEN], int64_t now_ms,
                  struct buf *out)
{
    buf_reset(out);
    pthread_mutex_lock(&c->mu);
    struct ttl_entry **pp = ttl_find(c, key);
    int rc = 0;
    if (*pp != NULL && now_ms >= (*pp)->expires_ms) {
        ttl_remove(c, pp);
    } else if (*pp != NULL) {
        struct ttl_entry *e = *pp;
        ttl_lru_unlink(c, e);
        ttl_lru_push(c, e);
        rc = buf_add(out, e->value, e->len) < 0 ? -E2BIG : 1;
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int ttl_cache_put(struct ttl_cache *c, const uint8_t key[TTL_CACHE_KEY_LEN], const void *value,
                  size_t len, int64_t expires_ms)
{
    if (len > TTL_CACHE_VALUE_MAX)
        return -E2BIG;
    struct ttl_entry *e = xmalloc(sizeof(*e) + len);
    memset(e, 0, sizeof(*e));
    memcpy(e->key, key, TTL_CACHE_KEY_LEN);
    e->expires_ms = expires_ms;
    e->len = len;
    memcpy(e->value, value, len);
    pthread_mutex_lock(&c->mu);
    struct ttl_entry **pp = ttl_find(c, key);
    if (*pp != NULL)
        ttl_remove(c, pp);
    if (c->n >= c->max) {
        RIZK_ASSERT(c->tail != NULL);
        ttl_remove(c, ttl_find(c, c->tail->key));
    }
    pp = &c->buckets[ttl_bucket(c, key)];
    e->next_hash = *pp;
    *pp = e;
    ttl_lru_push(c, e);
    c->n++;
    pthread_mutex_unlock(&c->mu);
    return 0;
}

size_t ttl_cache_len(struct ttl_cache *c)
{
    pthread_mutex_lock(&c->mu);
    size_t n = c->n;
    pthread_mutex_unlock(&c->mu);
    return n;
}
