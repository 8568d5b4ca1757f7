/* Discovery documents of the adapter (reference/k8s-custom-metrics.md 1.2): the APIGroupList
 * at /apis, the APIGroup of each group, and an APIResourceList per group version listing every
 * served signal, so the list is never empty (an empty one makes kubectl, helm and flux log
 * "Got empty response for: <gv>"). Static content: rendered once at start. thread: any. */
#ifndef RIZK_K8S_DISCOVERY_H
#define RIZK_K8S_DISCOVERY_H

#include "core/buf.h"
#include "k8s/router.h"

/* Each appends one document to out. Errors: -E2BIG (out freed). */
int discovery_render_apis(struct buf *out);
int discovery_render_group(struct buf *out, enum k8s_group g);
int discovery_render_resources(struct buf *out, enum k8s_group g, enum k8s_version v);
/* discovery_render_version writes /version: {"major","minor","gitVersion","gitCommit",...}. */
int discovery_render_version(struct buf *out);

#endif
