/* Pure parser for a kubeconfig file (clientcmd v1 `Config`, the YAML kubectl writes): picks the
 * current context (or a named one) and returns what a client needs to reach that cluster as
 * that user. YAML through libyaml's document loader; only the selected context, cluster and user
 * are read. Unknown keys are ignored, as client-go does (kubeconfigs carry extensions and
 * preferences); credentials this program cannot use (exec plugins, auth providers, basic auth)
 * are an error naming them when they are the user's only credential. */
#ifndef RIZK_PARSE_KUBECONFIG_H
#define RIZK_PARSE_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define KUBECONFIG_MAX_BYTES (4u << 20) /* larger input is refused (-E2BIG) */

/* The selected context, resolved. Every string is owned (NULL when absent); *_data fields are
 * the base64 text exactly as in the file (the caller decodes). File paths are as written:
 * relative ones are relative to the kubeconfig's directory (the caller resolves them). */
struct kubeconfig {
    char *context;   /* name of the selected context */
    char *cluster;   /* name of its cluster */
    char *user;      /* name of its user ("" allowed: a context may have no user) */
    char *namespace; /* context namespace, NULL when unset */
    char *server;    /* cluster.server, always set on success */
    char *tls_server_name;
    char *ca_file; /* certificate-authority */
    char *ca_data; /* certificate-authority-data (base64) */
    bool insecure_skip_tls_verify;
    char *token;      /* user.token (a secret) */
    char *token_file; /* user.tokenFile */
    char *cert_file;  /* client-certificate */
    char *cert_data;  /* client-certificate-data (base64) */
    char *key_file;   /* client-key */
    char *key_data;   /* client-key-data (base64; a secret) */
};

/* parse_kubeconfig parses len bytes of YAML (NUL not needed) and resolves context (NULL or "":
 * current-context). *out is written only on success (free with kubeconfig_fini). Errors:
 * -E2BIG (input above KUBECONFIG_MAX_BYTES), -EPROTO (not YAML, not a mapping, no such context,
 * cluster or user, a cluster without server, a certificate without its key, a user with only
 * exec/auth-provider/basic credentials), with err's line/col at the offending node (1-based;
 * 0 when no node applies) and what a literal. thread: any. */
int parse_kubeconfig(const char *text, size_t len, const char *context, struct kubeconfig *out,
                     struct parse_err *err);

/* kubeconfig_fini frees the strings and zeroes *k. NULL-safe. */
void kubeconfig_fini(struct kubeconfig *k);

#endif
