/* fleet_tool: the fleet registry's read side from the command line, for the e2e tests and the
 * benchmark (until the adapter serves it). Redis is configured exactly as for the daemon: the
 * same flags and environment (REDIS_URL, REDIS_CLUSTER_URL, REDIS_PASSWORD, --redis.*).
 *
 *   fleet_tool read NS [flags]          JSON of the live pods of NS (max age: 3 fleet intervals)
 *   fleet_tool fake NS COUNT [flags]    publish COUNT synthetic pods fake-0..COUNT-1 to NS
 *   fleet_tool put NS POD RPS AGE_MS LABELS [REGION [ZONE]] [flags]
 *                                       publish one pod: rizk_requests_per_second RPS sampled
 *                                       AGE_MS ago (@MS: at Unix ms MS), labels "k=v,k=v" ("-":
 * none), region, zone fleet_tool fakens PREFIX NSCOUNT PODS [flags] fake PODS pods in each of
 * PREFIX0..PREFIX<NSCOUNT-1> fleet_tool bench NS RUNS [flags]    time RUNS reads of NS; prints
 * pods, p50, p99, max (ms) fleet_tool watch NS SECONDS [flags] one read every 200 ms with one
 * client (one slot map):
 *                                       "<ms since start> pods=<n> [<pod>...]" or "... err=<why>",
 *                                       then "moved=<n> ask=<n> refreshes=<n>"
 *
 * Exit: 0 ok, 1 Redis error, 2 usage. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "collect/registry.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/err.h"
#include "fleet/publish.h"
#include "fleet/query.h"
#include "io/redis_cluster.h"

extern char **environ;

static void print_pod(json_t *arr, const Rizk__V1__PodSnapshot *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "pod", json_string(p->pod ? p->pod : ""));
    json_object_set_new(o, "namespace", json_string(p->namespace_ ? p->namespace_ : ""));
    json_object_set_new(o, "instance_id", json_string(p->instance_id ? p->instance_id : ""));
    json_object_set_new(o, "timestamp_ms", json_integer(p->timestamp_ms));
    json_object_set_new(o, "window_ms", json_integer(p->window_ms));
    json_object_set_new(o, "interval_ms", json_integer(p->interval_ms));
    json_object_set_new(o, "region", p->region ? json_string(p->region) : json_null());
    json_object_set_new(o, "zone", p->zone ? json_string(p->zone) : json_null());
    json_t *labels = json_object();
    for (size_t i = 0; i < p->n_labels; i++)
        json_object_set_new(labels, p->labels[i]->key, json_string(p->labels[i]->value));
    json_object_set_new(o, "labels", labels);
    json_t *sig = json_object();
#define SIG(field, name)                                                                           \
    if (p->has_##field)                                                                            \
        json_object_set_new(sig, name, json_real(p->field));
    SIG(requests_per_second, "rizk_requests_per_second")
    SIG(error_ratio, "rizk_error_ratio")
    SIG(response_time_seconds, "rizk_response_time_seconds")
    SIG(cache_hit_ratio, "rizk_cache_hit_ratio")
    SIG(active_connections, "rizk_active_connections")
    SIG(cpu_utilization_ratio, "rizk_cpu_utilization_ratio")
    SIG(memory_utilization_ratio, "rizk_memory_utilization_ratio")
    SIG(response_time_p50_seconds, "rizk_response_time_p50_seconds")
    SIG(response_time_p95_seconds, "rizk_response_time_p95_seconds")
    SIG(response_time_p99_seconds, "rizk_response_time_p99_seconds")
#undef SIG
    json_object_set_new(o, "signals", sig);
    json_array_append_new(arr, o);
}

static int cmd_read(struct redis_cluster *rc, const struct config *cfg, const char *ns)
{
    struct fleet_pods pods;
    int rc2 = fleet_query_pods(rc, cfg->redis_key_prefix, ns, clock_wall_ms(),
                               3 * cfg->fleet_interval_ms, &pods);
    if (rc2 < 0) {
        fprintf(stderr, "fleet_tool: read %s: %s\n", ns, err_str(rc2));
        return 1;
    }
    json_t *root = json_object(), *arr = json_array();
    for (size_t i = 0; i < pods.n; i++)
        print_pod(arr, pods.pods[i]);
    json_object_set_new(root, "pods", arr);
    json_object_set_new(root, "expired", json_integer((json_int_t)pods.expired));
    json_object_set_new(root, "malformed", json_integer((json_int_t)pods.malformed));
    json_dumpf(root, stdout, JSON_SORT_KEYS | JSON_COMPACT);
    printf("\n");
    json_decref(root);
    fleet_pods_fini(&pods);
    return 0;
}

static int cmd_fake(struct redis_cluster *rc, const struct config *cfg, const char *ns, long n)
{
    char *zkey = fleet_key_pods(cfg->redis_key_prefix, ns);
    char ttl[24];
    snprintf(ttl, sizeof(ttl), "%lld", (long long)(3 * cfg->fleet_interval_ms));
    int ret = 0;
    for (long i = 0; i < n && ret == 0; i++) {
        char pod[64], now[24];
        snprintf(pod, sizeof(pod), "fake-%ld", i);
        snprintf(now, sizeof(now), "%lld", (long long)clock_wall_ms());
        struct fleet_signals s = {.t_ms = clock_wall_ms(), .window_ms = 60000};
        for (int k = 0; k < SIG_COUNT; k++)
            fleet_signals_set(&s, (enum sig_id)k, (double)(i % 100) / 100.0 + k);
        struct pod_labels labels = {0};
        char app[] = "app", web[] = "web", tier[] = "tier", idx[16];
        snprintf(idx, sizeof(idx), "t%ld", i % 4);
        labels.items[0] = (struct pod_label){app, web};
        labels.items[1] = (struct pod_label){tier, idx};
        labels.n = 2;
        struct fleet_identity id = {pod, ns, pod, &labels, cfg->fleet_interval_ms, NULL, NULL};
        uint8_t *val;
        size_t vlen;
        fleet_encode_snapshot(&id, &s, &val, &vlen);
        char *key = fleet_key_pod(cfg->redis_key_prefix, ns, pod);
        const char *set[] = {"SET", key, (const char *)val, "PX", ttl};
        size_t setl[] = {3, strlen(key), vlen, 2, strlen(ttl)};
        const char *zadd[] = {"ZADD", zkey, now, pod};
        size_t zaddl[] = {4, strlen(zkey), strlen(now), strlen(pod)};
        struct redis_cmd cmds[] = {{5, set, setl}, {4, zadd, zaddl}};
        struct redis_reply *r[2];
        int e = redis_cluster_exec(rc, zkey, strlen(zkey), 2, cmds, r);
        if (e == 0)
            e = redis_reply_error_rc(r[0]) < 0 ? redis_reply_error_rc(r[0])
                                               : redis_reply_error_rc(r[1]);
        if (e < 0) {
            fprintf(stderr, "fleet_tool: fake %s: %s\n", pod, err_str(e));
            ret = 1;
        }
        if (e == 0 || r[0] != NULL) {
            redis_reply_free(r[0]);
            redis_reply_free(r[1]);
        }
        free(key);
        free(val);
    }
    free(zkey);
    return ret;
}

/* put_exec stores one encoded snapshot and its ZSET member, as a sidecar's publish does. */
static int put_exec(struct redis_cluster *rc, const struct config *cfg, const char *ns,
                    const char *pod, const uint8_t *val, size_t vlen)
{
    char *zkey = fleet_key_pods(cfg->redis_key_prefix, ns);
    char *key = fleet_key_pod(cfg->redis_key_prefix, ns, pod);
    char ttl[24], now[24];
    snprintf(ttl, sizeof(ttl), "%lld", (long long)(3 * cfg->fleet_interval_ms));
    snprintf(now, sizeof(now), "%lld", (long long)clock_wall_ms());
    const char *set[] = {"SET", key, (const char *)val, "PX", ttl};
    size_t setl[] = {3, strlen(key), vlen, 2, strlen(ttl)};
    const char *zadd[] = {"ZADD", zkey, now, pod};
    size_t zaddl[] = {4, strlen(zkey), strlen(now), strlen(pod)};
    struct redis_cmd cmds[] = {{5, set, setl}, {4, zadd, zaddl}};
    struct redis_reply *r[2] = {NULL, NULL};
    int e = redis_cluster_exec(rc, zkey, strlen(zkey), 2, cmds, r);
    if (e == 0)
        e = redis_reply_error_rc(r[0]) < 0 ? redis_reply_error_rc(r[0])
                                           : redis_reply_error_rc(r[1]);
    if (e < 0)
        fprintf(stderr, "fleet_tool: put %s: %s\n", pod, err_str(e));
    redis_reply_free(r[0]);
    redis_reply_free(r[1]);
    free(key);
    free(zkey);
    return e < 0 ? 1 : 0;
}

static int cmd_put(struct redis_cluster *rc, const struct config *cfg, char **a, int na)
{
    char *ns = a[0], *pod = a[1], *labels = a[4];
    double rps = strtod(a[2], NULL);
    /* AGE_MS, or @UNIX_MS for an exact sample time */
    int64_t t_ms = a[3][0] == '@' ? (int64_t)strtoll(a[3] + 1, NULL, 10)
                                  : clock_wall_ms() - (int64_t)strtoll(a[3], NULL, 10);
    Rizk__V1__PodSnapshot m = RIZK__V1__POD_SNAPSHOT__INIT;
    m.pod = pod;
    m.namespace_ = ns;
    m.instance_id = pod;
    m.has_timestamp_ms = m.has_window_ms = m.has_interval_ms = true;
    m.timestamp_ms = t_ms;
    m.window_ms = 60000;
    m.interval_ms = cfg->fleet_interval_ms;
    m.has_requests_per_second = true;
    m.requests_per_second = rps;
    m.region = na > 5 ? a[5] : NULL;
    m.zone = na > 6 ? a[6] : NULL;
    Rizk__V1__PodSnapshot__LabelsEntry ent[16];
    Rizk__V1__PodSnapshot__LabelsEntry *ptr[16];
    char *copy = strdup(labels), *save = NULL;
    for (char *t = strcmp(copy, "-") == 0 ? NULL : strtok_r(copy, ",", &save);
         t != NULL && m.n_labels < 16; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        rizk__v1__pod_snapshot__labels_entry__init(&ent[m.n_labels]);
        ent[m.n_labels].key = t;
        ent[m.n_labels].value = eq + 1;
        ptr[m.n_labels] = &ent[m.n_labels];
        m.n_labels++;
    }
    m.labels = ptr;
    size_t len = rizk__v1__pod_snapshot__get_packed_size(&m);
    uint8_t *val = malloc(len ? len : 1);
    rizk__v1__pod_snapshot__pack(&m, val);
    int ret = put_exec(rc, cfg, ns, pod, val, len);
    free(val);
    free(copy);
    return ret;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmd_bench(struct redis_cluster *rc, const struct config *cfg, const char *ns, long runs)
{
    /* the adapter's malloc settings (src/adapter.c): without them each read's half megabyte is
     * trimmed and faulted back in, and the bench measures page faults */
    mallopt(M_TRIM_THRESHOLD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
    double *ms = calloc((size_t)runs, sizeof(*ms));
    size_t pods = 0;
    for (long i = 0; i < runs; i++) {
        struct fleet_pods p;
        int64_t t0 = clock_mono_ns();
        int e = fleet_query_pods(rc, cfg->redis_key_prefix, ns, clock_wall_ms(),
                                 3 * cfg->fleet_interval_ms, &p);
        ms[i] = (double)(clock_mono_ns() - t0) / 1e6;
        if (e < 0) {
            fprintf(stderr, "fleet_tool: bench: %s\n", err_str(e));
            free(ms);
            return 1;
        }
        pods = p.n;
        fleet_pods_fini(&p);
    }
    qsort(ms, (size_t)runs, sizeof(*ms), cmp_double);
    printf("pods=%zu runs=%ld p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", pods, runs,
           ms[(size_t)(runs * 50 / 100)], ms[(size_t)(runs * 99 / 100)], ms[runs - 1]);
    free(ms);
    return 0;
}

static int cmd_watch(struct redis_cluster *rc, const struct config *cfg, const char *ns, long secs)
{
    int64_t t0 = clock_mono_ms();
    while (clock_mono_ms() - t0 < secs * 1000) {
        struct fleet_pods p;
        int e = fleet_query_pods(rc, cfg->redis_key_prefix, ns, clock_wall_ms(),
                                 3 * cfg->fleet_interval_ms, &p);
        printf("%lld", (long long)(clock_mono_ms() - t0));
        if (e < 0) {
            printf(" err=%s\n", err_str(e));
        } else {
            printf(" pods=%zu", p.n);
            for (size_t i = 0; i < p.n; i++)
                printf(" %s@%lld", p.pods[i]->pod, (long long)p.pods[i]->timestamp_ms);
            printf("\n");
            fleet_pods_fini(&p);
        }
        fflush(stdout);
        struct timespec ts = {0, 200 * 1000000};
        nanosleep(&ts, NULL);
    }
    struct redis_cluster_stats st;
    redis_cluster_stats(rc, &st);
    printf("moved=%llu ask=%llu refreshes=%llu\n", (unsigned long long)st.moved,
           (unsigned long long)st.ask, (unsigned long long)st.refreshes);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fleet_tool read NS | fake NS COUNT | bench NS RUNS | "
                        "put NS POD RPS AGE_MS LABELS [REGION [ZONE]] | "
                        "fakens PREFIX NSCOUNT PODS [flags]\n");
        return 2;
    }
    const char *cmd = argv[1], *ns = argv[2];
    int first_flag = 3;
    long n = 0;
    if (strcmp(cmd, "fake") == 0 || strcmp(cmd, "bench") == 0 || strcmp(cmd, "watch") == 0) {
        if (argc < 4 || (n = strtol(argv[3], NULL, 10)) <= 0) {
            fprintf(stderr, "fleet_tool: %s needs a positive count\n", cmd);
            return 2;
        }
        first_flag = 4;
    } else if (strcmp(cmd, "put") == 0) {
        /* positional arguments up to the first flag */
        first_flag = 2;
        while (first_flag < argc && strncmp(argv[first_flag], "--", 2) != 0)
            first_flag++;
        if (first_flag - 2 < 5 || first_flag - 2 > 7) {
            fprintf(stderr, "fleet_tool: put NS POD RPS AGE_MS LABELS [REGION [ZONE]]\n");
            return 2;
        }
    } else if (strcmp(cmd, "fakens") == 0) {
        if (argc < 5 || (n = strtol(argv[3], NULL, 10)) <= 0 || strtol(argv[4], NULL, 10) <= 0) {
            fprintf(stderr, "fleet_tool: fakens PREFIX NSCOUNT PODS\n");
            return 2;
        }
        first_flag = 5;
    } else if (strcmp(cmd, "read") != 0) {
        fprintf(stderr, "fleet_tool: unknown command %s\n", cmd);
        return 2;
    }
    /* The daemon's own loader: argv[0] followed by the remaining flags. */
    char **fargv = calloc((size_t)(argc - first_flag + 2), sizeof(*fargv));
    fargv[0] = argv[0];
    for (int i = first_flag; i < argc; i++)
        fargv[i - first_flag + 1] = argv[i];
    struct config cfg;
    int ret = 2;
    struct redis_cluster *rc = NULL;
    enum config_action act = config_load(&cfg, &registry_config_collectors, argc - first_flag + 1,
                                         fargv, environ, stdout, stderr);
    if (act != CONFIG_RUN)
        goto out;
    struct redis_client_opts ro;
    config_redis_opts(&cfg, &ro);
    if (redis_cluster_from_opts(&ro, 1000, &rc) != 0) {
        fprintf(stderr, "fleet_tool: no Redis configured (REDIS_URL or --redis.addr)\n");
        goto out;
    }
    if (strcmp(cmd, "read") == 0)
        ret = cmd_read(rc, &cfg, ns);
    else if (strcmp(cmd, "fake") == 0)
        ret = cmd_fake(rc, &cfg, ns, n);
    else if (strcmp(cmd, "put") == 0)
        ret = cmd_put(rc, &cfg, argv + 2, first_flag - 2);
    else if (strcmp(cmd, "fakens") == 0) {
        long pods = strtol(argv[4], NULL, 10);
        ret = 0;
        for (long i = 0; i < n && ret == 0; i++) {
            char name[128];
            snprintf(name, sizeof(name), "%s%ld", ns, i);
            ret = cmd_fake(rc, &cfg, name, pods);
        }
    } else if (strcmp(cmd, "watch") == 0)
        ret = cmd_watch(rc, &cfg, ns, n);
    else
        ret = cmd_bench(rc, &cfg, ns, n);
out:
    redis_cluster_free(rc);
    config_fini(&cfg);
    free(fargv);
    return ret;
}
