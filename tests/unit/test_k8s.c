/* Unit tests for the adapter's pure parts: URL decoding (parse/urldecode.c, lenient and strict),
 * the router, the quantity table of reference/k8s-custom-metrics.md 1.6, pod selection (namespace,
 * name, selector, signal presence, staleness), both MetricValueList shapes, the external aggregate,
 * Status and discovery documents (parsed back with jansson: every document must be JSON). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <jansson.h>

#include "fleet/publish.h"
#include "fleet/selector.h"
#include "parse/urldecode.h"
#include "k8s/custom_metrics.h"
#include "k8s/discovery.h"
#include "k8s/external_metrics.h"
#include "k8s/quantity.h"
#include "k8s/router.h"
#include "k8s/status.h"
#include "render/jsonw.h"

static const char *dec(const char *in, unsigned flags)
{
    static char b[256];
    strcpy(b, in);
    urldecode(b, flags);
    return b;
}

static void test_urldecode(void)
{
    CU_ASSERT_STRING_EQUAL(dec("%2A", 0), "*");
    CU_ASSERT_STRING_EQUAL(dec("%2a", 0), "*");
    CU_ASSERT_STRING_EQUAL(dec("app%3Dweb%2Ctier+in+%28a%2Cb%29", URLDECODE_PLUS),
                           "app=web,tier in (a,b)");
    CU_ASSERT_STRING_EQUAL(dec("app%3Dweb%2Ctier+in", 0), "app=web,tier+in");
    CU_ASSERT_STRING_EQUAL(dec("app%21%3Dweb%2C%21canary", URLDECODE_PLUS), "app!=web,!canary");
    CU_ASSERT_STRING_EQUAL(dec("scaledobject.keda.sh%2Fname%3Dx", URLDECODE_PLUS),
                           "scaledobject.keda.sh/name=x");
    CU_ASSERT_STRING_EQUAL(dec("a%2Bb", URLDECODE_PLUS), "a+b"); /* an encoded '+' stays '+' */
    /* raw characters pass, malformed escapes stay literal, %00 is never decoded */
    CU_ASSERT_STRING_EQUAL(dec("app=web,tier in (a)", 0), "app=web,tier in (a)");
    CU_ASSERT_STRING_EQUAL(dec("%", 0), "%");
    CU_ASSERT_STRING_EQUAL(dec("%4", 0), "%4");
    CU_ASSERT_STRING_EQUAL(dec("%zz%41", 0), "%zzA");
    CU_ASSERT_STRING_EQUAL(dec("a%00b", 0), "a%00b");
    CU_ASSERT_STRING_EQUAL(dec("%25%32%41", 0), "%2A"); /* decoded once, not twice */
    char b[8] = "%41%42";
    CU_ASSERT_EQUAL(urldecode(b, 0), 2);
    /* strict (redis:// credentials): what lenient mode keeps is an error; the cap is exact */
    char o[8];
    size_t n = 99;
    CU_ASSERT_EQUAL(urldecode_n("p%40ss+", 7, o, sizeof(o), URLDECODE_STRICT, &n), 0);
    CU_ASSERT_STRING_EQUAL(o, "p@ss+");
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_EQUAL(urldecode_n("%4", 2, o, sizeof(o), URLDECODE_STRICT, NULL), -EPROTO);
    CU_ASSERT_EQUAL(urldecode_n("%zz", 3, o, sizeof(o), URLDECODE_STRICT, NULL), -EPROTO);
    CU_ASSERT_EQUAL(urldecode_n("a%00", 4, o, sizeof(o), URLDECODE_STRICT, NULL), -EPROTO);
    CU_ASSERT_EQUAL(urldecode_n("a%00", 4, o, sizeof(o), 0, &n), 0);
    CU_ASSERT_STRING_EQUAL(o, "a%00");
    CU_ASSERT_EQUAL(urldecode_n("1234567", 7, o, sizeof(o), URLDECODE_STRICT, &n), 0);
    CU_ASSERT_EQUAL(urldecode_n("12345678", 8, o, sizeof(o), URLDECODE_STRICT, NULL), -E2BIG);
    CU_ASSERT_EQUAL(urldecode_n("%41%42%43%44%45%46%47%48", 24, o, sizeof(o), 0, NULL), -E2BIG);
}

static void test_router(void)
{
    struct k8s_route r;
    k8s_route_parse("/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns-a/pods/*/rizk_rps", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_PODS_METRIC);
    CU_ASSERT_EQUAL(r.version, K8S_V1BETA2);
    CU_ASSERT_TRUE(r.all_pods);
    CU_ASSERT_STRING_EQUAL(r.ns, "ns-a");
    CU_ASSERT_STRING_EQUAL(r.metric, "rizk_rps");
    k8s_route_parse("/apis/custom.metrics.k8s.io/v1beta1/namespaces/d/pods/web-1.x/m/", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_PODS_METRIC);
    CU_ASSERT_EQUAL(r.version, K8S_V1BETA1);
    CU_ASSERT_FALSE(r.all_pods);
    CU_ASSERT_STRING_EQUAL(r.name, "web-1.x");
    k8s_route_parse("/apis/custom.metrics.k8s.io/v1beta2", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_RESOURCES);
    k8s_route_parse("/apis/custom.metrics.k8s.io/v1beta2/", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_RESOURCES);
    k8s_route_parse("/apis/custom.metrics.k8s.io", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_GROUP);
    CU_ASSERT_EQUAL(r.group, K8S_GROUP_CUSTOM);
    k8s_route_parse("/apis", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_APIS);
    k8s_route_parse("/apis/external.metrics.k8s.io/v1beta1", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_RESOURCES);
    CU_ASSERT_EQUAL(r.group, K8S_GROUP_EXTERNAL);
    k8s_route_parse("/apis/external.metrics.k8s.io/v1beta2", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_NOT_FOUND);
    k8s_route_parse("/apis/external.metrics.k8s.io/v1beta1/namespaces/prod/rizk_x", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_EXTERNAL);
    CU_ASSERT_STRING_EQUAL(r.metric, "rizk_x");
    k8s_route_parse("/api/v1/fleet/prod/rizk_x", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_FLEET);
    CU_ASSERT_STRING_EQUAL(r.ns, "prod");
    k8s_route_parse("/apis/custom.metrics.k8s.io/v1beta2/namespaces/d/deployments.apps/w/m", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_OTHER_OBJECT);
    CU_ASSERT_STRING_EQUAL(r.resource, "deployments.apps");
    k8s_route_parse("/apis/custom.metrics.k8s.io/v1beta2/namespaces/d/metrics/m", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_OTHER_OBJECT);
    CU_ASSERT_STRING_EQUAL(r.resource, "namespaces");
    k8s_route_parse("/apis/custom.metrics.k8s.io/v1beta2/nodes/*/m", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_OTHER_OBJECT);
    /* names Kubernetes refuses, and that must never reach a Redis hash tag */
    k8s_route_parse("/apis/custom.metrics.k8s.io/v1beta2/namespaces/a}b/pods/*/m", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_BAD_NAME);
    k8s_route_parse("/apis/custom.metrics.k8s.io/v1beta2/namespaces/Prod/pods/*/m", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_BAD_NAME);
    k8s_route_parse("/apis/custom.metrics.k8s.io/v1beta2/namespaces/p/pods/a*/m", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_BAD_NAME);
    k8s_route_parse("/api/v1/fleet/a{b/m", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_BAD_NAME);
    /* housekeeping */
    k8s_route_parse("/healthz", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_HEALTHZ);
    k8s_route_parse("/livez", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_LIVEZ);
    k8s_route_parse("/readyz/", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_READYZ);
    k8s_route_parse("/version", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_VERSION);
    k8s_route_parse("/openapi/v2", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_OPENAPI);
    k8s_route_parse("/openapi/v3/apis/x", &r);
    CU_ASSERT_EQUAL(r.kind, K8S_ROUTE_OPENAPI);
    static const char *const nf[] = {"",
                                     "/",
                                     "//",
                                     "/apis//x",
                                     "/api",
                                     "/apis/foo",
                                     "/apis/custom.metrics.k8s.io/v2",
                                     "/apis/custom.metrics.k8s.io/v1beta2/namespaces/d/pods/*",
                                     "/api/v1/fleet/ns",
                                     "healthz",
                                     "/metrics"};
    for (size_t i = 0; i < sizeof(nf) / sizeof(nf[0]); i++) {
        k8s_route_parse(nf[i], &r);
        if (r.kind != K8S_ROUTE_NOT_FOUND)
            CU_FAIL(nf[i]);
    }
}

static void test_quantity(void)
{
    static const struct {
        const char *s;
        int64_t milli;
    } table[] = {{"100", 100000},  {"1500m", 1500},   {"1k", 1000000},  {"1.5", 1500},
                 {"0.0005", 1},    {"500u", 1},       {"1e3", 1000000}, {"-250m", -250},
                 {"1Ki", 1024000}, {"0.5Ki", 512000}, {"2.5e-3", 3},    {"0", 0},
                 {"1n", 1},        {"1.0001", 1001},  {"+5", 5000},     {"-0.0005", -1}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        int64_t m = 0;
        CU_ASSERT_EQUAL(quantity_parse_milli(table[i].s, &m), 0);
        if (m != table[i].milli)
            CU_FAIL(table[i].s);
    }
    static const char *const bad[] = {"", "m", "1x", "1.2.3", "1e", "--1", "1 ", "Ki"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t m;
        if (quantity_parse_milli(bad[i], &m) != -EPROTO)
            CU_FAIL(bad[i]);
    }
    static const struct {
        double v;
        const char *s;
    } fmt[] = {{100, "100"},     {1.5, "1500m"}, {0.25, "250m"},         {0.1, "100m"},
               {0.0004, "1m"},   {0, "0"},       {2000, "2000"},         {150.0001, "150001m"},
               {-0.25, "-250m"}, {-0.0, "0"},    {1e12, "1000000000000"}};
    for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
        char b[QUANTITY_MAX_LEN];
        CU_ASSERT_EQUAL(quantity_format(fmt[i].v, b, sizeof(b)), 0);
        if (strcmp(b, fmt[i].s) != 0)
            CU_FAIL(fmt[i].s);
    }
    char b[QUANTITY_MAX_LEN];
    CU_ASSERT_EQUAL(quantity_format(NAN, b, sizeof(b)), -EDOM);
    CU_ASSERT_EQUAL(quantity_format(INFINITY, b, sizeof(b)), -EDOM);
    CU_ASSERT_EQUAL(quantity_format(1e17, b, sizeof(b)), -ERANGE);
    CU_ASSERT_EQUAL(quantity_format(1.5, b, 3), -E2BIG);
    /* what we write, the HPA reads back as ceil(v x 1000) */
    for (double v = 0; v < 50; v += 0.0137) {
        int64_t m;
        CU_ASSERT_EQUAL_FATAL(quantity_format(v, b, sizeof(b)), 0);
        CU_ASSERT_EQUAL(quantity_parse_milli(b, &m), 0);
        CU_ASSERT_EQUAL(m, (int64_t)ceil(v * 1000 - 1e-9));
    }
}

/* A fleet snapshot on the stack: labels app=<app>, tier=<tier>. */
struct fake_pod {
    Rizk__V1__PodSnapshot p;
    Rizk__V1__PodSnapshot__LabelsEntry e[2];
    Rizk__V1__PodSnapshot__LabelsEntry *ep[2];
};

static void fake_pod(struct fake_pod *f, const char *ns, const char *name, char *app, char *tier,
                     int64_t ts, double rps)
{
    rizk__v1__pod_snapshot__init(&f->p);
    f->p.pod = (char *)(uintptr_t)name;
    f->p.namespace_ = (char *)(uintptr_t)ns;
    f->p.has_timestamp_ms = true;
    f->p.timestamp_ms = ts;
    f->p.has_window_ms = true;
    f->p.window_ms = 60000;
    f->p.has_interval_ms = true;
    f->p.interval_ms = 1000;
    if (!isnan(rps)) {
        f->p.has_requests_per_second = true;
        f->p.requests_per_second = rps;
    }
    f->p.has_error_ratio = true;
    f->p.error_ratio = rps / 1000;
    char app_k[] = "app", tier_k[] = "tier";
    static char keys[2][8];
    memcpy(keys[0], app_k, sizeof(app_k));
    memcpy(keys[1], tier_k, sizeof(tier_k));
    for (int i = 0; i < 2; i++) {
        rizk__v1__pod_snapshot__labels_entry__init(&f->e[i]);
        f->e[i].key = keys[i];
        f->e[i].value = i == 0 ? app : tier;
        f->ep[i] = &f->e[i];
    }
    f->p.n_labels = 2;
    f->p.labels = f->ep;
}

static void test_select(void)
{
    const int64_t now = 1750000000000;
    struct fake_pod f[6];
    char web[] = "web", api[] = "api", a[] = "a", b[] = "b";
    fake_pod(&f[0], "ns-a", "web-1", web, a, now - 500, 150);
    fake_pod(&f[1], "ns-a", "web-2", web, b, now - 800, 200.5);
    fake_pod(&f[2], "ns-a", "api-1", api, a, now - 100, 40);
    fake_pod(&f[3], "ns-a", "web-3", web, a, now - 3500, 250); /* stale: > 3 x 1 s */
    fake_pod(&f[4], "ns-a", "web-4", web, a, now - 100, NAN);  /* no rps published */
    fake_pod(&f[5], "ns-b", "web-5", web, a, now - 100, 999);  /* other namespace */
    Rizk__V1__PodSnapshot *pods[6];
    for (int i = 0; i < 6; i++)
        pods[i] = &f[i].p;
    struct k8s_item items[6];
    struct selector *sel = NULL;
    CU_ASSERT_EQUAL_FATAL(selector_parse("app=web", &sel, NULL), 0);
    struct k8s_pod_filter flt = {.ns = "ns-a",
                                 .signal = SIG_REQUESTS_PER_SECOND,
                                 .sel = sel,
                                 .now_ms = now,
                                 .max_age_ms = 15000};
    size_t n = k8s_select_pods(&flt, pods, 6, items);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_STRING_EQUAL(items[0].pod, "web-1");
    CU_ASSERT_STRING_EQUAL(items[1].pod, "web-2");
    CU_ASSERT_EQUAL(items[1].value, 200.5);
    flt.sel = NULL;
    CU_ASSERT_EQUAL(k8s_select_pods(&flt, pods, 6, items), 3);
    flt.pod = "web-2";
    CU_ASSERT_EQUAL(k8s_select_pods(&flt, pods, 6, items), 1);
    flt.pod = "web-3";
    CU_ASSERT_EQUAL(k8s_select_pods(&flt, pods, 6, items), 0);
    flt.pod = NULL;
    flt.signal = SIG_ERROR_RATIO;
    CU_ASSERT_EQUAL(k8s_select_pods(&flt, pods, 6, items), 4); /* web-4 has this one */
    selector_free(sel);

    /* aggregate: sum for the rate, mean for the ratio, nothing for no pod */
    struct external_value ev;
    flt.signal = SIG_REQUESTS_PER_SECOND;
    n = k8s_select_pods(&flt, pods, 6, items);
    CU_ASSERT_EQUAL(external_aggregate(SIG_REQUESTS_PER_SECOND, items, n, &ev), 0);
    CU_ASSERT_DOUBLE_EQUAL(ev.value, 390.5, 1e-9);
    CU_ASSERT_EQUAL(ev.pods, 3);
    CU_ASSERT_EQUAL(ev.t_ms, now - 100);
    CU_ASSERT_EQUAL(ev.agg, EXTERNAL_SUM);
    CU_ASSERT_EQUAL(external_aggregate(SIG_ERROR_RATIO, items, n, &ev), 0);
    CU_ASSERT_DOUBLE_EQUAL(ev.value, 390.5 / 3, 1e-9);
    CU_ASSERT_EQUAL(ev.agg, EXTERNAL_MEAN);
    CU_ASSERT_EQUAL(external_aggregation(SIG_ACTIVE_CONNECTIONS), EXTERNAL_SUM);
    CU_ASSERT_EQUAL(external_aggregation(SIG_RESPONSE_TIME_P99), EXTERNAL_MEAN);
    CU_ASSERT_EQUAL(external_aggregate(SIG_ERROR_RATIO, items, 0, &ev), -ENOENT);
}

static json_t *parse_buf(struct buf *b)
{
    json_error_t e;
    json_t *j = json_loadb(buf_ptr(b), buf_len(b), 0, &e);
    if (j == NULL)
        CU_FAIL(e.text);
    return j;
}

static const char *jstr(json_t *o, const char *path)
{
    /* dotted path of object keys */
    char tmp[128];
    strcpy(tmp, path);
    json_t *cur = o;
    char *save = NULL;
    for (char *k = strtok_r(tmp, ".", &save); k != NULL && cur != NULL;
         k = strtok_r(NULL, ".", &save))
        cur = json_object_get(cur, k);
    return json_is_string(cur) ? json_string_value(cur) : NULL;
}

static void test_json_shapes(void)
{
    struct k8s_item it[2] = {{"default", "web-7d9f-abcde", 1.5, 1748779200000, 60000, 0},
                             {"default", "web-\"q\"", 210, 1748779200000, 60000, 0}};
    struct buf b;
    buf_init(&b, 1 << 16);
    CU_ASSERT_EQUAL(custom_metrics_render(&b, K8S_V1BETA2, "rizk_requests_per_second", it, 2), 0);
    json_t *j = parse_buf(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_STRING_EQUAL(jstr(j, "kind"), "MetricValueList");
    CU_ASSERT_STRING_EQUAL(jstr(j, "apiVersion"), "custom.metrics.k8s.io/v1beta2");
    CU_ASSERT_TRUE(json_is_object(json_object_get(j, "metadata")));
    json_t *items = json_object_get(j, "items");
    CU_ASSERT_EQUAL_FATAL(json_array_size(items), 2);
    json_t *i0 = json_array_get(items, 0);
    CU_ASSERT_STRING_EQUAL(jstr(i0, "describedObject.kind"), "Pod");
    CU_ASSERT_STRING_EQUAL(jstr(i0, "describedObject.namespace"), "default");
    CU_ASSERT_STRING_EQUAL(jstr(i0, "describedObject.name"), "web-7d9f-abcde");
    CU_ASSERT_STRING_EQUAL(jstr(i0, "describedObject.apiVersion"), "v1");
    CU_ASSERT_STRING_EQUAL(jstr(i0, "metric.name"), "rizk_requests_per_second");
    CU_ASSERT_TRUE(json_is_null(json_object_get(json_object_get(i0, "metric"), "selector")));
    CU_ASSERT_STRING_EQUAL(jstr(i0, "timestamp"), "2025-06-01T12:00:00Z");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(i0, "windowSeconds")), 60);
    CU_ASSERT_STRING_EQUAL(jstr(i0, "value"), "1500m");
    CU_ASSERT_PTR_NULL(json_object_get(i0, "metricName"));
    CU_ASSERT_PTR_NULL(json_object_get(i0, "window"));
    CU_ASSERT_STRING_EQUAL(jstr(json_array_get(items, 1), "value"), "210");
    CU_ASSERT_STRING_EQUAL(jstr(json_array_get(items, 1), "describedObject.name"), "web-\"q\"");
    json_decref(j);

    buf_reset(&b);
    CU_ASSERT_EQUAL(custom_metrics_render(&b, K8S_V1BETA1, "rizk_requests_per_second", it, 1), 0);
    j = parse_buf(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_STRING_EQUAL(jstr(j, "apiVersion"), "custom.metrics.k8s.io/v1beta1");
    i0 = json_array_get(json_object_get(j, "items"), 0);
    CU_ASSERT_STRING_EQUAL(jstr(i0, "metricName"), "rizk_requests_per_second");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(i0, "window")), 60);
    CU_ASSERT_TRUE(json_is_null(json_object_get(i0, "selector")));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(i0, "selector"));
    CU_ASSERT_PTR_NULL(json_object_get(i0, "metric"));
    CU_ASSERT_PTR_NULL(json_object_get(i0, "windowSeconds"));
    json_decref(j);

    /* no match: an empty list, still a valid list */
    buf_reset(&b);
    CU_ASSERT_EQUAL(custom_metrics_render(&b, K8S_V1BETA2, "m", NULL, 0), 0);
    CU_ASSERT_STRING_EQUAL(buf_ptr(&b), "{\"kind\":\"MetricValueList\",\"apiVersion\":"
                                        "\"custom.metrics.k8s.io/v1beta2\",\"metadata\":{},"
                                        "\"items\":[]}");

    /* external list and the KEDA document */
    struct external_value ev = {390.5, 3, 1748779200000, 60000, EXTERNAL_SUM};
    buf_reset(&b);
    CU_ASSERT_EQUAL(external_metrics_render(&b, "rizk_requests_per_second", &ev), 0);
    j = parse_buf(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_STRING_EQUAL(jstr(j, "kind"), "ExternalMetricValueList");
    CU_ASSERT_STRING_EQUAL(jstr(j, "apiVersion"), "external.metrics.k8s.io/v1beta1");
    i0 = json_array_get(json_object_get(j, "items"), 0);
    CU_ASSERT_STRING_EQUAL(jstr(i0, "metricName"), "rizk_requests_per_second");
    CU_ASSERT_STRING_EQUAL(jstr(i0, "value"), "390500m");
    CU_ASSERT_TRUE(json_is_object(json_object_get(i0, "metricLabels")));
    json_decref(j);
    buf_reset(&b);
    CU_ASSERT_EQUAL(external_fleet_render(&b, "prod", "rizk_requests_per_second", &ev), 0);
    CU_ASSERT_STRING_EQUAL(buf_ptr(&b),
                           "{\"namespace\":\"prod\",\"metric\":\"rizk_requests_per_second\","
                           "\"aggregation\":\"sum\",\"value\":390.5,\"pods\":3,"
                           "\"timestamp\":\"2025-06-01T12:00:00Z\",\"windowSeconds\":60}");

    /* Status */
    buf_reset(&b);
    CU_ASSERT_EQUAL(k8s_status_render(&b, 404, "the server could not find \"x\""), 0);
    CU_ASSERT_STRING_EQUAL(buf_ptr(&b),
                           "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                           "\"status\":\"Failure\",\"message\":\"the server could not find "
                           "\\\"x\\\"\",\"reason\":\"NotFound\",\"code\":404}");
    CU_ASSERT_STRING_EQUAL(k8s_status_reason(503), "ServiceUnavailable");
    CU_ASSERT_STRING_EQUAL(k8s_status_reason(401), "Unauthorized");
    CU_ASSERT_STRING_EQUAL(k8s_status_reason(403), "Forbidden");
    CU_ASSERT_STRING_EQUAL(k8s_status_reason(400), "BadRequest");
    buf_fini(&b);
}

static void test_discovery(void)
{
    struct buf b;
    buf_init(&b, 1 << 16);
    CU_ASSERT_EQUAL(discovery_render_resources(&b, K8S_GROUP_CUSTOM, K8S_V1BETA2), 0);
    json_t *j = parse_buf(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_STRING_EQUAL(jstr(j, "kind"), "APIResourceList");
    CU_ASSERT_STRING_EQUAL(jstr(j, "groupVersion"), "custom.metrics.k8s.io/v1beta2");
    json_t *res = json_object_get(j, "resources");
    CU_ASSERT_EQUAL(json_array_size(res), sigtable_fleet_count());
    CU_ASSERT_STRING_EQUAL(jstr(json_array_get(res, 0), "name"), "pods/rizk_requests_per_second");
    CU_ASSERT_STRING_EQUAL(jstr(json_array_get(res, 0), "kind"), "MetricValueList");
    json_decref(j);
    buf_reset(&b);
    CU_ASSERT_EQUAL(discovery_render_resources(&b, K8S_GROUP_EXTERNAL, K8S_V1BETA1), 0);
    j = parse_buf(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    res = json_object_get(j, "resources");
    CU_ASSERT_STRING_EQUAL(jstr(json_array_get(res, 0), "name"), "rizk_requests_per_second");
    CU_ASSERT_STRING_EQUAL(jstr(json_array_get(res, 0), "kind"), "ExternalMetricValueList");
    json_decref(j);
    buf_reset(&b);
    CU_ASSERT_EQUAL(discovery_render_apis(&b), 0);
    j = parse_buf(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t *g0 = json_array_get(json_object_get(j, "groups"), 0);
    CU_ASSERT_STRING_EQUAL(jstr(g0, "name"), "custom.metrics.k8s.io");
    CU_ASSERT_STRING_EQUAL(jstr(g0, "preferredVersion.version"), "v1beta2");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(g0, "versions")), 2);
    json_decref(j);
    buf_reset(&b);
    CU_ASSERT_EQUAL(discovery_render_group(&b, K8S_GROUP_EXTERNAL), 0);
    j = parse_buf(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_STRING_EQUAL(jstr(j, "kind"), "APIGroup");
    CU_ASSERT_STRING_EQUAL(jstr(j, "preferredVersion.groupVersion"),
                           "external.metrics.k8s.io/v1beta1");
    json_decref(j);
    buf_reset(&b);
    CU_ASSERT_EQUAL(discovery_render_version(&b), 0);
    j = parse_buf(&b);
    CU_ASSERT_PTR_NOT_NULL(jstr(j, "gitVersion"));
    json_decref(j);
    buf_fini(&b);
}

static void test_jsonw(void)
{
    struct buf b;
    buf_init(&b, 64);
    struct jsonw w;
    jsonw_init(&w, &b);
    jsonw_obj_open(&w);
    jsonw_key(&w, "a\n");
    jsonw_arr_open(&w);
    jsonw_int(&w, -3);
    jsonw_real(&w, 0.1);
    jsonw_real(&w, NAN);
    jsonw_bool(&w, true);
    jsonw_str(&w, "\x01");
    jsonw_arr_close(&w);
    jsonw_obj_close(&w);
    CU_ASSERT_EQUAL(jsonw_finish(&w), 0);
    CU_ASSERT_STRING_EQUAL(buf_ptr(&b), "{\"a\\n\":[-3,0.1,null,true,\"\\u0001\"]}");
    /* misuse is an error, not malformed output */
    buf_reset(&b);
    jsonw_init(&w, &b);
    jsonw_obj_open(&w);
    jsonw_str(&w, "value without key");
    CU_ASSERT_EQUAL(jsonw_finish(&w), -EINVAL);
    jsonw_init(&w, &b);
    jsonw_arr_open(&w);
    CU_ASSERT_EQUAL(jsonw_finish(&w), -EINVAL);
    /* the cap is sticky */
    buf_reset(&b);
    jsonw_init(&w, &b);
    jsonw_arr_open(&w);
    for (int i = 0; i < 100; i++)
        jsonw_str(&w, "xxxxxxxx");
    jsonw_arr_close(&w);
    CU_ASSERT_EQUAL(jsonw_finish(&w), -E2BIG);
    buf_fini(&b);
}

static CU_TestInfo k8s_tests[] = {
    {"url decoding", test_urldecode},
    {"router", test_router},
    {"quantity table and round trip", test_quantity},
    {"pod selection and aggregation", test_select},
    {"MetricValueList v1beta1/v1beta2, external, Status", test_json_shapes},
    {"discovery documents", test_discovery},
    {"streaming JSON writer", test_jsonw},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_k8s = {"k8s", NULL, NULL, NULL, NULL, k8s_tests};
