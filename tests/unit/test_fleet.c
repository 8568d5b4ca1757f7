/* Unit tests for the fleet registry's pure parts and the Redis options: PodSnapshot encoding
 * round trip (only present signals), key names, the signal table, the summed L2 hit ratio over a
 * store, and the config side of Redis (guide env aliases below RIZK_* twins, the env-only
 * secret, redacted URLs, messages that never echo a password). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "collect/registry.h"
#include "config/config.h"
#include "fleet/publish.h"
#include "fleet/query.h"
#include "fleet/workload.h"
#include "rizk/v1/fleet.pb-c.h"
#include "signals/redis_ratio.h"
#include "store/store.h"

static void test_encode_roundtrip(void)
{
    struct pod_labels l = {0};
    char k1[] = "app", v1[] = "web", k2[] = "tier", v2[] = "a\"b";
    l.items[0] = (struct pod_label){k1, v1};
    l.items[1] = (struct pod_label){k2, v2};
    l.n = 2;
    struct fleet_identity id = {"web-7f9c", "prod", "i-1", &l, 5000, "eu-west-1", "eu-west-1b"};
    struct fleet_signals s = {.t_ms = 1700000000123, .window_ms = 60000};
    fleet_signals_set(&s, SIG_CPU_UTILIZATION, 0.25);
    fleet_signals_set(&s, SIG_REQUESTS_PER_SECOND, 0);
    fleet_signals_set(&s, SIG_ERROR_RATIO, NAN); /* not finite: stays absent */
    fleet_signals_set(&s, SIG_RESPONSE_TIME_P99, 1.5);
    fleet_signals_set(&s, SIG_CACHE_L2_HIT_RATIO, 0.5); /* not published: stays absent */
    CU_ASSERT_FALSE(s.has[SIG_CACHE_L2_HIT_RATIO]);
    uint8_t *buf = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL_FATAL(fleet_encode_snapshot(&id, &s, &buf, &len), 0);
    Rizk__V1__PodSnapshot *m = rizk__v1__pod_snapshot__unpack(NULL, len, buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    if (m == NULL)
        return;
    CU_ASSERT_STRING_EQUAL(m->pod, "web-7f9c");
    CU_ASSERT_STRING_EQUAL(m->namespace_, "prod");
    CU_ASSERT_STRING_EQUAL(m->instance_id, "i-1");
    CU_ASSERT_EQUAL(m->timestamp_ms, 1700000000123);
    CU_ASSERT_EQUAL(m->window_ms, 60000);
    CU_ASSERT_EQUAL(m->interval_ms, 5000);
    CU_ASSERT_STRING_EQUAL(m->region, "eu-west-1");
    CU_ASSERT_STRING_EQUAL(m->zone, "eu-west-1b");
    CU_ASSERT_EQUAL_FATAL(m->n_labels, 2);
    CU_ASSERT_STRING_EQUAL(m->labels[1]->value, "a\"b");
    CU_ASSERT(m->has_cpu_utilization_ratio && m->cpu_utilization_ratio == 0.25);
    CU_ASSERT(m->has_requests_per_second && m->requests_per_second == 0); /* present zero */
    CU_ASSERT(!m->has_error_ratio);
    CU_ASSERT(!m->has_memory_utilization_ratio && !m->has_cache_hit_ratio);
    CU_ASSERT(m->has_response_time_p99_seconds && m->response_time_p99_seconds == 1.5);
    double v = -1;
    CU_ASSERT_TRUE(fleet_pod_signal(m, SIG_RESPONSE_TIME_P99, &v));
    CU_ASSERT_EQUAL(v, 1.5);
    CU_ASSERT_TRUE(fleet_pod_signal(m, SIG_CPU_UTILIZATION, &v));
    CU_ASSERT_EQUAL(v, 0.25);
    CU_ASSERT_FALSE(fleet_pod_signal(m, SIG_ERROR_RATIO, &v));
    CU_ASSERT_FALSE(fleet_pod_signal(m, SIG_CACHE_L1_HIT_RATIO, &v));
    CU_ASSERT_FALSE(fleet_pod_signal(m, -1, &v));
    CU_ASSERT_EQUAL(v, 0.25);
    rizk__v1__pod_snapshot__free_unpacked(m, NULL);
    free(buf);
}

/* Unknown topology is left out of the record, not published as "". */
static void test_encode_no_topology(void)
{
    struct fleet_identity id = {"web-1", "prod", "web-1", NULL, 5000, NULL, NULL};
    struct fleet_signals s = {.t_ms = 1, .window_ms = 1000};
    uint8_t *buf = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL_FATAL(fleet_encode_snapshot(&id, &s, &buf, &len), 0);
    Rizk__V1__PodSnapshot *m = rizk__v1__pod_snapshot__unpack(NULL, len, buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_PTR_NULL(m->region);
    CU_ASSERT_PTR_NULL(m->zone);
    CU_ASSERT_EQUAL(m->n_labels, 0);
    rizk__v1__pod_snapshot__free_unpacked(m, NULL);
    free(buf);
}

/* The workload label order (pod-template-hash, app.kubernetes.io/name, app), the topology flag
 * over the label, and the key names. */
static void test_workload_and_topology(void)
{
    struct pod_labels l = {0};
    char ka[] = "app", va[] = "rizk-app", kn[] = "app.kubernetes.io/name", vn[] = "rizk";
    char kh[] = "pod-template-hash", vh[] = "7f9c8d", kz[] = FLEET_LABEL_ZONE, vz[] = "zone-b";
    char kr[] = FLEET_LABEL_REGION, vr[] = "";
    const char *k = NULL, *v = NULL;
    CU_ASSERT_EQUAL(fleet_workload_of(NULL, &k, &v), -ENOENT);
    CU_ASSERT_EQUAL(fleet_workload_of(&l, &k, &v), -ENOENT);
    l.items[l.n++] = (struct pod_label){ka, va};
    CU_ASSERT_EQUAL(fleet_workload_of(&l, &k, &v), 0);
    CU_ASSERT_STRING_EQUAL(k, "app");
    CU_ASSERT_STRING_EQUAL(v, "rizk-app");
    l.items[l.n++] = (struct pod_label){kn, vn};
    CU_ASSERT_EQUAL(fleet_workload_of(&l, &k, &v), 0);
    CU_ASSERT_STRING_EQUAL(k, "app.kubernetes.io/name");
    CU_ASSERT_STRING_EQUAL(v, "rizk");
    l.items[l.n++] = (struct pod_label){kh, vh};
    CU_ASSERT_EQUAL(fleet_workload_of(&l, &k, &v), 0);
    CU_ASSERT_STRING_EQUAL(k, "pod-template-hash");
    CU_ASSERT_STRING_EQUAL(v, "7f9c8d");

    l.items[l.n++] = (struct pod_label){kz, vz};
    l.items[l.n++] = (struct pod_label){kr, vr};
    CU_ASSERT_STRING_EQUAL(fleet_topology(NULL, &l, FLEET_LABEL_ZONE), "zone-b");
    CU_ASSERT_STRING_EQUAL(fleet_topology("", &l, FLEET_LABEL_ZONE), "zone-b");
    CU_ASSERT_STRING_EQUAL(fleet_topology("zone-a", &l, FLEET_LABEL_ZONE), "zone-a");
    CU_ASSERT_PTR_NULL(fleet_topology(NULL, &l, FLEET_LABEL_REGION)); /* empty value: unknown */
    CU_ASSERT_PTR_NULL(fleet_topology(NULL, NULL, FLEET_LABEL_REGION));

    char *key = fleet_key_workload("rizk:", "prod", "pod-template-hash", "7f9c8d");
    CU_ASSERT_STRING_EQUAL(key, "rizk:fleet:{prod}:workload:pod-template-hash=7f9c8d");
    free(key);
    key = fleet_key_instance_info("rizk:", "web-1");
    CU_ASSERT_STRING_EQUAL(key, "rizk:{web-1}:info");
    free(key);
}

static void test_keys_and_names(void)
{
    char *k = fleet_key_pod("rizk:", "prod", "web-1");
    CU_ASSERT_STRING_EQUAL(k, "rizk:fleet:{prod}:pod:web-1");
    free(k);
    k = fleet_key_pods("rizk:", "prod");
    CU_ASSERT_STRING_EQUAL(k, "rizk:fleet:{prod}:pods");
    free(k);
    CU_ASSERT_STRING_EQUAL(fleet_signal_name(SIG_MEMORY_UTILIZATION),
                           "rizk_memory_utilization_ratio");
    size_t published = 0;
    for (int i = 0; i < SIG_COUNT; i++) {
        const char *name = fleet_signal_name((enum sig_id)i);
        if (name[0] == '\0') {
            CU_ASSERT_PTR_NULL(fleet_signal_field((enum sig_id)i));
            continue;
        }
        published++;
        CU_ASSERT_EQUAL(fleet_signal_lookup(name), i);
        /* the row names its PodSnapshot field: "rizk_" + the field */
        CU_ASSERT_PTR_NOT_NULL_FATAL(fleet_signal_field((enum sig_id)i));
        CU_ASSERT_STRING_EQUAL(fleet_signal_field((enum sig_id)i)->name, name + 5);
    }
    CU_ASSERT_EQUAL(published, 10);
    CU_ASSERT_EQUAL(sigtable_fleet_count(), 10);
    CU_ASSERT_STRING_EQUAL(fleet_signal_name(SIG_CACHE_L1_HIT_RATIO), "");
    CU_ASSERT_EQUAL(fleet_signal_lookup("rizk_nope"), -1);
    CU_ASSERT_EQUAL(fleet_signal_lookup(""), -1);
}

static void test_hit_ratio(void)
{
    struct store *s = NULL;
    double r = -1;
    CU_ASSERT_EQUAL_FATAL(store_new(64, &s), 0);
    /* one sample: no increase yet */
    store_append(s, HS_REDIS_KEYSPACE_HITS, 1000, 100);
    store_append(s, HS_REDIS_KEYSPACE_MISSES, 1000, 50);
    CU_ASSERT_EQUAL(redis_ratio_compute(s, 1000, 10000, 2000, &r), -ENODATA);
    /* no lookups between the samples: absent, not 0 */
    store_append(s, HS_REDIS_KEYSPACE_HITS, 2000, 100);
    store_append(s, HS_REDIS_KEYSPACE_MISSES, 2000, 50);
    CU_ASSERT_EQUAL(redis_ratio_compute(s, 2000, 10000, 2000, &r), -ENODATA);
    store_append(s, HS_REDIS_KEYSPACE_HITS, 3000, 109);
    store_append(s, HS_REDIS_KEYSPACE_MISSES, 3000, 56);
    CU_ASSERT_EQUAL_FATAL(redis_ratio_compute(s, 3000, 10000, 2000, &r), 0);
    CU_ASSERT_EQUAL(r, 9.0 / 15.0);
    /* the newest sample is older than fresh_ms: Redis is down, no current ratio */
    CU_ASSERT_EQUAL(redis_ratio_compute(s, 9000, 10000, 2000, &r), -ENODATA);
    CU_ASSERT_EQUAL(redis_ratio_compute(s, 3000, 0, 2000, &r), -EINVAL);
    store_free(s);
}

static enum config_action load(struct config *cfg, char **argv, char **env, char *err, size_t n)
{
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    FILE *fo = fopen("/dev/null", "w");
    FILE *fe = fmemopen(err, n, "w");
    enum config_action a = config_load(cfg, &registry_config_collectors, argc, argv, env, fo, fe);
    fclose(fo);
    fclose(fe);
    return a;
}

static void test_config_redis(void)
{
    struct config cfg;
    char err[512] = "";
    char a0[] = "rizk-metrics", a1[] = "--pod.name=from-flag";
    char e0[] = "REDIS_URL=redis://u:pw@guide:1", e1[] = "RIZK_REDIS_ADDR=twin:2",
         e2[] = "POD_NAME=from-guide", e3[] = "POD_NAMESPACE=ns1", e4[] = "REDIS_PASSWORD=s3",
         e5[] = "INSTANCE_ID=i-9";
    char *argv[] = {a0, a1, NULL};
    char *env[] = {e0, e1, e2, e3, e4, e5, NULL};
    CU_ASSERT_EQUAL_FATAL(load(&cfg, argv, env, err, sizeof(err)), CONFIG_RUN);
    CU_ASSERT_STRING_EQUAL(cfg.redis_addr, "twin:2");  /* RIZK_* twin beats the guide */
    CU_ASSERT_STRING_EQUAL(cfg.pod_name, "from-flag"); /* flag beats env */
    CU_ASSERT_STRING_EQUAL(cfg.pod_namespace, "ns1");  /* guide name alone */
    CU_ASSERT_STRING_EQUAL(cfg.pod_instance_id, "i-9");
    CU_ASSERT_STRING_EQUAL(cfg.redis_password, "s3");
    CU_ASSERT_EQUAL(cfg.redis_timeout_ms, 200);
    CU_ASSERT_EQUAL(cfg.fleet_interval_ms, 5000);
    CU_ASSERT_STRING_EQUAL(cfg.redis_key_prefix, "rizk:");
    CU_ASSERT_STRING_EQUAL(cfg.pod_labels_file, "/etc/podinfo/labels");
    CU_ASSERT_PTR_NULL(cfg.redis_cluster_nodes);
    char *printed = NULL;
    size_t plen = 0;
    FILE *f = open_memstream(&printed, &plen);
    config_print(&cfg, f);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(printed, "--redis.password=<secret>\t# env"));
    CU_ASSERT_PTR_NULL(strstr(printed, "s3\t"));
    free(printed);
    config_fini(&cfg);

    /* the URL's password shows redacted; a bad URL is rejected without echoing it */
    char b1[] = "--redis.addr=redis://u:hunter2@h:99999";
    char *argv2[] = {a0, b1, NULL};
    char *env2[] = {NULL};
    CU_ASSERT_EQUAL(load(&cfg, argv2, env2, err, sizeof(err)), CONFIG_EXIT_USAGE);
    CU_ASSERT_PTR_NULL(strstr(err, "hunter2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "--redis.addr"));
    config_fini(&cfg);

    char c1[] = "--redis.password=x";
    char *argv3[] = {a0, c1, NULL};
    CU_ASSERT_EQUAL(load(&cfg, argv3, env2, err, sizeof(err)), CONFIG_EXIT_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot be given on the command line"));
    config_fini(&cfg);

    char d1[] = "--redis.addr=a:1", d2[] = "--redis.cluster-nodes=b:1,c:2";
    char *argv4[] = {a0, d1, d2, NULL};
    CU_ASSERT_EQUAL(load(&cfg, argv4, env2, err, sizeof(err)), CONFIG_EXIT_USAGE);
    config_fini(&cfg);
    char *argv5[] = {a0, d2, NULL};
    CU_ASSERT_EQUAL_FATAL(load(&cfg, argv5, env2, err, sizeof(err)), CONFIG_RUN);
    CU_ASSERT_STRING_EQUAL(cfg.redis_cluster_nodes, "b:1,c:2");
    config_fini(&cfg);
}

static CU_TestInfo fleet_tests[] = {
    {"encode_roundtrip", test_encode_roundtrip},
    {"keys_and_names", test_keys_and_names},
    {"encode_no_topology", test_encode_no_topology},
    {"workload_and_topology", test_workload_and_topology},
    {"hit_ratio", test_hit_ratio},
    {"config_redis", test_config_redis},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_fleet = {"fleet", NULL, NULL, NULL, NULL, fleet_tests};
