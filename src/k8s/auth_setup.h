/* Start-up of the adapter's authentication and authorization, the way k8s.io/apiserver's
 * delegating options do it: the kube-apiserver clients for TokenReview and SubjectAccessReview
 * (--authentication-kubeconfig / --authorization-kubeconfig, else in-cluster when
 * KUBERNETES_SERVICE_HOST is set, else none), the settings the flags leave unset filled from the
 * kube-system/extension-apiserver-authentication ConfigMap (client CA, front-proxy CA, allowed
 * names, username/group/extra headers; defaults X-Remote-User, X-Remote-Group, X-Remote-Extra-),
 * and a self-signed serving certificate when neither --tls.cert-file nor --tls.key-file is given.
 * Certificates that come from memory are handed to the TLS loader as in-memory files
 * (io/memfile), so everything downstream reads one effective configuration. thread: main. */
#ifndef RIZK_K8S_AUTH_SETUP_H
#define RIZK_K8S_AUTH_SETUP_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "io/memfile.h"
#include "k8s/serve.h"

struct kube_client;
struct delegate;

struct auth_setup {
    struct config eff; /* cfg with the gaps filled; strings borrowed from cfg or owned here */
    struct kube_client *authn, *authz;
    struct delegate *delegate;
    struct memfile cert, key, client_ca, proxy_ca;
    char *owned[8]; /* strings eff points at */
    size_t nowned;
    bool self_signed;
};

/* auth_setup_init prepares *s from cfg (borrowed; must outlive s). Errors (why says what, never
 * a secret): -EINVAL (one of --tls.cert-file/--tls.key-file without the other; a kubeconfig that
 * does not work), -EIO (the ConfigMap cannot be read and failures are not tolerated; the
 * certificate cannot be generated). *s is usable with auth_setup_fini either way. */
int auth_setup_init(struct auth_setup *s, const struct config *cfg, char *why, size_t n);
void auth_setup_fini(struct auth_setup *s);

/* auth_setup_serve_auth describes the result for k8s_serve_set_auth (pointers into s). */
void auth_setup_serve_auth(const struct auth_setup *s, struct k8s_serve_auth *out);

#endif
