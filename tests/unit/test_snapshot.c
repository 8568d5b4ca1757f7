/* snapshot: reference-count lifetime, publication replacing and freeing the old snapshot once
 * its readers are gone, acquire before the first publish, and a publish/acquire stress with
 * several threads (run it under ASan for use-after-free and leaks, under TSan for races). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/clock.h"
#include "core/xalloc.h"
#include "store/snapshot.h"
#include "core/banned.h"

static struct snapshot_pub *pub_make(void)
{
    struct snapshot_pub *pub = NULL;
    CU_ASSERT_EQUAL_FATAL(snapshot_pub_new(&pub), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pub);
    return pub;
}

/* snap_make builds a snapshot whose text body is "seq=<seq>\n". */
static struct snapshot *snap_make(uint64_t seq, struct mset *m)
{
    const struct snapshot_info info = {.seq = seq,
                                       .wall_ms = 1700000000000 + (int64_t)seq,
                                       .mono_ms = (int64_t)seq,
                                       .ready = true};
    struct snapshot *snap = snapshot_new(m, &info);
    char *body = xasprintf("seq=%llu\n", (unsigned long long)seq);
    snapshot_set_body(snap, SNAP_BODY_TEXT, body, strlen(body));
    return snap;
}

static bool body_matches(const struct snapshot *snap)
{
    char want[32];
    size_t len;
    const char *body = snapshot_body(snap, SNAP_BODY_TEXT, &len);
    int n =
        snprintf(want, sizeof(want), "seq=%llu\n", (unsigned long long)snapshot_info(snap)->seq);
    return body != NULL && n > 0 && len == (size_t)n && memcmp(body, want, len) == 0;
}

static void test_acquire_before_publish(void)
{
    struct snapshot_pub *pub = pub_make();
    CU_ASSERT_PTR_NULL(snapshot_acquire(pub));
    snapshot_release(NULL);
    snapshot_pub_free(pub);
    snapshot_pub_free(NULL);
}

static void test_fields_and_bodies(void)
{
    struct mset *m = mset_new();
    struct mfamily *f;
    CU_ASSERT_EQUAL_FATAL(mset_family(m, "rizk_up", METRIC_GAUGE, "Up.", &f), 0);
    CU_ASSERT_EQUAL(mset_add(m, f, NULL, 0, 1.0), 0);
    struct snapshot *snap = snap_make(7, m);
    size_t len = 99;

    CU_ASSERT_EQUAL(snapshot_info(snap)->seq, 7);
    CU_ASSERT_EQUAL(snapshot_info(snap)->wall_ms, 1700000000007);
    CU_ASSERT_EQUAL(snapshot_info(snap)->mono_ms, 7);
    CU_ASSERT(snapshot_info(snap)->ready);
    CU_ASSERT_PTR_EQUAL(snapshot_mset(snap), m);
    CU_ASSERT_PTR_NOT_NULL(mset_find(snapshot_mset(snap), "rizk_up"));
    CU_ASSERT(body_matches(snap));
    /* A kind never rendered is NULL with length 0. */
    CU_ASSERT_PTR_NULL(snapshot_body(snap, SNAP_BODY_PROTO_GZ, &len));
    CU_ASSERT_EQUAL(len, 0);
    /* Setting a body again replaces (and frees) the first one. */
    snapshot_set_body(snap, SNAP_BODY_OM, xstrdup("one"), 3);
    snapshot_set_body(snap, SNAP_BODY_OM, xstrdup("three"), 5);
    CU_ASSERT_EQUAL(memcmp(snapshot_body(snap, SNAP_BODY_OM, &len), "three", 5), 0);
    CU_ASSERT_EQUAL(len, 5);
    snapshot_release(snap); /* frees the mset and both bodies (LSan checks) */
}

static void test_refcount_lifetime(void)
{
    struct snapshot_pub *pub = pub_make();
    struct snapshot *a = snap_make(1, NULL);
    CU_ASSERT_EQUAL(snapshot_refcount(a), 1);
    snapshot_publish(pub, a); /* the caller's reference becomes the publisher's */
    CU_ASSERT_EQUAL(snapshot_refcount(a), 1);

    struct snapshot *r1 = snapshot_acquire(pub);
    struct snapshot *r2 = snapshot_acquire(pub);
    CU_ASSERT_PTR_EQUAL(r1, a);
    CU_ASSERT_PTR_EQUAL(r2, a);
    CU_ASSERT_EQUAL(snapshot_refcount(a), 3);
    snapshot_release(r2);
    CU_ASSERT_EQUAL(snapshot_refcount(a), 2);

    /* Publishing b drops the publisher's reference to a; r1 keeps a alive and intact. */
    struct snapshot *b = snap_make(2, NULL);
    snapshot_publish(pub, b);
    CU_ASSERT_EQUAL(snapshot_refcount(a), 1);
    CU_ASSERT(body_matches(r1));
    CU_ASSERT_EQUAL(snapshot_info(r1)->seq, 1);

    struct snapshot *r3 = snapshot_acquire(pub);
    CU_ASSERT_PTR_EQUAL(r3, b);
    CU_ASSERT_EQUAL(snapshot_refcount(b), 2);
    snapshot_release(r1); /* last reference: a is freed here (ASan would flag a later use) */

    /* Freeing the publication point drops its reference; the reader's survives. */
    snapshot_pub_free(pub);
    CU_ASSERT_EQUAL(snapshot_refcount(r3), 1);
    CU_ASSERT(body_matches(r3));
    snapshot_release(r3);
}

/* --- publisher and readers ---------------------------------------------------------------- */

#define STRESS_MS 500
#define STRESS_READERS 3

struct pub_stress {
    struct snapshot_pub *pub;
    atomic_bool done;
    uint64_t published;
};

struct pub_reader {
    struct pub_stress *st;
    long acquired;
    long bad_body;
    long backwards;
    long null_after_first;
};

static void *pub_writer(void *p)
{
    struct pub_stress *st = p;
    int64_t end = clock_mono_ms() + STRESS_MS;
    uint64_t seq = 0;
    do {
        seq++;
        snapshot_publish(st->pub, snap_make(seq, mset_new()));
    } while ((seq & 255) != 0 || clock_mono_ms() < end);
    st->published = seq;
    atomic_store(&st->done, true);
    return NULL;
}

static void *pub_reader_run(void *p)
{
    struct pub_reader *rd = p;
    struct snapshot *held = NULL; /* a second, older reference kept across acquires */
    uint64_t last_seq = 0;
    while (!atomic_load(&rd->st->done)) {
        struct snapshot *snap = snapshot_acquire(rd->st->pub);
        if (snap == NULL) {
            rd->null_after_first += last_seq != 0;
            continue;
        }
        rd->acquired++;
        uint64_t seq = snapshot_info(snap)->seq;
        if (!body_matches(snap) || snapshot_mset(snap) == NULL)
            rd->bad_body++;
        if (seq < last_seq)
            rd->backwards++;
        last_seq = seq;
        /* Keep every 8th snapshot until the next 8th, so some die in a reader's hands. */
        if ((rd->acquired & 7) == 0) {
            snapshot_release(held);
            held = snap;
        } else {
            snapshot_release(snap);
        }
        if (held != NULL && !body_matches(held))
            rd->bad_body++;
    }
    snapshot_release(held);
    return NULL;
}

static void test_threaded_publish_acquire(void)
{
    struct pub_stress st = {.pub = pub_make(), .published = 0};
    struct pub_reader rd[STRESS_READERS];
    pthread_t w, r[STRESS_READERS];
    atomic_init(&st.done, false);
    memset(rd, 0, sizeof(rd));
    for (int i = 0; i < STRESS_READERS; i++) {
        rd[i].st = &st;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&r[i], NULL, pub_reader_run, &rd[i]), 0);
    }
    CU_ASSERT_EQUAL_FATAL(pthread_create(&w, NULL, pub_writer, &st), 0);
    pthread_join(w, NULL);
    long acquired = 0;
    for (int i = 0; i < STRESS_READERS; i++) {
        pthread_join(r[i], NULL);
        CU_ASSERT_EQUAL(rd[i].bad_body, 0);
        CU_ASSERT_EQUAL(rd[i].backwards, 0);
        CU_ASSERT_EQUAL(rd[i].null_after_first, 0);
        acquired += rd[i].acquired;
    }
    CU_ASSERT(st.published > 256);
    CU_ASSERT(acquired > 0);
    /* Only the publisher's reference to the last snapshot is left. */
    struct snapshot *last = snapshot_acquire(st.pub);
    CU_ASSERT_PTR_NOT_NULL_FATAL(last);
    CU_ASSERT_EQUAL(snapshot_info(last)->seq, st.published);
    CU_ASSERT_EQUAL(snapshot_refcount(last), 2);
    snapshot_release(last);
    snapshot_pub_free(st.pub);
}

/* --- bodies rendered on first use -------------------------------------------------------- */

/* A fake renderer: a plain kind renders "body<kind>", a gzipped kind "gz(<plain>)"; kind
 * SNAP_BODY_OM fails with -EIO. Every call is counted per kind. */
static atomic_int lazy_calls[SNAP_BODY_COUNT];

static int lazy_render(const struct mset *m, enum snap_body kind, const void *plain,
                       size_t plain_len, void **out, size_t *len)
{
    (void)m;
    atomic_fetch_add(&lazy_calls[kind], 1);
    if (kind == SNAP_BODY_OM)
        return -EIO;
    char *s = plain != NULL ? xasprintf("gz(%.*s)", (int)plain_len, (const char *)plain)
                            : xasprintf("body%d", (int)kind);
    *out = s;
    *len = strlen(s);
    return 0;
}

static struct snapshot *lazy_make(void)
{
    for (int i = 0; i < SNAP_BODY_COUNT; i++)
        atomic_store(&lazy_calls[i], 0);
    const struct snapshot_info info = {.seq = 1, .wall_ms = 1, .mono_ms = 1, .ready = true};
    struct snapshot *snap = snapshot_new(NULL, &info);
    snapshot_set_renderer(snap, lazy_render);
    return snap;
}

static bool body_is(const struct snapshot *snap, enum snap_body kind, const char *want)
{
    size_t len = 0;
    const char *body = snapshot_body(snap, kind, &len);
    return body != NULL && len == strlen(want) && memcmp(body, want, len) == 0;
}

static void test_first_use_rendering(void)
{
    struct snapshot *snap = lazy_make();
    /* Nothing is rendered until asked. */
    for (int i = 0; i < SNAP_BODY_COUNT; i++)
        CU_ASSERT_EQUAL(atomic_load(&lazy_calls[i]), 0);
    /* A gzipped kind renders its plain kind first and encodes those very bytes. */
    CU_ASSERT(body_is(snap, SNAP_BODY_TEXT_GZ, "gz(body0)"));
    CU_ASSERT_EQUAL(atomic_load(&lazy_calls[SNAP_BODY_TEXT]), 1);
    CU_ASSERT_EQUAL(atomic_load(&lazy_calls[SNAP_BODY_TEXT_GZ]), 1);
    /* Asking again, for either, renders nothing more and returns the same bytes. */
    size_t l1 = 0, l2 = 0;
    const void *p1 = snapshot_body(snap, SNAP_BODY_TEXT, &l1);
    const void *p2 = snapshot_body(snap, SNAP_BODY_TEXT, &l2);
    CU_ASSERT(p1 != NULL && p1 == p2 && l1 == 5 && l2 == 5);
    CU_ASSERT(body_is(snap, SNAP_BODY_TEXT_GZ, "gz(body0)"));
    CU_ASSERT_EQUAL(atomic_load(&lazy_calls[SNAP_BODY_TEXT]), 1);
    CU_ASSERT_EQUAL(atomic_load(&lazy_calls[SNAP_BODY_TEXT_GZ]), 1);
    /* Other formats stay unrendered until asked. */
    CU_ASSERT_EQUAL(atomic_load(&lazy_calls[SNAP_BODY_PROTO]), 0);
    CU_ASSERT(body_is(snap, SNAP_BODY_PROTO, "body4"));
    CU_ASSERT_EQUAL(atomic_load(&lazy_calls[SNAP_BODY_PROTO_GZ]), 0);
    /* A failing format is tried once per snapshot; its gzip is not attempted at all. */
    size_t len = 99;
    CU_ASSERT_PTR_NULL(snapshot_body(snap, SNAP_BODY_OM_GZ, &len));
    CU_ASSERT_EQUAL(len, 0);
    CU_ASSERT_PTR_NULL(snapshot_body(snap, SNAP_BODY_OM, &len));
    CU_ASSERT_EQUAL(atomic_load(&lazy_calls[SNAP_BODY_OM]), 1);
    CU_ASSERT_EQUAL(atomic_load(&lazy_calls[SNAP_BODY_OM_GZ]), 0);
    /* The JSON documents are never rendered on first use: only set by the sampler. */
    CU_ASSERT_PTR_NULL(snapshot_body(snap, SNAP_BODY_JSON_CURRENT, &len));
    CU_ASSERT_EQUAL(atomic_load(&lazy_calls[SNAP_BODY_JSON_CURRENT]), 0);
    snapshot_release(snap); /* frees every rendered body (LSan checks) */
}

static void test_set_body_wins_over_renderer(void)
{
    struct snapshot *snap = lazy_make();
    snapshot_set_body(snap, SNAP_BODY_TEXT, xstrdup("set"), 3);
    CU_ASSERT(body_is(snap, SNAP_BODY_TEXT, "set"));
    CU_ASSERT(body_is(snap, SNAP_BODY_TEXT_GZ, "gz(set)"));
    CU_ASSERT_EQUAL(atomic_load(&lazy_calls[SNAP_BODY_TEXT]), 0);
    /* Without a renderer, a body never set stays missing. */
    const struct snapshot_info info = {.seq = 2, .wall_ms = 2, .mono_ms = 2, .ready = true};
    struct snapshot *bare = snapshot_new(NULL, &info);
    size_t len = 99;
    CU_ASSERT_PTR_NULL(snapshot_body(bare, SNAP_BODY_TEXT, &len));
    CU_ASSERT_EQUAL(len, 0);
    snapshot_release(bare);
    snapshot_release(snap);
}

#define RACERS 4

struct racer {
    struct snapshot *snap;
    atomic_int *go;
    const void *seen;
    size_t len;
};

static void *racer_main(void *arg)
{
    struct racer *r = arg;
    while (atomic_load(r->go) == 0)
        ;
    r->seen = snapshot_body(r->snap, SNAP_BODY_PROTO_GZ, &r->len);
    return NULL;
}

/* Readers asking at the same moment get one render and the same bytes (TSan checks the
 * publication of the body to the threads that did not render it). */
static void test_concurrent_first_use(void)
{
    struct snapshot *snap = lazy_make();
    atomic_int go = 0;
    struct racer rs[RACERS];
    pthread_t th[RACERS];
    for (int i = 0; i < RACERS; i++) {
        rs[i] = (struct racer){.snap = snap, .go = &go};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, racer_main, &rs[i]), 0);
    }
    atomic_store(&go, 1);
    for (int i = 0; i < RACERS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < RACERS; i++) {
        CU_ASSERT_PTR_NOT_NULL(rs[i].seen);
        CU_ASSERT_PTR_EQUAL(rs[i].seen, rs[0].seen);
        CU_ASSERT_EQUAL(rs[i].len, strlen("gz(body4)"));
    }
    CU_ASSERT(body_is(snap, SNAP_BODY_PROTO_GZ, "gz(body4)"));
    CU_ASSERT_EQUAL(atomic_load(&lazy_calls[SNAP_BODY_PROTO]), 1);
    CU_ASSERT_EQUAL(atomic_load(&lazy_calls[SNAP_BODY_PROTO_GZ]), 1);
    snapshot_release(snap);
}

static CU_TestInfo tests[] = {
    {"acquire before the first publish is NULL", test_acquire_before_publish},
    {"fields, bodies and the owned metric set", test_fields_and_bodies},
    {"refcount lifetime across publishes", test_refcount_lifetime},
    {"one publisher, three readers", test_threaded_publish_acquire},
    {"/metrics bodies rendered once, on first use", test_first_use_rendering},
    {"a body set by the sampler is not rendered again", test_set_body_wins_over_renderer},
    {"four readers racing for one body: one render", test_concurrent_first_use},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_snapshot = {"snapshot", NULL, NULL, NULL, NULL, tests};
