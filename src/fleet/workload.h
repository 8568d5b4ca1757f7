/* Which pods are "the same workload" (SPEC 5's recommended_replicas), and where a pod's topology
 * comes from (SPEC 7's region and zone): pure functions of the downward-API labels.
 *
 * Same workload = the same value of the first of these labels the pod carries:
 *   pod-template-hash       (set by the Deployment controller: one ReplicaSet, i.e. one
 *                            template of one Deployment; what the HPA's scale target counts
 *                            outside a rollout)
 *   app.kubernetes.io/name  (the recommended label)
 *   app                     (the guide's manifests)
 * A pod with none of them has no workload, so its current replica count stays unknown. */
#ifndef RIZK_FLEET_WORKLOAD_H
#define RIZK_FLEET_WORKLOAD_H

#include "parse/pod_labels.h"

/* The topology labels (well-known labels of Kubernetes). */
#define FLEET_LABEL_REGION "topology.kubernetes.io/region"
#define FLEET_LABEL_ZONE "topology.kubernetes.io/zone"

/* fleet_workload_of finds the workload label of l: returns 0 and sets *key and *value
 * (borrowed: *key static, *value from l) or -ENOENT when l carries none of the labels (or only
 * with empty values). l may be NULL. thread: any (pure). */
int fleet_workload_of(const struct pod_labels *l, const char **key, const char **value);

/* fleet_topology returns the region or zone to publish: flag when set (non-NULL, non-empty),
 * else the value of label in l, else NULL. Borrowed from flag or l. thread: any (pure). */
const char *fleet_topology(const char *flag, const struct pod_labels *l, const char *label);

/* fleet_key_workload returns "<prefix>fleet:{<ns>}:workload:<key>=<value>", the sorted set of
 * the workload's live pods (member pod, score publish time in Unix ms); caller frees. In the
 * {<ns>} slot, so it is written in the same pipeline as the snapshot. thread: any. */
char *fleet_key_workload(const char *prefix, const char *ns, const char *key, const char *value);

/* fleet_key_instance_info returns "<prefix>{<instance>}:info" (SPEC 7); caller frees. */
char *fleet_key_instance_info(const char *prefix, const char *instance);

#endif
