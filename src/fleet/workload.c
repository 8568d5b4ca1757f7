/* Workload identity and topology from the pod's labels (see workload.h for the definition). */
#include "fleet/workload.h"

#include <errno.h>
#include <stddef.h>

#include "core/xalloc.h"
#include "core/banned.h"

static const char *const fleet_workload_labels[] = {
    "pod-template-hash",
    "app.kubernetes.io/name",
    "app",
};

int fleet_workload_of(const struct pod_labels *l, const char **key, const char **value)
{
    if (l == NULL)
        return -ENOENT;
    for (size_t i = 0; i < sizeof(fleet_workload_labels) / sizeof(fleet_workload_labels[0]); i++) {
        const char *v = pod_labels_get(l, fleet_workload_labels[i]);
        if (v != NULL && v[0] != '\0') {
            *key = fleet_workload_labels[i];
            *value = v;
            return 0;
        }
    }
    return -ENOENT;
}

const char *fleet_topology(const char *flag, const struct pod_labels *l, const char *label)
{
    if (flag != NULL && flag[0] != '\0')
        return flag;
    const char *v = l != NULL ? pod_labels_get(l, label) : NULL;
    return v != NULL && v[0] != '\0' ? v : NULL;
}

char *fleet_key_workload(const char *prefix, const char *ns, const char *key, const char *value)
{
    return xasprintf("%sfleet:{%s}:workload:%s=%s", prefix, ns, key, value);
}

char *fleet_key_instance_info(const char *prefix, const char *instance)
{
    return xasprintf("%s{%s}:info", prefix, instance);
}
