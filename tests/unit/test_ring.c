/* ring: capacity rounding, wrap-around, window copy order and bounds, empty rings, and a
 * threaded torn-read check: the writer pushes v == t so a reader can spot any mixed sample. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "core/clock.h"
#include "store/ring.h"
#include "core/banned.h"

static struct ring *ring_make(uint64_t cap)
{
    struct ring *r = NULL;
    CU_ASSERT_EQUAL_FATAL(ring_new(cap, &r), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    return r;
}

static void test_new_rounds_to_pow2(void)
{
    static const struct {
        uint64_t in, cap;
    } cases[] = {{1, 1}, {2, 2}, {3, 4}, {5, 8}, {1024, 1024}, {1025, 2048}, {3600, 4096}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ring *r = ring_make(cases[i].in);
        CU_ASSERT_EQUAL(ring_capacity(r), cases[i].cap);
        CU_ASSERT(ring_memory_bytes(r) >= cases[i].cap * sizeof(struct ring_sample));
        ring_free(r);
    }
    struct ring *r = NULL;
    CU_ASSERT_EQUAL(ring_new(0, &r), -EINVAL);
    CU_ASSERT_EQUAL(ring_new(RING_CAP_MAX + 1, &r), -EINVAL);
    CU_ASSERT_PTR_NULL(r);
    ring_free(NULL);
}

static void count_fold(void *acc, const struct ring_sample *s)
{
    (void)s;
    (*(int *)acc)++;
}

static void test_empty(void)
{
    struct ring *r = ring_make(8);
    struct ring_sample s = {-1, -1.0}, out[4];
    int n = -1;
    const int zero = 0;
    CU_ASSERT_EQUAL(ring_count(r), 0);
    CU_ASSERT_EQUAL(ring_last(r, &s), -ENODATA);
    CU_ASSERT_EQUAL(s.t_ms, -1); /* untouched on error */
    CU_ASSERT_EQUAL(ring_copy_window(r, INT64_MIN, INT64_MAX, out, 4), 0);
    CU_ASSERT_EQUAL(ring_fold_window(r, INT64_MIN, INT64_MAX, count_fold, &n, &zero, sizeof(n)), 0);
    CU_ASSERT_EQUAL(n, 0);
    ring_free(r);
}

static void test_push_last_and_order(void)
{
    struct ring *r = ring_make(8);
    struct ring_sample s;
    CU_ASSERT_EQUAL(ring_push(r, 100, 1.5), 0);
    CU_ASSERT_EQUAL(ring_push(r, 100, 2.5), 0); /* equal times are allowed */
    CU_ASSERT_EQUAL(ring_push(r, 99, 3.5), -ERANGE);
    CU_ASSERT_EQUAL(ring_count(r), 2);
    CU_ASSERT_EQUAL_FATAL(ring_last(r, &s), 0);
    CU_ASSERT_EQUAL(s.t_ms, 100);
    CU_ASSERT_EQUAL(s.v, 2.5);
    CU_ASSERT_EQUAL(ring_push(r, 101, NAN), 0); /* NaN is stored as is */
    CU_ASSERT_EQUAL_FATAL(ring_last(r, &s), 0);
    CU_ASSERT(isnan(s.v));
    ring_free(r);
}

static void test_wrap_around(void)
{
    struct ring *r = ring_make(4);
    struct ring_sample out[8], s;
    for (int64_t t = 0; t < 10; t++)
        CU_ASSERT_EQUAL(ring_push(r, t, (double)t * 10.0), 0);
    CU_ASSERT_EQUAL(ring_count(r), 10);
    CU_ASSERT_EQUAL_FATAL(ring_copy_window(r, INT64_MIN, INT64_MAX, out, 8), 4);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(out[i].t_ms, 6 + i);
        CU_ASSERT_EQUAL(out[i].v, (double)(6 + i) * 10.0);
    }
    CU_ASSERT_EQUAL_FATAL(ring_last(r, &s), 0);
    CU_ASSERT_EQUAL(s.t_ms, 9);
    /* A window reaching before the oldest sample held starts at the oldest one. */
    CU_ASSERT_EQUAL(ring_copy_window(r, 2, 7, out, 8), 2);
    CU_ASSERT_EQUAL(out[0].t_ms, 6);
    CU_ASSERT_EQUAL(out[1].t_ms, 7);
    ring_free(r);
}

static void test_copy_window_bounds(void)
{
    struct ring *r = ring_make(16);
    struct ring_sample out[16];
    for (int64_t t = 10; t <= 100; t += 10)
        CU_ASSERT_EQUAL(ring_push(r, t, (double)t), 0);

    /* Both bounds inclusive. */
    CU_ASSERT_EQUAL_FATAL(ring_copy_window(r, 30, 70, out, 16), 5);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(out[i].t_ms, 30 + 10 * i);
    CU_ASSERT_EQUAL_FATAL(ring_copy_window(r, 31, 69, out, 16), 3);
    CU_ASSERT_EQUAL(out[0].t_ms, 40);
    CU_ASSERT_EQUAL(out[2].t_ms, 60);
    /* max keeps the newest, still oldest first. */
    CU_ASSERT_EQUAL_FATAL(ring_copy_window(r, 30, 70, out, 2), 2);
    CU_ASSERT_EQUAL(out[0].t_ms, 60);
    CU_ASSERT_EQUAL(out[1].t_ms, 70);
    CU_ASSERT_EQUAL(ring_copy_window(r, 30, 70, NULL, 0), 0);
    /* Empty windows. */
    CU_ASSERT_EQUAL(ring_copy_window(r, 101, INT64_MAX, out, 16), 0);
    CU_ASSERT_EQUAL(ring_copy_window(r, INT64_MIN, 9, out, 16), 0);
    CU_ASSERT_EQUAL(ring_copy_window(r, 70, 30, out, 16), 0);
    CU_ASSERT_EQUAL(ring_copy_window(r, 41, 49, out, 16), 0);
    ring_free(r);
}

struct sum_acc {
    int n;
    double sum;
};

static void sum_fold(void *p, const struct ring_sample *s)
{
    struct sum_acc *a = p;
    a->n++;
    a->sum += s->v;
}

static void test_fold_window(void)
{
    struct ring *r = ring_make(8);
    const struct sum_acc zero = {0, 0.0};
    struct sum_acc a;
    for (int64_t t = 1; t <= 12; t++)
        CU_ASSERT_EQUAL(ring_push(r, t, (double)t), 0);
    /* Held: 5..12. */
    CU_ASSERT_EQUAL_FATAL(ring_fold_window(r, 0, 100, sum_fold, &a, &zero, sizeof(a)), 0);
    CU_ASSERT_EQUAL(a.n, 8);
    CU_ASSERT_EQUAL(a.sum, 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12);
    CU_ASSERT_EQUAL_FATAL(ring_fold_window(r, 7, 9, sum_fold, &a, &zero, sizeof(a)), 0);
    CU_ASSERT_EQUAL(a.n, 3);
    CU_ASSERT_EQUAL(a.sum, 24.0);
    ring_free(r);
}

/* --- one writer, three readers ----------------------------------------------------------- */

#define STRESS_MS 500
#define STRESS_READERS 3
#define STRESS_CAP 1024
#define STRESS_SPAN 200

struct stress {
    struct ring *r;
    atomic_bool done;
    int64_t pushed; /* written by the writer, read after join */
};

struct reader_stats {
    struct stress *st;
    long reads;   /* successful window reads */
    long gave_up; /* -EAGAIN */
    long torn;    /* a sample with v != t */
    long order;   /* not strictly one ms apart, or too many */
    long sums;    /* fold disagreeing with the closed form */
    long other;   /* unexpected return codes, count going backwards */
};

static void *stress_writer(void *p)
{
    struct stress *st = p;
    int64_t t = 0;
    int64_t end = clock_mono_ms() + STRESS_MS;
    for (;;) {
        if (ring_push(st->r, t, (double)t) != 0)
            break;
        t++;
        if ((t & 1023) == 0 && clock_mono_ms() >= end)
            break;
    }
    st->pushed = t;
    atomic_store(&st->done, true);
    return NULL;
}

struct span_acc {
    int64_t n;
    int64_t first;
    int64_t last;
    double sum;
    bool torn;
};

static void span_fold(void *p, const struct ring_sample *s)
{
    struct span_acc *a = p;
    if (a->n == 0)
        a->first = s->t_ms;
    a->last = s->t_ms;
    a->sum += s->v;
    a->torn |= s->v != (double)s->t_ms;
    a->n++;
}

static void check_copy(struct reader_stats *rs, const struct ring_sample *buf, int n)
{
    if (n > STRESS_SPAN)
        rs->order++;
    for (int i = 0; i < n; i++) {
        if (buf[i].v != (double)buf[i].t_ms)
            rs->torn++;
        if (i > 0 && buf[i].t_ms != buf[i - 1].t_ms + 1)
            rs->order++;
    }
}

static void check_fold(struct reader_stats *rs, const struct span_acc *a)
{
    if (a->torn)
        rs->torn++;
    if (a->n == 0)
        return;
    /* The held samples are consecutive integers, so the sum has a closed form (exact in a
     * double at these magnitudes). */
    if (a->last - a->first + 1 != a->n ||
        a->sum != (double)(a->first + a->last) * (double)a->n / 2.0)
        rs->sums++;
}

static void *stress_reader(void *p)
{
    struct reader_stats *rs = p;
    struct ring *r = rs->st->r;
    struct ring_sample buf[STRESS_SPAN];
    const struct span_acc zero = {0, 0, 0, 0.0, false};
    uint64_t prev_count = 0;
    while (!atomic_load(&rs->st->done)) {
        struct ring_sample last;
        int rc = ring_last(r, &last);
        if (rc == -ENODATA || rc == -EAGAIN) {
            rs->gave_up += rc == -EAGAIN;
            continue;
        }
        if (rc != 0) {
            rs->other++;
            continue;
        }
        if (last.v != (double)last.t_ms)
            rs->torn++;

        int n = ring_copy_window(r, last.t_ms - STRESS_SPAN / 2, INT64_MAX, buf, STRESS_SPAN);
        if (n == -EAGAIN)
            rs->gave_up++;
        else if (n < 0)
            rs->other++;
        else
            check_copy(rs, buf, n);

        struct span_acc a;
        rc = ring_fold_window(r, last.t_ms - STRESS_SPAN, last.t_ms, span_fold, &a, &zero,
                              sizeof(a));
        if (rc == -EAGAIN)
            rs->gave_up++;
        else if (rc != 0)
            rs->other++;
        else
            check_fold(rs, &a);

        uint64_t c = ring_count(r);
        if (c < prev_count)
            rs->other++;
        prev_count = c;
        rs->reads++;
    }
    return NULL;
}

static void test_threaded_no_torn_reads(void)
{
    struct stress st = {.r = ring_make(STRESS_CAP), .pushed = 0};
    struct reader_stats rs[STRESS_READERS] = {{0}};
    pthread_t w, rd[STRESS_READERS];
    atomic_init(&st.done, false);
    for (int i = 0; i < STRESS_READERS; i++) {
        rs[i].st = &st;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&rd[i], NULL, stress_reader, &rs[i]), 0);
    }
    CU_ASSERT_EQUAL_FATAL(pthread_create(&w, NULL, stress_writer, &st), 0);
    pthread_join(w, NULL);
    long reads = 0;
    for (int i = 0; i < STRESS_READERS; i++) {
        pthread_join(rd[i], NULL);
        CU_ASSERT_EQUAL(rs[i].torn, 0);
        CU_ASSERT_EQUAL(rs[i].order, 0);
        CU_ASSERT_EQUAL(rs[i].sums, 0);
        CU_ASSERT_EQUAL(rs[i].other, 0);
        reads += rs[i].reads;
    }
    /* The writer must have wrapped many times and the readers must have got through. */
    CU_ASSERT(st.pushed > 10 * STRESS_CAP);
    CU_ASSERT(reads > 0);
    CU_ASSERT_EQUAL(ring_count(st.r), (uint64_t)st.pushed);
    ring_free(st.r);
}

static CU_TestInfo tests[] = {
    {"new rounds capacity to a power of two", test_new_rounds_to_pow2},
    {"empty ring", test_empty},
    {"push, last, time order", test_push_last_and_order},
    {"wrap-around at capacity", test_wrap_around},
    {"copy window order and bounds", test_copy_window_bounds},
    {"fold window", test_fold_window},
    {"one writer, three readers: no torn reads", test_threaded_no_torn_reads},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_ring = {"ring", NULL, NULL, NULL, NULL, tests};
