/* The fleet registry, read side (used by the adapter): the live pods of a namespace with one
 * pipelined ZRANGEBYSCORE (+ the pruning ZREMRANGEBYSCORE, same round trip) and one MGET, both in
 * the slot of the {<ns>} hash tag, so one node answers even in a cluster. Members whose record
 * expired are left out and removed from the set. */
#ifndef RIZK_FLEET_QUERY_H
#define RIZK_FLEET_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "rizk/v1/fleet.pb-c.h"

struct redis_cluster;

#define FLEET_QUERY_MAX_PODS 10000

struct fleet_pods {
    Rizk__V1__PodSnapshot **pods; /* owned; decoded snapshots, ZSET (publish time) order */
    size_t n;
    size_t expired;   /* members whose key had expired (pruned) */
    size_t malformed; /* records that did not decode (skipped) */
    struct arena _arena; /* private: the snapshots' memory, freed at once by fleet_pods_fini */
};

/* fleet_query_pods lists the pods of ns published within max_age_ms before now_ms (Unix ms).
 * out is written only on success; free with fleet_pods_fini. At most FLEET_QUERY_MAX_PODS.
 * Errors: those of redis_cluster_exec, -EPROTO (unexpected reply), -EREMOTEIO/-EACCES (error
 * reply). thread: the owner of c. */
int fleet_query_pods(struct redis_cluster *c, const char *prefix, const char *ns, int64_t now_ms,
                     int64_t max_age_ms, struct fleet_pods *out);
/* fleet_pods_fini frees the snapshots. NULL-safe. */
void fleet_pods_fini(struct fleet_pods *p);

/* fleet_pod_signal reads signal id (enum sig_id) of a decoded snapshot: true with *out
 * set when the pod published it, false when it is absent. thread: any. */
bool fleet_pod_signal(const Rizk__V1__PodSnapshot *p, int id, double *out);
/* fleet_pod_label returns the value of label key (borrowed from p) or NULL: the pod's labels,
 * then "region" and "zone" from the snapshot's fields. Its signature is a selector_label_fn
 * (fleet/selector.h). thread: any. */
const char *fleet_pod_label(const void *pod, const char *key);

#endif
