/* sockdiag_cost: what one TCP socket count costs on this machine (the sidecar's count every
 * --system.tcp-interval), timed over N calls of sockdiag_tcp_count.
 *   sockdiag_cost [N]     (default 1000) -> "calls=N us_per_call=U sockets=S"
 * The kernel walks its whole established hash table per dump, so the cost follows the node's
 * memory (the table's size), not the sockets of this network namespace. Not a test. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "io/sockdiag.h"

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    if (n <= 0) {
        fprintf(stderr, "usage: %s [N]\n", argv[0]);
        return 2;
    }
    struct proc_nettcp sum = {0};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        if (sockdiag_tcp_count(0, &sum) != 0) {
            fprintf(stderr, "%s: the netlink socket dump failed\n", argv[0]);
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double us = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3;
    printf("calls=%ld us_per_call=%.1f sockets=%llu\n", n, us / (double)n,
           (unsigned long long)sum.sockets);
    return 0;
}
