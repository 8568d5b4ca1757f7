/* Refcounted, immutable per-tick snapshots and their publication point.
 *
 * Why a mutex and not a bare atomic pointer: acquiring is "load pub->cur, then increment its
 * refcount". With only an atomic pointer, a reader can load cur, be preempted, and meanwhile the
 * sampler publishes a new snapshot and drops the last reference to the old one, which is freed;
 * the reader then increments a count inside freed memory. Closing that window without a lock
 * needs hazard pointers or RCU grace periods (urcu's synchronize_rcu), a lot of machinery for an
 * operation done at scrape rate. The mutex is held for a load and an increment (acquire) or a
 * pointer swap (publish), the sampler never waits behind a slow reader, and TSan understands
 * it. The refcount stays atomic because releases happen outside the lock, in any thread. */
#include "store/snapshot.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "core/banned.h"

/* A body: data is published with release order once len is written, so a reader that loads a
 * non-NULL data (acquire) also sees its len. Bodies set before publication are ordered by the
 * publication mutex as well. */
struct snap_buf {
    void *_Atomic data;
    size_t len;
    bool tried; /* under render_mu: the renderer ran for this kind (success or not) */
};

struct snapshot {
    atomic_ulong refs;
    bool published; /* sampler-only: guards snapshot_set_body after publication */
    struct snapshot_info info;
    struct mset *mset;
    snapshot_render_fn render; /* NULL: no body is rendered on first use */
    pthread_mutex_t render_mu; /* serializes first-use rendering (one render per kind) */
    struct snap_buf bodies[SNAP_BODY_COUNT];
};

/* The plain kind a gzipped /metrics kind encodes, the kind itself for plain ones, and
 * SNAP_BODY_COUNT for the kinds never rendered on first use. */
static enum snap_body snap_plain_of(enum snap_body kind)
{
    switch (kind) {
    case SNAP_BODY_TEXT:
    case SNAP_BODY_OM:
    case SNAP_BODY_PROTO:
        return kind;
    case SNAP_BODY_TEXT_GZ:
    case SNAP_BODY_OM_GZ:
    case SNAP_BODY_PROTO_GZ:
        return (enum snap_body)(kind - 1);
    default:
        return SNAP_BODY_COUNT;
    }
}

struct snapshot_pub {
    pthread_mutex_t mu;
    struct snapshot *cur; /* guarded by mu */
};

struct snapshot *snapshot_new(struct mset *m, const struct snapshot_info *info)
{
    struct snapshot *snap = xcalloc(1, sizeof(*snap));
    atomic_init(&snap->refs, 1);
    snap->info = *info;
    snap->mset = m;
    for (int i = 0; i < SNAP_BODY_COUNT; i++)
        atomic_init(&snap->bodies[i].data, NULL);
    int rc = pthread_mutex_init(&snap->render_mu, NULL); /* the default mutex never fails */
    RIZK_ASSERT(rc == 0);
    return snap;
}

void snapshot_set_renderer(struct snapshot *snap, snapshot_render_fn fn)
{
    RIZK_ASSERT(!snap->published);
    snap->render = fn;
}

void snapshot_set_body(struct snapshot *snap, enum snap_body kind, void *data, size_t len)
{
    RIZK_ASSERT((unsigned)kind < SNAP_BODY_COUNT);
    RIZK_ASSERT(!snap->published);
    struct snap_buf *b = &snap->bodies[kind];
    free(atomic_load_explicit(&b->data, memory_order_relaxed));
    b->len = data != NULL ? len : 0;
    b->tried = true;
    atomic_store_explicit(&b->data, data, memory_order_relaxed);
}

static void snapshot_destroy(struct snapshot *snap)
{
    for (int i = 0; i < SNAP_BODY_COUNT; i++)
        free(atomic_load_explicit(&snap->bodies[i].data, memory_order_relaxed));
    pthread_mutex_destroy(&snap->render_mu);
    mset_free(snap->mset);
    free(snap);
}

void snapshot_release(struct snapshot *snap)
{
    if (snap == NULL)
        return;
    /* acq_rel: our reads of the snapshot happen before the count drops (release), and the
     * thread that frees sees every other reader's reads as done (acquire). */
    unsigned long prev = atomic_fetch_sub_explicit(&snap->refs, 1, memory_order_acq_rel);
    RIZK_ASSERT(prev > 0);
    if (prev == 1)
        snapshot_destroy(snap);
}

/* snap_render_locked renders kind (and, for a gzipped kind, its plain kind first) unless
 * that was tried already. Caller holds render_mu. */
static void snap_render_locked(struct snapshot *snap, enum snap_body kind)
{
    struct snap_buf *b = &snap->bodies[kind];
    if (b->tried)
        return;
    b->tried = true;
    enum snap_body pk = snap_plain_of(kind);
    const void *plain = NULL;
    size_t plain_len = 0;
    if (pk != kind) {
        snap_render_locked(snap, pk);
        plain = atomic_load_explicit(&snap->bodies[pk].data, memory_order_relaxed);
        plain_len = snap->bodies[pk].len;
        if (plain == NULL)
            return;
    }
    void *out = NULL;
    size_t n = 0;
    if (snap->render(snap->mset, kind, plain, plain_len, &out, &n) != 0 || out == NULL) {
        free(out);
        return;
    }
    b->len = n;
    atomic_store_explicit(&b->data, out, memory_order_release);
}

const void *snapshot_body(const struct snapshot *snap, enum snap_body kind, size_t *len)
{
    RIZK_ASSERT((unsigned)kind < SNAP_BODY_COUNT);
    /* The snapshot is logically immutable; only the first-use cache below is written, under
     * render_mu and through the atomic data pointer. */
    struct snapshot *s = (struct snapshot *)(uintptr_t)snap;
    struct snap_buf *b = &s->bodies[kind];
    void *data = atomic_load_explicit(&b->data, memory_order_acquire);
    if (data == NULL && s->render != NULL && snap_plain_of(kind) != SNAP_BODY_COUNT) {
        pthread_mutex_lock(&s->render_mu);
        snap_render_locked(s, kind);
        pthread_mutex_unlock(&s->render_mu);
        data = atomic_load_explicit(&b->data, memory_order_acquire);
    }
    *len = data != NULL ? b->len : 0;
    return data;
}

const struct mset *snapshot_mset(const struct snapshot *snap)
{
    return snap->mset;
}

const struct snapshot_info *snapshot_info(const struct snapshot *snap)
{
    return &snap->info;
}

unsigned long snapshot_refcount(const struct snapshot *snap)
{
    return atomic_load_explicit(&snap->refs, memory_order_relaxed);
}

int snapshot_pub_new(struct snapshot_pub **out)
{
    struct snapshot_pub *pub = xcalloc(1, sizeof(*pub));
    if (pthread_mutex_init(&pub->mu, NULL) != 0) {
        free(pub);
        return -ENOMEM;
    }
    pub->cur = NULL;
    *out = pub;
    return 0;
}

void snapshot_pub_free(struct snapshot_pub *pub)
{
    if (pub == NULL)
        return;
    snapshot_release(pub->cur);
    pthread_mutex_destroy(&pub->mu);
    free(pub);
}

void snapshot_publish(struct snapshot_pub *pub, struct snapshot *snap)
{
    RIZK_ASSERT(snap != NULL);
    snap->published = true;
    pthread_mutex_lock(&pub->mu);
    struct snapshot *old = pub->cur;
    pub->cur = snap;
    pthread_mutex_unlock(&pub->mu);
    /* Publishing the current snapshot again would drop the reference it is published with. */
    RIZK_ASSERT(old != snap);
    /* Outside the lock: freeing a large snapshot must not delay readers. Readers that acquired
     * old before the swap hold their own references, so it survives until they release. */
    snapshot_release(old);
}

struct snapshot *snapshot_acquire(struct snapshot_pub *pub)
{
    pthread_mutex_lock(&pub->mu);
    struct snapshot *snap = pub->cur;
    /* Relaxed is enough: the mutex orders this increment after the publisher's writes, and the
     * publisher's reference keeps the count above zero while we hold the lock. */
    if (snap != NULL)
        atomic_fetch_add_explicit(&snap->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&pub->mu);
    return snap;
}
