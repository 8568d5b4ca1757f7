/* The adapter's authentication start-up. Order matters: the clients first (the ConfigMap is read
 * with the authentication client, as k8s.io/apiserver does), then the ConfigMap, then the
 * serving certificate. */
#include "k8s/auth_setup.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "http/selfsigned.h"
#include "io/kube_client.h"
#include "k8s/authn_configmap.h"
#include "k8s/delegate.h"
#include "core/banned.h"

#define AUTH_SETUP_CM_CAP (4u << 20)

static bool as_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static char *as_own(struct auth_setup *s, char *p)
{
    RIZK_ASSERT(s->nowned < sizeof(s->owned) / sizeof(s->owned[0]));
    s->owned[s->nowned++] = p;
    return p;
}

/* as_client makes the client for one of the two reviews: the kubeconfig flag, else in-cluster
 * when the environment says so, else none (0 with *out NULL). */
static int as_client(const struct config *cfg, const char *kubeconfig, const char *what,
                     struct kube_client **out, char *why, size_t n)
{
    *out = NULL;
    const char *host = getenv("KUBERNETES_SERVICE_HOST");
    if (!as_set(kubeconfig) && !as_set(host))
        return 0;
    struct kube_client_opts o = {.kubeconfig = kubeconfig,
                                 .timeout_ms = (long)cfg->delegation_timeout_ms};
    char err[768];
    int rc = kube_client_new(&o, out, err, sizeof(err));
    if (rc < 0) {
        snprintf(why, n, "%s: %s", what, err);
        return -EINVAL;
    }
    return 0;
}

/* as_configmap fills what the flags leave unset from extension-apiserver-authentication. */
static int as_configmap(struct auth_setup *s, const struct config *cfg, char *why, size_t n)
{
    struct config *e = &s->eff;
    bool need = !as_set(cfg->client_ca_file) || !as_set(cfg->requestheader_client_ca_file) ||
                !as_set(cfg->requestheader_allowed_names) ||
                !as_set(cfg->requestheader_username_headers) ||
                !as_set(cfg->requestheader_group_headers) ||
                !as_set(cfg->requestheader_extra_headers_prefix);
    if (s->authn == NULL || cfg->authentication_skip_lookup || !need)
        return 0;
    struct buf body;
    buf_init(&body, AUTH_SETUP_CM_CAP);
    long status = 0;
    char err[512] = "";
    int rc = kube_client_request(s->authn, "GET", AUTHN_CONFIGMAP_PATH, NULL, &status, &body, err,
                                 sizeof(err));
    struct authn_configmap cm = {0};
    struct parse_err pe = {0};
    if (rc == 0 && status != 200)
        snprintf(err, sizeof(err), "HTTP %ld: %.300s", status, buf_ptr(&body));
    else if (rc == 0 && parse_authn_configmap(buf_ptr(&body), buf_len(&body), &cm, &pe) < 0)
        snprintf(err, sizeof(err), "malformed ConfigMap: %s", pe.what);
    else if (rc == 0)
        err[0] = '\0';
    buf_fini(&body);
    if (err[0] != '\0') {
        if (cfg->authentication_tolerate_lookup_failure) {
            log_warn("auth",
                     "cannot read kube-system/extension-apiserver-authentication (%s); going on "
                     "without it (--authentication-tolerate-lookup-failure): only the flags' CAs "
                     "and headers apply",
                     err);
            return 0;
        }
        snprintf(why, n,
                 "cannot read kube-system/extension-apiserver-authentication: %s (grant the "
                 "extension-apiserver-authentication-reader role, or set "
                 "--authentication-skip-lookup or --authentication-tolerate-lookup-failure)",
                 err);
        return -EIO;
    }
    rc = 0;
    char src[256] = "";
    size_t so = 0;
    /* the two CAs become in-memory files for the TLS loader; the lists are taken as they are */
    static const struct {
        const char *key, *memfile;
        size_t cfg_off, cm_off, mf_off;
    } map[] = {
#define AS_CA(key, name, field, cmf, mf)                                                           \
    {key, name, offsetof(struct config, field), offsetof(struct authn_configmap, cmf),             \
     offsetof(struct auth_setup, mf)}
#define AS_LIST(key, field, cmf)                                                                   \
    {                                                                                              \
        key, NULL, offsetof(struct config, field), offsetof(struct authn_configmap, cmf), 0        \
    }
        AS_CA("client-ca-file", "rizk-client-ca", client_ca_file, client_ca, client_ca),
        AS_CA("requestheader-client-ca-file", "rizk-requestheader-ca", requestheader_client_ca_file,
              requestheader_ca, proxy_ca),
        AS_LIST("requestheader-allowed-names", requestheader_allowed_names, allowed_names),
        AS_LIST("requestheader-username-headers", requestheader_username_headers, username_headers),
        AS_LIST("requestheader-group-headers", requestheader_group_headers, group_headers),
        AS_LIST("requestheader-extra-headers-prefix", requestheader_extra_headers_prefix,
                extra_prefixes),
#undef AS_CA
#undef AS_LIST
    };
    for (size_t i = 0; rc == 0 && i < sizeof(map) / sizeof(map[0]); i++) {
        const char *flag = *(char *const *)(const void *)((const char *)cfg + map[i].cfg_off);
        char **from = (char **)(void *)((char *)&cm + map[i].cm_off);
        char **to = (char **)(void *)((char *)e + map[i].cfg_off);
        if (as_set(flag) || *from == NULL)
            continue;
        if (map[i].memfile != NULL) {
            struct memfile *mf = (struct memfile *)(void *)((char *)s + map[i].mf_off);
            rc = memfile_init(mf, map[i].memfile, *from, strlen(*from));
            if (rc < 0)
                break;
            *to = mf->path;
        } else {
            *to = as_own(s, *from);
            *from = NULL;
        }
        if (so < sizeof(src))
            so += (size_t)snprintf(src + so, sizeof(src) - so, "%s%s", so ? "," : "", map[i].key);
    }
    authn_configmap_fini(&cm);
    if (rc < 0) {
        snprintf(why, n, "cannot keep the ConfigMap's CA in memory: %s", err_str(rc));
        return rc;
    }
    log_info("auth", "from kube-system/extension-apiserver-authentication: %s",
             src[0] != '\0' ? src : "nothing the flags leave unset");
    return 0;
}

static int as_self_signed(struct auth_setup *s, const struct config *cfg, char *why, size_t n)
{
    if (cfg->insecure_http)
        return 0;
    if (as_set(cfg->tls_cert_file) != as_set(cfg->tls_key_file)) {
        snprintf(why, n,
                 "--tls.cert-file and --tls.key-file go together: set both, or neither "
                 "for a self-signed certificate");
        return -EINVAL;
    }
    if (as_set(cfg->tls_cert_file))
        return 0;
    char host[256] = "";
    if (gethostname(host, sizeof(host) - 1) != 0)
        host[0] = '\0';
    struct buf cert, key;
    buf_init(&cert, 64 * 1024);
    buf_init(&key, 64 * 1024);
    int rc = selfsigned_generate(host, &cert, &key, why, n);
    if (rc == 0)
        rc = memfile_init(&s->cert, "rizk-selfsigned-cert", buf_ptr(&cert), buf_len(&cert));
    if (rc == 0)
        rc = memfile_init(&s->key, "rizk-selfsigned-key", buf_ptr(&key), buf_len(&key));
    if (buf_len(&key) > 0)
        explicit_bzero((char *)(uintptr_t)buf_ptr(&key), buf_len(&key));
    buf_fini(&cert);
    buf_fini(&key);
    if (rc < 0) {
        if (rc != -EIO)
            snprintf(why, n, "cannot keep the self-signed certificate in memory: %s", err_str(rc));
        return rc;
    }
    s->eff.tls_cert_file = s->cert.path;
    s->eff.tls_key_file = s->key.path;
    s->self_signed = true;
    log_warn("adapter",
             "no --tls.cert-file: serving a self-signed certificate generated now "
             "(for localhost and %s); kube-apiserver needs insecureSkipTLSVerify on "
             "the APIService, or give a CA-signed certificate (cert-manager)",
             host[0] != '\0' ? host : "loopback");
    return 0;
}

int auth_setup_init(struct auth_setup *s, const struct config *cfg, char *why, size_t n)
{
    memset(s, 0, sizeof(*s));
    s->cert = s->key = s->client_ca = s->proxy_ca = (struct memfile)MEMFILE_NONE;
    s->eff = *cfg;
    int rc = as_self_signed(s, cfg, why, n);
    if (rc < 0 || cfg->insecure_http)
        return rc;
    rc = as_client(cfg, cfg->authentication_kubeconfig, "--authentication-kubeconfig", &s->authn,
                   why, n);
    if (rc == 0)
        rc = as_client(cfg, cfg->authorization_kubeconfig, "--authorization-kubeconfig", &s->authz,
                       why, n);
    if (rc == 0)
        rc = as_configmap(s, cfg, why, n);
    if (rc < 0)
        return rc;
    unsigned threads = (unsigned)cfg->web_threads;
    struct delegate_opts o = {
        .authn = s->authn,
        .authz = s->authz,
        .authn_ttl_ms = (long)cfg->authentication_token_cache_ttl_ms,
        .allowed_ttl_ms = (long)cfg->authorization_cache_authorized_ttl_ms,
        .denied_ttl_ms = (long)cfg->authorization_cache_unauthorized_ttl_ms,
        /* one HTTP thread always stays free of waiting reviews */
        .max_inflight = threads > 1 ? threads - 1 : 1,
        .timeout_ms = (long)cfg->delegation_timeout_ms,
    };
    s->delegate = delegate_new(&o);
    if (s->authn != NULL)
        log_info("auth", "bearer tokens: TokenReview at %s (cached %lldms)",
                 kube_client_server(s->authn), (long long)o.authn_ttl_ms);
    else
        log_info("auth", "bearer tokens are not accepted: no kube-apiserver "
                         "(--authentication-kubeconfig, or run in a cluster)");
    if (s->authz != NULL)
        log_info(
            "auth",
            "authorization: SubjectAccessReview at %s (cached %lldms allowed, %lldms "
            "denied); always allowed: %s",
            kube_client_server(s->authz), (long long)o.allowed_ttl_ms, (long long)o.denied_ttl_ms,
            as_set(cfg->authorization_always_allow_paths) ? cfg->authorization_always_allow_paths
                                                          : "nothing");
    else
        log_warn("auth", "no delegated authorization (no --authorization-kubeconfig and not in a "
                         "cluster): every authenticated user may read what "
                         "--authorized-users/--authorized-groups allow");
    return 0;
}

void auth_setup_fini(struct auth_setup *s)
{
    if (s == NULL)
        return;
    delegate_free(s->delegate);
    kube_client_free(s->authn);
    kube_client_free(s->authz);
    memfile_fini(&s->cert);
    memfile_fini(&s->key);
    memfile_fini(&s->client_ca);
    memfile_fini(&s->proxy_ca);
    for (size_t i = 0; i < s->nowned; i++)
        free(s->owned[i]);
    s->nowned = 0;
    s->delegate = NULL;
    s->authn = s->authz = NULL;
}

void auth_setup_serve_auth(const struct auth_setup *s, struct k8s_serve_auth *out)
{
    const struct config *e = &s->eff;
    *out = (struct k8s_serve_auth){
        .delegate = s->delegate,
        .always_allow_paths =
            as_set(e->authorization_always_allow_paths) ? e->authorization_always_allow_paths : "",
        .username_headers = as_set(e->requestheader_username_headers)
                                ? e->requestheader_username_headers
                                : "X-Remote-User",
        .group_headers = as_set(e->requestheader_group_headers) ? e->requestheader_group_headers
                                                                : "X-Remote-Group",
        .extra_prefixes = as_set(e->requestheader_extra_headers_prefix)
                              ? e->requestheader_extra_headers_prefix
                              : "X-Remote-Extra-",
    };
}
