/* ring: exact capacity and the 12-byte layout, wrap-around, window copy order and bounds, empty
 * rings, times as offsets from a per-ring base (real Unix milliseconds, rebases across jumps of
 * more than 2^32 ms, clamping), and threaded torn-read checks: the writer pushes v == t, so a
 * reader can spot any mixed sample, including a base from one write paired with an offset from
 * another. */
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

static void test_new_exact_capacity(void)
{
    static const uint64_t caps[] = {1, 2, 3, 5, 1024, 1025, 3600, 86400};
    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        struct ring *r = ring_make(caps[i]);
        CU_ASSERT_EQUAL(ring_capacity(r), caps[i]);
        CU_ASSERT(ring_memory_bytes(r) >= caps[i] * 12);
        ring_free(r);
    }
    struct ring *r = NULL;
    CU_ASSERT_EQUAL(ring_new(0, &r), -EINVAL);
    CU_ASSERT_EQUAL(ring_new(RING_CAP_MAX + 1, &r), -EINVAL);
    CU_ASSERT_PTR_NULL(r);
    ring_free(NULL);
}

/* 12 bytes per slot (8 for the value, 4 for the time offset) and a header under a cache line. */
static void test_memory_layout(void)
{
    struct ring *one = ring_make(1), *big = ring_make(3600), *odd = ring_make(3601);
    size_t header = ring_memory_bytes(one) - 12;
    CU_ASSERT(header > 0 && header <= 64);
    CU_ASSERT_EQUAL(ring_memory_bytes(big), header + 3600 * 12);
    CU_ASSERT_EQUAL(ring_memory_bytes(odd) - ring_memory_bytes(big), 12);
    /* The default history (1 h at 1 s) was 4096 x 16 bytes per series before. */
    CU_ASSERT(ring_memory_bytes(big) < 4096 * 16 * 2 / 3);
    ring_free(one);
    ring_free(big);
    ring_free(odd);
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

/* A reference model: the last min(n, cap) of the pushed samples, oldest first. */
struct model {
    struct ring_sample held[64];
    size_t n;
};

static void model_push(struct model *m, size_t cap, int64_t t, double v)
{
    if (m->n == cap) {
        for (size_t i = 1; i < cap; i++)
            m->held[i - 1] = m->held[i];
        m->n--;
    }
    m->held[m->n++] = (struct ring_sample){t, v};
}

/* check_against_model compares every window read of r with the model over a grid of bounds. */
static void check_against_model(const struct ring *r, const struct model *m, const int64_t *bounds,
                                size_t nb)
{
    struct ring_sample out[64];
    for (size_t a = 0; a < nb; a++) {
        for (size_t b = 0; b < nb; b++) {
            size_t want = 0, first = 0;
            for (size_t i = 0; i < m->n; i++) {
                if (m->held[i].t_ms >= bounds[a] && m->held[i].t_ms <= bounds[b]) {
                    if (want == 0)
                        first = i;
                    want++;
                }
            }
            for (size_t max = 1; max <= 64; max *= 4) {
                int got = ring_copy_window(r, bounds[a], bounds[b], out, max);
                size_t exp = want < max ? want : max;
                CU_ASSERT_EQUAL_FATAL(got, (int)exp);
                for (size_t i = 0; i < exp; i++) {
                    const struct ring_sample *w = &m->held[first + want - exp + i];
                    CU_ASSERT_EQUAL(out[i].t_ms, w->t_ms);
                    CU_ASSERT_EQUAL(out[i].v, w->v);
                }
            }
            struct sum_acc acc;
            const struct sum_acc zero = {0, 0.0};
            double sum = 0.0;
            for (size_t i = 0; i < want; i++)
                sum += m->held[first + i].v;
            CU_ASSERT_EQUAL_FATAL(
                ring_fold_window(r, bounds[a], bounds[b], sum_fold, &acc, &zero, sizeof(acc)), 0);
            CU_ASSERT_EQUAL(acc.n, (int)want);
            CU_ASSERT_EQUAL(acc.sum, sum);
        }
    }
}

/* Capacities that are not powers of two: the slot is count % capacity, and window walks wrap
 * their cursor at the capacity. Every fill level, every window. */
static void test_non_pow2_matches_model(void)
{
    static const uint64_t caps[] = {1, 3, 5, 7, 12};
    static const int64_t base = 1800000000000; /* real Unix milliseconds (2027) */
    for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
        struct ring *r = ring_make(caps[c]);
        struct model m = {.n = 0};
        for (int64_t i = 0; i < 40; i++) {
            /* Repeated times now and then: equal times are allowed. */
            int64_t t = base + 10 * i - (i % 5 == 4 ? 10 : 0);
            CU_ASSERT_EQUAL_FATAL(ring_push(r, t, (double)i), 0);
            model_push(&m, caps[c], t, (double)i);
            int64_t bounds[] = {INT64_MIN, base - 1, t - 105, t - 100, t - 95, t - 31,
                                t - 30,    t - 29,   t - 1,   t,       t + 1,  INT64_MAX};
            check_against_model(r, &m, bounds, sizeof(bounds) / sizeof(bounds[0]));
            struct ring_sample last;
            CU_ASSERT_EQUAL_FATAL(ring_last(r, &last), 0);
            CU_ASSERT_EQUAL(last.t_ms, t);
            CU_ASSERT_EQUAL(last.v, (double)i);
        }
        CU_ASSERT_EQUAL(ring_count(r), 40);
        ring_free(r);
    }
}

/* Real Unix milliseconds: the offsets from the base rebuild the exact times, one ms at a time. */
static void test_large_unix_times(void)
{
    const int64_t t0 = 1800000000123;
    struct ring *r = ring_make(3600);
    struct ring_sample out[3600], last;
    int64_t t = t0;
    for (int i = 0; i < 10000; i++) {
        t = t0 + (int64_t)i * 1000 + i % 7; /* 1 s apart, with jitter */
        CU_ASSERT_EQUAL_FATAL(ring_push(r, t, (double)i), 0);
    }
    CU_ASSERT_EQUAL_FATAL(ring_last(r, &last), 0);
    CU_ASSERT_EQUAL(last.t_ms, t);
    CU_ASSERT_EQUAL(last.v, 9999.0);
    /* All held: 6400..9999. */
    CU_ASSERT_EQUAL_FATAL(ring_copy_window(r, INT64_MIN, INT64_MAX, out, 3600), 3600);
    for (int i = 0; i < 3600; i++) {
        int k = 6400 + i;
        CU_ASSERT_EQUAL(out[i].t_ms, t0 + (int64_t)k * 1000 + k % 7);
        CU_ASSERT_EQUAL(out[i].v, (double)k);
    }
    /* Bounds are exact to the millisecond: sample 9000 is at t0 + 9000000 + 5. */
    const int64_t t9000 = t0 + 9000000 + 5;
    CU_ASSERT_EQUAL_FATAL(ring_copy_window(r, t9000, t9000, out, 4), 1);
    CU_ASSERT_EQUAL(out[0].v, 9000.0);
    CU_ASSERT_EQUAL(ring_copy_window(r, t9000 + 1, t9000 + 999, out, 4), 0);
    CU_ASSERT_EQUAL(ring_copy_window(r, t9000 - 999, t9000 - 1, out, 4), 0);
    /* A 60 s window, store-style (open at the start): 60 samples. */
    struct sum_acc a;
    const struct sum_acc zero = {0, 0.0};
    CU_ASSERT_EQUAL_FATAL(ring_fold_window(r, t - 60000 + 1, t, sum_fold, &a, &zero, sizeof(a)), 0);
    int want_n = 0;
    double want_sum = 0.0;
    for (int k = 6400; k < 10000; k++) {
        int64_t tk = t0 + (int64_t)k * 1000 + k % 7;
        if (tk > t - 60000 && tk <= t) {
            want_n++;
            want_sum += (double)k;
        }
    }
    CU_ASSERT_EQUAL(want_n, 61); /* the jitter lets sample 9939 in */
    CU_ASSERT_EQUAL(a.n, want_n);
    CU_ASSERT_EQUAL(a.sum, want_sum);
    CU_ASSERT_EQUAL(ring_push(r, t - 1, 0.0), -ERANGE);
    ring_free(r);
}

/* copy_all reads every held sample. */
static int copy_all(const struct ring *r, struct ring_sample *out, size_t max)
{
    return ring_copy_window(r, INT64_MIN, INT64_MAX, out, max);
}

/* Offsets are 32-bit: 2^32 - 2 ms past the base still fits; 2^32 - 1 rebases onto the oldest
 * sample that stays held, and every time read before the rebase reads the same after it. */
static void test_rebase_keeps_times(void)
{
    const int64_t t0 = 1800000000000, two32 = (int64_t)1 << 32;
    struct ring *r = ring_make(4);
    struct ring_sample before[4], after[4], last;
    const int64_t t[] = {t0, t0 + 3000000000, t0 + 3000000001, t0 + 3000000002, t0 + two32 - 2};
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL_FATAL(ring_push(r, t[i], (double)i), 0);
    /* The base (t0) is no longer held; the newest offset is the largest that fits. */
    CU_ASSERT_EQUAL_FATAL(copy_all(r, before, 4), 4);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(before[i].t_ms, t[i + 1]);
        CU_ASSERT_EQUAL(before[i].v, (double)(i + 1));
    }
    /* One more ms past the base: the offsets are rebased, nothing is clamped (the ring spans
     * less than RING_EXACT_SPAN_MS). */
    const int64_t t5 = t0 + two32 - 1;
    CU_ASSERT_EQUAL_FATAL(ring_push(r, t5, 5.0), 0);
    CU_ASSERT_EQUAL_FATAL(copy_all(r, after, 4), 4);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(after[i].t_ms, before[i + 1].t_ms);
        CU_ASSERT_EQUAL(after[i].v, before[i + 1].v);
    }
    CU_ASSERT_EQUAL(after[3].t_ms, t5);
    CU_ASSERT_EQUAL(after[3].v, 5.0);
    /* Window reads across the rebase stay exact. */
    CU_ASSERT_EQUAL_FATAL(ring_copy_window(r, t0 + 3000000002, t0 + two32 - 2, after, 4), 2);
    CU_ASSERT_EQUAL(after[0].v, 3.0);
    CU_ASSERT_EQUAL(after[1].v, 4.0);
    CU_ASSERT_EQUAL(ring_copy_window(r, t0 + 3000000003, t0 + two32 - 3, after, 4), 0);
    CU_ASSERT_EQUAL_FATAL(ring_copy_window(r, t5, t5, after, 4), 1);
    CU_ASSERT_EQUAL(after[0].v, 5.0);
    /* Times relative to the new base keep going, and the order check still holds. */
    CU_ASSERT_EQUAL(ring_push(r, t5 - 1, 0.0), -ERANGE);
    CU_ASSERT_EQUAL_FATAL(ring_push(r, t5 + 7, 6.0), 0);
    CU_ASSERT_EQUAL_FATAL(ring_last(r, &last), 0);
    CU_ASSERT_EQUAL(last.t_ms, t5 + 7);
    CU_ASSERT_EQUAL(last.v, 6.0);
    CU_ASSERT_EQUAL(ring_count(r), 7);
    ring_free(r);
}

/* A clock jump of more than 2^32 ms: the new base is newest - RING_EXACT_SPAN_MS, the older
 * samples keep their values and order but are clamped to that time, out of reach of any window
 * of at most RING_EXACT_SPAN_MS that ends at the newest sample. */
static void test_rebase_clamps_old_samples(void)
{
    const int64_t t0 = 1800000000000, jump = ((int64_t)1 << 32) + 12345;
    struct ring *r = ring_make(8);
    struct ring_sample out[8], last;
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL_FATAL(ring_push(r, t0 + i, (double)i), 0);
    CU_ASSERT_EQUAL_FATAL(ring_copy_window(r, t0 + 1, t0 + 3, out, 8), 3);
    const int64_t tj = t0 + 4 + jump;
    CU_ASSERT_EQUAL_FATAL(ring_push(r, tj, 5.0), 0);
    CU_ASSERT_EQUAL_FATAL(ring_last(r, &last), 0);
    CU_ASSERT_EQUAL(last.t_ms, tj);
    CU_ASSERT_EQUAL(last.v, 5.0);
    /* Everything is still held, in order; the old samples read back at tj - 2^31. */
    CU_ASSERT_EQUAL_FATAL(copy_all(r, out, 8), 6);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(out[i].t_ms, tj - RING_EXACT_SPAN_MS);
        CU_ASSERT_EQUAL(out[i].v, (double)i);
    }
    CU_ASSERT_EQUAL(out[5].t_ms, tj);
    /* The old times are gone: a window around them is empty. */
    CU_ASSERT_EQUAL(ring_copy_window(r, t0, t0 + 4, out, 8), 0);
    /* Any window of at most RING_EXACT_SPAN_MS ending at the newest sample (store-style, open at
     * the start) sees only the new sample; one ms wider reaches the clamped ones. */
    struct sum_acc a;
    const struct sum_acc zero = {0, 0.0};
    CU_ASSERT_EQUAL_FATAL(
        ring_fold_window(r, tj - RING_EXACT_SPAN_MS + 1, tj, sum_fold, &a, &zero, sizeof(a)), 0);
    CU_ASSERT_EQUAL(a.n, 1);
    CU_ASSERT_EQUAL(a.sum, 5.0);
    CU_ASSERT_EQUAL_FATAL(
        ring_fold_window(r, tj - RING_EXACT_SPAN_MS, tj, sum_fold, &a, &zero, sizeof(a)), 0);
    CU_ASSERT_EQUAL(a.n, 6);
    /* New samples are exact and can still sit at the clamped time's successors. */
    for (int i = 6; i < 12; i++)
        CU_ASSERT_EQUAL_FATAL(ring_push(r, tj + i, (double)i), 0);
    CU_ASSERT_EQUAL_FATAL(copy_all(r, out, 8), 8);
    CU_ASSERT_EQUAL(out[0].t_ms, tj - RING_EXACT_SPAN_MS); /* sample 4, the last clamped */
    CU_ASSERT_EQUAL(out[0].v, 4.0);
    CU_ASSERT_EQUAL(out[1].t_ms, tj);
    CU_ASSERT_EQUAL(out[1].v, 5.0);
    for (int i = 2; i < 8; i++) {
        CU_ASSERT_EQUAL(out[i].t_ms, tj + i + 4);
        CU_ASSERT_EQUAL(out[i].v, (double)(i + 4));
    }
    /* Capacity 1: a jump keeps nothing but the new sample. */
    struct ring *one = ring_make(1);
    CU_ASSERT_EQUAL_FATAL(ring_push(one, t0, 1.0), 0);
    CU_ASSERT_EQUAL_FATAL(ring_push(one, t0 + 3 * jump, 2.0), 0);
    CU_ASSERT_EQUAL_FATAL(ring_last(one, &last), 0);
    CU_ASSERT_EQUAL(last.t_ms, t0 + 3 * jump);
    CU_ASSERT_EQUAL(last.v, 2.0);
    ring_free(one);
    ring_free(r);
}

/* Months of uptime at a steady 10 s interval from a real Unix time: several rebases (each about
 * 49.7 days apart), and every window read stays exact throughout, across each of them. */
static void test_long_uptime_rebases(void)
{
    const int64_t t0 = 1800000000000, step = 10000;
    const int cap = 360;                   /* 1 h */
    const long pushes = 150L * 86400 / 10; /* 150 days: 3 rebases */
    struct ring *r = ring_make((uint64_t)cap);
    struct ring_sample out[360], last;
    long bad = 0;
    for (long i = 0; i < pushes; i++) {
        int64_t t = t0 + i * step;
        CU_ASSERT_EQUAL_FATAL(ring_push(r, t, (double)i), 0);
        if (ring_last(r, &last) != 0 || last.t_ms != t || last.v != (double)i)
            bad++;
        /* The last three samples on every push (so the pushes that rebase are checked as they
         * happen) and the full hour every 100 pushes: a wrong offset written by a rebase stays
         * until its slot is overwritten, 360 pushes later, so none escapes. */
        int n3 = ring_copy_window(r, t - 2 * step, INT64_MAX, out, 360);
        if (n3 != (i < 2 ? (int)i + 1 : 3) || out[n3 - 1].t_ms != t ||
            out[0].t_ms != t - (int64_t)(n3 - 1) * step || out[0].v != (double)(i - n3 + 1))
            bad++;
        if (i % 100 != 0)
            continue;
        int n = ring_copy_window(r, t - (int64_t)(cap - 1) * step, t, out, 360);
        long want = i + 1 < cap ? i + 1 : cap;
        if (n != (int)want) {
            bad++;
            continue;
        }
        for (int k = 0; k < n; k++) {
            long j = i - n + 1 + k;
            if (out[k].t_ms != t0 + j * step || out[k].v != (double)j)
                bad++;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(ring_count(r), (uint64_t)pushes);
    ring_free(r);
}

/* --- one writer, three readers ----------------------------------------------------------- */

#define STRESS_MS 500
#define STRESS_READERS 3
#define STRESS_CAP 1024
#define STRESS_SPAN 200

/* The rebasing variant starts at a real Unix time and jumps by STRESS_JUMP every
 * STRESS_JUMP_EVERY pushes: four jumps move the time 2^32 ms past the base, so the offsets are
 * rebased every ~4 * STRESS_JUMP_EVERY pushes while the readers read. A jump is far wider than
 * any window the readers check, and the ring (STRESS_REBASE_CAP < STRESS_JUMP_EVERY) never spans
 * more than one jump, so no sample is clamped and v == t must hold for every sample read. */
#define STRESS_T0 ((int64_t)1800000000000)
#define STRESS_JUMP (((int64_t)1 << 30) + 1)
#define STRESS_JUMP_EVERY 128
#define STRESS_REBASE_CAP 100

struct stress {
    struct ring *r;
    atomic_bool done;
    bool jumps;     /* the rebasing variant */
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
    int64_t t = st->jumps ? STRESS_T0 : 0;
    int64_t n = 0;
    int64_t end = clock_mono_ms() + STRESS_MS;
    for (;;) {
        if (ring_push(st->r, t, (double)t) != 0)
            break;
        n++;
        t += st->jumps && n % STRESS_JUMP_EVERY == 0 ? STRESS_JUMP : 1;
        if ((n & 1023) == 0 && clock_mono_ms() >= end)
            break;
    }
    st->pushed = n;
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
    /* Relative to the first time, so the sum stays exact however large the times grow. */
    a->sum += s->v - (double)a->first;
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
        /* The copy runs to the newest sample, which may be past a jump pushed since ring_last. */
        if (i > 0 && buf[i].t_ms != buf[i - 1].t_ms + 1 &&
            !(rs->st->jumps && buf[i].t_ms == buf[i - 1].t_ms + STRESS_JUMP))
            rs->order++;
    }
}

static void check_fold(struct reader_stats *rs, const struct span_acc *a)
{
    if (a->torn)
        rs->torn++;
    if (a->n == 0)
        return;
    /* The held samples are consecutive integers, so the sum of v - first has a closed form. */
    if (a->last - a->first + 1 != a->n || a->sum != (double)a->n * (double)(a->n - 1) / 2.0)
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

static void run_stress(bool jumps)
{
    uint64_t cap = jumps ? STRESS_REBASE_CAP : STRESS_CAP;
    struct stress st = {.r = ring_make(cap), .jumps = jumps, .pushed = 0};
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
    CU_ASSERT(st.pushed > 10 * (int64_t)cap);
    /* ... and, rebasing, have rebased many times. */
    if (jumps)
        CU_ASSERT(st.pushed > 16 * STRESS_JUMP_EVERY);
    CU_ASSERT(reads > 0);
    CU_ASSERT_EQUAL(ring_count(st.r), (uint64_t)st.pushed);
    ring_free(st.r);
}

static void test_threaded_no_torn_reads(void)
{
    run_stress(false);
}

/* The same while the writer rebases the time offsets: a reader pairing a base from one side of a
 * rebase with offsets from the other rebuilds times about 2^30 ms off, and v != t shows it. */
static void test_threaded_no_torn_reads_rebasing(void)
{
    run_stress(true);
}

static CU_TestInfo tests[] = {
    {"new keeps the exact capacity", test_new_exact_capacity},
    {"12 bytes per slot", test_memory_layout},
    {"empty ring", test_empty},
    {"push, last, time order", test_push_last_and_order},
    {"wrap-around at capacity", test_wrap_around},
    {"copy window order and bounds", test_copy_window_bounds},
    {"fold window", test_fold_window},
    {"capacities not a power of two match a model", test_non_pow2_matches_model},
    {"real Unix milliseconds are exact", test_large_unix_times},
    {"rebase keeps held times exact", test_rebase_keeps_times},
    {"rebase after a clock jump clamps old samples", test_rebase_clamps_old_samples},
    {"150 days of uptime: rebases keep windows exact", test_long_uptime_rebases},
    {"one writer, three readers: no torn reads", test_threaded_no_torn_reads},
    {"one writer, three readers, rebasing: no torn reads", test_threaded_no_torn_reads_rebasing},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_ring = {"ring", NULL, NULL, NULL, NULL, tests};
