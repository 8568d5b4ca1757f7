/* metav1.Status error bodies (reference/k8s-custom-metrics.md 1.8): client-go shows their
 * message to users (kubectl "Error from server (NotFound): <message>") and in HPA events. */
#ifndef RIZK_K8S_STATUS_H
#define RIZK_K8S_STATUS_H

#include "core/buf.h"

/* k8s_status_reason returns the Status reason for an HTTP code: 400 BadRequest,
 * 401 Unauthorized, 403 Forbidden, 404 NotFound, 405 MethodNotAllowed,
 * 503 ServiceUnavailable, anything else InternalError. thread: any. */
const char *k8s_status_reason(unsigned code);

/* k8s_status_render appends {"kind":"Status","apiVersion":"v1","metadata":{},
 * "status":"Failure","message":...,"reason":...,"code":...} (message borrowed, escaped).
 * Errors: -E2BIG (out freed). thread: any. */
int k8s_status_render(struct buf *out, unsigned code, const char *message);

#endif
