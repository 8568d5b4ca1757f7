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
#include <stdlib.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct snap_buf {
    void *data;
    size_t len;
};

struct snapshot {
    atomic_ulong refs;
    bool published; /* sampler-only: guards snapshot_set_body after publication */
    struct snapshot_info info;
    struct mset *mset;
    struct snap_buf bodies[SNAP_BODY_COUNT];
};

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
    return snap;
}

void snapshot_set_body(struct snapshot *snap, enum snap_body kind, void *data, size_t len)
{
    RIZK_ASSERT((unsigned)kind < SNAP_BODY_COUNT);
    RIZK_ASSERT(!snap->published);
    free(snap->bodies[kind].data);
    snap->bodies[kind].data = data;
    snap->bodies[kind].len = data != NULL ? len : 0;
}

static void snapshot_destroy(struct snapshot *snap)
{
    for (int i = 0; i < SNAP_BODY_COUNT; i++)
        free(snap->bodies[i].data);
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

const void *snapshot_body(const struct snapshot *snap, enum snap_body kind, size_t *len)
{
    RIZK_ASSERT((unsigned)kind < SNAP_BODY_COUNT);
    *len = snap->bodies[kind].len;
    return snap->bodies[kind].data;
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
