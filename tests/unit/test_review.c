/* Unit tests for k8s/review.c: the TokenReview and SubjectAccessReview bodies as Go writes them
 * (omitempty), and strict parsing of the answers. */
#include <errno.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "k8s/authn_configmap.h"
#include "k8s/request_info.h"
#include "k8s/review.h"

static void test_render(void)
{
    struct buf b;
    buf_init(&b, 4096);
    CU_ASSERT_EQUAL(review_render_token(&b, "a\"b"), 0);
    CU_ASSERT_STRING_EQUAL(buf_ptr(&b), "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":"
                                        "\"TokenReview\",\"spec\":{\"token\":\"a\\\"b\"}}");
    buf_reset(&b);
    struct request_info ri;
    CU_ASSERT_EQUAL_FATAL(
        request_info_parse("GET", "/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns-a/pods/*/m",
                           NULL, NULL, &ri),
        0);
    struct auth_identity id = {.user = "alice",
                               .uid = "u-1",
                               .groups = {"devs", "system:authenticated"},
                               .ngroups = 2,
                               .extra = {{"scopes", "a"}, {"team", "x"}, {"scopes", "b"}},
                               .nextra = 3};
    CU_ASSERT_EQUAL(review_render_access(&b, &ri, &id), 0);
    CU_ASSERT_STRING_EQUAL(
        buf_ptr(&b),
        "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\",\"spec\":{"
        "\"resourceAttributes\":{\"namespace\":\"ns-a\",\"verb\":\"get\",\"group\":\"custom."
        "metrics.k8s.io\",\"version\":\"v1beta2\",\"resource\":\"pods\",\"subresource\":\"m\","
        "\"name\":\"*\"},\"user\":\"alice\",\"groups\":[\"devs\",\"system:authenticated\"],"
        "\"extra\":{\"scopes\":[\"a\",\"b\"],\"team\":[\"x\"]},\"uid\":\"u-1\"}}");
    buf_reset(&b);
    CU_ASSERT_EQUAL_FATAL(request_info_parse("GET", "/apis", NULL, NULL, &ri), 0);
    struct auth_identity bare = {.user = "bob"};
    CU_ASSERT_EQUAL(review_render_access(&b, &ri, &bare), 0);
    CU_ASSERT_STRING_EQUAL(buf_ptr(&b),
                           "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":"
                           "\"SubjectAccessReview\",\"spec\":{\"nonResourceAttributes"
                           "\":{\"path\":\"/apis\",\"verb\":\"get\"},\"user\":\"bob\"}}");
    buf_fini(&b);
}

static int tok(const char *json, struct review_token *t)
{
    struct parse_err e = {0};
    return review_parse_token(json, strlen(json), false, t, &e);
}

static void test_parse_token(void)
{
    struct review_token t;
    CU_ASSERT_EQUAL_FATAL(
        tok("{\"kind\":\"TokenReview\",\"status\":{\"authenticated\":true,\"user\":{\"username\":"
            "\"system:serviceaccount:kube-system:horizontal-pod-autoscaler\",\"uid\":\"9\","
            "\"groups\":[\"system:serviceaccounts\",\"system:authenticated\"],\"extra\":{"
            "\"authentication.kubernetes.io/pod-name\":[\"p\"]}},\"audiences\":[\"x\"]}}",
            &t),
        0);
    CU_ASSERT_TRUE(t.authenticated);
    CU_ASSERT_STRING_EQUAL(t.id.user,
                           "system:serviceaccount:kube-system:horizontal-pod-autoscaler");
    CU_ASSERT_STRING_EQUAL(t.id.uid, "9");
    CU_ASSERT_EQUAL(t.id.ngroups, 2);
    CU_ASSERT_STRING_EQUAL(t.id.groups[1], "system:authenticated");
    CU_ASSERT_EQUAL(t.id.nextra, 1);
    CU_ASSERT_STRING_EQUAL(t.id.extra[0].key, "authentication.kubernetes.io/pod-name");
    CU_ASSERT_STRING_EQUAL(t.id.via, "token");
    /* the cached form round-trips */
    struct buf b;
    buf_init(&b, 4096);
    CU_ASSERT_EQUAL(review_token_status_text(&t, &b), 0);
    struct review_token t2;
    struct parse_err e = {0};
    CU_ASSERT_EQUAL_FATAL(review_parse_token(buf_ptr(&b), buf_len(&b), true, &t2, &e), 0);
    CU_ASSERT_STRING_EQUAL(t2.id.user, t.id.user);
    CU_ASSERT_STRING_EQUAL(t2.id.extra[0].value, "p");
    CU_ASSERT_EQUAL(t2.id.ngroups, 2);
    review_token_fini(&t2);
    review_token_fini(&t);
    buf_fini(&b);

    CU_ASSERT_EQUAL_FATAL(tok("{\"status\":{\"authenticated\":false,\"error\":\"expired\"}}", &t),
                          0);
    CU_ASSERT_FALSE(t.authenticated);
    CU_ASSERT_STRING_EQUAL(t.error, "expired");
    review_token_fini(&t);
    CU_ASSERT_EQUAL_FATAL(tok("{\"status\":{}}", &t), 0);
    CU_ASSERT_FALSE(t.authenticated);
    review_token_fini(&t);

    const char *bad[] = {
        "",
        "[]",
        "{\"status\":[]}",
        "{\"status\":{\"authenticated\":\"yes\"}}",
        "{\"status\":{\"authenticated\":true}}",
        "{\"status\":{\"authenticated\":true,\"user\":{\"username\":\"\"}}}",
        "{\"status\":{\"authenticated\":true,\"user\":{\"username\":\"a\",\"groups\":\"g\"}}}",
        "{\"status\":{\"authenticated\":true,\"user\":{\"username\":\"a\",\"groups\":[1]}}}",
        "{\"status\":{\"authenticated\":true,\"user\":{\"username\":\"a\",\"extra\":{\"k\":\"v\"}}}"
        "}",
        "{\"status\":{\"authenticated\":true,\"user\":{\"username\":\"a\\u0000b\"}}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_EQUAL(tok(bad[i], &t), -EPROTO);
}

static void test_parse_access(void)
{
    struct review_access a;
    struct parse_err e = {0};
    const char *ok = "{\"status\":{\"allowed\":true,\"reason\":\"RBAC: allowed by "
                     "ClusterRoleBinding\"}}";
    CU_ASSERT_EQUAL_FATAL(review_parse_access(ok, strlen(ok), &a, &e), 0);
    CU_ASSERT_TRUE(a.allowed);
    CU_ASSERT_FALSE(a.denied);
    CU_ASSERT_STRING_EQUAL(a.reason, "RBAC: allowed by ClusterRoleBinding");
    const char *no = "{\"status\":{\"allowed\":false,\"denied\":true,\"evaluationError\":\"x\"}}";
    CU_ASSERT_EQUAL_FATAL(review_parse_access(no, strlen(no), &a, &e), 0);
    CU_ASSERT_FALSE(a.allowed);
    CU_ASSERT_TRUE(a.denied);
    CU_ASSERT_STRING_EQUAL(a.evaluation_error, "x");
    CU_ASSERT_STRING_EQUAL(a.reason, "");
    const char *bad = "{\"status\":{\"allowed\":1}}";
    CU_ASSERT_EQUAL(review_parse_access(bad, strlen(bad), &a, &e), -EPROTO);
    CU_ASSERT_EQUAL(review_parse_access("nope", 4, &a, &e), -EPROTO);
}

static void test_configmap(void)
{
    /* the shape kube-apiserver writes (lists as JSON inside strings) */
    const char *cm = "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
                     "\"extension-apiserver-authentication\"},\"data\":{\"client-ca-file\":\"CA1\","
                     "\"requestheader-client-ca-file\":\"CA2\",\"requestheader-allowed-names\":"
                     "\"[\\\"front-proxy-client\\\",\\\"aggregator\\\"]\","
                     "\"requestheader-username-headers\":\"[\\\"X-Remote-User\\\"]\","
                     "\"requestheader-group-headers\":\"[\\\"X-Remote-Group\\\"]\","
                     "\"requestheader-extra-headers-prefix\":\"[\\\"X-Remote-Extra-\\\"]\"}}";
    struct authn_configmap c;
    struct parse_err e = {0};
    CU_ASSERT_EQUAL_FATAL(parse_authn_configmap(cm, strlen(cm), &c, &e), 0);
    CU_ASSERT_STRING_EQUAL(c.client_ca, "CA1");
    CU_ASSERT_STRING_EQUAL(c.requestheader_ca, "CA2");
    CU_ASSERT_STRING_EQUAL(c.allowed_names, "front-proxy-client,aggregator");
    CU_ASSERT_STRING_EQUAL(c.username_headers, "X-Remote-User");
    CU_ASSERT_STRING_EQUAL(c.group_headers, "X-Remote-Group");
    CU_ASSERT_STRING_EQUAL(c.extra_prefixes, "X-Remote-Extra-");
    authn_configmap_fini(&c);
    CU_ASSERT_PTR_NULL(c.client_ca);
    /* an empty allowed-names list is "any CN" (""), an absent key NULL */
    const char *empty =
        "{\"kind\":\"ConfigMap\",\"data\":{\"requestheader-allowed-names\":\"[]\"}}";
    CU_ASSERT_EQUAL_FATAL(parse_authn_configmap(empty, strlen(empty), &c, &e), 0);
    CU_ASSERT_STRING_EQUAL(c.allowed_names, "");
    CU_ASSERT_PTR_NULL(c.requestheader_ca);
    authn_configmap_fini(&c);
    const char *bad[] = {
        "{\"kind\":\"Secret\"}",
        "{\"kind\":\"ConfigMap\",\"data\":[]}",
        "{\"kind\":\"ConfigMap\",\"data\":{\"client-ca-file\":1}}",
        "{\"kind\":\"ConfigMap\",\"data\":{\"requestheader-allowed-names\":\"front-proxy\"}}",
        "{\"kind\":\"ConfigMap\",\"data\":{\"requestheader-allowed-names\":\"[\\\"a,b\\\"]\"}}",
    };
    const char *what[] = {"the answer is not a ConfigMap", "data is not an object",
                          "client-ca-file", "requestheader-allowed-names",
                          "requestheader-allowed-names"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(parse_authn_configmap(bad[i], strlen(bad[i]), &c, &e), -EPROTO);
        CU_ASSERT_STRING_EQUAL(e.what, what[i]);
    }
}

static CU_TestInfo review_tests[] = {
    {"review bodies as Go writes them", test_render},
    {"TokenReview answers", test_parse_token},
    {"SubjectAccessReview answers", test_parse_access},
    {"extension-apiserver-authentication ConfigMap", test_configmap},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_review = {"review", NULL, NULL, NULL, NULL, review_tests};
