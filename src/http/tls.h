/* TLS credentials of an HTTPS server (GnuTLS), reloadable without dropping connections.
 *
 * DESIGN. A struct tls_creds is one immutable load of the files: the server certificate chain
 * and key, and the CA sets that sign client certificates (--client-ca-file for direct clients,
 * --requestheader-client-ca-file for kube-apiserver's front proxy), both as trust lists for
 * verifying a peer and, concatenated, as the CA names the server sends in its
 * CertificateRequest (Go clients only offer a certificate whose issuer is in that list).
 * Creds are reference-counted. The server sets a connection's credentials when the connection
 * starts (taking a reference) and drops the reference when it closes, so SIGHUP swaps in a new
 * load for new handshakes while established connections keep theirs. A failed reload keeps the
 * old credentials serving; tls_store_refresh also reloads when a file changed on disk. A load
 * also carries its protocol policy (GnuTLS priorities from versions, Go cipher suite names and
 * curves) and its client certificate policy: the adapter's only requests a certificate, so
 * kubelet probes and plain clients complete the handshake and are refused (or not) per path;
 * the web config's client_auth_type policies are enforced in the handshake. */
#ifndef RIZK_HTTP_TLS_H
#define RIZK_HTTP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/* tls_library_init initializes GnuTLS once per process (under a pthread_once) and returns 0,
 * or -EIO when GnuTLS cannot start. The daemon skips GnuTLS's initialization at load
 * (src/gnutls_lazy.c): a sidecar serving plain HTTP never pays for it (about 0.9 MiB of RSS:
 * the ASN.1 trees and the library pages the initialization touches). So every entry point here
 * (tls_creds_load, hence the stores), in http/selfsigned.c, http/basic_auth.c and
 * k8s/delegate.c that reaches GnuTLS first calls this; a GnuTLS function called before it
 * fails with GNUTLS_E_LIB_IN_ERROR_STATE (it does not crash). The stateless helpers need no
 * initialization (io/kube_client.c's gnutls_base64_decode2, gnutls_memset, gnutls_free; io/
 * stands below http/ and cannot call this). Never deinitialized: the library lives as long as
 * the process. thread: any. */
int tls_library_init(void);

/* tls_library_use_init names the function tls_library_init calls in place of
 * gnutls_global_init: src/gnutls_lazy.c, which defines a gnutls_global_init of its own, passes
 * GnuTLS's, looked up while the libraries loaded. thread: before any other thread starts. */
void tls_library_use_init(int (*real_init)(void));

/* Who must present a client certificate, and what is checked during the handshake. The
 * adapter's mode only asks for one (when a CA is configured) and leaves the decision to
 * http/auth.c per request; the others are exporter-toolkit's client_auth_type policies,
 * enforced in the handshake as Go's crypto/tls does (a refused certificate fails it). */
enum tls_client_auth {
    TLS_CLIENT_AUTH_ADAPTER = 0,
    TLS_CLIENT_AUTH_NONE,               /* NoClientCert */
    TLS_CLIENT_AUTH_REQUEST,            /* RequestClientCert: asked, not checked */
    TLS_CLIENT_AUTH_REQUIRE_ANY,        /* RequireAnyClientCert: required, not verified */
    TLS_CLIENT_AUTH_VERIFY_IF_GIVEN,    /* VerifyClientCertIfGiven */
    TLS_CLIENT_AUTH_REQUIRE_AND_VERIFY, /* RequireAndVerifyClientCert */
};

/* The protocol policy (borrowed for the call). Versions are 10..13 (TLS 1.0 .. 1.3), 0 for the
 * default (min TLS 1.2, max TLS 1.3). Cipher suites use Go's / Kubernetes' names; none means
 * the default: ECDHE with AES-GCM or ChaCha20-Poly1305, no CBC. GnuTLS enables suites as the
 * product of key exchanges, ciphers and MACs, so a list enables every known suite whose three
 * parts all come from listed suites; TLS 1.3 uses the AEAD ciphers among them. Curves use Go's
 * names (CurveP256, CurveP384, CurveP521, X25519), in preference order. */
struct tls_policy {
    int min_version, max_version;
    const char *const *cipher_suites;
    size_t nciphers;
    const char *const *curves;
    size_t ncurves;
    bool client_order; /* !prefer_server_cipher_suites */
    enum tls_client_auth client_auth;
    const char *const *allowed_sans; /* any one SAN (DNS, email, IP, URI) of the leaf */
    size_t nsans;
};

/* The files (borrowed for the call; NULL or "" for a CA means none). */
struct tls_files {
    const char *cert_file;
    const char *key_file;
    const char *client_ca_file;
    const char *proxy_ca_file;
    const struct tls_policy *policy; /* NULL: the adapter's defaults */
};

/* tls_priority_build writes the GnuTLS priority string of p (NULL: defaults) into out (n
 * bytes). Errors: -EINVAL with why naming the unknown version, suite or curve; -E2BIG.
 * Pure. thread: any. */
int tls_priority_build(const struct tls_policy *p, char *out, size_t n, char *why, size_t whylen);
/* tls_version_parse maps "VersionTLS12" (Kubernetes' --tls-min-version) to 12; -EINVAL. */
int tls_version_parse(const char *s, int *out);

/* Which CA set verifies a peer. */
enum tls_ca { TLS_CA_CLIENT = 0, TLS_CA_PROXY };

#define TLS_FILE_MAX (1u << 20) /* a PEM file over 1 MiB is refused */

struct tls_creds;

/* tls_creds_load reads and checks every file. On failure why (whylen bytes) names the file
 * and the reason. Errors: negative errno from reading, -EPROTO (no certificate, no key, key
 * not matching, unreadable PEM). *out has one reference (tls_creds_release). thread: any. */
int tls_creds_load(const struct tls_files *f, struct tls_creds **out, char *why, size_t whylen);
/* tls_creds_acquire takes a reference and returns c; tls_creds_release drops one and frees
 * on the last. NULL-safe. thread: any. */
struct tls_creds *tls_creds_acquire(struct tls_creds *c);
void tls_creds_release(struct tls_creds *c);

/* tls_creds_gnutls returns the GnuTLS credentials (borrowed, valid while a reference is held). */
gnutls_certificate_credentials_t tls_creds_gnutls(const struct tls_creds *c);
/* tls_creds_has_ca tells whether a CA set was configured; tls_creds_requests_cert whether any
 * was (then the server asks clients for a certificate). */
bool tls_creds_has_ca(const struct tls_creds *c, enum tls_ca which);
bool tls_creds_requests_cert(const struct tls_creds *c);
/* tls_creds_pem returns the server certificate and key PEM text (borrowed; the key is a
 * secret: never logged), for libmicrohttpd's start-up credentials. */
const char *tls_creds_cert_pem(const struct tls_creds *c);
const char *tls_creds_key_pem(const struct tls_creds *c);
/* tls_creds_describe writes "subject=<dn> serial=<hex> not_after=<rfc3339>" of the server
 * certificate, for logs. */
void tls_creds_describe(const struct tls_creds *c, char *out, size_t n);

/* tls_creds_verify verifies chain[0..n) (leaf first) against the CA set which, for TLS client
 * authentication (extended key usage clientAuth when the certificate has one), at the current
 * time. Returns 0 when trusted, -ENOENT when that CA set is not configured, -EACCES otherwise.
 * thread: any. */
int tls_creds_verify(const struct tls_creds *c, enum tls_ca which, const gnutls_x509_crt_t *chain,
                     unsigned n);

/* tls_creds_describe_suites writes the TLS 1.2 cipher suites the policy enables (GnuTLS names,
 * comma-separated) and the protocol range, for the start-up log. */
void tls_creds_describe_suites(const struct tls_creds *c, char *out, size_t n);
/* tls_creds_session_setup applies c's priorities and client certificate request mode to a
 * server session whose handshake has not begun. thread: the connection's. */
void tls_creds_session_setup(const struct tls_creds *c, gnutls_session_t session);
/* tls_creds_check_peer applies c's client_auth policy to the session's peer certificate
 * chain (during the handshake). Returns 0 to accept, -EACCES with why (a literal) to fail the
 * handshake. TLS_CLIENT_AUTH_ADAPTER accepts everything (checked per request). thread: the
 * connection's. */
int tls_creds_check_peer(const struct tls_creds *c, gnutls_session_t session, const char **why);
/* tls_creds_checks_peer: the policy needs tls_creds_check_peer in the handshake. */
bool tls_creds_checks_peer(const struct tls_creds *c);
#define TLS_MAX_CHAIN 8 /* peer certificates looked at, leaf first */

/* tls_peer_chain imports the session's peer certificates (leaf first, at most cap) into chain
 * and sets *n. Errors: -ENOENT (no certificate), -EPROTO (one does not parse); chain holds
 * nothing to free on error. Free with tls_chain_free. thread: the connection's. */
int tls_peer_chain(gnutls_session_t session, gnutls_x509_crt_t *chain, unsigned cap, unsigned *n);
void tls_chain_free(gnutls_x509_crt_t *chain, unsigned n);
/* tls_san_matches tells whether any SAN of crt (DNS, email, IP in text form, URI) equals one
 * of sans[0..n). thread: any. */
bool tls_san_matches(gnutls_x509_crt_t crt, const char *const *sans, size_t n);

struct tls_store;

/* tls_store_new loads the files (copied names) as the current credentials. Errors as
 * tls_creds_load. thread: main. */
int tls_store_new(const struct tls_files *f, struct tls_store **out, char *why, size_t whylen);
/* tls_store_reload loads the files again and, on success only, makes them current.
 * thread: main (signal handling). */
int tls_store_reload(struct tls_store *s, char *why, size_t whylen);
/* tls_store_replace loads f (files and policy) and, on success only, makes them current and
 * the files of later reloads. thread: main. */
int tls_store_replace(struct tls_store *s, const struct tls_files *f, char *why, size_t whylen);
/* tls_store_refresh reloads when a file changed (inode, size or mtime) since the last load,
 * checking at most once per min_interval_ms (one thread at a time; others skip). Returns 1
 * when reloaded, 0 when nothing changed (or another thread is checking), a negative errno
 * with why when the changed files do not load (the old credentials stay; the same change is
 * reported once). thread: any. */
int tls_store_refresh(struct tls_store *s, int64_t min_interval_ms, char *why, size_t whylen);
/* tls_store_acquire returns the current credentials with a reference taken. thread: any. */
struct tls_creds *tls_store_acquire(struct tls_store *s);
/* tls_store_free drops the store's reference; connections may still hold theirs. NULL-safe. */
void tls_store_free(struct tls_store *s);

#endif
