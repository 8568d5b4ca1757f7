/* web-config.yml with libyaml's document loader: the whole file becomes a node tree (aliases
 * are shared nodes, never expanded copies), then one walker per section checks every key
 * against the toolkit's schema. Marks give the line and column of each node, so every error
 * names the key and where it is. */
#include "parse/webconfig.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "core/strparse.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct wc_ctx {
    yaml_document_t *doc;
    struct parse_err *e;
    char *why;
    size_t whylen;
    const yaml_node_t *section; /* the key of the section being read: errors about the
                                 * section as a whole point at its line */
};

__attribute__((format(printf, 3, 4))) static int wc_fail(struct wc_ctx *c, const yaml_node_t *n,
                                                         const char *fmt, ...)
{
    unsigned line = n != NULL ? (unsigned)n->start_mark.line + 1 : 0;
    unsigned col = n != NULL ? (unsigned)n->start_mark.column + 1 : 0;
    if (c->e != NULL) {
        c->e->line = line;
        c->e->col = col;
        c->e->what = "invalid web config";
    }
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(c->why, c->whylen, "line %u: %s", line, msg);
    return -EPROTO;
}

static yaml_node_t *wc_node(struct wc_ctx *c, int id)
{
    return yaml_document_get_node(c->doc, id);
}

/* wc_is_null: an empty value ("key:") or an explicit null, which Go's decoder leaves as the
 * zero value. */
static bool wc_is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)n->data.scalar.value;
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static int wc_string(struct wc_ctx *c, const yaml_node_t *v, const char *key, char **out)
{
    if (v->type != YAML_SCALAR_NODE)
        return wc_fail(c, v, "%s must be a string", key);
    const char *s = wc_is_null(v) ? "" : (const char *)v->data.scalar.value;
    if (strlen(s) != v->data.scalar.length)
        return wc_fail(c, v, "%s contains a NUL byte", key);
    free(*out);
    *out = xstrdup(s);
    return 0;
}

static int wc_bool(struct wc_ctx *c, const yaml_node_t *v, const char *key, bool *out)
{
    const char *s = v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value : "";
    if (v->type == YAML_SCALAR_NODE && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0) {
            *out = false;
            return 0;
        }
    }
    return wc_fail(c, v, "%s must be true or false", key);
}

/* wc_list reads a sequence of strings (or null: an empty list). */
static int wc_list(struct wc_ctx *c, const yaml_node_t *v, const char *key, char **items, size_t *n)
{
    if (wc_is_null(v))
        return 0;
    if (v->type != YAML_SEQUENCE_NODE)
        return wc_fail(c, v, "%s must be a list", key);
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *item = wc_node(c, *it);
        if (*n >= WEBCONFIG_MAX_LIST) {
            wc_fail(c, item, "%s has more than %u items", key, WEBCONFIG_MAX_LIST);
            return -E2BIG;
        }
        if (item->type != YAML_SCALAR_NODE || wc_is_null(item))
            return wc_fail(c, item, "%s items must be strings", key);
        char *s = NULL;
        int rc = wc_string(c, item, key, &s);
        if (rc < 0)
            return rc;
        items[(*n)++] = s;
    }
    return 0;
}

/* wc_mapping checks that v is a mapping without duplicate keys (Go's yaml.v2 UnmarshalStrict
 * rejects those too) and with scalar keys only. */
static int wc_mapping(struct wc_ctx *c, const yaml_node_t *v, const char *what)
{
    if (v->type != YAML_MAPPING_NODE)
        return wc_fail(c, v, "%s must be a mapping", what);
    /* the duplicate check below is quadratic: bound it before it runs */
    if (v->data.mapping.pairs.top - v->data.mapping.pairs.start > WEBCONFIG_MAX_USERS) {
        wc_fail(c, v, "%s has more than %u keys", what, WEBCONFIG_MAX_USERS);
        return -E2BIG;
    }
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *k = wc_node(c, p->key);
        if (k->type != YAML_SCALAR_NODE)
            return wc_fail(c, k, "%s: keys must be strings", what);
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *k2 = wc_node(c, q->key);
            if (k2->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value,
                                                       (const char *)k2->data.scalar.value) == 0)
                return wc_fail(c, k, "duplicate key \"%s\" in %s", k->data.scalar.value, what);
        }
    }
    return 0;
}

static const char *const wc_auth_names[] = {
    "NoClientCert",
    "RequestClientCert",
    "RequireAnyClientCert",
    "VerifyClientCertIfGiven",
    "RequireAndVerifyClientCert",
};

const char *webconfig_client_auth_name(enum webconfig_client_auth a)
{
    return (unsigned)a < sizeof(wc_auth_names) / sizeof(wc_auth_names[0]) ? wc_auth_names[a] : "?";
}

static int wc_version(struct wc_ctx *c, const yaml_node_t *v, const char *key,
                      enum webconfig_tls_version *out)
{
    static const struct {
        const char *name;
        enum webconfig_tls_version v;
    } names[] = {{"TLS10", WEBCONFIG_TLS10},
                 {"TLS11", WEBCONFIG_TLS11},
                 {"TLS12", WEBCONFIG_TLS12},
                 {"TLS13", WEBCONFIG_TLS13}};
    if (v->type == YAML_SCALAR_NODE)
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (strcmp((const char *)v->data.scalar.value, names[i].name) == 0) {
                *out = names[i].v;
                return 0;
            }
    return wc_fail(c, v, "%s: unknown TLS version \"%s\" (TLS10, TLS11, TLS12, TLS13)", key,
                   v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value : "");
}

static int wc_tls(struct wc_ctx *c, const yaml_node_t *m, struct webconfig *w)
{
    if (wc_is_null(m))
        return 0;
    int rc = wc_mapping(c, m, "tls_server_config");
    if (rc < 0)
        return rc;
    bool any = false;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = wc_node(c, p->key), *v = wc_node(c, p->value);
        const char *key = (const char *)k->data.scalar.value;
        any = true;
        if (strcmp(key, "cert_file") == 0) {
            rc = wc_string(c, v, key, &w->cert_file);
        } else if (strcmp(key, "key_file") == 0) {
            rc = wc_string(c, v, key, &w->key_file);
        } else if (strcmp(key, "client_ca_file") == 0) {
            rc = wc_string(c, v, key, &w->client_ca_file);
        } else if (strcmp(key, "client_auth_type") == 0) {
            rc = -EPROTO;
            const char *s = v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value : "";
            for (size_t i = 0; i < sizeof(wc_auth_names) / sizeof(wc_auth_names[0]); i++)
                if (strcmp(s, wc_auth_names[i]) == 0) {
                    w->client_auth = (enum webconfig_client_auth)i;
                    rc = 0;
                }
            if (strcmp(s, "RequireClientCert") == 0) { /* the toolkit's older spelling */
                w->client_auth = WEBCONFIG_REQUIRE_ANY_CLIENT_CERT;
                rc = 0;
            }
            if (wc_is_null(v))
                rc = 0;
            if (rc < 0)
                return wc_fail(c, v, "invalid client_auth_type \"%s\"", s);
        } else if (strcmp(key, "client_allowed_sans") == 0) {
            rc = wc_list(c, v, key, w->client_allowed_sans, &w->nsans);
        } else if (strcmp(key, "min_version") == 0) {
            rc = wc_version(c, v, key, &w->min_version);
        } else if (strcmp(key, "max_version") == 0) {
            rc = wc_version(c, v, key, &w->max_version);
        } else if (strcmp(key, "cipher_suites") == 0) {
            rc = wc_list(c, v, key, w->cipher_suites, &w->nciphers);
        } else if (strcmp(key, "curve_preferences") == 0) {
            rc = wc_list(c, v, key, w->curves, &w->ncurves);
        } else if (strcmp(key, "prefer_server_cipher_suites") == 0) {
            rc = wc_bool(c, v, key, &w->prefer_server_cipher_suites);
        } else if (strcmp(key, "cert") == 0 || strcmp(key, "key") == 0 ||
                   strcmp(key, "client_ca") == 0) {
            return wc_fail(c, k,
                           "tls_server_config.%s (inline PEM) is not supported: use %s_file "
                           "(a mounted Secret)",
                           key, key);
        } else {
            return wc_fail(c, k, "unknown key \"%s\" in tls_server_config", key);
        }
        if (rc < 0)
            return rc;
    }
    if (!any)
        return 0;
    w->has_tls = true;
    if (w->cert_file == NULL || w->cert_file[0] == '\0')
        return wc_fail(c, c->section, "tls_server_config: missing cert_file");
    if (w->key_file == NULL || w->key_file[0] == '\0')
        return wc_fail(c, c->section, "tls_server_config: missing key_file");
    bool has_ca = w->client_ca_file != NULL && w->client_ca_file[0] != '\0';
    if (has_ca && w->client_auth == WEBCONFIG_NO_CLIENT_CERT)
        return wc_fail(c, c->section,
                       "tls_server_config: client_ca_file is set without a client_auth_type "
                       "that uses it");
    if (!has_ca && (w->client_auth == WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN ||
                    w->client_auth == WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT))
        return wc_fail(c, c->section, "tls_server_config: client_auth_type %s needs client_ca_file",
                       webconfig_client_auth_name(w->client_auth));
    if (w->nsans > 0 && w->client_auth != WEBCONFIG_REQUIRE_ANY_CLIENT_CERT &&
        w->client_auth != WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT)
        return wc_fail(c, c->section,
                       "tls_server_config: client_allowed_sans needs client_auth_type "
                       "RequireAnyClientCert or RequireAndVerifyClientCert");
    if (w->min_version > w->max_version)
        return wc_fail(c, c->section, "tls_server_config: min_version is above max_version");
    return 0;
}

static int wc_headers(struct wc_ctx *c, const yaml_node_t *m, struct webconfig *w)
{
    static const char *const allowed[WEBCONFIG_NHEADERS] = {
        "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "X-XSS-Protection",
        "Strict-Transport-Security"};
    if (wc_is_null(m))
        return 0;
    int rc = wc_mapping(c, m, "headers");
    if (rc < 0)
        return rc;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = wc_node(c, p->key), *v = wc_node(c, p->value);
        const char *key = (const char *)k->data.scalar.value;
        size_t i = 0;
        while (i < WEBCONFIG_NHEADERS && strcmp(key, allowed[i]) != 0)
            i++;
        if (i == WEBCONFIG_NHEADERS)
            return wc_fail(c, k, "HTTP header \"%s\" can not be configured", key);
        char *val = NULL;
        rc = wc_string(c, v, key, &val);
        if (rc < 0)
            return rc;
        /* values end up in a response header line: no line breaks, no control bytes */
        for (const char *s = val; *s != '\0'; s++)
            if ((unsigned char)*s < 0x20 || *s == 0x7f) {
                free(val);
                return wc_fail(c, v, "header %s contains a control character", key);
            }
        bool ok = true;
        if (strcmp(key, "X-Frame-Options") == 0)
            ok = strcasecmp(val, "deny") == 0 || strcasecmp(val, "sameorigin") == 0;
        else if (strcmp(key, "X-Content-Type-Options") == 0)
            ok = strcasecmp(val, "nosniff") == 0;
        if (!ok || val[0] == '\0') {
            rc = wc_fail(c, v, "invalid value for %s: \"%s\"", key, val);
            free(val);
            return rc;
        }
        w->headers[w->nheaders].name = xstrdup(allowed[i]);
        w->headers[w->nheaders].value = val;
        w->nheaders++;
    }
    return 0;
}

static int wc_http(struct wc_ctx *c, const yaml_node_t *m, struct webconfig *w)
{
    if (wc_is_null(m))
        return 0;
    int rc = wc_mapping(c, m, "http_server_config");
    if (rc < 0)
        return rc;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = wc_node(c, p->key), *v = wc_node(c, p->value);
        const char *key = (const char *)k->data.scalar.value;
        if (strcmp(key, "http2") == 0)
            rc = wc_bool(c, v, key, &w->http2);
        else if (strcmp(key, "headers") == 0)
            rc = wc_headers(c, v, w);
        else
            return wc_fail(c, k, "unknown key \"%s\" in http_server_config", key);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* wc_bcrypt_ok: "$2a$", "$2b$" or "$2y$", a two-digit cost 04-31, "$", then 53 characters of
 * bcrypt's base64 (22 salt + 31 hash). */
static bool wc_bcrypt_ok(const char *h)
{
    if (strlen(h) != 60 || h[0] != '$' || h[1] != '2' || strchr("aby", h[2]) == NULL ||
        h[2] == '\0' || h[3] != '$' || h[6] != '$')
        return false;
    if (h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9')
        return false;
    int cost = (h[4] - '0') * 10 + (h[5] - '0');
    if (cost < 4 || cost > 31)
        return false;
    for (const char *s = h + 7; *s != '\0'; s++)
        if (strchr("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", *s) ==
                NULL ||
            *s == '\0')
            return false;
    return true;
}

static int wc_users(struct wc_ctx *c, const yaml_node_t *m, struct webconfig *w)
{
    if (wc_is_null(m))
        return 0;
    int rc = wc_mapping(c, m, "basic_auth_users");
    if (rc < 0)
        return rc;
    size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    w->users = xcalloc(n > 0 ? n : 1, sizeof(*w->users));
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = wc_node(c, p->key), *v = wc_node(c, p->value);
        const char *user = (const char *)k->data.scalar.value;
        if (user[0] == '\0' || strchr(user, ':') != NULL)
            return wc_fail(c, k, "basic_auth_users: invalid user name \"%s\"", user);
        char *hash = NULL;
        rc = wc_string(c, v, user, &hash);
        if (rc < 0)
            return rc;
        if (!wc_bcrypt_ok(hash)) {
            free(hash);
            /* never echo the value: it may be a password pasted by mistake */
            return wc_fail(c, v,
                           "basic_auth_users: the hash of \"%s\" is not a bcrypt hash ($2a$, "
                           "$2b$ or $2y$; make one with htpasswd -nBC 10)",
                           user);
        }
        w->users[w->nusers].name = xstrdup(user);
        w->users[w->nusers].hash = hash;
        w->nusers++;
    }
    return 0;
}

/* wc_go_duration parses Go's time.ParseDuration syntax ("100ms", "1.5s", "1h30m", "0"), the
 * way yaml decodes the toolkit's time.Duration, into whole milliseconds (a positive value below
 * 1ms is an error: the limiter counts in ms). */
static int wc_go_duration(const char *s, int64_t *ms)
{
    static const struct {
        const char *unit;
        double ms;
    } units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"\xc2\xb5s", 1e-3}, {"ms", 1},
                 {"s", 1e3},   {"m", 6e4},   {"h", 3.6e6}};
    if (strcmp(s, "0") == 0) {
        *ms = 0;
        return 0;
    }
    double total = 0;
    const char *p = s;
    if (*p == '\0')
        return -EINVAL;
    while (*p != '\0') {
        /* digits and one dot only: strtod's exponents, signs and "inf" are not Go's syntax */
        size_t span = strspn(p, "0123456789.");
        const char *start = p;
        double v = 0;
        if (span == 0 || sp_double(&p, &v) < 0 || (size_t)(p - start) != span || !isfinite(v))
            return -EINVAL;
        size_t best = 0;
        double mul = 0;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            size_t n = strlen(units[i].unit);
            if (n > best && strncmp(p, units[i].unit, n) == 0) {
                best = n;
                mul = units[i].ms;
            }
        }
        if (best == 0)
            return -EINVAL;
        p += best;
        total += v * mul;
    }
    if (total > 1e12 || (total > 0 && total < 1))
        return -EINVAL;
    *ms = (int64_t)total;
    return 0;
}

static int wc_rate_limit(struct wc_ctx *c, const yaml_node_t *m, struct webconfig *w)
{
    if (wc_is_null(m))
        return 0;
    int rc = wc_mapping(c, m, "rate_limit");
    if (rc < 0)
        return rc;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = wc_node(c, p->key), *v = wc_node(c, p->value);
        const char *key = (const char *)k->data.scalar.value;
        const char *s = v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value : NULL;
        if (strcmp(key, "interval") == 0) {
            if (s == NULL || wc_go_duration(s, &w->rate_interval_ms) < 0)
                return wc_fail(c, v,
                               "rate_limit.interval: invalid duration (Go syntax: 100ms, 1.5s, "
                               "1m; at least 1ms)");
        } else if (strcmp(key, "burst") == 0) {
            const char *q = s;
            if (s == NULL || sp_u64(&q, &w->rate_burst) < 0 || *q != '\0' ||
                w->rate_burst > 1000000)
                return wc_fail(c, v, "rate_limit.burst: an integer from 0 to 1000000");
        } else {
            return wc_fail(c, k, "unknown key \"%s\" in rate_limit", key);
        }
    }
    if (w->rate_interval_ms > 0 && w->rate_burst == 0)
        return wc_fail(c, c->section, "rate_limit: burst must be at least 1 when interval is set");
    return 0;
}

static int wc_root(struct wc_ctx *c, struct webconfig *w)
{
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (root == NULL || wc_is_null(root))
        return 0; /* an empty file: no TLS, no auth, as the toolkit treats it */
    int rc = wc_mapping(c, root, "the web config");
    if (rc < 0)
        return rc;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = wc_node(c, p->key), *v = wc_node(c, p->value);
        const char *key = (const char *)k->data.scalar.value;
        c->section = k;
        if (strcmp(key, "tls_server_config") == 0)
            rc = wc_tls(c, v, w);
        else if (strcmp(key, "http_server_config") == 0)
            rc = wc_http(c, v, w);
        else if (strcmp(key, "basic_auth_users") == 0)
            rc = wc_users(c, v, w);
        else if (strcmp(key, "rate_limit") == 0)
            rc = wc_rate_limit(c, v, w);
        else
            return wc_fail(c, k, "unknown key \"%s\"", key);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int parse_webconfig(const char *buf, size_t len, struct webconfig **out, struct parse_err *e,
                    char *why, size_t whylen)
{
    char dummy[8];
    if (why == NULL) {
        why = dummy;
        whylen = sizeof(dummy);
    }
    struct wc_ctx c = {.e = e, .why = why, .whylen = whylen};
    if (len > WEBCONFIG_MAX_BYTES) {
        snprintf(why, whylen, "the file is larger than %u bytes", WEBCONFIG_MAX_BYTES);
        return -E2BIG;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(why, whylen, "cannot initialise the YAML parser");
        return -ENOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    if (!yaml_parser_load(&parser, &doc)) {
        unsigned line = (unsigned)parser.problem_mark.line + 1;
        unsigned col = (unsigned)parser.problem_mark.column + 1;
        if (e != NULL) {
            e->line = line;
            e->col = col;
            e->what = "malformed YAML";
        }
        snprintf(why, whylen, "line %u: malformed YAML: %s%s%s", line,
                 parser.problem != NULL ? parser.problem : "error",
                 parser.context != NULL ? " " : "", parser.context != NULL ? parser.context : "");
        yaml_parser_delete(&parser);
        return -EPROTO;
    }
    struct webconfig *w = xcalloc(1, sizeof(*w));
    w->min_version = WEBCONFIG_TLS12;
    w->max_version = WEBCONFIG_TLS13;
    w->prefer_server_cipher_suites = true;
    w->http2 = true;
    c.doc = &doc;
    int rc = wc_root(&c, w);
    if (rc == 0) {
        /* a second document is not a web config the toolkit would read either */
        yaml_document_t more;
        if (yaml_parser_load(&parser, &more)) {
            if (yaml_document_get_root_node(&more) != NULL) {
                snprintf(why, whylen, "line %u: more than one YAML document",
                         (unsigned)more.start_mark.line + 1);
                rc = -EPROTO;
            }
            yaml_document_delete(&more);
        } else {
            snprintf(why, whylen, "line %u: malformed YAML: %s",
                     (unsigned)parser.problem_mark.line + 1,
                     parser.problem != NULL ? parser.problem : "error");
            rc = -EPROTO;
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc < 0) {
        webconfig_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

void webconfig_free(struct webconfig *w)
{
    if (w == NULL)
        return;
    free(w->cert_file);
    free(w->key_file);
    free(w->client_ca_file);
    for (size_t i = 0; i < w->nsans; i++)
        free(w->client_allowed_sans[i]);
    for (size_t i = 0; i < w->nciphers; i++)
        free(w->cipher_suites[i]);
    for (size_t i = 0; i < w->ncurves; i++)
        free(w->curves[i]);
    for (size_t i = 0; i < w->nheaders; i++) {
        free(w->headers[i].name);
        free(w->headers[i].value);
    }
    for (size_t i = 0; i < w->nusers; i++) {
        free(w->users[i].name);
        if (w->users[i].hash != NULL)
            explicit_bzero(w->users[i].hash, strlen(w->users[i].hash));
        free(w->users[i].hash);
    }
    free(w->users);
    free(w);
}
