/* The fleet registry, write side (SPEC 7): every --fleet.interval a dedicated thread publishes
 * this pod's latest signals as a rizk.v1.PodSnapshot under <prefix>fleet:{<ns>}:pod:<pod> with a
 * TTL of 3 intervals, and ZADDs the pod with the publish time (Unix ms) to
 * <prefix>fleet:{<ns>}:pods, in one pipelined round trip to the slot of the {<ns>} hash tag.
 *
 * DESIGN. The sampler never waits for Redis: each tick it offers the signals it computed
 * (fleet_pub_offer copies a small struct under a mutex) and reads back relaxed-atomic
 * counters (fleet_pub_emit). The worker thread owns its Redis client (standalone or cluster)
 * and does all the blocking I/O with --redis.timeout. Only signals with data are published.
 *
 * Beside the snapshot, each publish ZADDs the pod to its workload's sorted set
 * (fleet_key_workload, same slot) and reads back how many of its members are live: the current
 * replica count behind recommended_replicas. That is one ZCOUNT, not a read of every pod's
 * snapshot, so a fleet of N sidecars costs O(N log N) per interval rather than O(N^2). It also
 * refreshes the instance info hash <prefix>{<instance>}:info (SPEC 7: version, pod, namespace,
 * started, basis, region, zone), which expires with the snapshot. */
#ifndef RIZK_FLEET_PUBLISH_H
#define RIZK_FLEET_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse/pod_labels.h"
#include "signals/sigtable.h"

struct config;
struct sample_sink;

struct ProtobufCFieldDescriptor;

/* The published signals are the rows of the signal table with a fleet name (SPEC 4's seven plus
 * the duration quantiles), by their row id (enum sig_id); each travels in the PodSnapshot field
 * the row names. The signal values of one tick; a signal is published only when has[id]. */
struct fleet_signals {
    int64_t t_ms;      /* Unix ms the values were computed at */
    int64_t window_ms; /* --signals.window */
    const char *basis; /* static: the utilization basis for the instance info hash; NULL none */
    bool has[SIG_COUNT];
    double v[SIG_COUNT];
};

/* fleet_signals_set marks id present with value v (NaN and infinities, and rows that are not
 * published, are left absent). */
void fleet_signals_set(struct fleet_signals *s, enum sig_id id, double v);
/* fleet_signal_name returns the published name ("rizk_requests_per_second"; quantiles as
 * "rizk_response_time_p50_seconds"), "" for a row that is not published; fleet_signal_lookup
 * maps it back (-1 unknown). thread: any. */
const char *fleet_signal_name(enum sig_id id);
int fleet_signal_lookup(const char *name);
/* fleet_signal_field returns the PodSnapshot field (an optional double) that carries row id,
 * NULL when the row is not published. thread: any. */
const struct ProtobufCFieldDescriptor *fleet_signal_field(enum sig_id id);

/* Who publishes: borrowed strings. */
struct fleet_identity {
    const char *pod;
    const char *ns;
    const char *instance_id;
    const struct pod_labels *labels; /* may be NULL */
    int64_t interval_ms;
    const char *region; /* NULL: unknown (not published) */
    const char *zone;   /* NULL: unknown */
};

/* fleet_encode_snapshot packs a PodSnapshot (pure). *out is malloc'd, caller frees.
 * thread: any. */
int fleet_encode_snapshot(const struct fleet_identity *id, const struct fleet_signals *s,
                          uint8_t **out, size_t *len);

/* fleet_key_pod / fleet_key_pods return the registry keys (caller frees):
 * "<prefix>fleet:{<ns>}:pod:<pod>" and "<prefix>fleet:{<ns>}:pods". thread: any. */
char *fleet_key_pod(const char *prefix, const char *ns, const char *pod);
char *fleet_key_pods(const char *prefix, const char *ns);

struct fleet_pub;

/* fleet_pub_new starts the publisher thread. Returns 1 with *out NULL when there is nothing to
 * publish to (no Redis configured, or no --pod.namespace / POD_NAMESPACE: outside Kubernetes a
 * sidecar has no fleet), 0 with *out running, or a negative errno. thread: main. */
int fleet_pub_new(const struct config *cfg, struct fleet_pub **out);
/* fleet_pub_free stops and joins the thread (at most one Redis timeout late), then frees.
 * NULL-safe. thread: main. */
void fleet_pub_free(struct fleet_pub *p);
/* fleet_pub_offer hands over the latest signals (copied). Never blocks on Redis. NULL-safe.
 * thread: the sampler. */
void fleet_pub_offer(struct fleet_pub *p, const struct fleet_signals *s);
/* fleet_pub_workload_pods returns the live pods of this pod's workload (fleet/workload.h) as
 * counted at the last successful publish, this pod included; 0 when unknown (no publisher, no
 * workload label, or no successful count yet). NULL-safe. thread: any (a relaxed atomic). */
unsigned long fleet_pub_workload_pods(const struct fleet_pub *p);
/* fleet_pub_emit writes rizk_fleet_publish_total, rizk_fleet_publish_errors_total{kind} and
 * rizk_fleet_last_publish_timestamp_seconds. NULL-safe (emits nothing). thread: the sampler. */
void fleet_pub_emit(struct fleet_pub *p, struct sample_sink *sink);

#endif
