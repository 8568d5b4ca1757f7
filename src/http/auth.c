/* Authentication and authorization of adapter requests: certificate classification with
 * GnuTLS (once per connection), identity per request, the configured allow lists. */
#include "http/auth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/xalloc.h"
#include "http/tls.h"
#include "core/banned.h"

#define AUTH_MAX_CHAIN 8

struct auth_policy {
    char *allowed_names; /* NULL: any CN the front-proxy CA signed */
    char *users;
    char *groups;
    bool insecure;
};

static char *auth_list_dup(const char *s)
{
    /* a list of only blanks and commas is no list */
    if (s == NULL || s[strspn(s, " ,\t")] == '\0')
        return NULL;
    return xstrdup(s);
}

int auth_policy_new(const struct config *cfg, struct auth_policy **out)
{
    struct auth_policy *p = xcalloc(1, sizeof(*p));
    p->allowed_names = auth_list_dup(cfg->requestheader_allowed_names);
    p->users = auth_list_dup(cfg->authorized_users);
    p->groups = auth_list_dup(cfg->authorized_groups);
    p->insecure = cfg->insecure_http;
    *out = p;
    return 0;
}

void auth_policy_free(struct auth_policy *p)
{
    if (p == NULL)
        return;
    free(p->allowed_names);
    free(p->users);
    free(p->groups);
    free(p);
}

bool auth_policy_is_insecure(const struct auth_policy *p)
{
    return p->insecure;
}

bool auth_policy_restricts(const struct auth_policy *p)
{
    return p->users != NULL || p->groups != NULL;
}

bool auth_list_contains(const char *list, const char *name)
{
    if (list == NULL)
        return false;
    size_t nl = strlen(name);
    const char *p = list;
    while (*p != '\0') {
        p += strspn(p, " \t");
        size_t n = strcspn(p, ",");
        size_t m = n;
        while (m > 0 && (p[m - 1] == ' ' || p[m - 1] == '\t'))
            m--;
        if (m == nl && m > 0 && memcmp(p, name, m) == 0)
            return true;
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

/* auth_dn_field copies the idx-th value of oid from the certificate's subject. */
static bool auth_dn_field(gnutls_x509_crt_t crt, const char *oid, unsigned idx, char *out,
                          size_t cap)
{
    size_t n = cap;
    if (gnutls_x509_crt_get_dn_by_oid(crt, oid, idx, 0, out, &n) < 0) {
        out[0] = '\0';
        return false;
    }
    out[n < cap ? n : cap - 1] = '\0';
    return out[0] != '\0';
}

static void auth_classify_chain(const struct tls_creds *creds, const struct auth_policy *p,
                                const gnutls_x509_crt_t *chain, unsigned n, struct auth_peer *out)
{
    char cn[AUTH_NAME_MAX];
    if (!auth_dn_field(chain[0], GNUTLS_OID_X520_COMMON_NAME, 0, cn, sizeof(cn)))
        return; /* no CN: Go's authenticators accept no such certificate either */
    /* The front proxy first, as Go apiservers order their authenticators: a certificate
     * both CAs signed, with an allowed CN, is the proxy. */
    if (tls_creds_verify(creds, TLS_CA_PROXY, chain, n) == 0 &&
        (p->allowed_names == NULL || auth_list_contains(p->allowed_names, cn))) {
        out->kind = AUTH_PEER_FRONT_PROXY;
        memcpy(out->cn, cn, sizeof(cn));
        return;
    }
    if (tls_creds_verify(creds, TLS_CA_CLIENT, chain, n) == 0) {
        out->kind = AUTH_PEER_CLIENT;
        memcpy(out->cn, cn, sizeof(cn));
        for (unsigned i = 0; out->ngroups < AUTH_MAX_GROUPS; i++) {
            if (!auth_dn_field(chain[0], GNUTLS_OID_X520_ORGANIZATION_NAME, i,
                               out->groups[out->ngroups], AUTH_NAME_MAX))
                break;
            out->ngroups++;
        }
    }
}

void auth_peer_classify(const struct tls_creds *creds, const struct auth_policy *p,
                        gnutls_session_t session, struct auth_peer *out)
{
    memset(out, 0, sizeof(*out));
    gnutls_x509_crt_t chain[AUTH_MAX_CHAIN];
    unsigned n = 0;
    int rc = tls_peer_chain(session, chain, AUTH_MAX_CHAIN, &n);
    if (rc == -ENOENT)
        return;
    out->kind = AUTH_PEER_UNTRUSTED;
    if (rc < 0)
        return;
    auth_classify_chain(creds, p, chain, n, out);
    tls_chain_free(chain, n);
}

int auth_identify(const struct auth_peer *peer, const char *remote_user,
                  const char *const *remote_groups, size_t n, struct auth_identity *out,
                  const char **why)
{
    struct auth_identity id = {0};
    if (peer == NULL) {
        id.user = "system:anonymous";
        id.groups[id.ngroups++] = "system:unauthenticated";
        id.via = "insecure-http";
        *out = id;
        return 0;
    }
    switch (peer->kind) {
    case AUTH_PEER_FRONT_PROXY:
        if (remote_user == NULL || remote_user[0] == '\0') {
            *why = "front-proxy client certificate without an X-Remote-User header";
            return -EACCES;
        }
        id.user = remote_user;
        for (size_t i = 0; i < n && id.ngroups < AUTH_MAX_GROUPS; i++)
            if (remote_groups[i][0] != '\0')
                id.groups[id.ngroups++] = remote_groups[i];
        id.via = "front-proxy";
        break;
    case AUTH_PEER_CLIENT:
        id.user = peer->cn;
        for (size_t i = 0; i < peer->ngroups; i++)
            id.groups[id.ngroups++] = peer->groups[i];
        id.via = "client-cert";
        break;
    case AUTH_PEER_UNTRUSTED:
        *why = "the client certificate is not signed by a trusted CA (--client-ca-file, "
               "--requestheader-client-ca-file with --requestheader-allowed-names) or has no CN";
        return -EACCES;
    default:
        *why = "a client certificate is required";
        return -EACCES;
    }
    *out = id;
    return 0;
}

bool auth_authorized(const struct auth_policy *p, const struct auth_identity *id)
{
    if (!auth_policy_restricts(p))
        return true;
    if (auth_list_contains(p->users, id->user))
        return true;
    for (size_t i = 0; i < id->ngroups; i++)
        if (strcmp(id->groups[i], "system:masters") == 0 ||
            auth_list_contains(p->groups, id->groups[i]))
            return true;
    return false;
}
