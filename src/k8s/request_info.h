/* The authorization attributes of a request, made exactly as kube-apiserver's request parser
 * makes them (k8s.io/apiserver pkg/endpoints/request/requestinfo.go, RequestInfoFactory with the
 * API prefixes "api" and "apis", "api" groupless): a resource request
 * (/apis/{group}/{version}/[namespaces/{ns}/]{resource}[/{name}[/{subresource}]]) gets verb,
 * group, version, namespace, resource, subresource and name; anything else is a non-resource
 * request with its path and the lower-cased method as verb. GET/HEAD without a name is list
 * (watch with ?watch=true), DELETE without a name deletecollection, a
 * fieldSelector=metadata.name=X on a list names X. Pure. */
#ifndef RIZK_K8S_REQUEST_INFO_H
#define RIZK_K8S_REQUEST_INFO_H

#include <stdbool.h>
#include <stddef.h>

#define REQUEST_INFO_PATH_MAX 4096 /* longer paths are refused (-E2BIG) */

/* Every string is static or points into the struct's own storage: valid as long as the struct
 * and never across a copy of it (fill it in place). "" when unset, as Go's zero values. */
struct request_info {
    bool is_resource;
    const char *path; /* the request path */
    const char *verb;
    const char *api_prefix; /* "api" or "apis"; "" for non-resource requests */
    const char *group;
    const char *version;
    const char *namespace;
    const char *resource;
    const char *subresource;
    const char *name;
    char _store[2 * REQUEST_INFO_PATH_MAX + 320]; /* do not touch */
};

/* request_info_parse fills *out from method (as received, e.g. "GET") and the decoded path
 * (without query); watch and field_selector are the decoded query values of "watch" and
 * "fieldSelector" (NULL when absent). Errors: -E2BIG (path too long), -EPROTO (a special-verb
 * path without a resource, as kube-apiserver's "unable to determine kind and namespace");
 * *out is undefined after a failure. thread: any. */
int request_info_parse(const char *method, const char *path, const char *watch,
                       const char *field_selector, struct request_info *out);

#endif
