/* Unit tests for core/ttl_cache.c: hits and misses, expiry at the exact millisecond, replacement,
 * the size bound with least-recently-used eviction, refused values, and concurrent use. */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/ttl_cache.h"

static void key_of(unsigned i, uint8_t k[TTL_CACHE_KEY_LEN])
{
    memset(k, 0, TTL_CACHE_KEY_LEN);
    memcpy(k, &i, sizeof(i));
    k[TTL_CACHE_KEY_LEN - 1] = 0xa5;
}

static void test_basic(void)
{
    struct ttl_cache *c = ttl_cache_new(4);
    uint8_t k1[TTL_CACHE_KEY_LEN], k2[TTL_CACHE_KEY_LEN];
    key_of(1, k1);
    key_of(2, k2);
    struct buf b;
    buf_init(&b, 64);
    CU_ASSERT_EQUAL(ttl_cache_get(c, k1, 0, &b), 0);
    CU_ASSERT_EQUAL(ttl_cache_put(c, k1, "alice", 5, 1000), 0);
    CU_ASSERT_EQUAL(ttl_cache_get(c, k1, 999, &b), 1);
    CU_ASSERT_STRING_EQUAL(buf_ptr(&b), "alice");
    CU_ASSERT_EQUAL(ttl_cache_get(c, k2, 999, &b), 0);
    CU_ASSERT_EQUAL(buf_len(&b), 0);
    /* expired at exactly its expiry, and dropped */
    CU_ASSERT_EQUAL(ttl_cache_get(c, k1, 1000, &b), 0);
    CU_ASSERT_EQUAL(ttl_cache_len(c), 0);
    /* replacement keeps one entry */
    ttl_cache_put(c, k1, "a", 1, 50);
    ttl_cache_put(c, k1, "bb", 2, 100);
    CU_ASSERT_EQUAL(ttl_cache_len(c), 1);
    CU_ASSERT_EQUAL(ttl_cache_get(c, k1, 60, &b), 1);
    CU_ASSERT_STRING_EQUAL(buf_ptr(&b), "bb");
    /* an empty value is a value */
    ttl_cache_put(c, k2, "", 0, 100);
    CU_ASSERT_EQUAL(ttl_cache_get(c, k2, 0, &b), 1);
    CU_ASSERT_EQUAL(buf_len(&b), 0);
    /* refused and too-small outputs */
    static char big[TTL_CACHE_VALUE_MAX + 1];
    CU_ASSERT_EQUAL(ttl_cache_put(c, k1, big, sizeof(big), 100), -E2BIG);
    CU_ASSERT_EQUAL(ttl_cache_get(c, k1, 0, &b), 1); /* the old value stays */
    struct buf tiny;
    buf_init(&tiny, 1);
    CU_ASSERT_EQUAL(ttl_cache_get(c, k1, 0, &tiny), -E2BIG);
    CU_ASSERT_EQUAL(buf_len(&tiny), 0);
    buf_fini(&tiny);
    buf_fini(&b);
    ttl_cache_free(c);
    ttl_cache_free(NULL);
}

static void test_bound(void)
{
    struct ttl_cache *c = ttl_cache_new(3);
    uint8_t k[TTL_CACHE_KEY_LEN];
    struct buf b;
    buf_init(&b, 64);
    for (unsigned i = 0; i < 3; i++) {
        key_of(i, k);
        ttl_cache_put(c, k, &i, sizeof(i), 1000);
    }
    key_of(0, k);
    CU_ASSERT_EQUAL(ttl_cache_get(c, k, 0, &b), 1); /* 0 is now the most recently used */
    key_of(3, k);
    ttl_cache_put(c, k, "x", 1, 1000); /* evicts 1, the least recently used */
    CU_ASSERT_EQUAL(ttl_cache_len(c), 3);
    for (unsigned i = 0; i < 4; i++) {
        key_of(i, k);
        CU_ASSERT_EQUAL(ttl_cache_get(c, k, 0, &b), i == 1 ? 0 : 1);
    }
    /* many more keys than the bound: never more than 3 entries */
    for (unsigned i = 10; i < 10000; i++) {
        key_of(i, k);
        ttl_cache_put(c, k, "v", 1, 1000);
    }
    CU_ASSERT_EQUAL(ttl_cache_len(c), 3);
    key_of(9999, k);
    CU_ASSERT_EQUAL(ttl_cache_get(c, k, 0, &b), 1);
    key_of(9996, k);
    CU_ASSERT_EQUAL(ttl_cache_get(c, k, 0, &b), 0);
    buf_fini(&b);
    ttl_cache_free(c);
}

struct worker {
    struct ttl_cache *c;
    unsigned id;
    unsigned bad;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    struct buf b;
    buf_init(&b, 64);
    uint8_t k[TTL_CACHE_KEY_LEN];
    for (unsigned i = 0; i < 20000; i++) {
        unsigned key = (i * 7 + w->id) % 64;
        key_of(key, k);
        if (i % 3 == 0) {
            ttl_cache_put(w->c, k, &key, sizeof(key), 1000);
        } else if (ttl_cache_get(w->c, k, 0, &b) == 1) {
            unsigned v;
            memcpy(&v, buf_ptr(&b), sizeof(v));
            if (buf_len(&b) != sizeof(v) || v != key)
                w->bad++;
        }
    }
    buf_fini(&b);
    return NULL;
}

static void test_threads(void)
{
    struct ttl_cache *c = ttl_cache_new(16);
    pthread_t t[4];
    struct worker w[4];
    for (unsigned i = 0; i < 4; i++) {
        w[i] = (struct worker){c, i, 0};
        pthread_create(&t[i], NULL, worker_run, &w[i]);
    }
    for (unsigned i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        CU_ASSERT_EQUAL(w[i].bad, 0);
    }
    CU_ASSERT(ttl_cache_len(c) <= 16);
    ttl_cache_free(c);
}

static CU_TestInfo ttl_cache_tests[] = {
    {"hits, misses, expiry, replacement", test_basic},
    {"size bound, LRU eviction", test_bound},
    {"concurrent use", test_threads},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_ttl_cache = {"ttl_cache", NULL, NULL, NULL, NULL, ttl_cache_tests};
