/* statsd_blast: sends statsd lines over UDP at a fixed rate, for the statsd benchmark.
 *   statsd_blast HOST PORT LINES_PER_SECOND SECONDS LINES_PER_DATAGRAM
 * Lines are a realistic app mix (requests with status and route tags, timings, cache lookups,
 * a gauge). Every millisecond it sends the datagrams due by then with sendmmsg, on an absolute
 * schedule (catching up at most 2 ms after a stall). One line per datagram is the same line every
 * time, so the sender hands the kernel GSO_SEGS copies per message with UDP_SEGMENT (Linux 4.18+;
 * plain datagrams otherwise) and the kernel cuts them into GSO_SEGS datagrams: the receiver gets
 * exactly the datagrams it got before, but the sender's side of loopback (a syscall and an skb
 * per datagram, and the receive path run on the sending core) costs less, so two senders offer
 * 550 k datagrams/s also where two plain senders reached 379 k (run.sh on a 2-core VM). Prints
 * "sent_lines sent_datagrams elapsed_seconds achieved_lines_per_second" on stdout. Not a test: a
 * benchmark tool. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *const mix[] = {
    "rizk.requests:1|c|#status:200,route:/v1/chat",
    "rizk.response_time:12.5|ms|#route:/v1/chat",
    "rizk.cache.l1.hits:1|c",
    "rizk.requests:1|c|#status:503,route:/v1/chat",
    "rizk.cache.l1.misses:1|c",
    "rizk.cache.l2.hits:1|c",
    "rizk.response_time:250|ms|@0.5",
    "rizk.active_connections:+1|g",
    "app.tokens:42|c|#model:small,env:prod",
    "rizk.active_connections:-1|g",
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT LINES_PER_SECOND SECONDS LINES_PER_DATAGRAM\n",
                argv[0]);
        return 2;
    }
    double rate = strtod(argv[3], NULL), secs = strtod(argv[4], NULL);
    int per = (int)strtol(argv[5], NULL, 10);
    if (rate <= 0 || secs <= 0 || per < 1 || per > 200)
        return 2;
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)strtol(argv[2], NULL, 10))};
    if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1)
        return 2;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
        perror("socket");
        return 1;
    }
    int sndbuf = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf));
    char dgram[16384];
    size_t len = 0;
    for (int i = 0; i < per; i++) {
        const char *l = mix[i % (sizeof(mix) / sizeof(mix[0]))];
        size_t n = strlen(l);
        if (len + n + 1 >= sizeof(dgram))
            return 2;
        memcpy(dgram + len, l, n);
        len += n;
        if (i + 1 < per)
            dgram[len++] = '\n';
    }
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
    enum { BATCH = 256, GSO_SEGS = 16 };
    unsigned segs = 1;
    int gso = (int)len;
    if (per == 1 && len * GSO_SEGS <= sizeof(dgram) &&
        setsockopt(fd, SOL_UDP, UDP_SEGMENT, &gso, sizeof(gso)) == 0) {
        for (unsigned i = 1; i < GSO_SEGS; i++)
            memcpy(dgram + i * len, dgram, len);
        segs = GSO_SEGS;
    }
    struct mmsghdr msgs[BATCH];
    struct iovec iov = {dgram, len * segs};
    memset(msgs, 0, sizeof(msgs));
    for (int i = 0; i < BATCH; i++) {
        msgs[i].msg_hdr.msg_iov = &iov;
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    double dps = rate / per, t0 = now_s();
    unsigned long long sent = 0, due, skipped = 0;
    /* Never burst more than 2 ms worth to catch up: a descheduled sender skips instead, so
     * the receiver sees the rate asked for, not a flood after a stall. */
    unsigned long long slack = (unsigned long long)(dps * 0.002) + segs;
    struct timespec tick;
    clock_gettime(CLOCK_MONOTONIC, &tick);
    for (;;) {
        double el = now_s() - t0;
        if (el >= secs)
            break;
        due = (unsigned long long)(el * dps) - skipped;
        if (due > sent + slack) {
            skipped += due - sent - slack;
            due = sent + slack;
        }
        while (sent + segs <= due) {
            unsigned long long m = (due - sent) / segs;
            unsigned n = m > BATCH ? BATCH : (unsigned)m;
            int r = sendmmsg(fd, msgs, n, 0);
            if (r < 0) {
                if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED)
                    continue;
                perror("sendmmsg");
                return 1;
            }
            sent += (unsigned long long)r * segs;
        }
        tick.tv_nsec += 1000000;
        if (tick.tv_nsec >= 1000000000) {
            tick.tv_sec++;
            tick.tv_nsec -= 1000000000;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &tick, NULL);
    }
    double el = now_s() - t0;
    printf("%llu %llu %.3f %.0f\n", sent * (unsigned long long)per, sent, el,
           (double)(sent * (unsigned long long)per) / el);
    close(fd);
    return 0;
}
