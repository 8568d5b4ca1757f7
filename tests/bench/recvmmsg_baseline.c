/* recvmmsg_baseline: the bare receive loop the statsd listener is compared with. It binds
 * HOST:PORT with the listener's receive buffer (8 MiB, forced when permitted), waits in epoll
 * and drains with recvmmsg in batches of 64 datagrams of 8 KiB, and only counts lines (one
 * memchr pass per datagram), no parsing. It exits after IDLE_SECONDS without data once
 * something arrived, and prints "lines datagrams kernel_drops".
 *   recvmmsg_baseline HOST PORT IDLE_SECONDS
 * Not a test: a benchmark tool. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { BATCH = 64, SIZE = 8192 };

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s HOST PORT IDLE_SECONDS\n", argv[0]);
        return 2;
    }
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)strtol(argv[2], NULL, 10))};
    inet_pton(AF_INET, argv[1], &a.sin_addr);
    int idle_ms = (int)(strtod(argv[3], NULL) * 1000);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int rcv = 8 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror("bind");
        return 1;
    }
    static char data[BATCH][SIZE];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = data[i];
        iov[i].iov_len = SIZE;
        memset(&msgs[i], 0, sizeof(msgs[i]));
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN}, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    fprintf(stderr, "ready\n");
    unsigned long long lines = 0, dgrams = 0;
    int started = 0;
    for (;;) {
        int n = epoll_wait(ep, &out, 1, started ? idle_ms : -1);
        if (n == 0)
            break;
        for (;;) {
            int r = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
            if (r <= 0)
                break;
            started = 1;
            for (int i = 0; i < r; i++) {
                const char *p = data[i], *end = p + msgs[i].msg_len;
                lines++;
                while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL)
                    p++, lines++;
            }
            dgrams += (unsigned)r;
        }
    }
    uint32_t mem[SK_MEMINFO_VARS];
    socklen_t ml = sizeof(mem);
    unsigned long long drops = 0;
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &ml) == 0)
        drops = mem[SK_MEMINFO_DROPS];
    printf("%llu %llu %llu\n", lines, dgrams, drops);
    return 0;
}
