/* kube_probe drives io/kube_client for test_kube_client.sh:
 *   kube_probe [--kubeconfig=P] [--sa-dir=D] [--timeout-ms=N] [--cap=BYTES] [--threads=N]
 *              (ns | METHOD PATH [BODY] | -)
 * "ns" prints "<namespace> <server>". A request prints one line: "<status> <body>" (newlines in
 * the body as \n) or "ERR <ERRNO-NAME> <message>"; exit 0 on transport success. "-" reads
 * "METHOD PATH [BODY]" lines from stdin and answers each on one line (flushed), so a test can
 * change files between requests of one client (token rotation). --threads=N sends the request
 * from N threads at once and prints the answers in thread order. Exit 2: usage or
 * kube_client_new failed (its message on stderr). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/strparse.h"
#include "io/kube_client.h"

#define PROBE_MAX_THREADS 64

static const char *errno_name(int rc)
{
    switch (-rc) {
    case ETIMEDOUT:
        return "ETIMEDOUT";
    case ECONNREFUSED:
        return "ECONNREFUSED";
    case EIO:
        return "EIO";
    case E2BIG:
        return "E2BIG";
    case EINVAL:
        return "EINVAL";
    case ENOENT:
        return "ENOENT";
    case EPROTO:
        return "EPROTO";
    default:
        return "EOTHER";
    }
}

struct probe_req {
    struct kube_client *c;
    const char *method, *path, *body;
    size_t cap;
    char line[1 << 16];
    int rc;
};

static void *probe_one(void *arg)
{
    struct probe_req *r = arg;
    struct buf resp;
    buf_init(&resp, r->cap);
    long status = 0;
    char err[512] = "";
    r->rc =
        kube_client_request(r->c, r->method, r->path, r->body, &status, &resp, err, sizeof(err));
    if (r->rc < 0) {
        snprintf(r->line, sizeof(r->line), "ERR %s %s", errno_name(r->rc), err);
    } else {
        size_t o = (size_t)snprintf(r->line, sizeof(r->line), "%ld ", status);
        const char *b = buf_ptr(&resp);
        for (size_t i = 0; b[i] != '\0' && o + 3 < sizeof(r->line); i++) {
            if (b[i] == '\n') {
                r->line[o++] = '\\';
                r->line[o++] = 'n';
            } else {
                r->line[o++] = b[i];
            }
        }
        r->line[o] = '\0';
    }
    buf_fini(&resp);
    return NULL;
}

static int probe_run(struct kube_client *c, const char *method, const char *path, const char *body,
                     size_t cap, unsigned threads)
{
    static struct probe_req reqs[PROBE_MAX_THREADS];
    pthread_t tid[PROBE_MAX_THREADS];
    for (unsigned i = 0; i < threads; i++) {
        reqs[i] =
            (struct probe_req){.c = c, .method = method, .path = path, .body = body, .cap = cap};
        pthread_create(&tid[i], NULL, probe_one, &reqs[i]);
    }
    int rc = 0;
    for (unsigned i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        printf("%s\n", reqs[i].line);
        if (reqs[i].rc < 0)
            rc = 1;
    }
    fflush(stdout);
    return rc;
}

/* num parses a whole decimal argument. */
static int num(const char *s, uint64_t *v)
{
    const char *p = s;
    if (sp_u64(&p, v) < 0 || *p != '\0')
        return -EINVAL;
    return 0;
}

int main(int argc, char **argv)
{
    struct kube_client_opts o = {.timeout_ms = 5000};
    size_t cap = 1 << 20;
    unsigned threads = 1;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *a = argv[i];
        uint64_t v = 0;
        if (strncmp(a, "--kubeconfig=", 13) == 0)
            o.kubeconfig = a + 13;
        else if (strncmp(a, "--sa-dir=", 9) == 0)
            o.sa_dir = a + 9;
        else if (strncmp(a, "--timeout-ms=", 13) == 0 && num(a + 13, &v) == 0)
            o.timeout_ms = (long)v;
        else if (strncmp(a, "--cap=", 6) == 0 && num(a + 6, &v) == 0 && v > 0)
            cap = (size_t)v;
        else if (strncmp(a, "--threads=", 10) == 0 && num(a + 10, &v) == 0 && v > 0 &&
                 v <= PROBE_MAX_THREADS)
            threads = (unsigned)v;
        else {
            fprintf(stderr, "kube_probe: bad option %s\n", a);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: kube_probe [options] (ns | METHOD PATH [BODY] | -)\n");
        return 2;
    }
    struct kube_client *c = NULL;
    char err[1024] = "";
    if (kube_client_new(&o, &c, err, sizeof(err)) < 0) {
        fprintf(stderr, "kube_probe: %s\n", err);
        return 2;
    }
    int rc = 0;
    if (strcmp(argv[i], "ns") == 0) {
        printf("%s %s\n", kube_client_namespace(c), kube_client_server(c));
    } else if (strcmp(argv[i], "-") == 0) {
        static char line[1 << 16];
        while (fgets(line, sizeof(line), stdin) != NULL) {
            line[strcspn(line, "\n")] = '\0';
            char *path = strchr(line, ' ');
            if (path == NULL) {
                printf("ERR EINVAL expected METHOD PATH [BODY]\n");
                fflush(stdout);
                continue;
            }
            *path++ = '\0';
            char *body = strchr(path, ' ');
            if (body != NULL)
                *body++ = '\0';
            rc |= probe_run(c, line, path, body, cap, threads);
        }
    } else {
        if (i + 1 >= argc) {
            fprintf(stderr, "kube_probe: METHOD PATH [BODY]\n");
            kube_client_free(c);
            return 2;
        }
        rc = probe_run(c, argv[i], argv[i + 1], i + 2 < argc ? argv[i + 2] : NULL, cap, threads);
    }
    kube_client_free(c);
    return rc;
}
