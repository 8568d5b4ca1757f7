/* The guide's deployment checklist, the items the Kubernetes API and the fleet registry can
 * answer (SPEC 5, `rizk-metrics check --cluster`). Pure: API documents (jansson values parsed
 * from what kube-apiserver returned, shaped as `kubectl get -o json` prints them), the fleet's
 * pods and the Redis topology in; one verdict per item out: pass, warn, fail, or "not
 * checkable" with the reason (an input that could not be read, or that says nothing).
 *
 * Items, in report order, and what decides them:
 *   hpa                 an autoscaling/v2 HPA whose scaleTargetRef is the Deployment, with the
 *                       guide's three metrics (cpu Utilization, memory Utilization, Pods
 *                       rizk_requests_per_second); warn when one is missing or the HPA reports
 *                       ScalingActive=False; fail when no HPA targets the workload.
 *   resources           cpu and memory requests and limits on every container (native sidecars
 *                       included); fail without a request (Utilization targets need one), warn
 *                       without a limit.
 *   pdb                 a policy/v1 PDB selecting the pod template's labels; warn when it
 *                       allows no voluntary eviction at the Deployment's replica count.
 *   zones               the workload's pods over >= 2 zones (the fleet's zone, else the pods'
 *                       topology.kubernetes.io/zone label); warn when some zones are unknown.
 *   graceful_shutdown   a preStop hook on every app container, or an explicit
 *                       terminationGracePeriodSeconds >= the drain time; warn on the implicit
 *                       30 s default.
 *   redis_ha            a Redis Cluster of >= 3 masters, each with a replica; warn standalone.
 *   instance_prefixes   distinct instance ids (the <prefix>{<instance>} keys) in the fleet.
 *   health_checks       a readinessProbe on every app container (load balancer health checks).
 *   regional_endpoints  every pod of the fleet carries a region. */
#ifndef RIZK_SIGNALS_CLUSTER_CHECKS_H
#define RIZK_SIGNALS_CLUSTER_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum cluster_status {
    CLUSTER_PASS = 0,
    CLUSTER_WARN,
    CLUSTER_FAIL,
    CLUSTER_NOT_CHECKABLE,
};

enum cluster_item_id {
    CLUSTER_HPA = 0,
    CLUSTER_RESOURCES,
    CLUSTER_PDB,
    CLUSTER_ZONES,
    CLUSTER_GRACEFUL_SHUTDOWN,
    CLUSTER_REDIS_HA,
    CLUSTER_INSTANCE_PREFIXES,
    CLUSTER_HEALTH_CHECKS,
    CLUSTER_REGIONAL_ENDPOINTS,
    CLUSTER_NITEMS
};

enum cluster_redis_mode {
    CLUSTER_REDIS_NOT_CONFIGURED = 0,
    CLUSTER_REDIS_UNREACHABLE, /* configured, but the topology could not be read (redis_err) */
    CLUSTER_REDIS_STANDALONE,
    CLUSTER_REDIS_CLUSTER,
};

/* The guide's numbers. */
#define CLUSTER_HPA_CPU_TARGET 70    /* averageUtilization, percent */
#define CLUSTER_HPA_MEMORY_TARGET 80 /* averageUtilization, percent */
#define CLUSTER_HPA_RPS_METRIC "rizk_requests_per_second"
#define CLUSTER_MIN_ZONES 2
#define CLUSTER_REDIS_MASTERS 3
#define CLUSTER_DEFAULT_GRACE_S 30 /* Kubernetes' terminationGracePeriodSeconds default */

#define CLUSTER_MESSAGE_MAX 320

/* One pod of the fleet registry (borrowed strings; NULL when the snapshot has none). */
struct cluster_fleet_pod {
    const char *pod;
    const char *instance_id;
    const char *region;
    const char *zone;
};

/* The inputs. A NULL document means "could not be read": its *_err says why (borrowed; NULL
 * gives a generic reason). Everything is borrowed for the call. */
struct cluster_in {
    const char *ns;
    const char *workload;     /* the Deployment's name */
    const json_t *deployment; /* apps/v1 Deployment */
    const char *deployment_err;
    const json_t *hpas; /* autoscaling/v2 HorizontalPodAutoscalerList of the namespace */
    const char *hpas_err;
    const json_t *pdbs; /* policy/v1 PodDisruptionBudgetList of the namespace */
    const char *pdbs_err;
    const json_t *pods; /* v1 PodList of the workload (the Deployment's selector) */
    const char *pods_err;
    const struct cluster_fleet_pod *fleet; /* the namespace's live fleet pods (NULL: unread) */
    size_t nfleet;
    const char *fleet_err;
    enum cluster_redis_mode redis;
    unsigned redis_masters;              /* masters serving slots (cluster mode) */
    unsigned redis_masters_with_replica; /* ... that have at least one replica */
    const char *redis_err;
    int64_t drain_ms; /* --check.drain-time */
};

struct cluster_item {
    enum cluster_item_id id;
    enum cluster_status status;
    char message[CLUSTER_MESSAGE_MAX];
};

struct cluster_report {
    struct cluster_item items[CLUSTER_NITEMS];
    unsigned pass, warn, fail, not_checkable;
    bool ready;        /* no item failed */
    bool strict_ready; /* no item failed or warned */
};

/* cluster_checks_evaluate decides every item into *out (fully written). Never fails: a
 * document of the wrong shape makes the items that need it not checkable. thread: any (pure). */
void cluster_checks_evaluate(const struct cluster_in *in, struct cluster_report *out);

/* cluster_item_name returns the item's name ("hpa", ...); cluster_item_target the checklist's
 * wording of the goal; cluster_status_name "pass", "warn", "fail" or "not_checkable". Static.
 * thread: any. */
const char *cluster_item_name(enum cluster_item_id id);
const char *cluster_item_target(enum cluster_item_id id);
const char *cluster_status_name(enum cluster_status s);

#endif
