/* rizk-metrics check --cluster: the guide's checklist items that the Kubernetes API and the fleet
 * can answer (SPEC 5). Reads the workload's Deployment, the namespace's HPAs and PDBs and the
 * workload's pods from kube-apiserver (io/kube_client: in-cluster or --check.kubeconfig), the
 * namespace's live pods from the fleet registry and the Redis topology from the configured
 * Redis, then evaluates signals/cluster_checks. An input that cannot be read makes the items
 * that need it "not checkable" with the reason; nothing here exits. */
#ifndef RIZK_CHECK_CLUSTER_H
#define RIZK_CHECK_CLUSTER_H

#include <stdbool.h>

#include <jansson.h>

struct config;

/* check_cluster_run gathers and evaluates; returns the report as a JSON object (caller
 * json_decref): {namespace, workload, server, checks: [{name, status, target, message}], pass,
 * warn, fail, not_checkable, ready, strict_ready}. cfg->check_workload must be set. Never NULL.
 * thread: main (blocking: up to a few request timeouts). */
json_t *check_cluster_run(const struct config *cfg);

#endif
