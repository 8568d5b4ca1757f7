/* The per-tick snapshot: everything HTTP threads serve, built by the sampler at the end of a tick
 * and immutable once published. It owns the tick's metric set; the JSON documents are rendered
 * by the sampler before publication, the /metrics bodies (every format, plain and gzipped) at
 * most once per snapshot, by the first request that asks for each, from that immutable set. A
 * scrape so costs no collection work (SPEC 6, STYLE 3.7), a tick nobody scrapes costs no
 * rendering, and a scraper that only asks one format costs that format alone.
 * Lifetime is a reference count: the publisher holds one reference, each reader its own (an
 * HTTP response holds its reference until MHD's free callback releases it). */
#ifndef RIZK_STORE_SNAPSHOT_H
#define RIZK_STORE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/mset.h"

/* The bodies, one per exposition format and encoding; the six /metrics ones come in
 * (plain, gzipped) pairs, in this order. */
enum snap_body {
    SNAP_BODY_TEXT = 0, /* Prometheus text 0.0.4 */
    SNAP_BODY_TEXT_GZ,
    SNAP_BODY_OM, /* OpenMetrics 1.0.0 text */
    SNAP_BODY_OM_GZ,
    SNAP_BODY_PROTO, /* delimited io.prometheus.client.MetricFamily */
    SNAP_BODY_PROTO_GZ,
    SNAP_BODY_JSON_CURRENT,        /* GET /api/v1/current */
    SNAP_BODY_JSON_RECOMMENDATION, /* GET /api/v1/recommendation */
    SNAP_BODY_JSON_READINESS,      /* GET /api/v1/readiness */
    SNAP_BODY_COUNT
};

/* What a snapshot describes, passed to snapshot_new. */
struct snapshot_info {
    uint64_t seq;    /* tick sequence number, 1 for the first tick */
    int64_t wall_ms; /* wall-clock time of the tick (Unix ms) */
    int64_t mono_ms; /* monotonic time of the tick (for /health staleness) */
    bool ready;      /* the first complete tick is done (/ready) */
};

struct snapshot;
struct snapshot_pub;

/* snapshot_new creates a snapshot holding one reference (the caller's) and no bodies. It takes
 * ownership of m (may be NULL), freed with the snapshot. Never fails (xalloc).
 * thread: sampler. */
struct snapshot *snapshot_new(struct mset *m, const struct snapshot_info *info);
/* snapshot_set_body stores a body of len bytes, taking ownership of data (malloc'd, or NULL);
 * a body already set for kind is freed first. Only before the snapshot is published: after
 * that it is immutable (checked by RIZK_ASSERT). thread: sampler. */
void snapshot_set_body(struct snapshot *snap, enum snap_body kind, void *data, size_t len);

/* A renderer of the /metrics bodies (SNAP_BODY_TEXT .. SNAP_BODY_PROTO_GZ) on first use: writes
 * kind's body, rendered from the tick's metric set m (read-only), to *out (malloc'd) and *len.
 * For a gzipped kind, plain is the body it encodes (plain_len bytes, already rendered); for a
 * plain kind it is NULL. Returns 0 or a negative errno; a kind that failed stays missing for
 * the snapshot's lifetime (one attempt per snapshot). It runs in the first thread that asks
 * for the body, under the snapshot's render lock, concurrently with the sampler's next tick.
 * typedef: function-pointer type (STYLE 3.4). */
typedef int (*snapshot_render_fn)(const struct mset *m, enum snap_body kind, const void *plain,
                                  size_t plain_len, void **out, size_t *len);

/* snapshot_set_renderer makes the /metrics bodies not set with snapshot_set_body render on
 * first use with fn. Only before the snapshot is published. thread: sampler. */
void snapshot_set_renderer(struct snapshot *snap, snapshot_render_fn fn);

/* snapshot_acquire returns the current snapshot with a new reference the caller must drop with
 * snapshot_release, or NULL before the first publish. Holds pub's mutex for a few instructions.
 * thread: any. */
struct snapshot *snapshot_acquire(struct snapshot_pub *pub);
/* snapshot_release drops one reference; the last one frees the set, the bodies and the
 * snapshot. NULL-safe. thread: any (MHD's free callback included). */
void snapshot_release(struct snapshot *snap);

/* Readers. All pointers returned are borrowed and valid while the caller holds a reference.
 * thread: any, with a reference held. */

/* snapshot_body returns the body of kind (NULL with *len 0 when it was not or could not be
 * rendered). A /metrics body not rendered yet is rendered here, once, by the renderer given to
 * snapshot_set_renderer (a gzipped kind renders its plain kind first); readers asking at the
 * same time wait for it. The snapshot stays logically immutable: every reader sees the same
 * bytes. */
const void *snapshot_body(const struct snapshot *snap, enum snap_body kind, size_t *len);
/* snapshot_mset returns the tick's metric set (may be NULL), read-only. */
const struct mset *snapshot_mset(const struct snapshot *snap);
/* snapshot_info returns the tick's sequence number, times and readiness. */
const struct snapshot_info *snapshot_info(const struct snapshot *snap);
/* snapshot_refcount returns the current reference count, for tests and assertions only: it
 * may be stale by the time it returns. */
unsigned long snapshot_refcount(const struct snapshot *snap);

/* snapshot_pub_new creates an empty publication point (owned by the caller, freed with
 * snapshot_pub_free). Errors: -ENOMEM if the mutex cannot be created. thread: main. */
int snapshot_pub_new(struct snapshot_pub **out);
/* snapshot_pub_free releases the current snapshot (readers holding references keep theirs) and
 * the publication point. NULL-safe. No thread may call snapshot_acquire on it any more.
 * thread: main, after the HTTP server and the sampler are stopped. */
void snapshot_pub_free(struct snapshot_pub *pub);
/* snapshot_publish makes snap the current snapshot, taking over the caller's reference, and
 * drops the publisher's reference to the previous one (freed once its last reader releases it).
 * snap is immutable from here on. thread: sampler. */
void snapshot_publish(struct snapshot_pub *pub, struct snapshot *snap);

#endif
