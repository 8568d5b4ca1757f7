/* adapter_client: a keep-alive HTTPS client with a client certificate, timing requests to the
 * adapter (the HPA's query shape), for tests/bench/adapter_bench.sh. C connections (threads,
 * one libcurl handle each, connection reused), N requests in all after a warm-up of W per
 * connection; every answer must be 200 and at least MIN_BYTES long.
 *
 *   adapter_client URL CACERT CERT KEY N C [W] [MIN_BYTES]
 *
 * CERT "-" sends no client certificate; ADAPTER_CLIENT_BEARER=<token> in the environment adds
 * "Authorization: Bearer <token>" (tests/bench/adapter_auth_bench.sh).
 * Prints: requests, connections, p50/p90/p99/max latency (ms), throughput (req/s), bytes per
 * answer. Exit 1 on any failed request. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct worker {
    const char *url, *ca, *cert, *key;
    long n, warm, min_bytes;
    double *lat_ms;
    long failed;
    size_t bytes;
    pthread_t tid;
};

static size_t sink(char *p, size_t sz, size_t nm, void *ud)
{
    (void)p;
    *(size_t *)ud += sz * nm;
    return sz * nm;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    CURL *h = curl_easy_init();
    size_t got = 0;
    struct curl_slist *hdr =
        curl_slist_append(NULL, "Accept: application/vnd.kubernetes.protobuf, */*");
    const char *bearer = getenv("ADAPTER_CLIENT_BEARER");
    char auth[4096];
    if (bearer != NULL && bearer[0] != '\0') {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
        hdr = curl_slist_append(hdr, auth);
    }
    curl_easy_setopt(h, CURLOPT_URL, w->url);
    curl_easy_setopt(h, CURLOPT_CAINFO, w->ca);
    if (strcmp(w->cert, "-") != 0) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, w->cert);
        curl_easy_setopt(h, CURLOPT_SSLKEY, w->key);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &got);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    for (long i = -w->warm; i < w->n; i++) {
        got = 0;
        double t0 = now_ms();
        CURLcode rc = curl_easy_perform(h);
        double dt = now_ms() - t0;
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        if (rc != CURLE_OK || code != 200 || (long)got < w->min_bytes) {
            if (w->failed++ == 0)
                fprintf(stderr, "request failed: %s, HTTP %ld, %zu bytes\n", curl_easy_strerror(rc),
                        code, got);
            continue;
        }
        if (i >= 0) {
            w->lat_ms[i] = dt;
            w->bytes = got;
        }
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: %s URL CACERT CERT KEY N C [WARMUP] [MIN_BYTES]\n", argv[0]);
        return 2;
    }
    long n = strtol(argv[5], NULL, 10), c = strtol(argv[6], NULL, 10);
    long warm = argc > 7 ? strtol(argv[7], NULL, 10) : 50;
    long min_bytes = argc > 8 ? strtol(argv[8], NULL, 10) : 1;
    if (n <= 0 || c <= 0 || c > 64)
        return 2;
    curl_global_init(CURL_GLOBAL_ALL);
    long per = n / c;
    double *all = calloc((size_t)(per * c), sizeof(*all));
    struct worker *ws = calloc((size_t)c, sizeof(*ws));
    double t0 = now_ms();
    for (long i = 0; i < c; i++) {
        ws[i] = (struct worker){argv[1],   argv[2],       argv[3], argv[4], per, warm,
                                min_bytes, all + i * per, 0,       0,       0};
        pthread_create(&ws[i].tid, NULL, run, &ws[i]);
    }
    long failed = 0;
    size_t bytes = 0;
    for (long i = 0; i < c; i++) {
        pthread_join(ws[i].tid, NULL);
        failed += ws[i].failed;
        bytes = ws[i].bytes;
    }
    double wall = (now_ms() - t0) / 1e3;
    long total = per * c;
    qsort(all, (size_t)total, sizeof(*all), cmp);
    /* wall includes the warm-up; throughput counts it too */
    printf("requests=%ld connections=%ld p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
           "throughput_rps=%.0f bytes=%zu failed=%ld\n",
           total, c, all[total * 50 / 100], all[total * 90 / 100], all[total * 99 / 100],
           all[total - 1], (double)(total + warm * c) / wall, bytes, failed);
    free(all);
    free(ws);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
