/* Unit tests for basic auth (http/basic_auth.c) and the rate limiter's bucket (http/websec.c):
 * bcrypt hashes with each prefix libcrypt makes and htpasswd's $2y$, right / wrong / unknown
 * users, the cache answering the second check, malformed Authorization headers, and the
 * token bucket's refill and burst. */
#include <crypt.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "http/basic_auth.h"
#include "http/websec.h"
#include "parse/webconfig.h"

/* made by: htpasswd -nbBC 10 "" 'correct horse' | tr -d ':\n' */
#define HTPASSWD_2Y "$2y$10$u6FOoM.oKaXCIgVpV.iffuCgURMrutavDnCW8eruz01om.YPN28ei"

static void make_hash(const char *prefix, const char *pw, char *out, size_t n)
{
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    CU_ASSERT_PTR_NOT_NULL_FATAL(crypt_gensalt_rn(prefix, 4, "0123456789abcdef", 16, setting,
                                                  sizeof(setting)));
    struct crypt_data cd;
    memset(&cd, 0, sizeof(cd));
    char *h = crypt_rn(pw, setting, &cd, (int)sizeof(cd));
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    snprintf(out, n, "%s", h);
}

static void test_verify(void)
{
    char h2a[128], h2b[128];
    make_hash("$2a$", "pw-a", h2a, sizeof(h2a));
    make_hash("$2b$", "pw-b", h2b, sizeof(h2b));
    struct webconfig_user users[] = {{"alice", (char *)HTPASSWD_2Y}, {"ann", h2a}, {"bob", h2b}};
    struct basic_auth *b = NULL;
    char why[256] = "";
    CU_ASSERT_EQUAL_FATAL(basic_auth_new(users, 3, &b, why, sizeof(why)), 0);
    bool cached = true;
    CU_ASSERT_TRUE(basic_auth_verify(b, "alice", "correct horse", 13, true, &cached));
    CU_ASSERT_FALSE(cached);
    CU_ASSERT_TRUE(basic_auth_verify(b, "alice", "correct horse", 13, true, &cached));
    CU_ASSERT_TRUE(cached);
    CU_ASSERT_FALSE(basic_auth_verify(b, "alice", "correct horsE", 13, true, &cached));
    CU_ASSERT_FALSE(cached);
    CU_ASSERT_FALSE(basic_auth_verify(b, "alice", "correct horsE", 13, true, &cached));
    CU_ASSERT_TRUE(cached);
    CU_ASSERT_TRUE(basic_auth_verify(b, "ann", "pw-a", 4, false, NULL));
    CU_ASSERT_TRUE(basic_auth_verify(b, "bob", "pw-b", 4, false, NULL));
    CU_ASSERT_FALSE(basic_auth_verify(b, "bob", "pw-a", 4, false, NULL));
    /* an unknown user with a known user's password fails (checked against the fake hash) */
    CU_ASSERT_FALSE(basic_auth_verify(b, "carol", "pw-b", 4, false, NULL));
    CU_ASSERT_FALSE(basic_auth_verify(b, "", "", 0, false, NULL));
    /* a password with a NUL byte is never accepted, even if its prefix is right */
    CU_ASSERT_FALSE(basic_auth_verify(b, "bob", "pw-b\0x", 6, false, NULL));
    basic_auth_free(b);
}

static void test_header(void)
{
    struct webconfig_user users[] = {{"alice", (char *)HTPASSWD_2Y}};
    struct basic_auth *b = NULL;
    char why[256] = "";
    CU_ASSERT_EQUAL_FATAL(basic_auth_new(users, 1, &b, why, sizeof(why)), 0);
    /* base64("alice:correct horse") */
    CU_ASSERT_TRUE(basic_auth_check(b, "Basic YWxpY2U6Y29ycmVjdCBob3JzZQ==", NULL));
    CU_ASSERT_TRUE(basic_auth_check(b, "basic YWxpY2U6Y29ycmVjdCBob3JzZQ==", NULL));
    CU_ASSERT_FALSE(basic_auth_check(b, "Bearer YWxpY2U6Y29ycmVjdCBob3JzZQ==", NULL));
    CU_ASSERT_FALSE(basic_auth_check(b, "Basic !!!", NULL));
    CU_ASSERT_FALSE(basic_auth_check(b, "Basic YWxpY2U=", NULL)); /* "alice": no colon */
    CU_ASSERT_FALSE(basic_auth_check(b, "Basic ", NULL));
    CU_ASSERT_FALSE(basic_auth_check(b, NULL, NULL));
    basic_auth_free(b);
}

static void test_rate_bucket(void)
{
    struct websec_bucket k = {0, 0};
    /* burst 3, one token per 100 ms */
    CU_ASSERT_TRUE(websec_rate_allow(&k, 1000, 100, 3));
    CU_ASSERT_TRUE(websec_rate_allow(&k, 1000, 100, 3));
    CU_ASSERT_TRUE(websec_rate_allow(&k, 1000, 100, 3));
    CU_ASSERT_FALSE(websec_rate_allow(&k, 1000, 100, 3));
    CU_ASSERT_FALSE(websec_rate_allow(&k, 1050, 100, 3));
    CU_ASSERT_TRUE(websec_rate_allow(&k, 1100, 100, 3));
    CU_ASSERT_FALSE(websec_rate_allow(&k, 1100, 100, 3));
    /* a long pause refills to the burst, not beyond */
    CU_ASSERT_TRUE(websec_rate_allow(&k, 60000, 100, 3));
    CU_ASSERT_TRUE(websec_rate_allow(&k, 60000, 100, 3));
    CU_ASSERT_TRUE(websec_rate_allow(&k, 60000, 100, 3));
    CU_ASSERT_FALSE(websec_rate_allow(&k, 60000, 100, 3));
}

static CU_TestInfo basic_auth_tests[] = {
    {"bcrypt $2a$ $2b$ $2y$, right / wrong / unknown, cache", test_verify},
    {"Authorization header decoding", test_header},
    {"rate limit token bucket", test_rate_bucket},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_basic_auth = {"basic_auth", NULL, NULL, NULL, NULL, basic_auth_tests};
