/* Unit tests for the TLS policy (http/tls.c): the GnuTLS priorities made from versions, Go
 * cipher suite names and curves, the exact TLS 1.2 suites they enable (no CBC by default), and
 * the errors for unknown names. Handshakes with real clients are in e2e/test_webconfig_tls. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <gnutls/gnutls.h>

#include "http/tls.h"

/* tls12_suites writes the TLS 1.2 suites prio enables, comma-separated, into out. */
static int tls12_suites(const char *prio, char *out, size_t n)
{
    gnutls_priority_t p = NULL;
    const char *err = NULL;
    if (tls_library_init() < 0 || gnutls_priority_init(&p, prio, &err) < 0)
        return -EINVAL;
    size_t off = 0;
    out[0] = '\0';
    for (unsigned i = 0;; i++) {
        unsigned idx = 0;
        int g = gnutls_priority_get_cipher_suite_index(p, i, &idx);
        if (g == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        if (g < 0)
            continue;
        gnutls_protocol_t min = GNUTLS_VERSION_UNKNOWN;
        const char *name = gnutls_cipher_suite_info(idx, NULL, NULL, NULL, NULL, &min);
        if (name != NULL && min != GNUTLS_TLS1_3)
            off += (size_t)snprintf(out + off, n - off, "%s%s", off ? "," : "", name);
    }
    gnutls_priority_deinit(p);
    return 0;
}

static void test_defaults(void)
{
    char prio[1024], why[256], suites[1024];
    CU_ASSERT_EQUAL_FATAL(tls_priority_build(NULL, prio, sizeof(prio), why, sizeof(why)), 0);
    CU_ASSERT_STRING_EQUAL(prio, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-KX-ALL:+ECDHE-ECDSA:"
                                 "+ECDHE-RSA:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-"
                                 "POLY1305:-MAC-ALL:+AEAD:%SERVER_PRECEDENCE");
    CU_ASSERT_EQUAL_FATAL(tls12_suites(prio, suites, sizeof(suites)), 0);
    CU_ASSERT_STRING_EQUAL(suites,
                           "TLS_ECDHE_ECDSA_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_AES_256_GCM_SHA384,"
                           "TLS_ECDHE_ECDSA_CHACHA20_POLY1305,TLS_ECDHE_RSA_AES_128_GCM_SHA256,"
                           "TLS_ECDHE_RSA_AES_256_GCM_SHA384,TLS_ECDHE_RSA_CHACHA20_POLY1305");
    CU_ASSERT_PTR_NULL(strstr(suites, "CBC"));
    CU_ASSERT_PTR_NULL(strstr(suites, "SHA1"));
}

static void test_policy(void)
{
    const char *ciphers[] = {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                             "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"};
    const char *curves[] = {"X25519", "CurveP384"};
    struct tls_policy p = {.min_version = 10,
                           .max_version = 12,
                           .cipher_suites = ciphers,
                           .nciphers = 2,
                           .curves = curves,
                           .ncurves = 2,
                           .client_order = true};
    char prio[1024], why[256], suites[1024];
    CU_ASSERT_EQUAL_FATAL(tls_priority_build(&p, prio, sizeof(prio), why, sizeof(why)), 0);
    CU_ASSERT_STRING_EQUAL(prio, "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:-KX-ALL:"
                                 "+ECDHE-RSA:-CIPHER-ALL:+AES-256-GCM:+AES-128-CBC:-MAC-ALL:+AEAD:"
                                 "+SHA1:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP384R1");
    CU_ASSERT_EQUAL_FATAL(tls12_suites(prio, suites, sizeof(suites)), 0);
    CU_ASSERT_STRING_EQUAL(suites,
                           "TLS_ECDHE_RSA_AES_256_GCM_SHA384,TLS_ECDHE_RSA_AES_128_CBC_SHA1");
    int v = 0;
    CU_ASSERT_EQUAL(tls_version_parse("VersionTLS13", &v), 0);
    CU_ASSERT_EQUAL(v, 13);
    CU_ASSERT_EQUAL(tls_version_parse("TLS13", &v), -EINVAL);
}

static void test_errors(void)
{
    char prio[1024], why[256];
    const char *bad[] = {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_RC4_128_SHA"};
    struct tls_policy p = {.cipher_suites = bad, .nciphers = 2};
    CU_ASSERT_EQUAL(tls_priority_build(&p, prio, sizeof(prio), why, sizeof(why)), -EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "unknown or unsupported cipher suite \"TLS_RSA_WITH_RC4_128_SHA\"");
    const char *curves[] = {"P-256"};
    struct tls_policy q = {.curves = curves, .ncurves = 1};
    CU_ASSERT_EQUAL(tls_priority_build(&q, prio, sizeof(prio), why, sizeof(why)), -EINVAL);
    CU_ASSERT_STRING_EQUAL(why,
                           "unknown curve \"P-256\" (CurveP256, CurveP384, CurveP521, X25519)");
    struct tls_policy r = {.min_version = 13, .max_version = 12};
    CU_ASSERT_EQUAL(tls_priority_build(&r, prio, sizeof(prio), why, sizeof(why)), -EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "invalid TLS version range 1.3 to 1.2");
}

static CU_TestInfo tls_tests[] = {
    {"default priorities: TLS 1.2+, ECDHE AEAD only", test_defaults},
    {"versions, Go suite names and curves", test_policy},
    {"unknown names are errors", test_errors},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_tls = {"tls", NULL, NULL, NULL, NULL, tls_tests};
