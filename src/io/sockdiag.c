/* NETLINK_SOCK_DIAG dump of TCP sockets (inet_diag_req_v2), counted by state. */
#include "io/sockdiag.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/banned.h"

/* One dump per address family; the reply is read in chunks of this size. */
#define SOCKDIAG_RCVBUF 32768

static int sockdiag_dump(int fd, unsigned char family, unsigned port, struct proc_nettcp *acc)
{
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } msg;
    memset(&msg, 0, sizeof(msg));
    msg.nlh.nlmsg_len = sizeof(msg);
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.nlh.nlmsg_seq = family;
    msg.req.sdiag_family = family;
    msg.req.sdiag_protocol = IPPROTO_TCP;
    msg.req.idiag_states = 0xfff; /* TCP_ESTABLISHED (1) .. TCP_CLOSING (11) */
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
        return -errno;
    _Alignas(struct nlmsghdr) char buf[SOCKDIAG_RCVBUF];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return -EPROTO;
        /* NLMSG_OK/NLMSG_NEXT spelled out: the macros compare a __u32 with an int. */
        size_t left = (size_t)n;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf;
             left >= sizeof(*h) && h->nlmsg_len >= sizeof(*h) && h->nlmsg_len <= left;
             left -= NLMSG_ALIGN(h->nlmsg_len) < left ? NLMSG_ALIGN(h->nlmsg_len) : left,
                               h = (struct nlmsghdr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len))) {
            if (h->nlmsg_type == NLMSG_DONE)
                return 0;
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(h);
                if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
                    return -EPROTO;
                /* no IPv6 in this kernel/netns: nothing to count */
                return (e->error == -ENOENT || e->error == -EAFNOSUPPORT) ? 0 : e->error;
            }
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
                h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
                continue;
            const struct inet_diag_msg *m = NLMSG_DATA(h);
            if (m->idiag_state >= PROC_TCP_ESTABLISHED && m->idiag_state < PROC_TCP_STATES) {
                acc->by_state[m->idiag_state]++;
                acc->sockets++;
                if (m->idiag_state == PROC_TCP_ESTABLISHED && port != 0 &&
                    ntohs(m->id.idiag_sport) == port)
                    acc->established_on_port++;
            } else {
                acc->unknown_state++;
            }
        }
    }
}

int sockdiag_tcp_count(unsigned port, struct proc_nettcp *out)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return -errno;
    struct timeval tv = {.tv_sec = 1};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    struct proc_nettcp acc;
    memset(&acc, 0, sizeof(acc));
    int rc = sockdiag_dump(fd, AF_INET, port, &acc);
    if (rc == 0)
        rc = sockdiag_dump(fd, AF_INET6, port, &acc);
    close(fd);
    if (rc < 0)
        return rc;
    *out = acc;
    return 0;
}
