/* Unit tests for the web-config parser (parse/webconfig.c): every key of the toolkit's schema
 * from a fixture, the defaults of an empty file, and the exact message (key and line) of each
 * kind of error. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "parse/webconfig.h"
#include "unit_util.h"

static struct webconfig *wc_ok(const char *text)
{
    struct webconfig *w = NULL;
    char why[256] = "";
    int rc = parse_webconfig(text, strlen(text), &w, NULL, why, sizeof(why));
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0)
        fprintf(stderr, "unexpected error: %s\n", why);
    return w;
}

/* wc_err asserts that text fails with rc and exactly the message want, at line. */
static void wc_err(const char *text, int rc_want, unsigned line, const char *want)
{
    struct webconfig *w = NULL;
    struct parse_err e = {0};
    char why[256] = "";
    int rc = parse_webconfig(text, strlen(text), &w, &e, why, sizeof(why));
    CU_ASSERT_EQUAL(rc, rc_want);
    CU_ASSERT_PTR_NULL(w);
    CU_ASSERT_EQUAL(e.line, line);
    CU_ASSERT_STRING_EQUAL(why, want);
    if (strcmp(why, want) != 0)
        fprintf(stderr, "\n got: %s\nwant: %s\n", why, want);
}

static void test_full(void)
{
    size_t len = 0;
    char *text = unit_fixture_read("webconfig/full.yml", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    struct webconfig *w = NULL;
    char why[256] = "";
    CU_ASSERT_EQUAL_FATAL(parse_webconfig(text, len, &w, NULL, why, sizeof(why)), 0);
    CU_ASSERT_TRUE(w->has_tls);
    CU_ASSERT_STRING_EQUAL(w->cert_file, "server.crt");
    CU_ASSERT_STRING_EQUAL(w->key_file, "server.key");
    CU_ASSERT_STRING_EQUAL(w->client_ca_file, "ca.crt");
    CU_ASSERT_EQUAL(w->client_auth, WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT);
    CU_ASSERT_EQUAL_FATAL(w->nsans, 2);
    CU_ASSERT_STRING_EQUAL(w->client_allowed_sans[0], "scraper.example.com");
    CU_ASSERT_STRING_EQUAL(w->client_allowed_sans[1], "10.0.0.7");
    CU_ASSERT_EQUAL(w->min_version, WEBCONFIG_TLS13);
    CU_ASSERT_EQUAL(w->max_version, WEBCONFIG_TLS13);
    CU_ASSERT_EQUAL_FATAL(w->nciphers, 2);
    CU_ASSERT_STRING_EQUAL(w->cipher_suites[1], "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    CU_ASSERT_FALSE(w->prefer_server_cipher_suites);
    CU_ASSERT_EQUAL_FATAL(w->ncurves, 2);
    CU_ASSERT_STRING_EQUAL(w->curves[0], "X25519");
    CU_ASSERT_STRING_EQUAL(w->curves[1], "CurveP256");
    CU_ASSERT_FALSE(w->http2);
    CU_ASSERT_EQUAL_FATAL(w->nheaders, 5);
    CU_ASSERT_STRING_EQUAL(w->headers[0].name, "Strict-Transport-Security");
    CU_ASSERT_STRING_EQUAL(w->headers[0].value, "max-age=31536000; includeSubDomains");
    CU_ASSERT_STRING_EQUAL(w->headers[3].value, "1; mode=block");
    CU_ASSERT_STRING_EQUAL(w->headers[4].value, "default-src 'none'");
    CU_ASSERT_EQUAL_FATAL(w->nusers, 2);
    CU_ASSERT_STRING_EQUAL(w->users[0].name, "alice");
    CU_ASSERT_EQUAL(strncmp(w->users[0].hash, "$2y$10$", 7), 0);
    CU_ASSERT_STRING_EQUAL(w->users[1].name, "bob");
    CU_ASSERT_EQUAL(w->rate_interval_ms, 100);
    CU_ASSERT_EQUAL(w->rate_burst, 20);
    webconfig_free(w);
    free(text);
}

static void test_durations(void)
{
    static const struct {
        const char *text;
        int64_t ms;
    } ok[] = {{"0", 0},           {"100ms", 100}, {"1.5s", 1500},
              {"1h30m", 5400000}, {"2500us", 2},  {"1m0.5s", 60500}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char text[128];
        snprintf(text, sizeof(text), "rate_limit:\n  interval: %s\n  burst: 1\n", ok[i].text);
        struct webconfig *w = wc_ok(text);
        CU_ASSERT_PTR_NOT_NULL_FATAL(w);
        CU_ASSERT_EQUAL(w->rate_interval_ms, ok[i].ms);
        webconfig_free(w);
    }
    const char *bad[] = {"1d", "-1s", "1", "s", "1.s5", "1e3s", "inf", "1..2s", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[128];
        snprintf(text, sizeof(text), "rate_limit:\n  interval: \"%s\"\n  burst: 1\n", bad[i]);
        struct webconfig *w = NULL;
        CU_ASSERT_EQUAL(parse_webconfig(text, strlen(text), &w, NULL, NULL, 0), -EPROTO);
        if (w != NULL)
            fprintf(stderr, "accepted: %s\n", bad[i]);
        webconfig_free(w);
    }
}

static void test_defaults(void)
{
    struct webconfig *w = wc_ok("");
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_FALSE(w->has_tls);
    CU_ASSERT_EQUAL(w->nusers, 0);
    CU_ASSERT_EQUAL(w->rate_interval_ms, 0);
    webconfig_free(w);
    w = wc_ok("# comments only\ntls_server_config:\nbasic_auth_users:\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_FALSE(w->has_tls);
    webconfig_free(w);
    w = wc_ok("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_TRUE(w->has_tls);
    CU_ASSERT_EQUAL(w->client_auth, WEBCONFIG_NO_CLIENT_CERT);
    CU_ASSERT_EQUAL(w->min_version, WEBCONFIG_TLS12);
    CU_ASSERT_EQUAL(w->max_version, WEBCONFIG_TLS13);
    CU_ASSERT_TRUE(w->prefer_server_cipher_suites);
    CU_ASSERT_TRUE(w->http2);
    webconfig_free(w);
    /* the toolkit's older spelling of RequireAnyClientCert */
    w = wc_ok("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: "
              "RequireClientCert\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(w->client_auth, WEBCONFIG_REQUIRE_ANY_CLIENT_CERT);
    webconfig_free(w);
}

static void test_errors(void)
{
    size_t len = 0;
    char *t = unit_fixture_read("webconfig/inline_cert.yml", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    wc_err(t, -EPROTO, 4,
           "line 4: tls_server_config.cert (inline PEM) is not supported: use cert_file (a "
           "mounted Secret)");
    free(t);
    wc_err("tls_server_config:\n  cert_file: a\n  key_file: b\n  cert_flie: c\n", -EPROTO, 4,
           "line 4: unknown key \"cert_flie\" in tls_server_config");
    wc_err("basic_auth_users: {}\nbasic_auth: {}\n", -EPROTO, 2,
           "line 2: unknown key \"basic_auth\"");
    wc_err("rate_limit:\n  interval: 1s\n  burst: 2\n  bust: 3\n", -EPROTO, 4,
           "line 4: unknown key \"bust\" in rate_limit");
    wc_err("http_server_config:\n  headers:\n    Server: x\n", -EPROTO, 3,
           "line 3: HTTP header \"Server\" can not be configured");
    wc_err("http_server_config:\n  headers:\n    X-Frame-Options: allow\n", -EPROTO, 3,
           "line 3: invalid value for X-Frame-Options: \"allow\"");
    wc_err("http_server_config:\n  http2: yes please\n", -EPROTO, 2,
           "line 2: http2 must be true or false");
    t = unit_fixture_read("webconfig/bad_hash.yml", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    wc_err(t, -EPROTO, 2,
           "line 2: basic_auth_users: the hash of \"alice\" is not a bcrypt hash ($2a$, $2b$ or "
           "$2y$; make one with htpasswd -nBC 10)");
    free(t);
    t = unit_fixture_read("webconfig/ca_without_policy.yml", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    wc_err(t, -EPROTO, 1,
           "line 1: tls_server_config: client_ca_file is set without a client_auth_type that "
           "uses it");
    free(t);
    wc_err("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: "
           "VerifyClientCertIfGiven\n",
           -EPROTO, 1,
           "line 1: tls_server_config: client_auth_type VerifyClientCertIfGiven "
           "needs client_ca_file");
    wc_err("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Maybe\n",
           -EPROTO, 4, "line 4: invalid client_auth_type \"Maybe\"");
    wc_err("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_allowed_sans: [x]\n",
           -EPROTO, 1,
           "line 1: tls_server_config: client_allowed_sans needs client_auth_type "
           "RequireAnyClientCert or RequireAndVerifyClientCert");
    wc_err("tls_server_config:\n  key_file: b\n", -EPROTO, 1,
           "line 1: tls_server_config: missing cert_file");
    wc_err("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n", -EPROTO, 4,
           "line 4: min_version: unknown TLS version \"TLS14\" (TLS10, TLS11, TLS12, TLS13)");
    wc_err("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  "
           "max_version: TLS12\n",
           -EPROTO, 1, "line 1: tls_server_config: min_version is above max_version");
    wc_err("tls_server_config:\n  cert_file: a\n  cert_file: b\n", -EPROTO, 3,
           "line 3: duplicate key \"cert_file\" in tls_server_config");
    wc_err("tls_server_config:\n  cert_file: [a]\n", -EPROTO, 2,
           "line 2: cert_file must be a string");
    wc_err("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: x\n", -EPROTO, 4,
           "line 4: cipher_suites must be a list");
    wc_err("rate_limit:\n  interval: soon\n", -EPROTO, 2,
           "line 2: rate_limit.interval: invalid duration (Go syntax: 100ms, 1.5s, 1m; at least "
           "1ms)");
    wc_err("rate_limit:\n  interval: 10us\n  burst: 1\n", -EPROTO, 2,
           "line 2: rate_limit.interval: invalid duration (Go syntax: 100ms, 1.5s, 1m; at least "
           "1ms)");
    wc_err("rate_limit:\n  interval: 1s\n", -EPROTO, 1,
           "line 1: rate_limit: burst must be at least 1 when interval is set");
    wc_err("rate_limit:\n  burst: -1\n", -EPROTO, 2,
           "line 2: rate_limit.burst: an integer from 0 to 1000000");
    wc_err("- a\n- b\n", -EPROTO, 1, "line 1: the web config must be a mapping");
    wc_err("tls_server_config: {\n", -EPROTO, 2,
           "line 2: malformed YAML: did not find expected node content while parsing a flow "
           "node");
    wc_err("a: 1\n---\nb: 2\n", -EPROTO, 1, "line 1: unknown key \"a\"");
    wc_err("basic_auth_users: {}\n---\nb: 2\n", -EPROTO, 0, "line 2: more than one YAML document");
}

static CU_TestInfo webconfig_tests[] = {
    {"every key of the toolkit schema", test_full},
    {"defaults and empty sections", test_defaults},
    {"rate_limit.interval in Go's duration syntax", test_durations},
    {"errors name the key and the line", test_errors},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_webconfig = {"webconfig", NULL, NULL, NULL, NULL, webconfig_tests};
