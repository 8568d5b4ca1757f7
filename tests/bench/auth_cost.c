/* auth_cost: what one basic-auth check costs (http/basic_auth.c): a bcrypt verification of a
 * known user, of an unknown user (the fake hash), and a cached check, each the median of N
 * runs in microseconds of this thread's CPU time (what the check costs, whatever else loads
 * the machine). usage: auth_cost HASH PASSWORD [N] (HASH from htpasswd -nBC 10). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/basic_auth.h"
#include "parse/webconfig.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_us(struct basic_auth *b, const char *user, const char *pw, int cache,
                        int n, int want)
{
    double *t = calloc((size_t)n, sizeof(*t));
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        bool ok = basic_auth_verify(b, user, pw, strlen(pw), cache != 0, NULL);
        t[i] = now_us() - t0;
        if ((int)ok != want) {
            fprintf(stderr, "auth_cost: unexpected result for %s\n", user);
            exit(1);
        }
    }
    qsort(t, (size_t)n, sizeof(*t), cmp);
    double m = t[n / 2];
    free(t);
    return m;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s HASH PASSWORD [N]\n", argv[0]);
        return 2;
    }
    int n = argc > 3 ? atoi(argv[3]) : 21;
    struct webconfig_user u = {"alice", argv[1]};
    struct basic_auth *b = NULL;
    char why[256];
    if (basic_auth_new(&u, 1, &b, why, sizeof(why)) < 0) {
        fprintf(stderr, "auth_cost: %s\n", why);
        return 1;
    }
    printf("bcrypt_known_user_cpu_us %.0f\n", median_us(b, "alice", argv[2], 0, n, 1));
    printf("bcrypt_unknown_user_cpu_us %.0f\n", median_us(b, "mallory", argv[2], 0, n, 0));
    printf("bcrypt_wrong_password_cpu_us %.0f\n", median_us(b, "alice", "wrong", 0, n, 0));
    basic_auth_verify(b, "alice", argv[2], strlen(argv[2]), true, NULL);
    /* a cached check is far below the clock's resolution: timed as a batch */
    double t0 = now_us();
    for (int i = 0; i < 200000; i++)
        if (!basic_auth_verify(b, "alice", argv[2], strlen(argv[2]), true, NULL))
            return 1;
    printf("cached_check_cpu_us %.3f\n", (now_us() - t0) / 200000);
    basic_auth_free(b);
    return 0;
}
