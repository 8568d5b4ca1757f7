/* Unit tests for k8s/request_info.c: the attributes kube-apiserver's RequestInfoFactory makes for
 * every route the adapter serves and for the corner cases of the Go parser (special verbs,
 * namespace subresources, list/watch/deletecollection, fieldSelector names). */
#include <errno.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "k8s/request_info.h"

struct ri_case {
    const char *method, *path, *watch, *fsel;
    /* expected: "R verb group version namespace resource subresource name" for resource
     * requests ("-" for ""), "N verb path" for non-resource ones */
    const char *want;
};

static void ri_render(const struct request_info *ri, char *out, size_t n)
{
#define D(s) ((s)[0] != '\0' ? (s) : "-")
    if (ri->is_resource)
        snprintf(out, n, "R %s %s %s %s %s %s %s", D(ri->verb), D(ri->group), D(ri->version),
                 D(ri->namespace), D(ri->resource), D(ri->subresource), D(ri->name));
    else
        snprintf(out, n, "N %s %s", D(ri->verb), ri->path);
#undef D
}

static void test_routes(void)
{
    static const struct ri_case cases[] = {
        /* the adapter's own routes */
        {"GET", "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests", NULL,
         NULL, "R get custom.metrics.k8s.io v1beta2 default pods http_requests *"},
        {"GET", "/apis/custom.metrics.k8s.io/v1beta1/namespaces/ns-a/pods/web-1/rizk_error_ratio",
         NULL, NULL, "R get custom.metrics.k8s.io v1beta1 ns-a pods rizk_error_ratio web-1"},
        {"GET", "/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns-a/metrics/rizk_x", NULL, NULL,
         "R get custom.metrics.k8s.io v1beta2 ns-a metrics - rizk_x"},
        {"GET", "/apis/custom.metrics.k8s.io/v1beta2/nodes/*/rizk_x", NULL, NULL,
         "R get custom.metrics.k8s.io v1beta2 - nodes rizk_x *"},
        {"GET", "/apis/external.metrics.k8s.io/v1beta1/namespaces/ns-a/rizk_requests_per_second",
         NULL, NULL, "R list external.metrics.k8s.io v1beta1 ns-a rizk_requests_per_second - -"},
        {"GET", "/apis/custom.metrics.k8s.io/v1beta2", NULL, NULL,
         "N get /apis/custom.metrics.k8s.io/v1beta2"},
        {"GET", "/apis/custom.metrics.k8s.io", NULL, NULL, "N get /apis/custom.metrics.k8s.io"},
        {"GET", "/apis", NULL, NULL, "N get /apis"},
        {"GET", "/healthz", NULL, NULL, "N get /healthz"},
        {"HEAD", "/version", NULL, NULL, "N head /version"},
        {"POST", "/openapi/v2", NULL, NULL, "N post /openapi/v2"},
        {"GET", "/api/v1/fleet/ns-a/rizk_requests_per_second", NULL, NULL,
         "R get - v1 - fleet rizk_requests_per_second ns-a"},
        {"GET", "/api/v1/namespaces", NULL, NULL, "R list - v1 - namespaces - -"},
        {"GET", "/api/v1/namespaces/kube-system", NULL, NULL,
         "R get - v1 kube-system namespaces - kube-system"},
        {"PUT", "/api/v1/namespaces/x/finalize", NULL, NULL,
         "R update - v1 x namespaces finalize x"},
        {"GET", "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication",
         NULL, NULL, "R get - v1 kube-system configmaps - extension-apiserver-authentication"},
        /* methods */
        {"POST", "/apis/custom.metrics.k8s.io/v1beta2/namespaces/a/pods/*/m", NULL, NULL,
         "R create custom.metrics.k8s.io v1beta2 a pods m *"},
        {"PATCH", "/apis/apps/v1/namespaces/a/deployments/web", NULL, NULL,
         "R patch apps v1 a deployments - web"},
        {"DELETE", "/apis/apps/v1/namespaces/a/deployments", NULL, NULL,
         "R deletecollection apps v1 a deployments - -"},
        {"DELETE", "/apis/apps/v1/namespaces/a/deployments/web", NULL, NULL,
         "R delete apps v1 a deployments - web"},
        {"OPTIONS", "/apis/apps/v1/namespaces/a/deployments/web", NULL, NULL,
         "R - apps v1 a deployments - web"},
        /* list, watch, field selectors */
        {"GET", "/api/v1/namespaces/a/pods", "true", NULL, "R watch - v1 a pods - -"},
        {"GET", "/api/v1/namespaces/a/pods", "", NULL, "R watch - v1 a pods - -"},
        {"GET", "/api/v1/namespaces/a/pods", "0", NULL, "R list - v1 a pods - -"},
        {"GET", "/api/v1/namespaces/a/pods", "FALSE", NULL, "R list - v1 a pods - -"},
        {"GET", "/api/v1/namespaces/a/pods/p", "true", NULL, "R get - v1 a pods - p"},
        {"GET", "/api/v1/namespaces/a/pods", NULL, "metadata.name=p1", "R list - v1 a pods - p1"},
        {"GET", "/api/v1/namespaces/a/pods", NULL, "status.phase=Running,metadata.name==p\\,2",
         "R list - v1 a pods - p,2"},
        {"GET", "/api/v1/namespaces/a/pods", NULL, "metadata.name!=p1", "R list - v1 a pods - -"},
        {"GET", "/api/v1/namespaces/a/pods", NULL, "metadata.name=a/b", "R list - v1 a pods - -"},
        {"GET", "/api/v1/namespaces/a/pods", NULL, "metadata.name=..", "R list - v1 a pods - -"},
        {"GET", "/api/v1/namespaces/a/pods", NULL, "metadata.name", "R list - v1 a pods - -"},
        /* special verbs */
        {"GET", "/api/v1/watch/namespaces/a/pods", NULL, NULL, "R watch - v1 a pods - -"},
        {"GET", "/api/v1/proxy/namespaces/a/pods/p/x/y", NULL, NULL, "R proxy - v1 a pods - p"},
        {"GET", "/api/v1/namespaces/a/pods/p/log/extra", NULL, NULL, "R get - v1 a pods log p"},
        /* too short to be a resource request; odd slashes */
        {"GET", "/apis/apps", NULL, NULL, "N get /apis/apps"},
        {"GET", "/apis/apps/v1", NULL, NULL, "N get /apis/apps/v1"},
        {"GET", "/api/v1", NULL, NULL, "N get /api/v1"},
        {"GET", "//api//v1/", NULL, NULL, "R list - - - v1 - -"},
        {"GET", "/apis/apps/v1/deployments/", NULL, NULL, "R list apps v1 - deployments - -"},
        {"GET", "/metrics", NULL, NULL, "N get /metrics"},
        {"GET", "/", NULL, NULL, "N get /"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct request_info ri;
        char got[1024];
        int rc =
            request_info_parse(cases[i].method, cases[i].path, cases[i].watch, cases[i].fsel, &ri);
        CU_ASSERT_EQUAL(rc, 0);
        ri_render(&ri, got, sizeof(got));
        if (strcmp(got, cases[i].want) != 0)
            fprintf(stderr, "%s %s: got [%s] want [%s]\n", cases[i].method, cases[i].path, got,
                    cases[i].want);
        CU_ASSERT_STRING_EQUAL(got, cases[i].want);
    }
}

static void test_errors(void)
{
    struct request_info ri;
    /* Go: "unable to determine kind and namespace from url" */
    CU_ASSERT_EQUAL(request_info_parse("GET", "/api/v1/watch", NULL, NULL, &ri), -EPROTO);
    CU_ASSERT_EQUAL(request_info_parse("GET", "/apis/g/v1/proxy", NULL, NULL, &ri), -EPROTO);
    static char longp[REQUEST_INFO_PATH_MAX + 10];
    memset(longp, 'a', sizeof(longp) - 1);
    longp[0] = '/';
    CU_ASSERT_EQUAL(request_info_parse("GET", longp, NULL, NULL, &ri), -E2BIG);
    /* the longest path that fits, all slashes and segments */
    static char maxp[REQUEST_INFO_PATH_MAX];
    for (size_t i = 0; i + 1 < sizeof(maxp); i++)
        maxp[i] = (i % 2 == 0) ? '/' : 'x';
    maxp[sizeof(maxp) - 1] = '\0';
    CU_ASSERT_EQUAL(request_info_parse("GET", maxp, NULL, NULL, &ri), -E2BIG); /* > 512 parts */
    memcpy(maxp, "/apis/g/v/r/n/s", 15);
    maxp[15] = '\0';
    CU_ASSERT_EQUAL(request_info_parse("GET", maxp, NULL, NULL, &ri), 0);
    CU_ASSERT_STRING_EQUAL(ri.subresource, "s");
}

static CU_TestInfo request_info_tests[] = {
    {"attributes as kube-apiserver makes them", test_routes},
    {"errors", test_errors},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_request_info = {"request_info", NULL, NULL,
                                         NULL,           NULL, request_info_tests};
