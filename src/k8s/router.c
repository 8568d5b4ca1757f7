/* Path classification by segments: split at '/', then match the fixed prefixes. */
#include "k8s/router.h"

#include <string.h>

#include "fleet/selector.h"
#include "core/banned.h"

#define ROUTER_MAX_SEGS 10

struct seg {
    const char *s;
    size_t n;
};

static bool seg_is(const struct seg *g, const char *lit)
{
    return g->n == strlen(lit) && memcmp(g->s, lit, g->n) == 0;
}

/* router_split cuts path into segments; a trailing '/' is dropped, an empty segment anywhere
 * else (or too many) fails. */
static int router_split(const char *path, struct seg *segs)
{
    if (path[0] != '/')
        return -1;
    size_t len = strlen(path);
    if (len > 1 && path[len - 1] == '/')
        len--;
    int n = 0;
    size_t i = 1;
    while (i < len) {
        const char *slash = memchr(path + i, '/', len - i);
        size_t end = slash ? (size_t)(slash - path) : len;
        if (end == i || n == ROUTER_MAX_SEGS)
            return -1;
        segs[n].s = path + i;
        segs[n].n = end - i;
        n++;
        i = end + 1;
    }
    return n;
}

static bool router_copy(char *dst, size_t cap, const struct seg *g)
{
    if (g->n >= cap)
        return false;
    memcpy(dst, g->s, g->n);
    dst[g->n] = '\0';
    return true;
}

/* router_metric_ok: a metric name we could serve, in bounds and without bytes that have no
 * business in a name (the handler answers 404 for names it does not know). */
static bool router_metric(struct k8s_route *r, const struct seg *g)
{
    for (size_t i = 0; i < g->n; i++) {
        unsigned char c = (unsigned char)g->s[i];
        if (c <= 0x20 || c >= 0x7f)
            return false;
    }
    return router_copy(r->metric, sizeof(r->metric), g);
}

static void router_bad(struct k8s_route *r, const char *what)
{
    r->kind = K8S_ROUTE_BAD_NAME;
    r->what = what;
}

static bool router_ns(struct k8s_route *r, const struct seg *g)
{
    if (!selector_is_dns_label(g->s, g->n)) {
        router_bad(r, "invalid namespace: a DNS-1123 label is expected (1-63 of [a-z0-9-], "
                      "alphanumeric at both ends)");
        return false;
    }
    return router_copy(r->ns, sizeof(r->ns), g);
}

/* /apis/custom.metrics.k8s.io/<v>/... after the version: segs[0..n). */
static void router_custom(struct k8s_route *r, const struct seg *s, int n)
{
    if (n == 0) {
        r->kind = K8S_ROUTE_RESOURCES;
        return;
    }
    if (seg_is(&s[0], "namespaces") && n == 4 && seg_is(&s[2], "metrics")) {
        if (router_ns(r, &s[1]) && router_metric(r, &s[3])) {
            r->kind = K8S_ROUTE_OTHER_OBJECT;
            router_copy(r->resource, sizeof(r->resource), &(struct seg){"namespaces", 10});
        }
        return;
    }
    if (seg_is(&s[0], "namespaces") && n == 5) {
        if (!router_ns(r, &s[1]) || !router_metric(r, &s[4]) ||
            !router_copy(r->resource, sizeof(r->resource), &s[2]))
            return;
        if (!seg_is(&s[2], "pods")) {
            r->kind = K8S_ROUTE_OTHER_OBJECT;
            return;
        }
        if (seg_is(&s[3], "*")) {
            r->all_pods = true;
        } else if (!selector_is_dns_subdomain(s[3].s, s[3].n)) {
            router_bad(r, "invalid pod name: a DNS-1123 subdomain or * is expected");
            return;
        } else {
            router_copy(r->name, sizeof(r->name), &s[3]);
        }
        r->kind = K8S_ROUTE_PODS_METRIC;
        return;
    }
    if (n == 3 && !seg_is(&s[0], "namespaces") && router_metric(r, &s[2]) &&
        router_copy(r->resource, sizeof(r->resource), &s[0]))
        r->kind = K8S_ROUTE_OTHER_OBJECT; /* root-scoped: /nodes/{name}/{metric} */
}

static void router_apis(struct k8s_route *r, const struct seg *s, int n)
{
    if (n == 1) {
        r->kind = K8S_ROUTE_APIS;
        return;
    }
    if (seg_is(&s[1], "custom.metrics.k8s.io"))
        r->group = K8S_GROUP_CUSTOM;
    else if (seg_is(&s[1], "external.metrics.k8s.io"))
        r->group = K8S_GROUP_EXTERNAL;
    else
        return;
    if (n == 2) {
        r->kind = K8S_ROUTE_GROUP;
        return;
    }
    if (seg_is(&s[2], "v1beta1"))
        r->version = K8S_V1BETA1;
    else if (seg_is(&s[2], "v1beta2") && r->group == K8S_GROUP_CUSTOM)
        r->version = K8S_V1BETA2;
    else
        return;
    if (r->group == K8S_GROUP_CUSTOM) {
        router_custom(r, s + 3, n - 3);
        return;
    }
    if (n == 3) {
        r->kind = K8S_ROUTE_RESOURCES;
    } else if (n == 6 && seg_is(&s[3], "namespaces")) {
        if (router_ns(r, &s[4]) && router_metric(r, &s[5]))
            r->kind = K8S_ROUTE_EXTERNAL;
    }
}

void k8s_route_parse(const char *path, struct k8s_route *out)
{
    struct k8s_route r;
    memset(&r, 0, sizeof(r));
    struct seg s[ROUTER_MAX_SEGS];
    int n = router_split(path, s);
    if (n == 1 && seg_is(&s[0], "healthz"))
        r.kind = K8S_ROUTE_HEALTHZ;
    else if (n == 1 && seg_is(&s[0], "livez"))
        r.kind = K8S_ROUTE_LIVEZ;
    else if (n == 1 && seg_is(&s[0], "readyz"))
        r.kind = K8S_ROUTE_READYZ;
    else if (n == 1 && seg_is(&s[0], "version"))
        r.kind = K8S_ROUTE_VERSION;
    else if (n >= 2 && seg_is(&s[0], "openapi") && (seg_is(&s[1], "v2") || seg_is(&s[1], "v3")))
        r.kind = K8S_ROUTE_OPENAPI;
    else if (n >= 1 && seg_is(&s[0], "apis"))
        router_apis(&r, s, n);
    else if (n == 5 && seg_is(&s[0], "api") && seg_is(&s[1], "v1") && seg_is(&s[2], "fleet")) {
        if (router_ns(&r, &s[3]) && router_metric(&r, &s[4]))
            r.kind = K8S_ROUTE_FLEET;
    }
    *out = r;
}

const char *k8s_group_name(enum k8s_group g)
{
    return g == K8S_GROUP_EXTERNAL ? "external.metrics.k8s.io" : "custom.metrics.k8s.io";
}

const char *k8s_version_name(enum k8s_version v)
{
    return v == K8S_V1BETA2 ? "v1beta2" : "v1beta1";
}
