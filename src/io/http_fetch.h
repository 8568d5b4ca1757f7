/* libcurl wrapper for the app pull channel: one reusable easy handle per target, so the
 * connection is kept alive across intervals, GET with a total and a connect timeout, a hard cap on
 * the decoded body (struct buf; the write callback stops curl once it is passed), gzip decoded by
 * curl, and an Accept header that prefers OpenMetrics like Prometheus does. curl errors become
 * negative errno values so the caller can log err_str(rc) and count failures by kind.
 * thread: a handle belongs to one thread at a time (the pull worker); it never blocks anyone
 * else. */
#ifndef RIZK_IO_HTTP_FETCH_H
#define RIZK_IO_HTTP_FETCH_H

#include <stddef.h>

/* What Prometheus 2.42 asks for, minus OM 0.0.1: OM 1.0, then text 0.0.4, then anything. */
#define HTTP_FETCH_ACCEPT_EXPO                                                                     \
    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
#define HTTP_FETCH_CONTENT_TYPE_MAX 256 /* longer Content-Type values are cut (bytes + NUL) */

struct http_fetch; /* opaque: one target's easy handle, body buffer and last error */

struct http_fetch_opts {
    const char *url;         /* http:// or https:// URL; copied */
    long timeout_ms;         /* whole transfer, > 0: keep it below the sampling interval */
    long connect_timeout_ms; /* TCP (+TLS) connect; 0: same as timeout_ms */
    size_t max_body;         /* decoded body bytes, > 0 */
    const char *accept;      /* NULL: HTTP_FETCH_ACCEPT_EXPO; copied */
    const char *user_agent;  /* NULL: "rizk-metrics/<version>"; copied */
};

/* The outcome of one GET. Borrowed pointers are valid until the next http_fetch_get or
 * http_fetch_free on the same handle. */
struct http_fetch_result {
    long status;              /* HTTP status of the last response; 0 when none was received */
    const char *content_type; /* Content-Type of the response, "" when absent */
    const char *body;         /* decoded body, NUL-terminated; "" unless the call returned 0 */
    size_t body_len;
    long elapsed_ms; /* total transfer time as measured by curl */
};

/* http_fetch_global_init initialises libcurl. Call once from main before any thread starts
 * (curl_global_init is not thread-safe on every build); http_fetch_global_cleanup after they
 * have all stopped. Errors: -ENOMEM. */
int http_fetch_global_init(void);
void http_fetch_global_cleanup(void);

/* http_fetch_new creates a handle for o->url with every option set once. *out (caller frees
 * with http_fetch_free) is written only on success. Errors: -EINVAL (URL not http(s), bad
 * timeouts or cap), -ENOMEM. thread: any. */
int http_fetch_new(const struct http_fetch_opts *o, struct http_fetch **out);

/* http_fetch_get performs one GET, reusing the connection when the server keeps it open, and
 * fills *res (always written, even on failure, so status and elapsed time can be logged).
 * Returns 0 for a 2xx response whose body fits the cap. Errors: -ETIMEDOUT (total or connect
 * timeout), -ECONNREFUSED (nobody listening), -EHOSTUNREACH (resolve or route), -E2BIG (body
 * above max_body, by Content-Length or while receiving), -EPROTO (non-2xx status, kept in
 * res->status; bad encoding or HTTP framing), -ECONNRESET (connection dropped), -EIO (other
 * curl failures). thread: the handle's owner. */
int http_fetch_get(struct http_fetch *f, struct http_fetch_result *res);

/* http_fetch_last_error returns curl's message for the last failure ("" when none), for logs.
 * Borrowed, valid until the next call on f. */
const char *http_fetch_last_error(const struct http_fetch *f);

/* http_fetch_free closes the connection and frees f; NULL is a no-op. */
void http_fetch_free(struct http_fetch *f);

#endif
