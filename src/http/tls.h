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
 * old credentials serving. Client certificates are requested, never required: kubelet probes
 * and plain clients still complete the handshake and are refused (or not) per path. */
#ifndef RIZK_HTTP_TLS_H
#define RIZK_HTTP_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/* The files (borrowed for the call; NULL or "" for a CA means none). */
struct tls_files {
    const char *cert_file;
    const char *key_file;
    const char *client_ca_file;
    const char *proxy_ca_file;
};

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

struct tls_store;

/* tls_store_new loads the files (copied names) as the current credentials. Errors as
 * tls_creds_load. thread: main. */
int tls_store_new(const struct tls_files *f, struct tls_store **out, char *why, size_t whylen);
/* tls_store_reload loads the files again and, on success only, makes them current.
 * thread: main (signal handling). */
int tls_store_reload(struct tls_store *s, char *why, size_t whylen);
/* tls_store_acquire returns the current credentials with a reference taken. thread: any. */
struct tls_creds *tls_store_acquire(struct tls_store *s);
/* tls_store_free drops the store's reference; connections may still hold theirs. NULL-safe. */
void tls_store_free(struct tls_store *s);

#endif
