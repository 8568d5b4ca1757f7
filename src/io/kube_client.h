/* io/kube_client: libcurl (via io/curl_api, dlopen'ed) to kube-apiserver. thread: any
 * (thread-safe).
 *
 * Configured like client-go: a kubeconfig (parse/kubeconfig: current context, server, CA file or
 * data, insecure-skip-tls-verify, token / tokenFile / client certificate and key as files or
 * data), or in-cluster (KUBERNETES_SERVICE_HOST/PORT, the service account's token, ca.crt and
 * namespace). A token read from a file (the in-cluster one, or tokenFile) is re-read whenever the
 * file changes, so rotated bound tokens keep working; a failed re-read keeps the previous token.
 * Each request runs on its own easy handle, taken from a small idle list under a mutex and put
 * back afterwards (connections stay alive), so concurrent callers never wait for each other and
 * a slow kube-apiserver costs each caller at most timeout_ms. */
#ifndef RIZK_IO_KUBE_CLIENT_H
#define RIZK_IO_KUBE_CLIENT_H

#include <stddef.h>

#include "core/buf.h"

#define KUBE_CLIENT_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

struct kube_client;

struct kube_client_opts {
    const char *kubeconfig; /* path; NULL or "" => in-cluster (KUBERNETES_SERVICE_HOST/PORT) */
    const char *sa_dir;     /* NULL => /var/run/secrets/kubernetes.io/serviceaccount (token, ca.crt,
                               namespace) */
    long timeout_ms;        /* whole request */
};

/* kube_client_new reads the configuration (the kubeconfig, or the in-cluster environment and
 * service-account files; strings in o are borrowed for the call) and checks that libcurl takes
 * every option. *out (kube_client_free) is written only on success. On failure err (errlen
 * bytes) says what is missing or wrong, naming the file and, for a kubeconfig, the line; never a
 * secret. Errors: -ENOENT (no libcurl; not in a cluster; a file missing), -EPROTO (malformed
 * kubeconfig or credentials), -EINVAL (bad options; a feature this libcurl lacks), other negative
 * errno from reading files. thread: any. */
int kube_client_new(const struct kube_client_opts *o, struct kube_client **out, char *err,
                    size_t errlen);
void kube_client_free(struct kube_client *c); /* NULL-safe */
/* kube_client_namespace: kubeconfig context ns or SA ns, or "default". Borrowed, lives as long as
 * c. */
const char *kube_client_namespace(const struct kube_client *c);
/* kube_client_server returns the API server's base URL (borrowed, lives as long as c), for logs. */
const char *kube_client_server(const struct kube_client *c);

/* kube_client_request sends METHOD path (e.g. "/apis/apps/v1/namespaces/x/deployments/y") with an
 * optional JSON body; on transport success stores the HTTP status and the body in resp (capped).
 * resp is initialised by the caller (buf_init with its cap) and emptied first; *http_status and
 * resp are written on every return 0, whatever the status (a 403 Status body is an answer).
 * Errors: -ETIMEDOUT, -ECONNREFUSED/-EIO (transport; message in err), -E2BIG (body above resp's
 * cap; resp left empty), -EINVAL (method not GET/HEAD/POST/PUT/PATCH/DELETE, path not starting
 * with '/'). thread: any. */
int kube_client_request(struct kube_client *c, const char *method, const char *path,
                        const char *json_body, long *http_status, struct buf *resp, char *err,
                        size_t errlen);

#endif
