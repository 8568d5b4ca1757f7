/* Helpers of the unit suites; $FIXTURES is set by ctest (tests/CMakeLists.txt). */
#include "unit_util.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <CUnit/CUnit.h>

#include "collect/registry.h"
#include "collect/sink.h"
#include "config/config.h"
#include "store/mset.h"

const char *unit_fixture_path(const char *rel)
{
    static char path[4096];
    const char *root = getenv("FIXTURES");
    snprintf(path, sizeof(path), "%s/%s", root ? root : "tests/fixtures", rel);
    return path;
}

char *unit_fixture_read(const char *rel, size_t *len)
{
    FILE *f = fopen(unit_fixture_path(rel), "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    size_t r;
    while (p != NULL && (r = fread(p + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            cap *= 2;
            char *q = realloc(p, cap);
            if (q == NULL) {
                free(p);
                p = NULL;
            } else {
                p = q;
            }
        }
    }
    fclose(f);
    if (p == NULL)
        return NULL;
    p[n] = '\0';
    if (len != NULL)
        *len = n;
    return p;
}

double unit_sample(const struct mset *m, const char *name, const char *lname, const char *lval)
{
    const struct mfamily *f = mset_find(m, name);
    for (size_t i = 0; f != NULL && i < f->nsamples; i++) {
        const struct msample *s = &f->samples[i];
        bool match = lname == NULL;
        for (size_t j = 0; !match && j < s->nlabels; j++)
            match = strcmp(s->labels[j].name, lname) == 0 && strcmp(s->labels[j].value, lval) == 0;
        if (match)
            return s->histo != NULL ? (double)s->histo->count : s->value;
    }
    return NAN;
}

void unit_config(struct config *cfg, char **argv)
{
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    char *env[] = {NULL};
    FILE *null = fopen("/dev/null", "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(null);
    enum config_action a =
        config_load(cfg, &registry_config_collectors, argc, argv, env, null, null);
    fclose(null);
    CU_ASSERT_EQUAL_FATAL(a, CONFIG_RUN);
}

int unit_tcp_listen(unsigned *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    CU_ASSERT_EQUAL_FATAL(listen(fd, 8), 0);
    CU_ASSERT_EQUAL_FATAL(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

void unit_nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int unit_source_up(const struct sample_sink *s, const char *name)
{
    for (size_t i = 0; i < sink_source_count(s); i++) {
        const char *src;
        bool up;
        sink_source_at(s, i, &src, &up);
        if (strcmp(src, name) == 0)
            return up ? 1 : 0;
    }
    return -1;
}
