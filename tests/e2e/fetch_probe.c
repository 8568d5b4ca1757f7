/* fetch_probe: drives io/http_fetch, parse/expo and io/pull_worker against a real HTTP server
 * for tests/e2e/test_pull_fetch.sh, printing one stable line per outcome so the script can
 * assert exact output.
 *   fetch_probe [--timeout-ms N] [--connect-timeout-ms N] [--max-body N] [--repeat N]
 *               [--print-body] [--select a,b,...] [--worker N --interval-ms N] URL
 * Without --select only the fetch is reported; with it the body is parsed and every kept sample
 * printed. --worker N runs the pull worker thread until N results were taken. Exit status: 0
 * when the last attempt succeeded, 1 otherwise, 2 on usage errors. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "io/http_fetch.h"
#include "io/pull_worker.h"
#include "parse/expo_select.h"
#include "render/numfmt.h"

static const char *role_name(enum expo_role r)
{
    static const char *const names[] = {"value", "created", "bucket", "sum",
                                        "count", "gsum",    "gcount"};
    return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

static void print_set(const struct expo_set *s, const char *const *names)
{
    printf("parse format=%s samples=%u kept=%u malformed=%u exemplars=%u\n",
           s->format == EXPO_FORMAT_OPENMETRICS ? "openmetrics" : "text", s->stats.samples,
           s->nsamples, s->stats.malformed, s->stats.exemplars);
    for (unsigned i = 0; i < s->nwants; i++)
        printf("want %s found=%d type=%s\n", names[i], s->found[i], expo_type_name(s->types[i]));
    for (unsigned i = 0; i < s->nsamples; i++) {
        const struct expo_kept *k = &s->samples[i];
        char v[NUMFMT_MAX];
        numfmt_format(v, k->value);
        printf("kept %s %s {", names[k->want], role_name(k->role));
        for (unsigned j = 0; j < k->nlabels; j++)
            printf("%s%s=\"%s\"", j ? "," : "", k->labels[j].name, k->labels[j].value);
        printf("} %s\n", v);
    }
}

static unsigned split_names(char *list, const char **names)
{
    unsigned n = 0;
    for (char *p = list; p != NULL && n < EXPO_SELECT_MAX;) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        names[n++] = p;
        p = comma != NULL ? comma + 1 : NULL;
    }
    return n;
}

static int run_worker(const struct pull_worker_opts *o, unsigned rounds)
{
    struct pull_worker *w = NULL;
    int rc = pull_worker_new(o, &w);
    if (rc < 0) {
        printf("worker_new rc=%d (%s)\n", rc, err_str(rc));
        return 1;
    }
    rc = pull_worker_start(w);
    if (rc < 0) {
        pull_worker_free(w);
        return 1;
    }
    int last = -1;
    uint64_t prev_seq = 0;
    for (unsigned got = 0; got < rounds;) {
        struct pull_result r;
        if (pull_worker_take(w, &r) < 0) {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
            continue;
        }
        got++;
        printf("worker seq=%s rc=%d (%s) status=%ld kept=%u\n",
               r.seq == prev_seq + 1 ? "next" : "skipped", r.rc, err_str(r.rc), r.http_status,
               r.set != NULL ? r.set->nsamples : 0);
        prev_seq = r.seq;
        last = r.rc;
        pull_result_fini(&r);
    }
    pull_worker_stop(w);
    struct pull_result extra;
    printf("after stop take=%d\n", pull_worker_take(w, &extra) == -EAGAIN ? 0 : 1);
    pull_worker_free(w);
    return last == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct pull_worker_opts o = {
        .fetch = {.timeout_ms = 1000, .max_body = 1 << 20},
        .interval_ms = 0,
    };
    const char *names[EXPO_SELECT_MAX];
    unsigned nnames = 0, repeat = 1, worker = 0;
    bool print_body = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--print-body") == 0) {
            print_body = true;
            continue;
        }
        if (a[0] != '-') {
            o.fetch.url = a;
            continue;
        }
        if (v == NULL)
            return 2;
        i++;
        if (strcmp(a, "--timeout-ms") == 0)
            o.fetch.timeout_ms = strtol(v, NULL, 10);
        else if (strcmp(a, "--connect-timeout-ms") == 0)
            o.fetch.connect_timeout_ms = strtol(v, NULL, 10);
        else if (strcmp(a, "--max-body") == 0)
            o.fetch.max_body = strtoul(v, NULL, 10);
        else if (strcmp(a, "--repeat") == 0)
            repeat = (unsigned)strtoul(v, NULL, 10);
        else if (strcmp(a, "--worker") == 0)
            worker = (unsigned)strtoul(v, NULL, 10);
        else if (strcmp(a, "--interval-ms") == 0)
            o.interval_ms = strtol(v, NULL, 10);
        else if (strcmp(a, "--select") == 0)
            nnames = split_names(argv[i], names);
        else
            return 2;
    }
    if (o.fetch.url == NULL)
        return 2;
    if (http_fetch_global_init() < 0)
        return 1;
    o.names = names;
    o.nnames = nnames;
    int status = 1;
    if (worker > 0) {
        status = run_worker(&o, worker);
        http_fetch_global_cleanup();
        return status;
    }

    struct http_fetch *f = NULL;
    int rc = http_fetch_new(&o.fetch, &f);
    if (rc < 0) {
        printf("new rc=%d (%s)\n", rc, err_str(rc));
        http_fetch_global_cleanup();
        return 1;
    }
    for (unsigned r = 0; r < repeat; r++) {
        struct http_fetch_result res;
        rc = http_fetch_get(f, &res);
        printf("fetch rc=%d (%s) status=%ld bytes=%zu content_type=\"%s\"\n", rc, err_str(rc),
               res.status, res.body_len, res.content_type);
        if (rc == 0 && print_body)
            fwrite(res.body, 1, res.body_len, stdout);
        if (rc == 0 && nnames > 0) {
            struct expo_select sel = {.names = names, .nnames = nnames};
            struct expo_set *s = NULL;
            struct parse_err e = {0};
            enum expo_format fmt = expo_format_from_content_type(res.content_type);
            rc = parse_expo_select(res.body, res.body_len, fmt, &sel, &s, &e);
            if (rc == 0) {
                print_set(s, names);
                expo_set_free(s);
            } else {
                printf("parse rc=%d (%s) at %u:%u %s\n", rc, err_str(rc), e.line, e.col,
                       e.what != NULL ? e.what : "");
            }
        }
    }
    status = rc == 0 ? 0 : 1;
    http_fetch_free(f);
    http_fetch_global_cleanup();
    return status;
}
