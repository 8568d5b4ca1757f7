/* The ring and its seqlock. DESIGN: one sequence counter per ring guards the write count and
 * every slot. The writer makes it odd, stores with relaxed atomics, and makes it even with a
 * release store (ck_sequence_write_begin/end); a reader loads it with acquire, copies with
 * relaxed atomic loads, issues an acquire fence and re-reads it, retrying when it was odd or
 * moved (ck_sequence_read_retry; Boehm, "Can seqlocks get along with programming language
 * memory models?", 2012). Slot fields are _Atomic so no access is a data race in the C11 sense
 * (TSan stays quiet without suppressions); doubles travel as their bit pattern because atomic
 * integers are lock-free everywhere we run, atomic doubles are not guaranteed to be. */
#include "store/ring.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/xalloc.h"
#include "core/banned.h"

/* GCC's TSan does not model atomic_thread_fence and warns about it (-Wtsan). Every location the
 * fences below order is itself _Atomic, so TSan has no plain access to misjudge; what it cannot
 * check (that the fences make torn reads impossible) the ring's torn-read stress test does. */
#if defined(__SANITIZE_THREAD__) && !defined(__clang__) && __GNUC__ >= 11
#pragma GCC diagnostic ignored "-Wtsan"
#endif

struct ring_slot {
    _Atomic int64_t t_ms;
    _Atomic uint64_t v_bits;
};

struct ring {
    _Atomic uint64_t seq;   /* odd while the writer is inside ring_push */
    _Atomic uint64_t count; /* samples ever pushed; written only inside the write section */
    uint64_t mask;          /* capacity - 1; immutable after ring_new */
    struct ring_slot slots[];
};

static uint64_t double_bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof(b));
    return b;
}

static double bits_double(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof(v));
    return v;
}

static uint64_t round_up_pow2(uint64_t n)
{
    uint64_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

static size_t ring_alloc_bytes(uint64_t cap)
{
    return sizeof(struct ring) + (size_t)cap * sizeof(struct ring_slot);
}

int ring_new(uint64_t capacity, struct ring **out)
{
    if (capacity == 0 || capacity > RING_CAP_MAX)
        return -EINVAL;
    uint64_t cap = round_up_pow2(capacity);
    size_t bytes = ring_alloc_bytes(cap);
    /* Anonymous pages: the whole ring is reserved now (memory is bounded at start) but a page
     * only counts in RSS once a sample is written to it. Zero-filled pages are valid initial
     * atomics (0) on Linux/x86-64 and aarch64, and slots past count are never read. */
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    struct ring *r = p;
    atomic_init(&r->seq, 0);
    atomic_init(&r->count, 0);
    r->mask = cap - 1;
    *out = r;
    return 0;
}

void ring_free(struct ring *r)
{
    if (r != NULL)
        munmap(r, ring_alloc_bytes(r->mask + 1));
}

uint64_t ring_capacity(const struct ring *r)
{
    return r->mask + 1;
}

uint64_t ring_count(const struct ring *r)
{
    return atomic_load_explicit(&r->count, memory_order_relaxed);
}

size_t ring_memory_bytes(const struct ring *r)
{
    return sizeof(*r) + (size_t)(r->mask + 1) * sizeof(struct ring_slot);
}

int ring_push(struct ring *r, int64_t t_ms, double v)
{
    /* Only this thread writes count and the slots, so relaxed loads of our own stores suffice. */
    uint64_t n = atomic_load_explicit(&r->count, memory_order_relaxed);
    if (n > 0) {
        int64_t last =
            atomic_load_explicit(&r->slots[(n - 1) & r->mask].t_ms, memory_order_relaxed);
        if (t_ms < last)
            return -ERANGE;
    }
    struct ring_slot *slot = &r->slots[n & r->mask];
    uint64_t s = atomic_load_explicit(&r->seq, memory_order_relaxed);

    atomic_store_explicit(&r->seq, s + 1, memory_order_relaxed);
    /* The odd sequence must be visible before any slot store: a reader that sees new slot data
     * then synchronises with this fence and is bound to re-read an odd or larger sequence. */
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&slot->t_ms, t_ms, memory_order_relaxed);
    atomic_store_explicit(&slot->v_bits, double_bits(v), memory_order_relaxed);
    atomic_store_explicit(&r->count, n + 1, memory_order_relaxed);
    atomic_store_explicit(&r->seq, s + 2, memory_order_release);
    return 0;
}

/* read_backoff spins a little, then yields: a writer inside its section is a few stores away
 * from done, but on a loaded machine it may have been preempted there. */
static void read_backoff(unsigned tries)
{
    if (tries > 16)
        sched_yield();
}

/* read_begin returns the sequence to validate against, or false if a write is in progress. */
static bool read_begin(const struct ring *r, uint64_t *seq)
{
    *seq = atomic_load_explicit(&r->seq, memory_order_acquire);
    return (*seq & 1) == 0;
}

/* read_valid tells whether nothing was written since read_begin returned seq. The acquire
 * fence keeps the relaxed slot loads above from moving below the re-read. */
static bool read_valid(const struct ring *r, uint64_t seq)
{
    atomic_thread_fence(memory_order_acquire);
    return atomic_load_explicit(&r->seq, memory_order_relaxed) == seq;
}

static struct ring_sample slot_load(const struct ring *r, uint64_t i)
{
    const struct ring_slot *slot = &r->slots[i & r->mask];
    struct ring_sample s;
    s.t_ms = atomic_load_explicit(&slot->t_ms, memory_order_relaxed);
    s.v = bits_double(atomic_load_explicit(&slot->v_bits, memory_order_relaxed));
    return s;
}

/* first_index returns the first write index in [lo, n) whose time is >= since (n if none).
 * Times are non-decreasing by ring_push's contract, so bisection applies. On a torn read the
 * answer is garbage but stays inside [lo, n]; the caller throws it away. */
static uint64_t first_index(const struct ring *r, uint64_t lo, uint64_t n, int64_t since)
{
    uint64_t hi = n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        int64_t t = atomic_load_explicit(&r->slots[mid & r->mask].t_ms, memory_order_relaxed);
        if (t < since)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* oldest_index is the write index of the oldest sample still held when n were pushed. */
static uint64_t oldest_index(const struct ring *r, uint64_t n)
{
    return n > r->mask + 1 ? n - (r->mask + 1) : 0;
}

int ring_last(const struct ring *r, struct ring_sample *out)
{
    for (unsigned tries = 0; tries < RING_READ_TRIES; tries++) {
        uint64_t seq;
        if (tries > 0)
            read_backoff(tries);
        if (!read_begin(r, &seq))
            continue;
        uint64_t n = atomic_load_explicit(&r->count, memory_order_relaxed);
        struct ring_sample s = {0, 0.0};
        if (n > 0)
            s = slot_load(r, n - 1);
        if (!read_valid(r, seq))
            continue;
        if (n == 0)
            return -ENODATA;
        *out = s;
        return 0;
    }
    return -EAGAIN;
}

int ring_copy_window(const struct ring *r, int64_t since_t_ms, int64_t until_t_ms,
                     struct ring_sample *out, size_t max)
{
    for (unsigned tries = 0; tries < RING_READ_TRIES; tries++) {
        uint64_t seq;
        if (tries > 0)
            read_backoff(tries);
        if (!read_begin(r, &seq))
            continue;
        uint64_t n = atomic_load_explicit(&r->count, memory_order_relaxed);
        uint64_t lo = oldest_index(r, n);
        uint64_t start = first_index(r, lo, n, since_t_ms);
        /* The first index past until is the first one >= until + 1 (no overflow at INT64_MAX). */
        uint64_t end = until_t_ms == INT64_MAX ? n : first_index(r, start, n, until_t_ms + 1);
        if (end - start > max)
            start = end - max;
        for (uint64_t i = start; i < end; i++)
            out[i - start] = slot_load(r, i);
        if (!read_valid(r, seq))
            continue;
        /* end - start <= capacity <= RING_CAP_MAX, so it fits an int. */
        return (int)(end - start);
    }
    return -EAGAIN;
}

int ring_fold_window(const struct ring *r, int64_t since_t_ms, int64_t until_t_ms, ring_fold_fn fn,
                     void *acc, const void *init, size_t acc_size)
{
    for (unsigned tries = 0; tries < RING_READ_TRIES; tries++) {
        uint64_t seq;
        if (tries > 0)
            read_backoff(tries);
        if (!read_begin(r, &seq))
            continue;
        memcpy(acc, init, acc_size);
        uint64_t n = atomic_load_explicit(&r->count, memory_order_relaxed);
        for (uint64_t i = first_index(r, oldest_index(r, n), n, since_t_ms); i < n; i++) {
            struct ring_sample s = slot_load(r, i);
            if (s.t_ms > until_t_ms)
                break;
            fn(acc, &s);
        }
        if (read_valid(r, seq))
            return 0;
    }
    return -EAGAIN;
}
