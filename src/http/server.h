/* The HTTP server: libmicrohttpd with an internal epoll thread pool on a listening socket we
 * open ourselves (host:port, [v6]:port, :port dual-stack with IPv4 fallback, SO_REUSEADDR).
 * Bounded connections, request size and idle time; unknown path 404, wrong method 405, with a
 * one-line reason. Handlers run on MHD's threads and must only read immutable snapshots. */
#ifndef RIZK_HTTP_SERVER_H
#define RIZK_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

struct config;
struct http_server;
struct tls_creds;
struct tls_store;

/* What a handler sees of the request: borrowed, valid during the handler call only. */
struct http_request {
    const char *method; /* "GET", "HEAD", "POST" ... */
    const char *path;   /* without the query string */
    struct MHD_Connection *conn;
    const char *body; /* POST body (NUL-terminated), NULL for bodiless requests */
    size_t body_len;
    struct http_server *server; /* private */
};

#define HTTP_GET 0x1u /* also serves HEAD */
#define HTTP_POST 0x2u

typedef enum MHD_Result (*http_handler_fn)(const struct http_request *req, void *app);

struct http_route {
    const char *path;
    unsigned methods;
    http_handler_fn handler;
};

/* Everything http_server_start_opts can set up; zero fields keep the sidecar's behaviour. All
 * pointers borrowed and must outlive the server. */
struct http_server_opts {
    const char *listen_address;      /* NULL: cfg->web_listen_address */
    const struct http_route *routes; /* exact paths (table ends with a NULL path); may be NULL */
    const char *telemetry_path;      /* an extra exact path for metrics_handler; may be NULL */
    http_handler_fn metrics_handler;
    http_handler_fn fallback; /* any method on a path no route has; NULL: 404 / 405 replies */
    struct tls_store *tls;    /* HTTPS with these credentials (reloadable); NULL: plain HTTP */
    bool decode_urls;         /* percent-decode paths and query values with parse/urldecode
                               * (libmicrohttpd turns '+' into ' ' in query values first) */
    void *app;                /* passed to handlers */
};

/* http_server_start_opts binds and serves as described by o. With o->tls, every connection
 * gets the store's current credentials when it starts (kept until it closes) and is asked,
 * not required, for a client certificate when a client CA is configured. Errors as
 * http_server_start. thread: main. */
int http_server_start_opts(const struct config *cfg, const struct http_server_opts *o,
                           struct http_server **out);

/* The TLS side of a request's connection (NULL on plain HTTP). The cache slot lets a handler
 * keep what it derived from the peer certificate for the connection's lifetime (it is freed
 * with cache_free when the connection closes). thread: the connection's (MHD's pool). */
struct http_tls_conn {
    gnutls_session_t session;
    const struct tls_creds *creds; /* the credentials the connection was accepted with */
    void *cache;
    void (*cache_free)(void *);
};
struct http_tls_conn *http_request_tls(const struct http_request *req);

/* http_server_start binds cfg->web_listen_address and serves routes (a table terminated by a
 * row with path NULL; borrowed, must outlive the server). telemetry_path, when not NULL, is
 * an extra exact path mapped to metrics_handler. app is passed to handlers. Errors: negative
 * errno from socket/bind/listen, -EIO if MHD fails to start. thread: main. */
int http_server_start(const struct config *cfg, const struct http_route *routes,
                      const char *telemetry_path, http_handler_fn metrics_handler, void *app,
                      struct http_server **out);
/* http_server_port returns the bound TCP port (useful with port 0). */
unsigned http_server_port(const struct http_server *s);
/* http_server_stop stops accepting, lets in-flight requests finish for up to grace_ms (new
 * responses carry "Connection: close"), then stops the daemon and frees s. NULL-safe. */
void http_server_stop(struct http_server *s, int grace_ms);

/* Reply helpers for handlers. http_reply_text sends a short text/plain body (copied).
 * extra_header may be NULL or "Name: value" pairs given as name/value. */
enum MHD_Result http_reply_text(const struct http_request *req, unsigned status, const char *text);
enum MHD_Result http_reply_copy(const struct http_request *req, unsigned status,
                                const char *content_type, const void *body, size_t len);
/* http_reply_copy_header is http_reply_copy with one extra header (e.g. Allow on a 405). */
enum MHD_Result http_reply_copy_header(const struct http_request *req, unsigned status,
                                       const char *content_type, const void *body, size_t len,
                                       const char *header, const char *value);
/* http_reply_html sends an HTML page (copied) with a Content-Security-Policy that lets it load
 * and fetch nothing but its own origin (inline style and script allowed: the page is static and
 * self-contained). */
enum MHD_Result http_reply_html(const struct http_request *req, unsigned status, const char *html,
                                size_t len);
/* http_reply_zero_copy hands body to MHD without copying; free_cb(cls) runs when MHD is done
 * with it (e.g. releasing the snapshot that owns body). encoding may be NULL (identity) or
 * "gzip"; vary adds "Vary: Accept, Accept-Encoding". */
enum MHD_Result http_reply_zero_copy(const struct http_request *req, unsigned status,
                                     const char *content_type, const char *encoding, bool vary,
                                     const void *body, size_t len, void (*free_cb)(void *),
                                     void *cls);
/* http_header returns a request header (borrowed) or NULL. */
const char *http_header(const struct http_request *req, const char *name);
/* http_query returns a query argument (borrowed, decoded) or NULL. */
const char *http_query(const struct http_request *req, const char *name);
/* http_header_each calls fn for every value of header name (repeated headers, in order).
 * thread: the handler's. */
void http_header_each(const struct http_request *req, const char *name,
                      void (*fn)(void *cls, const char *value), void *cls);
/* http_header_all calls fn for every request header, name as received, in order. thread: the
 * handler's. */
void http_header_all(const struct http_request *req,
                     void (*fn)(void *cls, const char *name, const char *value), void *cls);

#endif
