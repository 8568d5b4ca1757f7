/* kubeconfig parsing with libyaml's document loader. The loader keeps aliases as references to
 * one node, and this file only walks fixed paths (never recursing over the tree), so an alias
 * bomb costs nothing beyond the input size. */
#include "parse/kubeconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "core/xalloc.h"
#include "core/banned.h"

struct kc_doc {
    yaml_document_t doc;
    struct parse_err *err;
};

static void kc_fail(struct kc_doc *d, const yaml_node_t *n, const char *what)
{
    if (d->err == NULL)
        return;
    d->err->line = n != NULL ? (unsigned)n->start_mark.line + 1 : 0;
    d->err->col = n != NULL ? (unsigned)n->start_mark.column + 1 : 0;
    d->err->what = what;
}

static yaml_node_t *kc_node(struct kc_doc *d, int id)
{
    return yaml_document_get_node(&d->doc, id);
}

/* A plain empty, "~" or "null" scalar is YAML's null: the key is as good as absent. */
static bool kc_is_null(const yaml_node_t *n)
{
    if (n == NULL)
        return true;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)n->data.scalar.value;
    return n->data.scalar.length == 0 || strcmp(v, "~") == 0 || strcasecmp(v, "null") == 0;
}

static bool kc_scalar_is(const yaml_node_t *n, const char *s)
{
    return n != NULL && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
           memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

/* kc_get returns the value of key in mapping m (the first one), NULL when m is no mapping or
 * lacks it. */
static yaml_node_t *kc_get(struct kc_doc *d, const yaml_node_t *m, const char *key)
{
    if (m == NULL || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
        if (kc_scalar_is(kc_node(d, p->key), key))
            return kc_node(d, p->value);
    return NULL;
}

/* kc_str copies the scalar value of key into *out (NULL when absent or null). A non-scalar or a
 * value holding a NUL byte is malformed. */
static int kc_str(struct kc_doc *d, const yaml_node_t *m, const char *key, char **out)
{
    yaml_node_t *v = kc_get(d, m, key);
    *out = NULL;
    if (kc_is_null(v))
        return 0;
    if (v->type != YAML_SCALAR_NODE) {
        kc_fail(d, v, "expected a string");
        return -EPROTO;
    }
    const char *s = (const char *)v->data.scalar.value;
    if (strlen(s) != v->data.scalar.length) {
        kc_fail(d, v, "a NUL byte in a string");
        return -EPROTO;
    }
    *out = xstrdup(s);
    return 0;
}

/* kc_bool reads a YAML 1.1 boolean (what Go's yaml.v2 accepts for a bool field). */
static int kc_bool(struct kc_doc *d, const yaml_node_t *m, const char *key, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "y"};
    static const char *const no[] = {"false", "no", "off", "n"};
    yaml_node_t *v = kc_get(d, m, key);
    *out = false;
    if (kc_is_null(v))
        return 0;
    if (v->type == YAML_SCALAR_NODE) {
        const char *s = (const char *)v->data.scalar.value;
        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
            if (strcasecmp(s, yes[i]) == 0) {
                *out = true;
                return 0;
            }
            if (strcasecmp(s, no[i]) == 0)
                return 0;
        }
    }
    kc_fail(d, v, "expected true or false");
    return -EPROTO;
}

/* kc_find returns the `inner` mapping of the entry of the top-level list `list` whose name is
 * name (clusters[].cluster, users[].user, contexts[].context); NULL when there is none. */
static yaml_node_t *kc_find(struct kc_doc *d, const yaml_node_t *root, const char *list,
                            const char *inner, const char *name, bool *found)
{
    yaml_node_t *seq = kc_get(d, root, list);
    *found = false;
    if (seq == NULL || seq->type != YAML_SEQUENCE_NODE)
        return NULL;
    for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top;
         it++) {
        yaml_node_t *e = kc_node(d, *it);
        if (kc_scalar_is(kc_get(d, e, "name"), name)) {
            *found = true;
            return kc_get(d, e, inner);
        }
    }
    return NULL;
}

static int kc_resolve(struct kc_doc *d, const char *context, struct kubeconfig *k)
{
    yaml_node_t *root = yaml_document_get_root_node(&d->doc);
    if (root == NULL || root->type != YAML_MAPPING_NODE) {
        kc_fail(d, root, "a kubeconfig is a YAML mapping");
        return -EPROTO;
    }
    int rc = 0;
    if (context != NULL && context[0] != '\0') {
        k->context = xstrdup(context);
    } else {
        rc = kc_str(d, root, "current-context", &k->context);
        if (rc < 0)
            return rc;
        if (k->context == NULL || k->context[0] == '\0') {
            kc_fail(d, kc_get(d, root, "current-context"), "no current-context");
            return -EPROTO;
        }
    }
    bool found = false;
    yaml_node_t *ctx = kc_find(d, root, "contexts", "context", k->context, &found);
    if (!found || ctx == NULL || ctx->type != YAML_MAPPING_NODE) {
        kc_fail(d, kc_get(d, root, "contexts"), "the context is not defined");
        return -EPROTO;
    }
    rc = kc_str(d, ctx, "cluster", &k->cluster);
    if (rc == 0)
        rc = kc_str(d, ctx, "user", &k->user);
    if (rc == 0)
        rc = kc_str(d, ctx, "namespace", &k->namespace);
    if (rc < 0)
        return rc;
    if (k->cluster == NULL || k->cluster[0] == '\0') {
        kc_fail(d, ctx, "the context names no cluster");
        return -EPROTO;
    }
    yaml_node_t *cl = kc_find(d, root, "clusters", "cluster", k->cluster, &found);
    if (!found || cl == NULL || cl->type != YAML_MAPPING_NODE) {
        kc_fail(d, kc_get(d, ctx, "cluster"), "the context's cluster is not defined");
        return -EPROTO;
    }
    rc = kc_str(d, cl, "server", &k->server);
    if (rc == 0)
        rc = kc_str(d, cl, "tls-server-name", &k->tls_server_name);
    if (rc == 0)
        rc = kc_str(d, cl, "certificate-authority", &k->ca_file);
    if (rc == 0)
        rc = kc_str(d, cl, "certificate-authority-data", &k->ca_data);
    if (rc == 0)
        rc = kc_bool(d, cl, "insecure-skip-tls-verify", &k->insecure_skip_tls_verify);
    if (rc < 0)
        return rc;
    if (k->server == NULL || k->server[0] == '\0') {
        kc_fail(d, cl, "the cluster has no server");
        return -EPROTO;
    }
    if (k->insecure_skip_tls_verify && (k->ca_file != NULL || k->ca_data != NULL)) {
        /* client-go refuses this combination too: one of the two is a mistake */
        kc_fail(d, kc_get(d, cl, "insecure-skip-tls-verify"),
                "insecure-skip-tls-verify together with a certificate-authority");
        return -EPROTO;
    }
    if (k->user == NULL || k->user[0] == '\0')
        return 0; /* anonymous */
    yaml_node_t *u = kc_find(d, root, "users", "user", k->user, &found);
    if (!found) {
        kc_fail(d, kc_get(d, ctx, "user"), "the context's user is not defined");
        return -EPROTO;
    }
    if (kc_is_null(u))
        return 0;
    if (u->type != YAML_MAPPING_NODE) {
        kc_fail(d, u, "a user is a mapping");
        return -EPROTO;
    }
    rc = kc_str(d, u, "token", &k->token);
    if (rc == 0)
        rc = kc_str(d, u, "tokenFile", &k->token_file);
    if (rc == 0)
        rc = kc_str(d, u, "client-certificate", &k->cert_file);
    if (rc == 0)
        rc = kc_str(d, u, "client-certificate-data", &k->cert_data);
    if (rc == 0)
        rc = kc_str(d, u, "client-key", &k->key_file);
    if (rc == 0)
        rc = kc_str(d, u, "client-key-data", &k->key_data);
    if (rc < 0)
        return rc;
    bool cert = k->cert_file != NULL || k->cert_data != NULL;
    bool key = k->key_file != NULL || k->key_data != NULL;
    if (cert != key) {
        kc_fail(d, u,
                cert ? "a client certificate without its client-key"
                     : "a client-key without its client-certificate");
        return -EPROTO;
    }
    if (!cert && k->token == NULL && k->token_file == NULL) {
        if (kc_get(d, u, "exec") != NULL) {
            kc_fail(d, kc_get(d, u, "exec"), "exec credential plugins are not supported");
            return -EPROTO;
        }
        if (kc_get(d, u, "auth-provider") != NULL) {
            kc_fail(d, kc_get(d, u, "auth-provider"),
                    "auth-provider credentials are not supported");
            return -EPROTO;
        }
        if (kc_get(d, u, "username") != NULL || kc_get(d, u, "password") != NULL) {
            kc_fail(d, u, "basic-auth users are not supported");
            return -EPROTO;
        }
    }
    return 0;
}

int parse_kubeconfig(const char *text, size_t len, const char *context, struct kubeconfig *out,
                     struct parse_err *err)
{
    if (len > KUBECONFIG_MAX_BYTES) {
        if (err != NULL)
            *err = (struct parse_err){0, 0, "the kubeconfig is too large"};
        return -E2BIG;
    }
    yaml_parser_t p;
    struct kc_doc d = {.err = err};
    struct kubeconfig k = {0};
    if (yaml_parser_initialize(&p) == 0)
        return -ENOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (yaml_parser_load(&p, &d.doc) == 0) {
        if (err != NULL)
            *err = (struct parse_err){(unsigned)p.problem_mark.line + 1,
                                      (unsigned)p.problem_mark.column + 1,
                                      p.problem != NULL ? p.problem : "malformed YAML"};
        yaml_parser_delete(&p);
        /* problem points into the parser's static tables, never into freed memory */
        return -EPROTO;
    }
    int rc = kc_resolve(&d, context, &k);
    yaml_document_delete(&d.doc);
    yaml_parser_delete(&p);
    if (rc < 0) {
        kubeconfig_fini(&k);
        return rc;
    }
    *out = k;
    return 0;
}

void kubeconfig_fini(struct kubeconfig *k)
{
    if (k == NULL)
        return;
    free(k->context);
    free(k->cluster);
    free(k->user);
    free(k->namespace);
    free(k->server);
    free(k->tls_server_name);
    free(k->ca_file);
    free(k->ca_data);
    free(k->token);
    free(k->token_file);
    free(k->cert_file);
    free(k->cert_data);
    free(k->key_file);
    free(k->key_data);
    memset(k, 0, sizeof(*k));
}
