/* Unit tests for the adapter's authentication rules (http/auth.c) without TLS: comma lists,
 * the identity of each kind of peer (front proxy: X-Remote-User required, groups from the
 * headers; client certificate: CN and O; anything else refused), and the admission lists. The
 * certificate classification itself runs against real certificates in e2e/test_adapter_kubectl. */
#include <errno.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "config/config.h"
#include "http/auth.h"

static void test_lists(void)
{
    CU_ASSERT_TRUE(auth_list_contains("front-proxy-client", "front-proxy-client"));
    CU_ASSERT_TRUE(auth_list_contains("a, b ,c", "b"));
    CU_ASSERT_TRUE(auth_list_contains("a,b,c", "c"));
    CU_ASSERT_FALSE(auth_list_contains("a,b,c", "ab"));
    CU_ASSERT_FALSE(auth_list_contains("abc", "ab"));
    CU_ASSERT_FALSE(auth_list_contains("", ""));
    CU_ASSERT_FALSE(auth_list_contains(",,", ""));
    CU_ASSERT_FALSE(auth_list_contains(NULL, "a"));
    CU_ASSERT_TRUE(auth_list_contains("system:masters,system:serviceaccounts", "system:masters"));
}

static void test_identify(void)
{
    struct auth_identity id;
    const char *why = NULL;
    const char *groups[] = {"system:serviceaccounts", "", "system:authenticated"};
    struct auth_peer proxy = {.kind = AUTH_PEER_FRONT_PROXY, .cn = "front-proxy-client"};
    CU_ASSERT_EQUAL(auth_identify(&proxy, "hpa", groups, 3, &id, &why), 0);
    CU_ASSERT_STRING_EQUAL(id.user, "hpa");
    CU_ASSERT_EQUAL(id.ngroups, 2); /* empty group values are dropped */
    CU_ASSERT_STRING_EQUAL(id.groups[1], "system:authenticated");
    CU_ASSERT_STRING_EQUAL(id.via, "front-proxy");
    CU_ASSERT_EQUAL(auth_identify(&proxy, NULL, groups, 3, &id, &why), -EACCES);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "X-Remote-User"));
    CU_ASSERT_EQUAL(auth_identify(&proxy, "", NULL, 0, &id, &why), -EACCES);

    struct auth_peer client = {.kind = AUTH_PEER_CLIENT, .cn = "alice", .ngroups = 2};
    strcpy(client.groups[0], "devs");
    strcpy(client.groups[1], "ops");
    /* the X-Remote-* values are not trusted on this path: they are not even looked at */
    CU_ASSERT_EQUAL(auth_identify(&client, "root", groups, 3, &id, &why), 0);
    CU_ASSERT_STRING_EQUAL(id.user, "alice");
    CU_ASSERT_EQUAL(id.ngroups, 2);
    CU_ASSERT_STRING_EQUAL(id.groups[0], "devs");
    CU_ASSERT_STRING_EQUAL(id.via, "client-cert");

    struct auth_peer none = {.kind = AUTH_PEER_NONE};
    struct auth_peer untrusted = {.kind = AUTH_PEER_UNTRUSTED};
    CU_ASSERT_EQUAL(auth_identify(&none, "hpa", groups, 3, &id, &why), -EACCES);
    CU_ASSERT_EQUAL(auth_identify(&untrusted, "hpa", groups, 3, &id, &why), -EACCES);
    CU_ASSERT_EQUAL(auth_identify(NULL, NULL, NULL, 0, &id, &why), 0); /* --insecure-http */
    CU_ASSERT_STRING_EQUAL(id.user, "system:anonymous");
    CU_ASSERT_STRING_EQUAL(id.via, "insecure-http");
}

static void test_admission(void)
{
    struct config cfg;
    memset(&cfg, 0, sizeof(cfg));
    struct auth_policy *open = NULL, *narrow = NULL;
    CU_ASSERT_EQUAL(auth_policy_new(&cfg, &open), 0);
    char users[] = "carol", groups[] = "rizk-readers, sre";
    cfg.authorized_users = users;
    cfg.authorized_groups = groups;
    CU_ASSERT_EQUAL(auth_policy_new(&cfg, &narrow), 0);
    CU_ASSERT_FALSE(auth_policy_restricts(open));
    CU_ASSERT_TRUE(auth_policy_restricts(narrow));
    struct auth_identity alice = {.user = "alice", .groups = {"devs"}, .ngroups = 1, .via = "client-cert"};
    struct auth_identity carol = {.user = "carol", .via = "client-cert"};
    struct auth_identity sre = {.user = "bob", .groups = {"x", "sre"}, .ngroups = 2, .via = "front-proxy"};
    struct auth_identity admin = {
        .user = "kube", .groups = {"system:masters"}, .ngroups = 1, .via = "front-proxy"};
    CU_ASSERT_TRUE(auth_authorized(open, &alice));
    CU_ASSERT_FALSE(auth_authorized(narrow, &alice));
    CU_ASSERT_TRUE(auth_authorized(narrow, &carol));
    CU_ASSERT_TRUE(auth_authorized(narrow, &sre));
    CU_ASSERT_TRUE(auth_authorized(narrow, &admin));
    auth_policy_free(open);
    auth_policy_free(narrow);
}

static CU_TestInfo auth_tests[] = {
    {"comma lists", test_lists},
    {"identity per kind of peer", test_identify},
    {"authorized users and groups", test_admission},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_auth = {"auth", NULL, NULL, NULL, NULL, auth_tests};
