/* Unit tests for the kubeconfig parser (parse/kubeconfig.c): context selection, every field
 * kube_client uses, YAML 1.1 booleans and nulls, client-go's precedence and refusals, and the
 * positions errors point at. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "parse/kubeconfig.h"
#include "unit_util.h"

static int parse_str(const char *text, const char *ctx, struct kubeconfig *k, struct parse_err *e)
{
    return parse_kubeconfig(text, strlen(text), ctx, k, e);
}

static int parse_fixture(const char *rel, const char *ctx, struct kubeconfig *k,
                         struct parse_err *e)
{
    size_t len = 0;
    char *text = unit_fixture_read(rel, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    int rc = parse_kubeconfig(text, len, ctx, k, e);
    free(text);
    return rc;
}

static void test_current_context(void)
{
    struct kubeconfig k;
    struct parse_err e = {0};
    CU_ASSERT_EQUAL_FATAL(parse_fixture("kubeconfig/full.yaml", NULL, &k, &e), 0);
    CU_ASSERT_STRING_EQUAL(k.context, "prod");
    CU_ASSERT_STRING_EQUAL(k.cluster, "prod-cluster");
    CU_ASSERT_STRING_EQUAL(k.user, "prod-admin");
    CU_ASSERT_STRING_EQUAL(k.namespace, "rizk");
    CU_ASSERT_STRING_EQUAL(k.server, "https://10.0.0.1:6443");
    CU_ASSERT_STRING_EQUAL(k.ca_data, "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkNBREFUQQotLS0tLUVORC"
                                      "BDRVJUSUZJQ0FURS0tLS0tCg==");
    CU_ASSERT_PTR_NULL(k.ca_file);
    CU_ASSERT_FALSE(k.insecure_skip_tls_verify);
    CU_ASSERT_STRING_EQUAL(k.cert_data, "Q0VSVA==");
    CU_ASSERT_STRING_EQUAL(k.key_data, "S0VZ");
    CU_ASSERT_PTR_NULL(k.cert_file);
    CU_ASSERT_PTR_NULL(k.key_file);
    CU_ASSERT_PTR_NULL(k.token);
    CU_ASSERT_PTR_NULL(k.token_file);
    kubeconfig_fini(&k);
    CU_ASSERT_PTR_NULL(k.server);
    kubeconfig_fini(NULL);
}

static void test_named_context(void)
{
    struct kubeconfig k;
    struct parse_err e = {0};
    CU_ASSERT_EQUAL_FATAL(parse_fixture("kubeconfig/full.yaml", "dev", &k, &e), 0);
    CU_ASSERT_STRING_EQUAL(k.context, "dev");
    CU_ASSERT_STRING_EQUAL(k.server, "https://dev.example:443/");
    CU_ASSERT_STRING_EQUAL(k.ca_file, "ca/dev.crt");
    CU_ASSERT_PTR_NULL(k.ca_data);
    CU_ASSERT_PTR_NULL(k.namespace);
    CU_ASSERT_STRING_EQUAL(k.token_file, "tokens/dev");
    CU_ASSERT_PTR_NULL(k.token);
    kubeconfig_fini(&k);

    CU_ASSERT_EQUAL(parse_fixture("kubeconfig/full.yaml", "staging", &k, &e), -EPROTO);
    CU_ASSERT_STRING_EQUAL(e.what, "the context is not defined");
    CU_ASSERT_EQUAL(e.line, 20); /* the contexts list */
}

static void test_token_and_booleans(void)
{
    struct kubeconfig k;
    struct parse_err e = {0};
    CU_ASSERT_EQUAL_FATAL(parse_fixture("kubeconfig/token.yaml", NULL, &k, &e), 0);
    CU_ASSERT_STRING_EQUAL(k.server, "https://127.0.0.1:8443");
    CU_ASSERT_TRUE(k.insecure_skip_tls_verify); /* "yes" is YAML 1.1's true */
    CU_ASSERT_PTR_NULL(k.namespace);            /* "~" is null */
    CU_ASSERT_STRING_EQUAL(k.token, "abc.def");
    CU_ASSERT_STRING_EQUAL(k.token_file, "/ignored/because/token/wins");
    kubeconfig_fini(&k);

    const char *bad_bool = "clusters:\n- name: c\n  cluster:\n    server: https://h\n"
                           "    insecure-skip-tls-verify: maybe\n"
                           "contexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n";
    CU_ASSERT_EQUAL(parse_str(bad_bool, NULL, &k, &e), -EPROTO);
    CU_ASSERT_STRING_EQUAL(e.what, "expected true or false");
    CU_ASSERT_EQUAL(e.line, 5);
    CU_ASSERT_EQUAL(e.col, 31);
}

static void test_anonymous_and_quoted(void)
{
    /* no user: anonymous; a quoted "null" is a string, not YAML's null */
    const char *t = "clusters:\n- name: c\n  cluster: {server: 'http://127.0.0.1:8001'}\n"
                    "contexts:\n- name: x\n  context: {cluster: c, namespace: \"null\"}\n"
                    "current-context: x\n";
    struct kubeconfig k;
    struct parse_err e = {0};
    CU_ASSERT_EQUAL_FATAL(parse_str(t, NULL, &k, &e), 0);
    CU_ASSERT_PTR_NULL(k.user);
    CU_ASSERT_STRING_EQUAL(k.namespace, "null");
    CU_ASSERT_STRING_EQUAL(k.server, "http://127.0.0.1:8001");
    kubeconfig_fini(&k);
}

struct refusal {
    const char *text;
    const char *what;
    unsigned line;
};

static void test_refusals(void)
{
    static const struct refusal cases[] = {
        {"", "a kubeconfig is a YAML mapping", 0},
        {"- a\n- b\n", "a kubeconfig is a YAML mapping", 1},
        {"clusters: [\n", "did not find expected node content", 2},
        {"apiVersion: v1\n", "no current-context", 0},
        {"current-context: x\ncontexts:\n- name: x\n  context: {user: u}\n",
         "the context names no cluster", 4},
        {"current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\n",
         "the context's cluster is not defined", 4},
        {"current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\n"
         "clusters:\n- name: c\n  cluster: {certificate-authority: /ca}\n",
         "the cluster has no server", 7},
        {"current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\n"
         "clusters:\n- name: c\n  cluster: {server: [a]}\n",
         "expected a string", 7},
        {"current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\n"
         "clusters:\n- name: c\n  cluster: {server: \"https://h\\0x\"}\n",
         "a NUL byte in a string", 7},
        {"current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\n"
         "clusters:\n- name: c\n  cluster:\n    server: https://h\n"
         "    certificate-authority: /ca.crt\n    insecure-skip-tls-verify: true\n",
         "insecure-skip-tls-verify together with a certificate-authority", 10},
        {"current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
         "clusters:\n- name: c\n  cluster: {server: https://h}\n",
         "the context's user is not defined", 4},
        {"current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
         "clusters:\n- name: c\n  cluster: {server: https://h}\n"
         "users:\n- name: u\n  user: {client-certificate: /c.crt}\n",
         "a client certificate without its client-key", 10},
        {"current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
         "clusters:\n- name: c\n  cluster: {server: https://h}\n"
         "users:\n- name: u\n  user: {client-key-data: S0VZ}\n",
         "a client-key without its client-certificate", 10},
        {"current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
         "clusters:\n- name: c\n  cluster: {server: https://h}\n"
         "users:\n- name: u\n  user: {username: admin, password: secret}\n",
         "basic-auth users are not supported", 10},
        {"current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
         "clusters:\n- name: c\n  cluster: {server: https://h}\n"
         "users:\n- name: u\n  user:\n    auth-provider: {name: oidc}\n",
         "auth-provider credentials are not supported", 11},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct kubeconfig k = {0};
        struct parse_err e = {0};
        int rc = parse_str(cases[i].text, NULL, &k, &e);
        CU_ASSERT_EQUAL(rc, -EPROTO);
        CU_ASSERT_PTR_NOT_NULL_FATAL(e.what);
        if (strcmp(e.what, cases[i].what) != 0 || e.line != cases[i].line)
            fprintf(stderr, "case %zu: got \"%s\" at line %u\n", i, e.what, e.line);
        CU_ASSERT_STRING_EQUAL(e.what, cases[i].what);
        CU_ASSERT_EQUAL(e.line, cases[i].line);
        CU_ASSERT_PTR_NULL(k.server); /* untouched on failure */
    }
    struct kubeconfig k;
    struct parse_err e = {0};
    CU_ASSERT_EQUAL(parse_fixture("kubeconfig/exec.yaml", NULL, &k, &e), -EPROTO);
    CU_ASSERT_STRING_EQUAL(e.what, "exec credential plugins are not supported");
    CU_ASSERT_EQUAL(e.line, 18); /* the exec mapping */
    CU_ASSERT_EQUAL(parse_kubeconfig("a: b", KUBECONFIG_MAX_BYTES + 1, NULL, &k, &e), -E2BIG);
}

static void test_aliases(void)
{
    /* anchors and aliases resolve to the same node (a user shared by two entries) */
    const char *t = "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
                    "clusters:\n- name: c\n  cluster: &cl {server: https://h}\n"
                    "- name: d\n  cluster: *cl\n"
                    "users:\n- name: u\n  user: {token: t1}\n";
    struct kubeconfig k;
    struct parse_err e = {0};
    CU_ASSERT_EQUAL_FATAL(parse_str(t, NULL, &k, &e), 0);
    CU_ASSERT_STRING_EQUAL(k.server, "https://h");
    CU_ASSERT_STRING_EQUAL(k.token, "t1");
    kubeconfig_fini(&k);
}

static CU_TestInfo kubeconfig_tests[] = {
    {"current context, data forms", test_current_context},
    {"named context, file forms", test_named_context},
    {"token, YAML 1.1 booleans and nulls", test_token_and_booleans},
    {"anonymous user, quoted strings", test_anonymous_and_quoted},
    {"refusals with positions", test_refusals},
    {"anchors and aliases", test_aliases},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_kubeconfig = {"kubeconfig", NULL, NULL, NULL, NULL, kubeconfig_tests};
