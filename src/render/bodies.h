/* Renders a tick's metric set into every available exposition format, plain and gzipped, and
 * stores the bodies in the snapshot: done once per tick so a scrape only sends bytes. */
#ifndef RIZK_RENDER_BODIES_H
#define RIZK_RENDER_BODIES_H

#include "store/mset.h"
#include "store/snapshot.h"

/* Largest body accepted from a renderer; beyond it the format is left out (-E2BIG). */
#define BODIES_MAX_BYTES ((size_t)64 << 20)

/* render_snapshot_bodies renders m (borrowed, read-only) into snap, which must not be published
 * yet. A format that fails is left out (its handler answers 500) and the first error returned;
 * the others are still rendered. thread: sampler. */
int render_snapshot_bodies(struct snapshot *snap, const struct mset *m);

#endif
