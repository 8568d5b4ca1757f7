/* The adapter's handler. One request: parse the route, answer the probes, establish the
 * identity, answer discovery from the documents rendered at start, or query the fleet and
 * render the list; then log who asked and what they got. */
#include "k8s/serve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "fleet/publish.h"
#include "fleet/query.h"
#include "fleet/selector.h"
#include "fleet/view.h"
#include "http/auth.h"
#include "http/negotiate.h"
#include "io/redis_pool.h"
#include "k8s/custom_metrics.h"
#include "k8s/discovery.h"
#include "k8s/external_metrics.h"
#include "k8s/router.h"
#include "k8s/status.h"
#include "render/escape.h"
#include "render/gzip.h"
#include "core/banned.h"

/* The gzip level of metric answers: compressed once per view and query (k8s_serve's memo), on
 * the request that finds no remembered answer, so the fastest level keeps that one request's
 * latency down; a 1000-pod list still shrinks about 15-fold. */
#define SERVE_GZIP_LEVEL 1

/* Largest answer: 10000 pods (FLEET_QUERY_MAX_PODS) of ~300 bytes fit with room to spare. */
#define SERVE_BODY_CAP (16u << 20)

struct serve_doc {
    char *body;
    size_t len;
};

struct k8s_serve {
    const struct config *cfg;
    struct redis_pool *pool;
    struct fleet_views *views; /* the shared per-namespace views of the registry */
    const struct auth_policy *policy;
    struct serve_doc apis, group[2], resources[2][2], version;
};

/* What one request produced, for the access log. */
struct serve_log {
    unsigned status;
    const struct auth_identity *id; /* NULL: no identity established */
    const char *why;                /* refusal reason (literal or NULL) */
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
    int rc = fleet_views_new(pool, cfg->redis_key_prefix, 3 * cfg->fleet_interval_ms,
                             cfg->fleet_max_age_ms, &s->views);
    if (rc == 0)
        rc = serve_render_doc(&s->apis, discovery_render_apis);
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
    fleet_views_free(s->views);
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

struct serve_headers {
    const char *user;
    const char *groups[AUTH_MAX_GROUPS];
    size_t ngroups;
};

static void serve_hdr_user(void *cls, const char *v)
{
    struct serve_headers *h = cls;
    if (h->user == NULL && v[0] != '\0')
        h->user = v;
}

static void serve_hdr_group(void *cls, const char *v)
{
    struct serve_headers *h = cls;
    if (h->ngroups < AUTH_MAX_GROUPS)
        h->groups[h->ngroups++] = v;
}

/* serve_identify establishes who asks. The certificate is classified once per connection
 * and kept in the connection's cache; the X-Remote-* headers are read per request. */
static int serve_identify(struct k8s_serve *s, const struct http_request *req,
                          struct serve_headers *h, struct auth_identity *id, const char **why)
{
    if (auth_policy_is_insecure(s->policy))
        return auth_identify(NULL, NULL, NULL, 0, id, why);
    struct http_tls_conn *t = http_request_tls(req);
    if (t == NULL) {
        *why = "a TLS connection is required";
        return -EACCES;
    }
    if (t->cache == NULL) {
        struct auth_peer *p = xmalloc(sizeof(*p));
        auth_peer_classify(t->creds, s->policy, t->session, p);
        t->cache = p;
        t->cache_free = free;
    }
    const struct auth_peer *peer = t->cache;
    if (peer->kind == AUTH_PEER_FRONT_PROXY) {
        http_header_each(req, "X-Remote-User", serve_hdr_user, h);
        http_header_each(req, "X-Remote-Group", serve_hdr_group, h);
    }
    return auth_identify(peer, h->user, h->groups, h->ngroups, id, why);
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

static void serve_release_view(void *v)
{
    fleet_view_release(v);
}

/* serve_answer selects the pods of the view, renders the answer and replies; a 200 answer is
 * remembered in the view's memo under key until its first pod goes stale. */
static enum MHD_Result serve_answer(struct k8s_serve *s, const struct http_request *req,
                                    const struct k8s_route *r, int sig, const struct selector *sel,
                                    const struct selector *msel, struct fleet_view *view,
                                    int64_t now, const char *key, bool gz, struct serve_log *lg)
{
    char msg[1024];
    size_t npods = view->pods.n ? view->pods.n : 1;
    Rizk__V1__PodSnapshot **cand = xcalloc(npods, sizeof(*cand));
    size_t ncand = fleet_view_select(view, sel, msel, cand);
    struct k8s_item *items = xcalloc(npods, sizeof(*items));
    /* the selectors were applied with the view's index; staleness is judged now, per query */
    struct k8s_pod_filter f = {.ns = r->ns,
                               .pod =
                                   r->all_pods || r->kind != K8S_ROUTE_PODS_METRIC ? NULL : r->name,
                               .signal = sig,
                               .sel = NULL,
                               .now_ms = now,
                               .max_age_ms = 3 * s->cfg->fleet_interval_ms};
    size_t n = k8s_select_pods(&f, cand, ncand, items);
    lg->items = (long)n;
    struct buf b;
    buf_init(&b, SERVE_BODY_CAP);
    enum MHD_Result ret;
    int rc;
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
                 !selector_is_empty(sel) || !selector_is_empty(msel)
                     ? " and matches the labelSelector"
                     : "");
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
    lg->status = MHD_HTTP_OK;
    /* no pod in the answer: it can only change with a refresh */
    int64_t valid_until = INT64_MAX;
    for (size_t i = 0; i < n; i++)
        if (items[i].stale_ms < valid_until)
            valid_until = items[i].stale_ms + 1; /* served up to and including stale_ms */
    bool want_gz = gz;                           /* what the key says */
    if (gz) {
        struct buf z;
        buf_init(&z, SERVE_BODY_CAP);
        if (gzip_compress(buf_ptr(&b), buf_len(&b), SERVE_GZIP_LEVEL, &z) == 0) {
            buf_fini(&b);
            b = z;
        } else {
            buf_fini(&z);
            gz = false; /* the key says gzip: do not remember the identity body under it */
        }
    }
    size_t len = 0;
    char *body = buf_steal(&b, &len);
    const char *enc = gz ? "gzip" : NULL;
    if (body == NULL) {
        ret = http_reply_copy(req, MHD_HTTP_OK, "application/json", "", 0);
    } else if (gz == want_gz && fleet_view_memo_put(view, key, valid_until, (long)n, &body, &len)) {
        fleet_view_acquire(view);
        ret = http_reply_zero_copy(req, MHD_HTTP_OK, "application/json", enc, true, body, len,
                                   serve_release_view, view);
    } else {
        ret = http_reply_zero_copy(req, MHD_HTTP_OK, "application/json", enc, true, body, len,
                                   serve_free_body, body);
    }
out:
    buf_fini(&b);
    free(items);
    free(cand);
    return ret;
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
    /* metricLabelSelector (the HPA's metric selector on the custom metrics API) filters by the
     * snapshot's labels, region and zone, on top of labelSelector (SPEC 6); the external API
     * receives the metric selector as labelSelector. */
    if (serve_selector(req, "labelSelector", &sel, msg, sizeof(msg)) < 0 ||
        serve_selector(req, "metricLabelSelector", &msel, msg, sizeof(msg)) < 0) {
        selector_free(sel);
        return serve_error(req, lg, MHD_HTTP_BAD_REQUEST, msg);
    }
    int64_t now = clock_wall_ms();
    struct fleet_view *view = NULL;
    int rc = fleet_views_acquire(s->views, r->ns, now, &view);
    if (rc < 0) {
        selector_free(sel);
        selector_free(msel);
        snprintf(msg, sizeof(msg), "the fleet registry (Redis) is unavailable: %s", err_str(rc));
        return serve_error(req, lg, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
    }
    /* the query, whole: what makes two answers from the same view identical */
    const char *ls = http_query(req, "labelSelector"), *ms = http_query(req, "metricLabelSelector");
    bool gz = negotiate_gzip(http_header(req, "Accept-Encoding"));
    char *key = xasprintf("%d %d %d %s\n%s\n%s\n%s", (int)r->kind, (int)r->version, sig,
                          r->kind == K8S_ROUTE_PODS_METRIC && !r->all_pods ? r->name : "*",
                          ls != NULL ? ls : "", ms != NULL ? ms : "", gz ? "gzip" : "identity");
    const char *body = NULL;
    size_t len = 0;
    enum MHD_Result ret;
    if (fleet_view_memo_get(view, key, now, &body, &len, &lg->items)) {
        lg->status = MHD_HTTP_OK;
        /* the view's reference goes to the reply: released when MHD is done with the body */
        ret = http_reply_zero_copy(req, MHD_HTTP_OK, "application/json", gz ? "gzip" : NULL, true,
                                   body, len, serve_release_view, view);
        view = NULL;
    } else {
        ret = serve_answer(s, req, r, sig, sel, msel, view, now, key, gz, lg);
    }
    free(key);
    fleet_view_release(view);
    selector_free(msel);
    selector_free(sel);
    return ret;
}

/* --- dispatch ----------------------------------------------------------------------------- */

static enum MHD_Result serve_route(struct k8s_serve *s, const struct http_request *req,
                                   const struct k8s_route *r, struct serve_log *lg,
                                   struct auth_identity *id, struct serve_headers *hdrs)
{
    char msg[1024];
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
    default:
        break;
    }
    const char *why = NULL;
    if (serve_identify(s, req, hdrs, id, &why) < 0) {
        lg->why = why;
        snprintf(msg, sizeof(msg), "Unauthorized: %s", why);
        return serve_error(req, lg, MHD_HTTP_UNAUTHORIZED, msg);
    }
    lg->id = id;
    switch (r->kind) {
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

enum MHD_Result k8s_serve_handle(const struct http_request *req, void *ctx)
{
    struct k8s_serve *s = ctx;
    int64_t t0 = clock_mono_ns();
    struct serve_log lg = {.items = -1};
    struct k8s_route r;
    k8s_route_parse(req->path, &r);
    enum MHD_Result ret;
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        ret = serve_error(req, &lg, MHD_HTTP_METHOD_NOT_ALLOWED,
                          "the server only serves GET on this path");
    } else {
        struct auth_identity id;
        struct serve_headers hdrs = {0};
        ret = serve_route(s, req, &r, &lg, &id, &hdrs);
        serve_access_log(req, &lg, t0);
        return ret;
    }
    serve_access_log(req, &lg, t0);
    return ret;
}
