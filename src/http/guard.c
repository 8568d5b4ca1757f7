/* The connection guard: admission (total, per source, reserved share) and request deadlines.
 * DESIGN: the guard thread owns the listening socket, so a refused connection costs one
 * accept and one close and never reaches libmicrohttpd. Each admitted socket has an entry,
 * indexed by fd, under one mutex (touched once per accept, per request phase and per sweep,
 * never per byte). Deadlines are enforced by shutdown(2) on the socket, which libmicrohttpd
 * then sees as a closed peer and cleans up on its own thread; the fd stays valid until its
 * close notification removes the entry, so the guard never shuts down a reused fd. The next
 * request on a kept-alive connection is noticed by the kernel's byte count (TCP_INFO). */
#include "http/guard.h"

#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/cidr.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "core/banned.h"

#define GUARD_SWEEP_MS 100
#define GUARD_ACCEPT_BATCH 64
#define GUARD_LOG_EVERY_MS 60000

enum guard_phase { GUARD_HEAD, GUARD_BODY, GUARD_RESPOND, GUARD_IDLE };

struct guard_conn {
    struct sockaddr_storage addr;
    bool priority;
    bool reaped;
    enum guard_phase phase;
    int64_t deadline_ms;
    uint64_t rx_mark; /* bytes received when the last request finished */
};

struct http_guard {
    struct http_guard_opts o;
    int listen_fd;
    int stop_fd; /* eventfd: 1 = stop accepting, 2 = stop the thread */
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    struct guard_conn **by_fd; /* under mu */
    size_t cap;
    unsigned open;
    bool accepting; /* guard thread only */
    _Atomic uint64_t accepted, refused_total, refused_source, reaped_head, reaped_body;
    int64_t last_log_ms;
    uint64_t logged_refused, logged_reaped;
};

static uint64_t guard_rx_bytes(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    memset(&ti, 0, sizeof(ti));
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
        len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof(ti.tcpi_bytes_received))
        return 0;
    return ti.tcpi_bytes_received;
}

/* Two peers are the same source when their addresses match; a dual-stack listener sees IPv4
 * peers as IPv4-mapped IPv6 addresses, consistently, so no mapping is needed here. */
static bool guard_same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET)
        return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
                      &((const struct sockaddr_in *)b)->sin_addr, sizeof(struct in_addr)) == 0;
    if (a->ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                      &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
    return false;
}

/* guard_admit decides under mu and, when admitted, records the entry. Returns 0, or -EMFILE
 * (over the total), -EUSERS (over the per-source limit). */
static int guard_admit(struct http_guard *g, int fd, const struct sockaddr_storage *ss)
{
    bool prio = g->o.priority != NULL && cidr_set_match(g->o.priority, (const void *)ss);
    int rc = 0;
    pthread_mutex_lock(&g->mu);
    unsigned limit = g->o.max_connections;
    if (!prio && g->o.priority != NULL)
        limit = limit > g->o.reserved ? limit - g->o.reserved : 0;
    if (g->open >= limit) {
        rc = -EMFILE;
        goto out;
    }
    if (!prio) {
        unsigned same = 0;
        for (size_t i = 0; i < g->cap; i++)
            if (g->by_fd[i] != NULL && guard_same_source(&g->by_fd[i]->addr, ss))
                same++;
        if (same >= g->o.per_source) {
            rc = -EUSERS;
            goto out;
        }
    }
    if ((size_t)fd >= g->cap) {
        size_t ncap = g->cap ? g->cap : 64;
        while (ncap <= (size_t)fd)
            ncap *= 2;
        g->by_fd = xreallocarray(g->by_fd, ncap, sizeof(*g->by_fd));
        memset(g->by_fd + g->cap, 0, (ncap - g->cap) * sizeof(*g->by_fd));
        g->cap = ncap;
    }
    struct guard_conn *c = xcalloc(1, sizeof(*c));
    c->addr = *ss;
    c->priority = prio;
    c->phase = GUARD_HEAD;
    c->deadline_ms = clock_mono_ms() + g->o.head_timeout_ms;
    free(g->by_fd[fd]); /* a stale entry cannot exist (closed removes it); be safe anyway */
    g->by_fd[fd] = c;
    g->open++;
out:
    pthread_mutex_unlock(&g->mu);
    return rc;
}

static void guard_remove_locked(struct http_guard *g, int fd)
{
    if (fd < 0 || (size_t)fd >= g->cap || g->by_fd[fd] == NULL)
        return;
    free(g->by_fd[fd]);
    g->by_fd[fd] = NULL;
    g->open--;
}

static void guard_refuse(struct http_guard *g, int fd)
{
    static const char resp[] = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
                               "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 28\r\n"
                               "\r\ntoo many connections, retry\n";
    if (g->o.reply_503) {
        ssize_t n = send(fd, resp, sizeof(resp) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)n;
        shutdown(fd, SHUT_WR);
    }
    close(fd);
}

static void guard_accept_batch(struct http_guard *g)
{
    for (int i = 0; i < GUARD_ACCEPT_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int fd = accept4(g->listen_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                log_debug("http", "accept: %s", strerror(errno));
            return;
        }
        int rc = guard_admit(g, fd, &ss);
        if (rc == -EMFILE) {
            atomic_fetch_add_explicit(&g->refused_total, 1, memory_order_relaxed);
            guard_refuse(g, fd);
            continue;
        }
        if (rc == -EUSERS) {
            atomic_fetch_add_explicit(&g->refused_source, 1, memory_order_relaxed);
            guard_refuse(g, fd);
            continue;
        }
        atomic_fetch_add_explicit(&g->accepted, 1, memory_order_relaxed);
        if (g->o.hand_over(g->o.cls, fd, (const struct sockaddr *)&ss, len) != 0) {
            /* the server closed fd; only this thread inserts, so the slot is still ours */
            pthread_mutex_lock(&g->mu);
            guard_remove_locked(g, fd);
            pthread_mutex_unlock(&g->mu);
        }
    }
}

static void guard_sweep(struct http_guard *g, int64_t now)
{
    pthread_mutex_lock(&g->mu);
    for (size_t fd = 0; fd < g->cap; fd++) {
        struct guard_conn *c = g->by_fd[fd];
        if (c == NULL || c->reaped)
            continue;
        if (c->phase == GUARD_IDLE) {
            if (guard_rx_bytes((int)fd) > c->rx_mark) {
                c->phase = GUARD_HEAD;
                c->deadline_ms = now + g->o.head_timeout_ms;
            }
            continue;
        }
        if (c->phase == GUARD_RESPOND || now < c->deadline_ms)
            continue;
        c->reaped = true;
        atomic_fetch_add_explicit(c->phase == GUARD_HEAD ? &g->reaped_head : &g->reaped_body, 1,
                                  memory_order_relaxed);
        shutdown((int)fd, SHUT_RDWR);
    }
    pthread_mutex_unlock(&g->mu);

    if (now - g->last_log_ms < GUARD_LOG_EVERY_MS)
        return;
    uint64_t refused = atomic_load_explicit(&g->refused_total, memory_order_relaxed) +
                       atomic_load_explicit(&g->refused_source, memory_order_relaxed);
    uint64_t reaped = atomic_load_explicit(&g->reaped_head, memory_order_relaxed) +
                      atomic_load_explicit(&g->reaped_body, memory_order_relaxed);
    if (refused != g->logged_refused || reaped != g->logged_reaped) {
        log_warn("http",
                 "over the limits (%u connections in all, %u per source, %u reserved): %llu "
                 "connections refused; past their head or body deadline: %llu requests closed "
                 "(since the last report)",
                 g->o.max_connections, g->o.per_source, g->o.priority != NULL ? g->o.reserved : 0,
                 (unsigned long long)(refused - g->logged_refused),
                 (unsigned long long)(reaped - g->logged_reaped));
        g->logged_refused = refused;
        g->logged_reaped = reaped;
        g->last_log_ms = now;
    }
}

/* guard_wait_ms is how long the guard may sleep in poll: until the next sweep while it tracks
 * connections; with none, only until a pending log line is due, or indefinitely (-1). Only
 * this thread admits connections, so none can appear while it sleeps. */
static int guard_wait_ms(struct http_guard *g, int64_t now, int64_t next_sweep)
{
    pthread_mutex_lock(&g->mu);
    unsigned open = g->open;
    pthread_mutex_unlock(&g->mu);
    if (open > 0)
        return next_sweep > now ? (int)(next_sweep - now) : 0;
    uint64_t refused = atomic_load_explicit(&g->refused_total, memory_order_relaxed) +
                       atomic_load_explicit(&g->refused_source, memory_order_relaxed);
    uint64_t reaped = atomic_load_explicit(&g->reaped_head, memory_order_relaxed) +
                      atomic_load_explicit(&g->reaped_body, memory_order_relaxed);
    if (refused == g->logged_refused && reaped == g->logged_reaped)
        return -1;
    /* guard_sweep writes the line, so wake when both it and the line are due */
    int64_t due = g->last_log_ms + GUARD_LOG_EVERY_MS;
    if (due < next_sweep)
        due = next_sweep;
    return due > now ? (int)(due - now) : 0;
}

static void *guard_main(void *arg)
{
    struct http_guard *g = arg;
    int64_t next_sweep = clock_mono_ms() + GUARD_SWEEP_MS;
    for (;;) {
        struct pollfd p[2] = {{.fd = g->stop_fd, .events = POLLIN},
                              {.fd = g->accepting ? g->listen_fd : -1, .events = POLLIN}};
        int n = poll(p, 2, guard_wait_ms(g, clock_mono_ms(), next_sweep));
        if (n > 0 && (p[0].revents & POLLIN)) {
            uint64_t v = 0;
            ssize_t r = read(g->stop_fd, &v, sizeof(v));
            (void)r;
            if (v >= 2)
                break;
            if (g->accepting) {
                g->accepting = false;
                close(g->listen_fd);
                g->listen_fd = -1;
            }
        }
        if (n > 0 && g->accepting && (p[1].revents & POLLIN))
            guard_accept_batch(g);
        int64_t now = clock_mono_ms();
        if (now >= next_sweep) {
            guard_sweep(g, now);
            next_sweep = now + GUARD_SWEEP_MS;
        }
    }
    return NULL;
}

int http_guard_new(const struct http_guard_opts *o, int listen_fd, struct http_guard **out)
{
    struct http_guard *g = xcalloc(1, sizeof(*g));
    g->o = *o;
    g->listen_fd = listen_fd;
    g->accepting = true;
    g->last_log_ms = clock_mono_ms() - GUARD_LOG_EVERY_MS;
    pthread_mutex_init(&g->mu, NULL);
    g->stop_fd = eventfd(0, EFD_CLOEXEC);
    if (g->stop_fd < 0) {
        int rc = -errno;
        pthread_mutex_destroy(&g->mu);
        free(g);
        return rc;
    }
    *out = g;
    return 0;
}

int http_guard_start(struct http_guard *g)
{
    int rc = pthread_create(&g->thread, NULL, guard_main, g);
    if (rc != 0)
        return -rc;
    g->started = true;
    return 0;
}

static void guard_signal(struct http_guard *g, uint64_t v)
{
    ssize_t n = write(g->stop_fd, &v, sizeof(v));
    (void)n;
}

void http_guard_stop_accepting(struct http_guard *g)
{
    if (g == NULL)
        return;
    guard_signal(g, 1);
}

void http_guard_stop(struct http_guard *g)
{
    if (g == NULL)
        return;
    if (g->started) {
        guard_signal(g, 2);
        pthread_join(g->thread, NULL);
    }
    if (g->listen_fd >= 0)
        close(g->listen_fd);
    close(g->stop_fd);
    for (size_t i = 0; i < g->cap; i++)
        free(g->by_fd[i]);
    free(g->by_fd);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

static struct guard_conn *guard_find_locked(struct http_guard *g, int fd)
{
    if (fd < 0 || (size_t)fd >= g->cap)
        return NULL;
    return g->by_fd[fd];
}

void http_guard_head_done(struct http_guard *g, int fd)
{
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->mu);
    struct guard_conn *c = guard_find_locked(g, fd);
    if (c != NULL) {
        c->phase = GUARD_BODY;
        c->deadline_ms = clock_mono_ms() + g->o.body_timeout_ms;
    }
    pthread_mutex_unlock(&g->mu);
}

void http_guard_body_done(struct http_guard *g, int fd)
{
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->mu);
    struct guard_conn *c = guard_find_locked(g, fd);
    if (c != NULL)
        c->phase = GUARD_RESPOND;
    pthread_mutex_unlock(&g->mu);
}

void http_guard_request_done(struct http_guard *g, int fd)
{
    if (g == NULL)
        return;
    uint64_t rx = guard_rx_bytes(fd);
    pthread_mutex_lock(&g->mu);
    struct guard_conn *c = guard_find_locked(g, fd);
    if (c != NULL) {
        c->phase = GUARD_IDLE;
        c->rx_mark = rx;
    }
    pthread_mutex_unlock(&g->mu);
}

void http_guard_closed(struct http_guard *g, int fd)
{
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->mu);
    guard_remove_locked(g, fd);
    pthread_mutex_unlock(&g->mu);
}

void http_guard_stats_read(const struct http_guard *g, struct http_guard_stats *out)
{
    struct http_guard *m = (struct http_guard *)(uintptr_t)g;
    out->accepted = atomic_load_explicit(&m->accepted, memory_order_relaxed);
    out->refused_total = atomic_load_explicit(&m->refused_total, memory_order_relaxed);
    out->refused_source = atomic_load_explicit(&m->refused_source, memory_order_relaxed);
    out->reaped_head = atomic_load_explicit(&m->reaped_head, memory_order_relaxed);
    out->reaped_body = atomic_load_explicit(&m->reaped_body, memory_order_relaxed);
    pthread_mutex_lock(&m->mu);
    out->open = m->open;
    pthread_mutex_unlock(&m->mu);
}
