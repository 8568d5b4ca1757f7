/* A small pool of Redis clients for request threads (the adapter's MHD workers): each request
 * borrows a client, runs its pipelines on it and gives it back, so queries run in parallel
 * without a global lock around Redis I/O, and a client (with its slot map and reconnect
 * backoff) is reused across requests. Clients are created lazily up to max; when all are
 * borrowed, acquire waits for one (max = the number of HTTP threads makes that rare).
 * A client whose connection broke is kept: its own reconnect backoff makes the next request
 * fail fast while Redis is down instead of waiting a timeout each time. */
#ifndef RIZK_IO_REDIS_POOL_H
#define RIZK_IO_REDIS_POOL_H

#include <stddef.h>

struct redis_client_opts;
struct redis_cluster;
struct redis_pool;

/* redis_pool_new builds the pool of clients made from o (as redis_cluster_from_opts; o is
 * copied, its strings are borrowed and must outlive the pool). Returns 1 (and *out NULL) when o
 * names no Redis, 0, or -EINVAL. Nothing is dialled yet. thread: main. */
int redis_pool_new(const struct redis_client_opts *o, size_t max, struct redis_pool **out);
/* redis_pool_free frees every client; none may be borrowed. NULL-safe. thread: main. */
void redis_pool_free(struct redis_pool *p);
/* redis_pool_acquire borrows a client (exclusively until released). thread: any. */
struct redis_cluster *redis_pool_acquire(struct redis_pool *p);
/* redis_pool_release gives c back. thread: any. */
void redis_pool_release(struct redis_pool *p, struct redis_cluster *c);

#endif
