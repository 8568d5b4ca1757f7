/* The adapter's router: a decoded request path -> what it asks for. Pure (no I/O, no globals),
 * fuzzed. Paths follow reference/k8s-custom-metrics.md section 2:
 *   /apis/custom.metrics.k8s.io/{v1beta1|v1beta2}/namespaces/{ns}/pods/{name|*}/{metric}
 *   /apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/{metric}
 *   /api/v1/fleet/{ns}/{metric}                      (plain JSON for KEDA's metrics-api scaler)
 * plus discovery (/apis, /apis/<group>, /apis/<group>/<version>), /healthz, /livez, /readyz,
 * /version and /openapi/v2|v3. One trailing '/' is tolerated. Names that Kubernetes would
 * refuse (a namespace that is not a DNS-1123 label, a pod name that is not a DNS-1123
 * subdomain) are reported as such: they also become part of Redis keys and hash tags. */
#ifndef RIZK_K8S_ROUTER_H
#define RIZK_K8S_ROUTER_H

#include <stdbool.h>

enum k8s_route_kind {
    K8S_ROUTE_NOT_FOUND = 0,
    K8S_ROUTE_HEALTHZ,
    K8S_ROUTE_LIVEZ,
    K8S_ROUTE_READYZ,
    K8S_ROUTE_VERSION,
    K8S_ROUTE_OPENAPI,      /* /openapi/v2, /openapi/v3 (and below): always 404 */
    K8S_ROUTE_APIS,         /* APIGroupList */
    K8S_ROUTE_GROUP,        /* APIGroup of .group */
    K8S_ROUTE_RESOURCES,    /* APIResourceList of .group/.version */
    K8S_ROUTE_PODS_METRIC,  /* custom metrics: pods/{name|*}/{metric} in .ns */
    K8S_ROUTE_OTHER_OBJECT, /* custom metrics of another described object (.resource): 404 */
    K8S_ROUTE_EXTERNAL,     /* external metric .metric in .ns */
    K8S_ROUTE_FLEET,        /* /api/v1/fleet/{ns}/{metric} */
    K8S_ROUTE_BAD_NAME,     /* a malformed namespace or pod name (.what says which): 400 */
};

enum k8s_group { K8S_GROUP_CUSTOM = 0, K8S_GROUP_EXTERNAL };
enum k8s_version { K8S_V1BETA1 = 0, K8S_V1BETA2 };

#define K8S_NAME_MAX 253

struct k8s_route {
    enum k8s_route_kind kind;
    enum k8s_group group;
    enum k8s_version version;
    bool all_pods;               /* the name segment was "*" */
    char ns[64];                 /* DNS-1123 label */
    char name[K8S_NAME_MAX + 1]; /* pod name ("" when all_pods) */
    char metric[K8S_NAME_MAX + 1];
    char resource[K8S_NAME_MAX + 1]; /* K8S_ROUTE_OTHER_OBJECT: "nodes", "deployments.apps" */
    const char *what;                /* K8S_ROUTE_BAD_NAME: a literal */
};

/* k8s_route_parse classifies path (NUL-terminated, percent-decoded, without the query) and
 * fills *out completely (kind K8S_ROUTE_NOT_FOUND for anything unknown). thread: any. */
void k8s_route_parse(const char *path, struct k8s_route *out);

/* k8s_group_name returns "custom.metrics.k8s.io" or "external.metrics.k8s.io";
 * k8s_version_name "v1beta1" or "v1beta2". */
const char *k8s_group_name(enum k8s_group g);
const char *k8s_version_name(enum k8s_version v);

#endif
