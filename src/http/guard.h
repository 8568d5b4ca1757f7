/* The connection guard in front of libmicrohttpd: our own accept loop that admits a connection
 * only within the limits (total, per source address, a share reserved for priority sources)
 * and a reaper that closes connections whose request head or body is not complete within its
 * deadline. libmicrohttpd's own timeout is an idle timeout (any byte resets it), which a
 * slowloris client defeats with one byte every few seconds; the deadlines here do not reset.
 * One guard thread accepts and reaps; MHD's threads report the phases of each request. */
#ifndef RIZK_HTTP_GUARD_H
#define RIZK_HTTP_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct cidr_set;
struct http_guard;

struct http_guard_opts {
    unsigned max_connections;        /* all sources together */
    unsigned per_source;             /* one source address (priority sources are exempt) */
    unsigned reserved;               /* of max_connections, kept for priority sources only */
    const struct cidr_set *priority; /* borrowed, may be NULL (then nothing is reserved) */
    int64_t head_timeout_ms; /* accept (or the next request's first byte) -> head complete */
    int64_t body_timeout_ms; /* head complete -> body complete */
    bool reply_503;          /* plain HTTP: tell a refused client 503 before closing */
    /* hand_over gives an admitted socket to the server; 0 on success, else the server has
     * closed fd (libmicrohttpd's MHD_add_connection contract). Called on the guard thread. */
    int (*hand_over)(void *cls, int fd, const struct sockaddr *sa, socklen_t len);
    void *cls;
};

/* Counters since start, read with relaxed atomics (any thread). */
struct http_guard_stats {
    uint64_t accepted;
    uint64_t refused_total;  /* over --web.max-connections (less the reserved share) */
    uint64_t refused_source; /* over --web.max-connections-per-source */
    uint64_t reaped_head;    /* head deadline passed */
    uint64_t reaped_body;    /* body deadline passed */
    unsigned open;
};

/* http_guard_new makes a guard for listen_fd (non-blocking, listening; owned from here on,
 * closed by http_guard_stop); http_guard_start starts its thread, which accepts and reaps.
 * Two steps, so that the server holds the guard before any connection can reach its threads.
 * Errors: negative errno from eventfd / pthread_create. thread: main. */
int http_guard_new(const struct http_guard_opts *o, int listen_fd, struct http_guard **out);
int http_guard_start(struct http_guard *g);

/* http_guard_stop_accepting stops accepting and closes the listening socket; the reaper keeps
 * running for the connections still open. NULL is a no-op. thread: main. */
void http_guard_stop_accepting(struct http_guard *g);

/* http_guard_stop stops the thread (if started) and frees the guard; call after the server
 * has closed every connection (MHD_stop_daemon). NULL is a no-op. thread: main. */
void http_guard_stop(struct http_guard *g);

/* The phases of a connection, reported by the server's threads for socket fd: the request
 * head is complete (the body deadline starts), the body is complete (no deadline while the
 * answer is produced and sent: the idle timeout covers a slow reader), the request is
 * finished (kept alive: the head deadline starts again with the next request's first byte),
 * the connection is closed (before the fd is closed). Unknown fds are ignored. thread: any. */
void http_guard_head_done(struct http_guard *g, int fd);
void http_guard_body_done(struct http_guard *g, int fd);
void http_guard_request_done(struct http_guard *g, int fd);
void http_guard_closed(struct http_guard *g, int fd);

void http_guard_stats_read(const struct http_guard *g, struct http_guard_stats *out);

#endif
