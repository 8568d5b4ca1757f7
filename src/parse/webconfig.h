/* The exporter-toolkit web-config.yml (--web.config.file), parsed strictly with libyaml: bytes
 * in, struct webconfig out. An unknown key, a wrong type, a duplicate key or an inconsistent
 * combination is an error naming the key and its line, as the toolkit's strict YAML decoding
 * does. Pure: no file is opened here (cert_file etc. are returned as written; the loader
 * resolves relative paths against the file's directory). */
#ifndef RIZK_PARSE_WEBCONFIG_H
#define RIZK_PARSE_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define WEBCONFIG_MAX_BYTES (1u << 20) /* a bigger file is refused */
#define WEBCONFIG_MAX_LIST 64          /* items of cipher_suites, curve_preferences, SANs */
#define WEBCONFIG_MAX_USERS 1024
#define WEBCONFIG_NHEADERS 5

/* tls_server_config.client_auth_type, in the order of Go's tls.ClientAuthType. */
enum webconfig_client_auth {
    WEBCONFIG_NO_CLIENT_CERT = 0,
    WEBCONFIG_REQUEST_CLIENT_CERT,
    WEBCONFIG_REQUIRE_ANY_CLIENT_CERT,
    WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN,
    WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT,
};

/* TLS protocol versions as min_version/max_version spell them (TLS10 ... TLS13). */
enum webconfig_tls_version {
    WEBCONFIG_TLS10 = 10,
    WEBCONFIG_TLS11 = 11,
    WEBCONFIG_TLS12 = 12,
    WEBCONFIG_TLS13 = 13,
};

struct webconfig_user {
    char *name;
    char *hash; /* bcrypt: $2a$, $2b$ or $2y$ */
};

struct webconfig_header {
    char *name; /* one of the toolkit's five, as the toolkit spells it */
    char *value;
};

struct webconfig {
    bool has_tls; /* tls_server_config present and not empty */
    char *cert_file, *key_file, *client_ca_file;
    enum webconfig_client_auth client_auth;
    enum webconfig_tls_version min_version, max_version; /* defaults TLS12, TLS13 */
    bool prefer_server_cipher_suites;                    /* default true */
    char *client_allowed_sans[WEBCONFIG_MAX_LIST];
    size_t nsans;
    char *cipher_suites[WEBCONFIG_MAX_LIST]; /* Go names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
                                              */
    size_t nciphers;
    char *curves[WEBCONFIG_MAX_LIST]; /* Go names: CurveP256, CurveP384, CurveP521, X25519 */
    size_t ncurves;
    bool http2; /* accepted for compatibility; this server speaks HTTP/1.1 only */
    struct webconfig_header headers[WEBCONFIG_NHEADERS];
    size_t nheaders;
    struct webconfig_user *users;
    size_t nusers;
    int64_t rate_interval_ms; /* 0: no rate limit */
    uint64_t rate_burst;
};

/* parse_webconfig parses len bytes of YAML (need not be NUL-terminated). On success *out is
 * owned by the caller (webconfig_free). On failure e (may be NULL) gets the line and column of
 * the offending node and why (whylen bytes) a message naming the key, e.g.
 * "line 3: unknown key \"cert\" in tls_server_config". An empty file is a valid, empty config.
 * Errors: -EPROTO (malformed or invalid), -E2BIG (over WEBCONFIG_MAX_BYTES or a list cap).
 * thread: any. */
int parse_webconfig(const char *buf, size_t len, struct webconfig **out, struct parse_err *e,
                    char *why, size_t whylen);
void webconfig_free(struct webconfig *w);

/* webconfig_client_auth_name returns the toolkit's spelling of a policy (static). */
const char *webconfig_client_auth_name(enum webconfig_client_auth a);

#endif
