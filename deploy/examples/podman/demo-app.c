/* A stand-in for the Rizk SDK app in the podman example and the pod tests: it serves
 * "GET /health" (the probes), reports each simulated request to the sidecar as statsd, and can
 * burn CPU and hold memory so the sidecar's app-basis signals have something to measure.
 * Static, no dependencies: it runs in an image built from scratch.
 *   demo-app [--listen=PORT] [--statsd=HOST:PORT] [--rate=N] [--burn=THREADS] [--hold-mib=M]
 * SIGTERM or SIGINT: exit 0. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t demo_stop;

static void on_signal(int sig)
{
    (void)sig;
    demo_stop = 1;
}

static void *burn(void *arg)
{
    volatile unsigned long x = 0;
    (void)arg;
    while (!demo_stop)
        x++;
    return NULL;
}

static void *serve(void *arg)
{
    int fd = *(int *)arg;
    static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
                             "Connection: close\r\n\r\nok\n";
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c < 0)
            continue;
        char req[1024];
        (void)!read(c, req, sizeof(req));
        (void)!write(c, ok, sizeof(ok) - 1);
        close(c);
    }
    return NULL;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static void usage(const char *arg)
{
    fprintf(stderr,
            "demo-app: bad argument %s\nusage: demo-app [--listen=PORT] [--statsd=HOST:PORT] "
            "[--rate=N] [--burn=THREADS] [--hold-mib=M]\n",
            arg);
    exit(2);
}

int main(int argc, char **argv)
{
    long listen_port = 0, rate = 20, threads = 0, hold = 0, statsd_port = 8125;
    char statsd_host[64] = "127.0.0.1";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--listen=", 9) == 0) {
            if (parse_long(a + 9, 1, 65535, &listen_port) < 0)
                usage(a);
        } else if (strncmp(a, "--rate=", 7) == 0) {
            if (parse_long(a + 7, 0, 100000, &rate) < 0)
                usage(a);
        } else if (strncmp(a, "--burn=", 7) == 0) {
            if (parse_long(a + 7, 0, 64, &threads) < 0)
                usage(a);
        } else if (strncmp(a, "--hold-mib=", 11) == 0) {
            if (parse_long(a + 11, 0, 65536, &hold) < 0)
                usage(a);
        } else if (strncmp(a, "--statsd=", 9) == 0) {
            const char *colon = strrchr(a + 9, ':');
            size_t n = colon != NULL ? (size_t)(colon - (a + 9)) : 0;
            if (colon == NULL || n == 0 || n >= sizeof(statsd_host) ||
                parse_long(colon + 1, 1, 65535, &statsd_port) < 0)
                usage(a);
            memcpy(statsd_host, a + 9, n);
            statsd_host[n] = '\0';
        } else {
            usage(a);
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    if (hold > 0) {
        size_t n = (size_t)hold << 20;
        char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("demo-app: mmap");
            return 1;
        }
        /* Touch every page: anonymous memory counts once it is written. */
        for (size_t off = 0; off < n; off += 4096)
            p[off] = 1;
    }
    for (long t = 0; t < threads; t++) {
        pthread_t th;
        if (pthread_create(&th, NULL, burn, NULL) != 0) {
            perror("demo-app: pthread_create");
            return 1;
        }
    }
    static int lfd = -1;
    if (listen_port > 0) {
        struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)listen_port)};
        int one = 1;
        sin.sin_addr.s_addr = htonl(INADDR_ANY);
        lfd = socket(AF_INET, SOCK_STREAM, 0);
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 16) < 0) {
            perror("demo-app: listen");
            return 1;
        }
        pthread_t th;
        pthread_create(&th, NULL, serve, &lfd);
    }
    int ufd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)statsd_port)};
    if (ufd < 0 || inet_pton(AF_INET, statsd_host, &to.sin_addr) != 1) {
        fprintf(stderr, "demo-app: bad statsd address %s\n", statsd_host);
        return 1;
    }
    fprintf(stderr, "demo-app: listen=%ld statsd=%s:%ld rate=%ld burn=%ld hold-mib=%ld\n",
            listen_port, statsd_host, statsd_port, rate, threads, hold);
    unsigned long n = 0;
    while (!demo_stop) {
        if (rate > 0) {
            char line[160];
            /* One request in 10 fails; durations cycle 10..50 ms; cache hits 3 of 4. */
            int len = snprintf(line, sizeof(line),
                               "rizk.requests:1|c|#status:%d\nrizk.response_time:%lu|ms\n"
                               "rizk.cache.l1.%s:1|c\n",
                               n % 10 == 9 ? 500 : 200, 10 + (n % 5) * 10,
                               n % 4 == 3 ? "misses" : "hits");
            (void)sendto(ufd, line, (size_t)len, 0, (struct sockaddr *)&to, sizeof(to));
            n++;
            struct timespec ts = {0, 1000000000L / rate};
            nanosleep(&ts, NULL);
        } else {
            pause();
        }
    }
    fprintf(stderr, "demo-app: stopping after %lu requests\n", n);
    return 0;
}
