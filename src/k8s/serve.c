/* The adapter's handler. One request: parse the route, answer the probes, establish the
 * identity, answer discovery from the documents rendered at start, or query the fleet and
 * render the list; then log who asked and what they got. */
#include "k8s/serve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "fleet/publish.h"
#include "fleet/query.h"
#include "fleet/selector.h"
#include "http/auth.h"
#include "parse/urldecode.h"
#include "io/redis_pool.h"
#include "k8s/custom_metrics.h"
#include "k8s/delegate.h"
#include "k8s/discovery.h"
#include "k8s/external_metrics.h"
#include "k8s/request_info.h"
#include "k8s/review.h"
#include "k8s/router.h"
#include "k8s/selfmetrics.h"
#include "k8s/status.h"
#include "render/escape.h"
#include "core/banned.h"

/* Largest answer: 10000 pods (FLEET_QUERY_MAX_PODS) of ~300 bytes fit with room to spare. */
#define SERVE_BODY_CAP (16u << 20)

#define SERVE_405_API "{\"error\":\"method not allowed\"}"

struct serve_doc {
    char *body;
    size_t len;
};

struct k8s_serve {
    const struct config *cfg;
    struct redis_pool *pool;
    const struct auth_policy *policy;
    struct k8s_serve_auth auth;
    struct k8s_selfmetrics *metrics; /* the adapter's own /metrics */
    struct serve_doc apis, group[2], resources[2][2], version;
};

/* What one request produced, for the access log. */
struct serve_log {
    unsigned status;
    const struct auth_identity *id; /* NULL: no identity established */
    const char *why;                /* refusal reason (valid until the access log) or NULL */
    const char *authz;              /* how the request was authorized (literal) or NULL */
    long items;                     /* list items, -1 when not a list */
    bool quiet;                     /* probes: debug level only */
};

static int serve_render_doc(struct serve_doc *d, int (*fn)(struct buf *))
{
    struct buf b;
    buf_init(&b, 1 << 20);
    int rc = fn(&b);
    if (rc == 0)
        d->body = buf_steal(&b, &d->len);
    buf_fini(&b);
    return rc;
}

/* The discovery renderers with their arguments bound, for serve_render_doc. */
static int doc_group_custom(struct buf *b)
{
    return discovery_render_group(b, K8S_GROUP_CUSTOM);
}
static int doc_group_external(struct buf *b)
{
    return discovery_render_group(b, K8S_GROUP_EXTERNAL);
}
static int doc_res_custom_v1(struct buf *b)
{
    return discovery_render_resources(b, K8S_GROUP_CUSTOM, K8S_V1BETA1);
}
static int doc_res_custom_v2(struct buf *b)
{
    return discovery_render_resources(b, K8S_GROUP_CUSTOM, K8S_V1BETA2);
}
static int doc_res_external_v1(struct buf *b)
{
    return discovery_render_resources(b, K8S_GROUP_EXTERNAL, K8S_V1BETA1);
}

int k8s_serve_new(const struct config *cfg, struct redis_pool *pool,
                  const struct auth_policy *policy, struct k8s_serve **out)
{
    struct k8s_serve *s = xcalloc(1, sizeof(*s));
    s->cfg = cfg;
    s->pool = pool;
    s->policy = policy;
    s->auth = (struct k8s_serve_auth){.always_allow_paths = "/healthz,/readyz,/livez",
                                      .username_headers = "X-Remote-User",
                                      .group_headers = "X-Remote-Group",
                                      .extra_prefixes = "X-Remote-Extra-"};
    s->metrics = k8s_selfmetrics_new(clock_wall_ms());
    int rc = serve_render_doc(&s->apis, discovery_render_apis);
    if (rc == 0)
        rc = serve_render_doc(&s->group[K8S_GROUP_CUSTOM], doc_group_custom);
    if (rc == 0)
        rc = serve_render_doc(&s->group[K8S_GROUP_EXTERNAL], doc_group_external);
    if (rc == 0)
        rc = serve_render_doc(&s->resources[K8S_GROUP_CUSTOM][K8S_V1BETA1], doc_res_custom_v1);
    if (rc == 0)
        rc = serve_render_doc(&s->resources[K8S_GROUP_CUSTOM][K8S_V1BETA2], doc_res_custom_v2);
    if (rc == 0)
        rc = serve_render_doc(&s->resources[K8S_GROUP_EXTERNAL][K8S_V1BETA1], doc_res_external_v1);
    if (rc == 0)
        rc = serve_render_doc(&s->version, discovery_render_version);
    if (rc < 0) {
        k8s_serve_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void k8s_serve_set_auth(struct k8s_serve *s, const struct k8s_serve_auth *a)
{
    s->auth = *a;
}

void k8s_serve_free(struct k8s_serve *s)
{
    if (s == NULL)
        return;
    free(s->apis.body);
    free(s->group[0].body);
    free(s->group[1].body);
    for (int g = 0; g < 2; g++)
        for (int v = 0; v < 2; v++)
            free(s->resources[g][v].body);
    free(s->version.body);
    k8s_selfmetrics_free(s->metrics);
    free(s);
}

/* --- replies ------------------------------------------------------------------------------ */

static void serve_free_body(void *p)
{
    free(p);
}

static enum MHD_Result serve_reply_buf(const struct http_request *req, unsigned status,
                                       struct buf *b)
{
    size_t len = 0;
    char *body = buf_steal(b, &len);
    if (body == NULL)
        return http_reply_copy(req, status, "application/json", "", 0);
    return http_reply_zero_copy(req, status, "application/json", NULL, false, body, len,
                                serve_free_body, body);
}

/* serve_error replies a Status (paths under /apis/ and anything else a Kubernetes client may
 * ask) or, under /api/, the sidecar API's {"error": ...}. */
static enum MHD_Result serve_error(const struct http_request *req, struct serve_log *lg,
                                   unsigned status, const char *msg)
{
    lg->status = status;
    struct buf b;
    buf_init(&b, 64 * 1024);
    int rc;
    if (strncmp(req->path, "/api/", 5) == 0) {
        rc = buf_adds(&b, "{\"error\":\"");
        if (rc == 0)
            rc = escape_json_string(&b, msg, strlen(msg));
        if (rc == 0)
            rc = buf_adds(&b, "\"}");
    } else {
        rc = k8s_status_render(&b, status, msg);
    }
    if (rc < 0) {
        buf_fini(&b);
        return http_reply_text(req, status, "error\n");
    }
    enum MHD_Result r = serve_reply_buf(req, status, &b);
    buf_fini(&b);
    return r;
}

static enum MHD_Result serve_doc(const struct http_request *req, struct serve_log *lg,
                                 const struct serve_doc *d)
{
    lg->status = MHD_HTTP_OK;
    return http_reply_copy(req, MHD_HTTP_OK, "application/json", d->body, d->len);
}

/* --- identity ----------------------------------------------------------------------------- */

/* What one request gathered to establish and describe its identity: the front-proxy headers
 * (borrowed from the request), the decoded extra keys, the TokenReview answer (owned). */
struct serve_who {
    const char *user;
    const char *groups[AUTH_MAX_GROUPS];
    size_t ngroups;
    struct auth_extra extra[AUTH_MAX_EXTRA];
    size_t nextra;
    char extra_keys[AUTH_MAX_EXTRA][AUTH_NAME_MAX];
    const char *prefixes; /* for the extra-header scan */
    bool have_token;
    struct review_token token;
    struct auth_identity id;
};

/* serve_list_next returns the next item of a comma-separated list (blanks trimmed) in *item /
 * *n; false at the end. */
static bool serve_list_next(const char **p, const char **item, size_t *n)
{
    for (;;) {
        const char *c = *p;
        if (*c == '\0')
            return false;
        c += strspn(c, " \t");
        size_t len = strcspn(c, ",");
        *p = c[len] == ',' ? c + len + 1 : c + len;
        while (len > 0 && (c[len - 1] == ' ' || c[len - 1] == '\t'))
            len--;
        if (len > 0) {
            *item = c;
            *n = len;
            return true;
        }
    }
}

static void serve_hdr_user(void *cls, const char *v)
{
    struct serve_who *h = cls;
    if (h->user == NULL && v[0] != '\0')
        h->user = v;
}

static void serve_hdr_group(void *cls, const char *v)
{
    struct serve_who *h = cls;
    if (h->ngroups < AUTH_MAX_GROUPS)
        h->groups[h->ngroups++] = v;
}

/* serve_hdr_extra keeps X-Remote-Extra-<key> headers: the key percent-decoded and lower-cased,
 * as k8s.io/apiserver's requestheader authenticator does. */
static void serve_hdr_extra(void *cls, const char *name, const char *value)
{
    struct serve_who *h = cls;
    const char *p = h->prefixes, *item = NULL;
    size_t n = 0;
    while (serve_list_next(&p, &item, &n)) {
        if (strncasecmp(name, item, n) != 0 || name[n] == '\0')
            continue;
        if (h->nextra == AUTH_MAX_EXTRA)
            return;
        char *k = h->extra_keys[h->nextra];
        snprintf(k, AUTH_NAME_MAX, "%s", name + n);
        urldecode(k, 0);
        for (char *c = k; *c != '\0'; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
        h->extra[h->nextra++] = (struct auth_extra){k, value};
        return;
    }
}

/* serve_bearer returns the token of an "Authorization: Bearer <token>" header, NULL when there
 * is none (the header's scheme is case-insensitive, as Go's bearertoken authenticator reads it). */
static const char *serve_bearer(const struct http_request *req, char *buf, size_t cap)
{
    const char *a = http_header(req, "Authorization");
    if (a == NULL)
        return NULL;
    a += strspn(a, " \t");
    if (strncasecmp(a, "bearer ", 7) != 0)
        return NULL;
    a += 7;
    size_t n = strcspn(a, " ");
    if (n == 0 || n >= cap)
        return NULL;
    memcpy(buf, a, n);
    buf[n] = '\0';
    return buf;
}

/* serve_identify establishes who asks, in the delegated order: front proxy (certificate plus
 * the username/group/extra headers), client certificate, then a bearer token reviewed by
 * kube-apiserver. The certificate is classified once per connection and kept in the
 * connection's cache; headers are read per request. Returns 0, or the HTTP status to refuse
 * with (401; 503 when a TokenReview could not be made) and the reason in msg. */
static unsigned serve_identify(struct k8s_serve *s, const struct http_request *req,
                               struct serve_who *h, bool *cached, char *msg, size_t n)
{
    const char *why = NULL;
    *cached = false;
    if (auth_policy_is_insecure(s->policy)) {
        auth_identify(NULL, NULL, NULL, 0, &h->id, &why);
        return 0;
    }
    struct http_tls_conn *t = http_request_tls(req);
    if (t == NULL) {
        snprintf(msg, n, "a TLS connection is required");
        return MHD_HTTP_UNAUTHORIZED;
    }
    if (t->cache == NULL) {
        struct auth_peer *p = xmalloc(sizeof(*p));
        auth_peer_classify(t->creds, s->policy, t->session, p);
        t->cache = p;
        t->cache_free = free;
    }
    const struct auth_peer *peer = t->cache;
    if (peer->kind == AUTH_PEER_FRONT_PROXY) {
        const char *p = s->auth.username_headers, *item = NULL;
        size_t len = 0;
        char name[AUTH_NAME_MAX];
        while (h->user == NULL && serve_list_next(&p, &item, &len)) {
            snprintf(name, sizeof(name), "%.*s", (int)len, item);
            http_header_each(req, name, serve_hdr_user, h);
        }
        p = s->auth.group_headers;
        while (serve_list_next(&p, &item, &len)) {
            snprintf(name, sizeof(name), "%.*s", (int)len, item);
            http_header_each(req, name, serve_hdr_group, h);
        }
        h->prefixes = s->auth.extra_prefixes;
        http_header_all(req, serve_hdr_extra, h);
    }
    char tokbuf[8192];
    const char *token = NULL;
    if (peer->kind != AUTH_PEER_CLIENT && (peer->kind != AUTH_PEER_FRONT_PROXY || h->user == NULL))
        token = serve_bearer(req, tokbuf, sizeof(tokbuf));
    if (token != NULL && delegate_has_authn(s->auth.delegate)) {
        int rc = delegate_authenticate(s->auth.delegate, token, clock_wall_ms(), &h->token, cached,
                                       msg, n);
        explicit_bzero(tokbuf, sizeof(tokbuf));
        if (rc == -EACCES)
            return MHD_HTTP_UNAUTHORIZED;
        if (rc < 0)
            return MHD_HTTP_SERVICE_UNAVAILABLE;
        h->have_token = true;
        h->id = h->token.id;
        return 0;
    }
    if (token != NULL)
        explicit_bzero(tokbuf, sizeof(tokbuf));
    if (auth_identify(peer, h->user, h->groups, h->ngroups, &h->id, &why) < 0) {
        if (peer->kind == AUTH_PEER_NONE && delegate_has_authn(s->auth.delegate))
            why = "a client certificate or a bearer token is required";
        snprintf(msg, n, "%s", why);
        return MHD_HTTP_UNAUTHORIZED;
    }
    if (peer->kind == AUTH_PEER_FRONT_PROXY) {
        memcpy(h->id.extra, h->extra, h->nextra * sizeof(h->extra[0]));
        h->id.nextra = h->nextra;
    }
    return 0;
}

/* --- authorization ------------------------------------------------------------------------ */

/* serve_always_allowed: the path is in --authorization-always-allow-paths (a trailing '*'
 * matches a prefix, as k8s.io/apiserver's path authorizer). */
static bool serve_always_allowed(const struct k8s_serve *s, const char *path)
{
    const char *p = s->auth.always_allow_paths, *item = NULL;
    size_t n = 0;
    while (p != NULL && serve_list_next(&p, &item, &n)) {
        if (item[n - 1] == '*') {
            if (strncmp(path, item, n - 1) == 0)
                return true;
        } else if (strlen(path) == n && memcmp(path, item, n) == 0) {
            return true;
        }
    }
    return false;
}

static bool serve_is_master(const struct auth_identity *id)
{
    for (size_t i = 0; i < id->ngroups; i++)
        if (strcmp(id->groups[i], "system:masters") == 0)
            return true;
    return false;
}

/* serve_forbidden writes kube-apiserver's message for a refused request. */
static void serve_forbidden(const struct request_info *ri, const struct auth_identity *id,
                            const char *reason, char *msg, size_t n)
{
    size_t o = 0;
    if (!ri->is_resource) {
        o = (size_t)snprintf(msg, n, "forbidden: User \"%.200s\" cannot %s path \"%.300s\"",
                             id->user, ri->verb, ri->path);
    } else {
        char what[600];
        snprintf(what, sizeof(what), "%.200s%s%.200s", ri->resource, ri->group[0] ? "." : "",
                 ri->group);
        if (ri->name[0] != '\0')
            o = (size_t)snprintf(msg, n, "%s \"%.200s\" is forbidden: ", what, ri->name);
        else
            o = (size_t)snprintf(msg, n, "%s is forbidden: ", what);
        if (o < n)
            o += (size_t)snprintf(msg + o, n - o,
                                  "User \"%.200s\" cannot %s resource \"%.200s%s%.200s\" in API "
                                  "group \"%.200s\"",
                                  id->user, ri->verb, ri->resource, ri->subresource[0] ? "/" : "",
                                  ri->subresource, ri->group);
        if (o < n && ri->namespace[0] != '\0')
            o += (size_t)snprintf(msg + o, n - o, " in the namespace \"%.200s\"", ri->namespace);
        else if (o < n)
            o += (size_t)snprintf(msg + o, n - o, " at the cluster scope");
    }
    if (o < n && reason[0] != '\0')
        snprintf(msg + o, n - o, ": %s", reason);
}

/* serve_authorize decides with system:masters, then a SubjectAccessReview when delegation is
 * on. Returns 0 or the HTTP status to refuse with (400, 403, 503) and the message. */
static unsigned serve_authorize(struct k8s_serve *s, const struct http_request *req,
                                const struct auth_identity *id, struct serve_log *lg, char *msg,
                                size_t n)
{
    if (serve_is_master(id)) {
        lg->authz = "system:masters";
        return 0;
    }
    if (!delegate_has_authz(s->auth.delegate))
        return 0;
    struct request_info *ri = xmalloc(sizeof(*ri));
    unsigned status = 0;
    int rc = request_info_parse(req->method, req->path, http_query(req, "watch"),
                                http_query(req, "fieldSelector"), ri);
    if (rc < 0) {
        snprintf(msg, n, "unable to determine kind and namespace from url %.300s", req->path);
        status = MHD_HTTP_BAD_REQUEST;
        goto out;
    }
    bool cached = false;
    char reason[REVIEW_TEXT_MAX];
    rc = delegate_authorize(s->auth.delegate, ri, id, clock_wall_ms(), &cached, reason,
                            sizeof(reason));
    if (rc == 0) {
        lg->authz = cached ? "allowed (cached)" : "allowed";
    } else if (rc == -EACCES) {
        lg->authz = cached ? "denied (cached)" : "denied";
        serve_forbidden(ri, id, reason, msg, n);
        status = MHD_HTTP_FORBIDDEN;
    } else {
        snprintf(msg, n, "%s", reason);
        status = MHD_HTTP_SERVICE_UNAVAILABLE;
    }
out:
    free(ri);
    return status;
}

/* --- metric queries ----------------------------------------------------------------------- */

/* serve_selector parses the query argument name; 0 with *out NULL when absent. */
static int serve_selector(const struct http_request *req, const char *name, struct selector **out,
                          char *msg, size_t n)
{
    const char *text = http_query(req, name);
    *out = NULL;
    if (text == NULL)
        return 0;
    struct parse_err e = {0};
    int rc = selector_parse(text, out, &e);
    if (rc < 0)
        snprintf(msg, n, "invalid %s \"%.200s\": %s at column %u", name, text,
                 e.what != NULL ? e.what : "malformed", e.col);
    return rc;
}

/* serve_fleet reads the live pods of ns: one ZRANGEBYSCORE and one MGET on a pooled client. */
static int serve_fleet(struct k8s_serve *s, const char *ns, int64_t now_ms, struct fleet_pods *out)
{
    int64_t t0 = clock_mono_ns();
    struct redis_cluster *c = redis_pool_acquire(s->pool);
    int rc = fleet_query_pods(c, s->cfg->redis_key_prefix, ns, now_ms,
                              3 * s->cfg->fleet_interval_ms, out);
    redis_pool_release(s->pool, c);
    k8s_selfmetrics_redis(s->metrics, rc, clock_mono_ns() - t0);
    return rc;
}

static enum MHD_Result serve_metric(struct k8s_serve *s, const struct http_request *req,
                                    const struct k8s_route *r, struct serve_log *lg)
{
    char msg[1024];
    int sig = fleet_signal_lookup(r->metric);
    if (sig < 0) {
        snprintf(msg, sizeof(msg), "the server could not find the metric %s for %s", r->metric,
                 r->kind == K8S_ROUTE_PODS_METRIC ? "pods" : "the fleet");
        return serve_error(req, lg, MHD_HTTP_NOT_FOUND, msg);
    }
    struct selector *sel = NULL, *msel = NULL;
    /* metricLabelSelector selects series of a metric; a pod's signal is one series without
     * labels, so a well-formed one selects it: validated, then it has nothing to filter. */
    if (serve_selector(req, "labelSelector", &sel, msg, sizeof(msg)) < 0 ||
        serve_selector(req, "metricLabelSelector", &msel, msg, sizeof(msg)) < 0) {
        selector_free(sel);
        return serve_error(req, lg, MHD_HTTP_BAD_REQUEST, msg);
    }
    selector_free(msel);
    int64_t now = clock_wall_ms();
    struct fleet_pods pods;
    int rc = serve_fleet(s, r->ns, now, &pods);
    if (rc < 0) {
        selector_free(sel);
        snprintf(msg, sizeof(msg), "the fleet registry (Redis) is unavailable: %s", err_str(rc));
        return serve_error(req, lg, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
    }
    struct k8s_item *items = xcalloc(pods.n ? pods.n : 1, sizeof(*items));
    struct k8s_pod_filter f = {.ns = r->ns,
                               .pod =
                                   r->all_pods || r->kind != K8S_ROUTE_PODS_METRIC ? NULL : r->name,
                               .signal = sig,
                               .sel = sel,
                               .now_ms = now,
                               .max_age_ms = 3 * s->cfg->fleet_interval_ms};
    size_t n = k8s_select_pods(&f, pods.pods, pods.n, items);
    lg->items = (long)n;
    struct buf b;
    buf_init(&b, SERVE_BODY_CAP);
    enum MHD_Result ret;
    unsigned status = MHD_HTTP_OK;
    struct external_value ev;
    bool have = external_aggregate(sig, items, n, &ev) == 0;
    if (r->kind == K8S_ROUTE_PODS_METRIC && !r->all_pods && n == 0) {
        snprintf(msg, sizeof(msg), "the server could not find the metric %s for pods %s", r->metric,
                 r->name);
        ret = serve_error(req, lg, MHD_HTTP_NOT_FOUND, msg);
        goto out;
    }
    if (r->kind == K8S_ROUTE_FLEET && !have) {
        snprintf(msg, sizeof(msg), "no live pod in namespace %s reports %s%s", r->ns, r->metric,
                 sel != NULL && !selector_is_empty(sel) ? " and matches the labelSelector" : "");
        ret = serve_error(req, lg, MHD_HTTP_NOT_FOUND, msg);
        goto out;
    }
    if (r->kind == K8S_ROUTE_PODS_METRIC)
        rc = custom_metrics_render(&b, r->version, r->metric, items, n);
    else if (r->kind == K8S_ROUTE_EXTERNAL)
        rc = external_metrics_render(&b, r->metric, have ? &ev : NULL);
    else
        rc = external_fleet_render(&b, r->ns, r->metric, &ev);
    if (rc < 0) {
        ret = serve_error(req, lg, MHD_HTTP_INTERNAL_SERVER_ERROR,
                          "the answer could not be rendered");
        goto out;
    }
    lg->status = status;
    ret = serve_reply_buf(req, status, &b);
out:
    buf_fini(&b);
    free(items);
    fleet_pods_fini(&pods);
    selector_free(sel);
    return ret;
}

/* serve_self_metrics answers GET /metrics with the adapter's own metrics, to an authenticated
 * caller admitted like a metric reader. */
static enum MHD_Result serve_self_metrics(struct k8s_serve *s, const struct http_request *req,
                                          struct serve_log *lg, const struct auth_identity *id)
{
    char msg[512];
    if (!auth_authorized(s->policy, id)) {
        lg->why = "not in --authorized-users or --authorized-groups";
        snprintf(msg, sizeof(msg),
                 "user \"%.200s\" cannot get /metrics: not in --authorized-users or "
                 "--authorized-groups",
                 id->user);
        return serve_error(req, lg, MHD_HTTP_FORBIDDEN, msg);
    }
    struct buf b;
    buf_init(&b, 1 << 20);
    if (k8s_selfmetrics_render(s->metrics, &b) < 0) {
        buf_fini(&b);
        return serve_error(req, lg, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "the metrics could not be rendered");
    }
    lg->status = MHD_HTTP_OK;
    size_t len = 0;
    char *body = buf_steal(&b, &len);
    buf_fini(&b);
    return http_reply_zero_copy(req, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", NULL,
                                false, body != NULL ? body : "", len, serve_free_body, body);
}

/* --- dispatch ----------------------------------------------------------------------------- */

static enum MHD_Result serve_route(struct k8s_serve *s, const struct http_request *req,
                                   const struct k8s_route *r, struct serve_log *lg,
                                   const struct auth_identity *id)
{
    char msg[1024];
    if (strcmp(req->path, "/metrics") == 0)
        return serve_self_metrics(s, req, lg, id);
    switch (r->kind) {
    case K8S_ROUTE_HEALTHZ:
    case K8S_ROUTE_LIVEZ:
    case K8S_ROUTE_READYZ:
        lg->quiet = true;
        lg->status = MHD_HTTP_OK;
        return http_reply_text(req, MHD_HTTP_OK, "ok");
    case K8S_ROUTE_VERSION:
        return serve_doc(req, lg, &s->version);
    case K8S_ROUTE_OPENAPI:
        /* kube-apiserver's OpenAPI aggregation skips a 404 quietly (any other code is
         * retried and logged as an error) */
        return serve_error(req, lg, MHD_HTTP_NOT_FOUND, "the server does not serve OpenAPI");
    case K8S_ROUTE_APIS:
        return serve_doc(req, lg, &s->apis);
    case K8S_ROUTE_GROUP:
        return serve_doc(req, lg, &s->group[r->group]);
    case K8S_ROUTE_RESOURCES:
        return serve_doc(req, lg, &s->resources[r->group][r->version]);
    case K8S_ROUTE_BAD_NAME:
        return serve_error(req, lg, MHD_HTTP_BAD_REQUEST, r->what);
    case K8S_ROUTE_PODS_METRIC:
    case K8S_ROUTE_EXTERNAL:
    case K8S_ROUTE_FLEET:
    case K8S_ROUTE_OTHER_OBJECT:
        break;
    default:
        return serve_error(req, lg, MHD_HTTP_NOT_FOUND,
                           "the server could not find the requested resource");
    }
    if (!auth_authorized(s->policy, id)) {
        lg->why = "not in --authorized-users or --authorized-groups";
        snprintf(msg, sizeof(msg),
                 "user \"%.200s\" cannot get metrics: not in --authorized-users or "
                 "--authorized-groups",
                 id->user);
        return serve_error(req, lg, MHD_HTTP_FORBIDDEN, msg);
    }
    if (r->kind == K8S_ROUTE_OTHER_OBJECT) {
        snprintf(msg, sizeof(msg),
                 "the server could not find the metric %s for %s: only pods are described",
                 r->metric, r->resource);
        return serve_error(req, lg, MHD_HTTP_NOT_FOUND, msg);
    }
    return serve_metric(s, req, r, lg);
}

/* serve_access_log writes one line per request: who (user, groups, via), what, the outcome. */
static void serve_access_log(const struct http_request *req, const struct serve_log *lg,
                             int64_t t0_ns)
{
    enum log_level lvl = lg->quiet ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
    if (!log_enabled(lvl))
        return;
    struct buf kv;
    buf_init(&kv, 4096);
    const char *sel = http_query(req, "labelSelector");
    buf_adds(&kv, "method=");
    escape_logfmt_value(&kv, req->method, strlen(req->method));
    buf_adds(&kv, " path=");
    escape_logfmt_value(&kv, req->path, strlen(req->path));
    if (sel != NULL) {
        buf_adds(&kv, " selector=");
        escape_logfmt_value(&kv, sel, strlen(sel));
    }
    buf_printf(&kv, " status=%u", lg->status);
    if (lg->id != NULL) {
        buf_adds(&kv, " user=");
        escape_logfmt_value(&kv, lg->id->user, strlen(lg->id->user));
        struct buf g;
        buf_init(&g, 2048);
        for (size_t i = 0; i < lg->id->ngroups; i++) {
            if (i > 0)
                buf_addc(&g, ',');
            buf_adds(&g, lg->id->groups[i]);
        }
        buf_adds(&kv, " groups=");
        escape_logfmt_value(&kv, buf_ptr(&g), buf_len(&g));
        buf_fini(&g);
        buf_printf(&kv, " via=%s", lg->id->via);
    }
    if (lg->authz != NULL) {
        buf_adds(&kv, " authz=");
        escape_logfmt_value(&kv, lg->authz, strlen(lg->authz));
    }
    if (lg->why != NULL) {
        buf_adds(&kv, " refused=");
        escape_logfmt_value(&kv, lg->why, strlen(lg->why));
    }
    if (lg->items >= 0)
        buf_printf(&kv, " items=%ld", lg->items);
    buf_printf(&kv, " duration_seconds=%.6f", (double)(clock_mono_ns() - t0_ns) / 1e9);
    log_msg(lvl, "access", buf_ptr(&kv), "%s", "request");
    buf_fini(&kv);
}

/* serve_count hands what the request was to the self-metrics. */
static void serve_count(struct k8s_serve *s, const struct http_request *req,
                        const struct k8s_route *r, const struct serve_log *lg, int64_t t0_ns)
{
    struct k8s_request_obs o = {.kind = r->kind,
                                .self_metrics = strcmp(req->path, "/metrics") == 0,
                                .status = lg->status,
                                .user = lg->id != NULL ? lg->id->user : NULL,
                                .via = lg->id != NULL ? lg->id->via : NULL,
                                .refused = lg->id == NULL && lg->status == MHD_HTTP_UNAUTHORIZED,
                                .duration_ns = clock_mono_ns() - t0_ns};
    k8s_selfmetrics_observe(s->metrics, &o);
}

/* serve_method_ok: the adapter serves GET (and HEAD) only. */
static bool serve_method_ok(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/* serve_refuse replies an authentication or authorization refusal; msg (the handler's buffer)
 * is also the access log's reason. */
static enum MHD_Result serve_refuse(const struct http_request *req, struct serve_log *lg,
                                    unsigned status, const char *msg)
{
    char full[1200];
    lg->why = msg;
    if (status == MHD_HTTP_UNAUTHORIZED) {
        snprintf(full, sizeof(full), "Unauthorized: %s", msg);
        msg = full;
    }
    return serve_error(req, lg, status, msg);
}

enum MHD_Result k8s_serve_handle(const struct http_request *req, void *ctx)
{
    struct k8s_serve *s = ctx;
    int64_t t0 = clock_mono_ns();
    k8s_selfmetrics_begin(s->metrics);
    struct serve_log lg = {.items = -1};
    struct k8s_route r;
    k8s_route_parse(req->path, &r);
    enum MHD_Result ret;
    struct serve_who *who = xcalloc(1, sizeof(*who));
    char msg[1024];
    /* /version and /openapi are public as in kube-apiserver (system:public-info-viewer binds
     * them for everyone); the always-allowed paths (probes) skip both steps. */
    bool open = serve_always_allowed(s, req->path) || r.kind == K8S_ROUTE_VERSION ||
                r.kind == K8S_ROUTE_OPENAPI;
    if (open) {
        lg.authz = serve_always_allowed(s, req->path) ? "always-allowed path" : "public";
        who->id = (struct auth_identity){.user = "system:anonymous",
                                         .groups = {"system:unauthenticated"},
                                         .ngroups = 1,
                                         .via = "anonymous"};
    } else {
        bool cached = false;
        unsigned st = serve_identify(s, req, who, &cached, msg, sizeof(msg));
        if (st != 0) {
            ret = serve_refuse(req, &lg, st, msg);
            goto out;
        }
        lg.id = &who->id;
    }
    /* 405 after authentication: who may not ask learns nothing about the paths */
    if (!serve_method_ok(req->method)) {
        lg.status = MHD_HTTP_METHOD_NOT_ALLOWED;
        struct buf b;
        buf_init(&b, 4096);
        snprintf(msg, sizeof(msg),
                 "the server does not allow this method on the requested resource");
        if (strncmp(req->path, "/api/", 5) != 0 && k8s_status_render(&b, lg.status, msg) == 0)
            ret = http_reply_copy_header(req, lg.status, "application/json", buf_ptr(&b),
                                         buf_len(&b), "Allow", "GET, HEAD");
        else
            ret = http_reply_copy_header(req, lg.status, "application/json", SERVE_405_API,
                                         strlen(SERVE_405_API), "Allow", "GET, HEAD");
        buf_fini(&b);
        goto out;
    }
    if (!open) {
        unsigned st = serve_authorize(s, req, &who->id, &lg, msg, sizeof(msg));
        if (st != 0) {
            ret = serve_refuse(req, &lg, st, msg);
            goto out;
        }
    }
    ret = serve_route(s, req, &r, &lg, &who->id);
out:
    serve_access_log(req, &lg, t0);
    serve_count(s, req, &r, &lg, t0);
    if (who->have_token)
        review_token_fini(&who->token);
    free(who);
    return ret;
}
