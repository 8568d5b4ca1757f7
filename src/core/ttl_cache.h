/* A bounded, thread-safe cache of byte values with an expiry per entry: the TokenReview and
 * SubjectAccessReview decisions of the adapter (as kube's webhook authenticator and authorizer
 * cache theirs). Keys are fixed-size digests (the caller hashes, so a key's size never depends on
 * input and no secret is kept as a key); values are copied in and out. When full, the least
 * recently used entry goes (expired entries are dropped when looked up). One mutex: every
 * operation is a hash lookup plus a copy of at most TTL_CACHE_VALUE_MAX bytes. */
#ifndef RIZK_CORE_TTL_CACHE_H
#define RIZK_CORE_TTL_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define TTL_CACHE_KEY_LEN 32            /* SHA-256 */
#define TTL_CACHE_VALUE_MAX (16u << 10) /* larger values are not cached */

struct ttl_cache;

/* ttl_cache_new makes a cache of at most max_entries (>= 1) entries. thread: any. */
struct ttl_cache *ttl_cache_new(size_t max_entries);
void ttl_cache_free(struct ttl_cache *c); /* NULL-safe */

/* ttl_cache_get appends the value of key to out (emptied first) when the key is present and
 * now_ms < its expiry, and marks it recently used. Returns 1 on a hit, 0 on a miss (an expired
 * entry is dropped), -E2BIG when out's cap is too small (out emptied). thread: any. */
int ttl_cache_get(struct ttl_cache *c, const uint8_t key[TTL_CACHE_KEY_LEN], int64_t now_ms,
                  struct buf *out);
/* ttl_cache_put stores a copy of value under key until expires_ms, replacing any entry of that
 * key. Returns 0, or -E2BIG (value above TTL_CACHE_VALUE_MAX: not stored). thread: any. */
int ttl_cache_put(struct ttl_cache *c, const uint8_t key[TTL_CACHE_KEY_LEN], const void *value,
                  size_t len, int64_t expires_ms);
/* ttl_cache_len returns the number of entries (expired ones not yet dropped included). */
size_t ttl_cache_len(struct ttl_cache *c);

#endif
