/* Fuzz target for the adapter's router (k8s/router.c) behind the URL decoder
 * (parse/urldecode.c), the way a request path reaches it: NUL-terminated copy capped at 8 KiB,
 * decoded in place, then routed. Invariants: decoding never lengthens; every name the router
 * accepts is a valid Kubernetes name (namespaces become Redis hash tags: no '{', '}' or ':'). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/selector.h"
#include "parse/urldecode.h"
#include "k8s/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (8u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    char *path = malloc(size + 1);
    if (path == NULL)
        return 0;
    memcpy(path, data, size);
    path[size] = '\0';
    size_t before = strlen(path);
    size_t after = urldecode(path, (size & 1) ? URLDECODE_PLUS : 0);
    if (after > before || strlen(path) > after)
        abort();
    struct k8s_route r;
    k8s_route_parse(path, &r);
    if (r.kind == K8S_ROUTE_PODS_METRIC && !r.all_pods &&
        !selector_is_dns_subdomain(r.name, strlen(r.name)))
        abort();
    switch (r.kind) {
    case K8S_ROUTE_PODS_METRIC:
    case K8S_ROUTE_EXTERNAL:
    case K8S_ROUTE_FLEET:
    case K8S_ROUTE_OTHER_OBJECT:
        if (r.kind != K8S_ROUTE_OTHER_OBJECT || r.ns[0] != '\0')
            if (!selector_is_dns_label(r.ns, strlen(r.ns)))
                abort();
        if (r.metric[0] == '\0' || strlen(r.metric) > K8S_NAME_MAX)
            abort();
        break;
    case K8S_ROUTE_BAD_NAME:
        if (r.what == NULL)
            abort();
        break;
    default:
        break;
    }
    free(path);
    return 0;
}
