/* UDP socket helpers (see udp.h). */
#include "io/udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sock_diag.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/hostport.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct udp_batch {
    size_t n;
    size_t size;
    struct mmsghdr *msgs;
    struct iovec *iov;
    char *data;
};

int udp_listen(const char *addr, int rcvbuf, int *fd_out)
{
    char host[256], service[8];
    unsigned port;
    int rc = hostport_parse(addr, host, sizeof(host), &port);
    if (rc < 0)
        return -EINVAL;
    snprintf(service, sizeof(service), "%u", port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = host[0] ? AF_UNSPEC : AF_INET6;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host[0] ? host : NULL, service, &hints, &res);
    if (gai != 0 && !host[0]) {
        hints.ai_family = AF_INET;
        gai = getaddrinfo(NULL, service, &hints, &res);
    }
    if (gai != 0)
        return -EINVAL;
    rc = -EADDRNOTAVAIL;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            rc = -errno;
            continue;
        }
        int zero = 0;
        if (ai->ai_family == AF_INET6 && !host[0])
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
        /* A burst between two reads must fit: FORCE needs CAP_NET_ADMIN, plain is capped. */
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            *fd_out = fd;
            rc = 0;
            break;
        }
        rc = -errno;
        close(fd);
    }
    freeaddrinfo(res);
    return rc;
}

unsigned udp_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
        return 0;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

struct udp_batch *udp_batch_new(size_t n, size_t size)
{
    struct udp_batch *b = xcalloc(1, sizeof(*b));
    b->n = n;
    b->size = size;
    b->msgs = xcalloc(n, sizeof(*b->msgs));
    b->iov = xcalloc(n, sizeof(*b->iov));
    b->data = xcalloc(n, size);
    for (size_t i = 0; i < n; i++) {
        b->iov[i].iov_base = b->data + i * size;
        b->iov[i].iov_len = size;
        b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
        b->msgs[i].msg_hdr.msg_iovlen = 1;
    }
    return b;
}

void udp_batch_free(struct udp_batch *b)
{
    if (b == NULL)
        return;
    free(b->msgs);
    free(b->iov);
    free(b->data);
    free(b);
}

int udp_recv_batch(int fd, struct udp_batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        b->msgs[i].msg_hdr.msg_flags = 0;
    int n = recvmmsg(fd, b->msgs, (unsigned)b->n, MSG_DONTWAIT, NULL);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -errno;
    return n;
}

const char *udp_batch_at(const struct udp_batch *b, size_t i, size_t *len, int *truncated)
{
    size_t n = b->msgs[i].msg_len;
    *truncated = (b->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
    *len = n > b->size ? b->size : n;
    return b->data + i * b->size;
}

int udp_drops(int fd, uint64_t *drops)
{
    uint32_t mem[SK_MEMINFO_VARS];
    socklen_t len = sizeof(mem);
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0)
        return -errno;
    if (len < (socklen_t)((SK_MEMINFO_DROPS + 1) * sizeof(uint32_t)))
        return -ENOPROTOOPT;
    *drops = mem[SK_MEMINFO_DROPS];
    return 0;
}
