/* The sidecar's web security from --web.config.file: TLS (a reloadable http/tls store), basic
 * auth, the toolkit's response headers and the rate limit, applied to every request.
 *
 * DESIGN. One load of the file is an immutable struct websec_conf (refcounted); the
 * struct websec holds the current one and swaps it on reload (SIGHUP) under a tiny mutex, so
 * a request sees one consistent configuration from its check to its last header. A reload
 * that fails (unreadable file, YAML error, a TLS file that does not load, switching between
 * HTTP and HTTPS, which needs a restart as with exporter-toolkit) keeps the old configuration
 * and returns why. Relative paths in the file are relative to its directory, as the toolkit
 * resolves them. */
#ifndef RIZK_HTTP_WEBSEC_H
#define RIZK_HTTP_WEBSEC_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

struct http_request;
struct tls_store;
struct websec;

/* websec_new loads path (NULL or "": no TLS, no auth, and every check passes). probes_open
 * exempts /health, /healthz, /ready and /readyz from basic auth and the rate limit. Errors:
 * negative errno with why (file name, line, key). thread: main. */
int websec_new(const char *path, bool probes_open, struct websec **out, char *why, size_t whylen);
void websec_free(struct websec *w);

/* websec_reload reads the file again; on success the new configuration applies to the next
 * requests (and TLS to the next connections), on failure nothing changes. summary (may be
 * NULL) gets a one-line description of what is now in force. thread: main. */
int websec_reload(struct websec *w, char *why, size_t whylen, char *summary, size_t slen);

/* websec_has_file tells whether a --web.config.file was given (SIGHUP has something to
 * reload). */
bool websec_has_file(const struct websec *w);

/* websec_tls returns the TLS store when the file configures TLS (borrowed, valid until
 * websec_free), else NULL: the server then speaks plain HTTP. */
struct tls_store *websec_tls(struct websec *w);

/* websec_describe writes what is in force ("tls=RequireAndVerifyClientCert basic_auth=2 users
 * rate_limit=10/s burst 20 headers=2"), for logs. */
void websec_describe(struct websec *w, char *out, size_t n);

/* websec_guard is the server's per-request check (http_server_opts.guard): rate limit (429),
 * then basic auth (401 with WWW-Authenticate: Basic). Returns true when the request may go
 * on; otherwise it has queued the answer into *ret. thread: MHD's pool. */
bool websec_guard(const struct http_request *req, void *cls, enum MHD_Result *ret);

/* websec_decorate adds the configured headers to a response (http_server_opts.decorate).
 * thread: MHD's pool. */
void websec_decorate(struct MHD_Response *r, void *cls);

/* websec_rate_allow is the token bucket of rate_limit (golang.org/x/time/rate semantics: one
 * token every interval_ms, at most burst). State is {tokens, last_ms}; exposed for tests. */
struct websec_bucket {
    double tokens;
    long long last_ms;
};
bool websec_rate_allow(struct websec_bucket *b, long long now_ms, long long interval_ms,
                       unsigned long long burst);

#endif
