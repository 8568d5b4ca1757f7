/* Renders a tick's metric set into the /metrics bodies of its snapshot, each at most once and
 * only when a scrape first asks for it (store/snapshot.h): a tick nobody scrapes renders
 * nothing, and a scraper that asks one format renders that format alone. */
#ifndef RIZK_RENDER_BODIES_H
#define RIZK_RENDER_BODIES_H

#include <stddef.h>

#include "store/mset.h"
#include "store/snapshot.h"

/* Largest body accepted from a renderer; beyond it the format is left out (-E2BIG). */
#define BODIES_MAX_BYTES ((size_t)64 << 20)

/* render_snapshot_body renders kind (a /metrics body) from m, or gzips plain for a gzipped
 * kind; a snapshot_render_fn. A failure is logged and returned (the handler answers 500).
 * thread: any (reads only m and plain). */
int render_snapshot_body(const struct mset *m, enum snap_body kind, const void *plain,
                         size_t plain_len, void **out, size_t *len);

/* render_snapshot_bodies makes snap render its /metrics bodies on first use with
 * render_snapshot_body; snap must not be published yet. thread: sampler. */
void render_snapshot_bodies(struct snapshot *snap);

#endif
