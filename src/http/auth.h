/* Who is asking: authentication of the adapter's clients the way Kubernetes aggregated API
 * servers do it (reference/k8s-custom-metrics.md 4.4), and the optional narrowing of who may
 * read metrics.
 *
 * Two ways in, decided once per connection from the TLS client certificate:
 *  - front proxy: kube-apiserver's proxy certificate, verified against
 *    --requestheader-client-ca-file with its CN in --requestheader-allowed-names (an empty
 *    list accepts any CN that CA signed, as kube does). The user is then the first non-empty
 *    X-Remote-User header and the groups every X-Remote-Group header, per request; a request
 *    without X-Remote-User is refused. These headers are trusted on this path only.
 *  - client certificate: verified against --client-ca-file; user = CN, groups = O.
 * Anything else (no certificate, an unknown CA, no CN) is unauthenticated. --authorized-users
 * and --authorized-groups, when set, admit only those (members of system:masters always,
 * as Go apiservers do). */
#ifndef RIZK_HTTP_AUTH_H
#define RIZK_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include <gnutls/gnutls.h>

struct config;
struct tls_creds;

#define AUTH_MAX_GROUPS 32
#define AUTH_NAME_MAX 256

enum auth_peer_kind {
    AUTH_PEER_NONE = 0,    /* no client certificate (or plain HTTP) */
    AUTH_PEER_UNTRUSTED,   /* a certificate no configured CA vouches for (or without a CN) */
    AUTH_PEER_CLIENT,      /* --client-ca-file: cn is the user, groups the O fields */
    AUTH_PEER_FRONT_PROXY, /* --requestheader-client-ca-file and an allowed CN */
};

/* What the TLS layer says about a connection's peer (per connection, immutable once made). */
struct auth_peer {
    enum auth_peer_kind kind;
    char cn[AUTH_NAME_MAX];
    char groups[AUTH_MAX_GROUPS][AUTH_NAME_MAX]; /* O fields, AUTH_PEER_CLIENT only */
    size_t ngroups;
};

#define AUTH_MAX_EXTRA 32

/* One value of a user's extra attribute (a key may repeat: one entry per value, in order). */
struct auth_extra {
    const char *key; /* lower-case, as Kubernetes keeps extra keys */
    const char *value;
};

/* Who made one request. Strings borrowed from the peer, the request's headers or the
 * TokenReview answer held for the request. */
struct auth_identity {
    const char *user;
    const char *uid; /* NULL or "" when unknown */
    const char *groups[AUTH_MAX_GROUPS];
    size_t ngroups;
    struct auth_extra extra[AUTH_MAX_EXTRA];
    size_t nextra;
    const char *via; /* "front-proxy", "client-cert", "token", "insecure-http", "anonymous" */
};

/* The configured lists, parsed once (comma-separated flags). */
struct auth_policy;

/* auth_policy_new parses --requestheader-allowed-names, --authorized-users,
 * --authorized-groups and --insecure-http. *out owned by the caller. thread: main. */
int auth_policy_new(const struct config *cfg, struct auth_policy **out);
void auth_policy_free(struct auth_policy *p);
/* auth_policy_is_insecure: --insecure-http (no TLS: everyone is "system:anonymous"). */
bool auth_policy_is_insecure(const struct auth_policy *p);
/* auth_policy_restricts: --authorized-users or --authorized-groups is set. */
bool auth_policy_restricts(const struct auth_policy *p);

/* auth_peer_classify reads the peer certificate of session (leaf first) and classifies it with
 * creds' CA sets and the policy's allowed front-proxy names. Never fails: problems make the
 * peer AUTH_PEER_UNTRUSTED. thread: the connection's. */
void auth_peer_classify(const struct tls_creds *creds, const struct auth_policy *p,
                        gnutls_session_t session, struct auth_peer *out);

/* auth_identify builds the identity of one request from the peer and, for the front proxy
 * only, its X-Remote-User (first non-empty, may be NULL) and X-Remote-Group values (n of
 * them, borrowed). Returns 0, or -EACCES with *why (a literal) when the request is not
 * authenticated. peer NULL means plain HTTP under --insecure-http. thread: any. */
int auth_identify(const struct auth_peer *peer, const char *remote_user,
                  const char *const *remote_groups, size_t n, struct auth_identity *out,
                  const char **why);

/* auth_authorized tells whether id may read metrics under p. thread: any. */
bool auth_authorized(const struct auth_policy *p, const struct auth_identity *id);

/* auth_list_contains tells whether the comma-separated list (blanks around items ignored)
 * holds name exactly. Pure; exposed for tests. */
bool auth_list_contains(const char *list, const char *name);

#endif
