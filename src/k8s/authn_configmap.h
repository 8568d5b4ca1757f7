/* The kube-system/extension-apiserver-authentication ConfigMap, which kube-apiserver keeps for
 * aggregated API servers: the client CA, the front proxy's CA and the requestheader settings
 * (list values are JSON arrays inside the strings, e.g. "[\"X-Remote-User\"]"). Pure: the
 * ConfigMap's JSON in, owned strings out. */
#ifndef RIZK_K8S_AUTHN_CONFIGMAP_H
#define RIZK_K8S_AUTHN_CONFIGMAP_H

#include <stddef.h>

#include "core/err.h"

#define AUTHN_CONFIGMAP_PATH                                                                       \
    "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication"

/* Every field is NULL when the ConfigMap does not set it; lists are comma-separated. */
struct authn_configmap {
    char *client_ca;        /* client-ca-file: PEM */
    char *requestheader_ca; /* requestheader-client-ca-file: PEM */
    char *allowed_names;    /* requestheader-allowed-names ("" when the list is empty: any CN) */
    char *username_headers; /* requestheader-username-headers */
    char *group_headers;    /* requestheader-group-headers */
    char *extra_prefixes;   /* requestheader-extra-headers-prefix */
};

/* parse_authn_configmap reads a ConfigMap object (GET answer). *out (authn_configmap_fini) is
 * written only on success. Errors: -EPROTO (not a ConfigMap, a value of the wrong type, a list
 * that is not a JSON array of strings or holds a comma), with e->what naming the key. */
int parse_authn_configmap(const char *json, size_t len, struct authn_configmap *out,
                          struct parse_err *e);
void authn_configmap_fini(struct authn_configmap *c); /* NULL-safe */

#endif
