/* libmicrohttpd setup and the request dispatcher. We open the listening socket ourselves so
 * "host:port" works for IPv4, IPv6 and names, restarts don't hit TIME_WAIT (SO_REUSEADDR), and
 * ":port" binds dual-stack with an IPv4 fallback when IPv6 is off (collectd#2149, #2570). */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "core/buf.h"
#include "core/cidr.h"
#include "core/clock.h"
#include "core/hostport.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "http/guard.h"
#include "http/tls.h"
#include "parse/urldecode.h"
#include "core/banned.h"

/* The guard counts a connection gone at its close notification, libmicrohttpd a moment later:
 * its own limit sits a little above ours so that it never refuses what the guard admitted. */
#define HTTP_MHD_LIMIT_SLACK 64

struct http_server {
    struct MHD_Daemon *d;
    int listen_fd;
    unsigned port;
    const struct http_route *routes;
    const char *telemetry_path;
    http_handler_fn metrics_handler;
    void *app;
    http_handler_fn fallback;
    bool (*admit)(const struct http_request *req, void *cls, enum MHD_Result *ret);
    void (*decorate)(struct MHD_Response *r, void *cls);
    void *guard_cls;
    struct tls_store *tls;
    char *tls_cert_pem; /* start-up credentials for libmicrohttpd (each connection gets the */
    char *tls_key_pem;  /* store's current ones when it starts); the key is wiped on stop */
    size_t max_body;
    atomic_bool draining;
    struct http_guard *guard;   /* accepts, limits and deadlines (http/guard.c) */
    struct cidr_set *priority;  /* --web.priority-sources, NULL when empty */
};

/* Per-connection request state, allocated on the first callback of a request. */
struct http_conn_state {
    struct buf body;
    bool too_large;
};

__attribute__((format(printf, 2, 0))) static void http_mhd_log(void *cls, const char *fmt,
                                                               va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_debug("http", "%s", msg);
}

static int http_listen(const char *addr, int *fd_out, unsigned *port_out)
{
    char host[256];
    unsigned port;
    int rc = hostport_parse(addr, host, sizeof(host), &port);
    if (rc < 0)
        return rc;
    char service[8];
    snprintf(service, sizeof(service), "%u", port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    const char *node = host[0] ? host : NULL;
    if (node == NULL)
        hints.ai_family = AF_INET6; /* dual-stack first, IPv4 fallback below */
    int gai = getaddrinfo(node, service, &hints, &res);
    if (gai != 0 && node == NULL) {
        hints.ai_family = AF_INET;
        gai = getaddrinfo(NULL, service, &hints, &res);
    }
    if (gai != 0) {
        log_error("http", "cannot resolve listen address %s: %s", addr, gai_strerror(gai));
        return -EINVAL;
    }
    rc = -EADDRNOTAVAIL;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            rc = -errno;
            continue;
        }
        int one = 1, zero = 0;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ai->ai_family == AF_INET6 && node == NULL)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 256) == 0) {
            struct sockaddr_storage ss;
            socklen_t sl = sizeof(ss);
            getsockname(fd, (struct sockaddr *)&ss, &sl);
            *port_out = ntohs(ss.ss_family == AF_INET6
                                  ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                  : ((struct sockaddr_in *)&ss)->sin_port);
            *fd_out = fd;
            rc = 0;
            break;
        }
        rc = -errno;
        close(fd);
        if (node == NULL && ai->ai_next == NULL && hints.ai_family == AF_INET6) {
            /* IPv6 disabled in this pod: retry on IPv4 */
            freeaddrinfo(res);
            res = NULL;
            hints.ai_family = AF_INET;
            if (getaddrinfo(NULL, service, &hints, &res) != 0)
                break;
            ai = res;
            int fd4 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            if (fd4 < 0)
                break;
            setsockopt(fd4, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (bind(fd4, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd4, 256) == 0) {
                *port_out = port;
                *fd_out = fd4;
                rc = 0;
            } else {
                rc = -errno;
                close(fd4);
            }
            break;
        }
    }
    if (res != NULL)
        freeaddrinfo(res);
    return rc;
}

/* Responses sent while draining carry "Connection: close" so keep-alive clients go away. */
static enum MHD_Result http_queue(const struct http_request *req, unsigned status,
                                  struct MHD_Response *r)
{
    if (req->server != NULL && atomic_load_explicit(&req->server->draining, memory_order_relaxed))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    if (req->server != NULL && req->server->decorate != NULL)
        req->server->decorate(r, req->server->guard_cls);
    enum MHD_Result ret = MHD_queue_response(req->conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result http_reply_copy(const struct http_request *req, unsigned status,
                                const char *content_type, const void *body, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    return http_queue(req, status, r);
}

enum MHD_Result http_reply_copy_header(const struct http_request *req, unsigned status,
                                       const char *content_type, const void *body, size_t len,
                                       const char *header, const char *value)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, header, value);
    return http_queue(req, status, r);
}

enum MHD_Result http_reply_html(const struct http_request *req, unsigned status, const char *html,
                                size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)html, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; script-src 'unsafe-inline'; "
                            "style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; "
                            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    return http_queue(req, status, r);
}

enum MHD_Result http_reply_text(const struct http_request *req, unsigned status, const char *text)
{
    return http_reply_copy(req, status, "text/plain; charset=utf-8", text, strlen(text));
}

enum MHD_Result http_reply_zero_copy(const struct http_request *req, unsigned status,
                                     const char *content_type, const char *encoding, bool vary,
                                     const void *body, size_t len, void (*free_cb)(void *),
                                     void *cls)
{
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback_cls(
        len, (void *)(uintptr_t)body, free_cb, cls);
    if (r == NULL) {
        free_cb(cls);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (encoding != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, encoding);
    if (vary)
        MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept, Accept-Encoding");
    return http_queue(req, status, r);
}

const char *http_header(const struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_query(const struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct http_each {
    const char *name;
    void (*fn)(void *cls, const char *value);
    void *cls;
};

static enum MHD_Result http_each_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    struct http_each *e = cls;
    if (key != NULL && value != NULL && strcasecmp(key, e->name) == 0)
        e->fn(e->cls, value);
    return MHD_YES;
}

void http_header_each(const struct http_request *req, const char *name,
                      void (*fn)(void *cls, const char *value), void *cls)
{
    struct http_each e = {name, fn, cls};
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, http_each_cb, &e);
}

struct http_all {
    void (*fn)(void *cls, const char *name, const char *value);
    void *cls;
};

static enum MHD_Result http_all_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    struct http_all *a = cls;
    if (key != NULL && value != NULL)
        a->fn(a->cls, key, value);
    return MHD_YES;
}

void http_header_all(const struct http_request *req,
                     void (*fn)(void *cls, const char *name, const char *value), void *cls)
{
    struct http_all a = {fn, cls};
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, http_all_cb, &a);
}

static const struct http_route *http_find(const struct http_server *s, const char *path,
                                          http_handler_fn *fn, unsigned *methods)
{
    if (s->telemetry_path != NULL && strcmp(path, s->telemetry_path) == 0) {
        *fn = s->metrics_handler;
        *methods = HTTP_GET;
        return s->routes; /* non-NULL marker */
    }
    for (const struct http_route *r = s->routes; r != NULL && r->path != NULL; r++) {
        if (strcmp(r->path, path) == 0) {
            *fn = r->handler;
            *methods = r->methods;
            return r;
        }
    }
    return NULL;
}

/* http_error_response builds the body of a dispatcher error: JSON {"error": ...} under /api/,
 * where clients parse every answer as JSON, else one line of text. msg is a literal without
 * characters that need escaping. */
static struct MHD_Response *http_error_response(const char *path, const char *msg)
{
    char body[128];
    bool api = strncmp(path, "/api/", 5) == 0;
    int n = snprintf(body, sizeof(body), api ? "{\"error\":\"%s\"}\n" : "%s\n", msg);
    if (n < 0 || (size_t)n >= sizeof(body))
        return NULL;
    struct MHD_Response *r =
        MHD_create_response_from_buffer((size_t)n, body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return NULL;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            api ? "application/json; charset=utf-8" : "text/plain; charset=utf-8");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    return r;
}

static enum MHD_Result http_reply_error(const struct http_request *req, unsigned status,
                                        const char *msg)
{
    struct MHD_Response *r = http_error_response(req->path, msg);
    if (r == NULL)
        return MHD_NO;
    return http_queue(req, status, r);
}

static int http_conn_fd(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    return ci != NULL ? ci->connect_fd : -1;
}

enum MHD_Result http_reply_status(const struct http_request *req, unsigned status,
                                  const char *msg, const char *hname, const char *hval)
{
    struct MHD_Response *r = http_error_response(req->path, msg);
    if (r == NULL)
        return MHD_NO;
    if (hname != NULL)
        MHD_add_response_header(r, hname, hval);
    return http_queue(req, status, r);
}

static void http_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    (void)toe;
    http_guard_request_done(s->guard, http_conn_fd(c));
    struct http_conn_state *st = *con_cls;
    if (st != NULL) {
        buf_fini(&st->body);
        free(st);
        *con_cls = NULL;
    }
}

static enum MHD_Result http_dispatch(void *cls, struct MHD_Connection *conn, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_data_size,
                                     void **con_cls)
{
    (void)version;
    struct http_server *s = cls;
    struct http_conn_state *st = *con_cls;
    if (st == NULL) {
        st = xcalloc(1, sizeof(*st));
        buf_init(&st->body, s->max_body);
        *con_cls = st;
        http_guard_head_done(s->guard, http_conn_fd(conn));
        enum MHD_Result ret = MHD_NO;
        struct http_request g = {.method = method, .path = url, .conn = conn, .server = s};
        if (s->admit != NULL && !s->admit(&g, s->guard_cls, &ret))
            return ret; /* refused before any body is read */
        return MHD_YES; /* headers only; body (if any) arrives next */
    }
    if (*upload_data_size > 0) {
        if (!st->too_large && buf_add(&st->body, upload_data, *upload_data_size) < 0)
            st->too_large = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    http_guard_body_done(s->guard, http_conn_fd(conn));
    struct http_request req = {.method = method, .path = url, .conn = conn, .server = s};
    if (st->too_large)
        return http_reply_error(&req, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    http_handler_fn fn = NULL;
    unsigned methods = 0;
    if (http_find(s, url, &fn, &methods) == NULL) {
        if (s->fallback == NULL)
            return http_reply_error(&req, MHD_HTTP_NOT_FOUND, "404 page not found");
        req.body = buf_ptr(&st->body);
        req.body_len = buf_len(&st->body);
        return s->fallback(&req, s->app);
    }
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    bool post = strcmp(method, "POST") == 0;
    if (!((get && (methods & HTTP_GET)) || (post && (methods & HTTP_POST)))) {
        char allow[32];
        snprintf(allow, sizeof(allow), "%s%s%s", (methods & HTTP_GET) ? "GET, HEAD" : "",
                 (methods & HTTP_GET) && (methods & HTTP_POST) ? ", " : "",
                 (methods & HTTP_POST) ? "POST" : "");
        struct MHD_Response *r = http_error_response(url, "method not allowed");
        if (r == NULL)
            return MHD_NO;
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
        return http_queue(&req, MHD_HTTP_METHOD_NOT_ALLOWED, r);
    }
    if (post) {
        req.body = buf_ptr(&st->body);
        req.body_len = buf_len(&st->body);
    }
    return fn(&req, s->app);
}

/* http_tls_refresh re-reads the TLS files when one changed (a rotated Secret), checked at
 * most once a second by whichever connection starts first. */
static void http_tls_refresh(struct http_server *s)
{
    char why[512];
    int rc = tls_store_refresh(s->tls, 1000, why, sizeof(why));
    if (rc < 0) {
        log_error("http", "TLS files changed but do not load, the previous ones stay in use: %s",
                  why);
    } else if (rc > 0) {
        struct tls_creds *c = tls_store_acquire(s->tls);
        char desc[512];
        tls_creds_describe(c, desc, sizeof(desc));
        tls_creds_release(c);
        log_info("http", "TLS files changed: reloaded, new connections get %s", desc);
    }
}

/* http_tls_verify runs in the handshake once the client's certificate arrived: the policy of
 * the credentials the connection was accepted with decides (libmicrohttpd keeps the
 * connection as the session's pointer). A non-zero return fails the handshake. */
static int http_tls_verify(gnutls_session_t session)
{
    struct MHD_Connection *c = gnutls_session_get_ptr(session);
    const union MHD_ConnectionInfo *ci =
        c != NULL ? MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT) : NULL;
    const struct http_tls_conn *t = ci != NULL ? ci->socket_context : NULL;
    if (t == NULL)
        return GNUTLS_E_CERTIFICATE_ERROR;
    const char *why = NULL;
    if (tls_creds_check_peer(t->creds, session, &why) < 0) {
        log_debug("http", "TLS handshake refused: %s", why);
        return GNUTLS_E_CERTIFICATE_ERROR;
    }
    return 0;
}

/* The TLS side of each connection: set up when MHD accepts it (the GnuTLS session exists, the
 * handshake has not begun), torn down when it closes. */
static void http_conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                             enum MHD_ConnectionNotificationCode code)
{
    struct http_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        http_guard_closed(s->guard, http_conn_fd(c));
        struct http_tls_conn *t = *socket_context;
        if (t != NULL) {
            if (t->cache_free != NULL)
                t->cache_free(t->cache);
            tls_creds_release((struct tls_creds *)(uintptr_t)t->creds);
            free(t);
            *socket_context = NULL;
        }
        return;
    }
    if (s->tls == NULL)
        return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (ci == NULL || ci->tls_session == NULL)
        return;
    http_tls_refresh(s);
    struct http_tls_conn *t = xcalloc(1, sizeof(*t));
    struct tls_creds *creds = tls_store_acquire(s->tls);
    t->session = ci->tls_session;
    t->creds = creds;
    /* This connection's handshake uses the credentials and policy current now; a reload later
     * changes new connections only, and these stay alive (referenced) until this one closes. */
    tls_creds_session_setup(creds, t->session);
    if (tls_creds_checks_peer(creds))
        gnutls_session_set_verify_function(t->session, http_tls_verify);
    *socket_context = t;
}

struct http_tls_conn *http_request_tls(const struct http_request *req)
{
    if (req->server == NULL || req->server->tls == NULL)
        return NULL;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci != NULL ? ci->socket_context : NULL;
}

static size_t http_unescape(void *cls, struct MHD_Connection *c, char *str)
{
    (void)cls;
    (void)c;
    return urldecode(str, 0);
}

static int http_hand_over(void *cls, int fd, const struct sockaddr *sa, socklen_t len)
{
    struct http_server *s = cls;
    return MHD_add_connection(s->d, fd, sa, len) == MHD_YES ? 0 : -1;
}

static void http_free(struct http_server *s)
{
    cidr_set_free(s->priority);
    if (s->tls_key_pem != NULL)
        explicit_bzero(s->tls_key_pem, strlen(s->tls_key_pem));
    free(s->tls_key_pem);
    free(s->tls_cert_pem);
    free(s);
}

int http_server_start_opts(const struct config *cfg, const struct http_server_opts *o,
                           struct http_server **out)
{
    struct http_server *s = xcalloc(1, sizeof(*s));
    s->routes = o->routes;
    s->telemetry_path = o->telemetry_path;
    s->metrics_handler = o->metrics_handler;
    s->fallback = o->fallback;
    s->admit = o->guard;
    s->decorate = o->decorate;
    s->guard_cls = o->guard_cls;
    s->tls = o->tls;
    s->app = o->app;
    s->max_body = cfg->web_max_request_bytes;
    s->listen_fd = -1;
    const char *addr = o->listen_address != NULL ? o->listen_address : cfg->web_listen_address;
    int rc = http_listen(addr, &s->listen_fd, &s->port);
    if (rc < 0) {
        free(s);
        return rc;
    }
    /* The guard (http/guard.c) accepts and hands admitted sockets over, so MHD listens on
     * nothing itself. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_USE_NO_LISTEN_SOCKET;
    struct MHD_OptionItem extra[8];
    size_t ne = 0;
    if (o->tls != NULL) {
        struct tls_creds *c = tls_store_acquire(o->tls);
        s->tls_cert_pem = xstrdup(tls_creds_cert_pem(c));
        s->tls_key_pem = xstrdup(tls_creds_key_pem(c));
        tls_creds_release(c);
        flags |= MHD_USE_TLS;
        extra[ne++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert_pem};
        extra[ne++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key_pem};
    }
    extra[ne++] =
        (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)http_conn_notify, s};
    if (o->decode_urls)
        extra[ne++] =
            (struct MHD_OptionItem){MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)http_unescape, NULL};
    extra[ne] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    unsigned timeout_s = (unsigned)((cfg->web_idle_timeout_ms + 999) / 1000);
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, http_dispatch, s, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)cfg->web_threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->web_max_connections + HTTP_MHD_LIMIT_SLACK, MHD_OPTION_CONNECTION_TIMEOUT,
        timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->web_max_header_bytes,
        MHD_OPTION_NOTIFY_COMPLETED, http_completed, s, MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, s,
        MHD_OPTION_ARRAY, extra, MHD_OPTION_END);
    if (s->d == NULL) {
        close(s->listen_fd);
        http_free(s);
        return -EIO;
    }
    if (cfg->web_priority_sources != NULL)
        (void)cidr_set_parse(cfg->web_priority_sources, &s->priority); /* checked by config */
    struct http_guard_opts go = {.max_connections = (unsigned)cfg->web_max_connections,
                                 .per_source = (unsigned)cfg->web_max_connections_per_source,
                                 .reserved = (unsigned)cfg->web_reserved_connections,
                                 .priority = s->priority,
                                 .head_timeout_ms = cfg->web_read_header_timeout_ms,
                                 .body_timeout_ms = cfg->web_read_body_timeout_ms,
                                 .reply_503 = o->tls == NULL,
                                 .hand_over = http_hand_over,
                                 .cls = s};
    rc = http_guard_new(&go, s->listen_fd, &s->guard);
    if (rc < 0) {
        MHD_stop_daemon(s->d);
        close(s->listen_fd);
        http_free(s);
        return rc;
    }
    rc = http_guard_start(s->guard);
    if (rc < 0) {
        MHD_stop_daemon(s->d);
        http_guard_stop(s->guard); /* closes the listening socket */
        http_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int http_server_start(const struct config *cfg, const struct http_route *routes,
                      const char *telemetry_path, http_handler_fn metrics_handler, void *app,
                      struct http_server **out)
{
    struct http_server_opts o = {.routes = routes,
                                 .telemetry_path = telemetry_path,
                                 .metrics_handler = metrics_handler,
                                 .app = app};
    return http_server_start_opts(cfg, &o, out);
}

unsigned http_server_port(const struct http_server *s)
{
    return s->port;
}

void http_server_stop(struct http_server *s, int grace_ms)
{
    if (s == NULL)
        return;
    atomic_store(&s->draining, true);
    http_guard_stop_accepting(s->guard);
    int64_t deadline = clock_mono_ms() + grace_ms;
    while (clock_mono_ms() < deadline) {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (info == NULL || info->num_connections == 0)
            break;
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->d);
    http_guard_stop(s->guard);
    http_free(s);
}
