/* readiness: the guide's validate_scaling_readiness and checklist bands, each on its edges,
 * with exact statuses and messages; ready vs strict; inputs read from a metric set. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "signals/readiness.h"
#include "core/banned.h"

/* A healthy standalone deployment: every check ok (the cluster one skipped). */
static struct readiness_in healthy(void)
{
    struct readiness_in in;
    memset(&in, 0, sizeof(in));
    in.redis = READINESS_REDIS_UP;
    in.has_cache_hit_ratio = true;
    in.cache_hit_ratio = 0.85;
    in.has_response_time = true;
    in.response_time_seconds = 0.2;
    in.has_error_ratio = true;
    in.error_ratio = 0.001;
    in.has_cpu = true;
    in.cpu_ratio = 0.7;
    in.has_memory = true;
    in.memory_ratio = 0.5;
    return in;
}

static void expect(const struct readiness_in *in, enum readiness_check_id id,
                   enum readiness_status st, const char *msg)
{
    struct readiness_report r;
    readiness_evaluate(in, &r);
    const struct readiness_check *c = &r.checks[id];
    if (c->status != st || strcmp(c->message, msg) != 0)
        fprintf(stderr, "\n  %s: got %s \"%s\", expected %s \"%s\"\n", readiness_check_name(id),
                readiness_status_name(c->status), c->message, readiness_status_name(st), msg);
    CU_ASSERT_EQUAL(c->status, st);
    CU_ASSERT_STRING_EQUAL(c->message, msg);
}

static void test_healthy(void)
{
    struct readiness_in in = healthy();
    struct readiness_report r;
    readiness_evaluate(&in, &r);
    CU_ASSERT_TRUE(r.ready);
    CU_ASSERT_TRUE(r.strict_ready);
    CU_ASSERT_EQUAL(r.failures, 0);
    CU_ASSERT_EQUAL(r.warnings, 0);
    expect(&in, READINESS_REDIS, READINESS_OK, "Redis reachable");
    expect(&in, READINESS_REDIS_CLUSTER, READINESS_SKIP, "standalone Redis (not clustered)");
    expect(&in, READINESS_CACHE_HIT_RATIO, READINESS_OK, "Cache hit rate 85.0%");
    expect(&in, READINESS_RESPONSE_TIME, READINESS_OK, "Response time 200.0ms");
    expect(&in, READINESS_ERROR_RATIO, READINESS_OK, "Error rate 0.1%");
    expect(&in, READINESS_CPU, READINESS_OK, "CPU 70.0%");
    expect(&in, READINESS_MEMORY, READINESS_OK, "Memory 50.0%");
    CU_ASSERT_TRUE(r.checks[READINESS_CPU].has_value);
    CU_ASSERT_EQUAL(r.checks[READINESS_CPU].value, 0.7);
}

static void test_redis(void)
{
    struct readiness_in in = healthy();
    struct readiness_report r;
    in.redis = READINESS_REDIS_DOWN;
    readiness_evaluate(&in, &r);
    CU_ASSERT_FALSE(r.ready);
    CU_ASSERT_FALSE(r.strict_ready);
    CU_ASSERT_EQUAL(r.failures, 1);
    expect(&in, READINESS_REDIS, READINESS_FAIL, "Redis not reachable");
    expect(&in, READINESS_REDIS_CLUSTER, READINESS_SKIP, "Redis not reachable");
    in.redis = READINESS_REDIS_NOT_CONFIGURED;
    expect(&in, READINESS_REDIS_CLUSTER, READINESS_SKIP, "no Redis configured");
    expect(&in, READINESS_REDIS, READINESS_FAIL,
           "no Redis configured (--redis.addr, REDIS_URL or --redis.cluster-nodes): instances "
           "need a shared L2 cache to scale out");
}

static void test_cluster(void)
{
    struct readiness_in in = healthy();
    struct readiness_report r;
    in.clustered = true;
    expect(&in, READINESS_REDIS_CLUSTER, READINESS_WARN, "Redis cluster state unknown");
    in.has_cluster_state = true;
    in.cluster_state_ok = false;
    in.has_cluster_masters = true;
    in.cluster_masters = 3;
    expect(&in, READINESS_REDIS_CLUSTER, READINESS_FAIL,
           "Redis cluster not healthy: cluster_state is fail");
    readiness_evaluate(&in, &r);
    CU_ASSERT_FALSE(r.ready);
    in.cluster_state_ok = true;
    expect(&in, READINESS_REDIS_CLUSTER, READINESS_OK, "Redis cluster state ok, 3 masters");
    readiness_evaluate(&in, &r);
    CU_ASSERT_TRUE(r.strict_ready);
    CU_ASSERT_EQUAL(r.checks[READINESS_REDIS_CLUSTER].value, 3);
    in.cluster_masters = 2;
    expect(&in, READINESS_REDIS_CLUSTER, READINESS_FAIL,
           "Redis cluster has 2 masters, needs at least 3");
    in.has_cluster_masters = false;
    expect(&in, READINESS_REDIS_CLUSTER, READINESS_WARN,
           "Redis cluster state ok, master count unknown");
}

static void test_cache(void)
{
    struct readiness_in in = healthy();
    struct readiness_report r;
    in.cache_hit_ratio = 0.65;
    expect(&in, READINESS_CACHE_HIT_RATIO, READINESS_WARN, "Cache hit rate low: 65.0%");
    readiness_evaluate(&in, &r);
    CU_ASSERT_TRUE(r.ready);
    CU_ASSERT_FALSE(r.strict_ready);
    CU_ASSERT_EQUAL(r.warnings, 1);
    in.cache_hit_ratio = 0.6999;
    expect(&in, READINESS_CACHE_HIT_RATIO, READINESS_WARN, "Cache hit rate low: 70.0%");
    in.cache_hit_ratio = 0.70;
    expect(&in, READINESS_CACHE_HIT_RATIO, READINESS_WARN,
           "Cache hit rate 70.0% not above the 80% target");
    in.cache_hit_ratio = 0.80;
    expect(&in, READINESS_CACHE_HIT_RATIO, READINESS_WARN,
           "Cache hit rate 80.0% not above the 80% target");
    in.cache_hit_ratio = 0.8001;
    expect(&in, READINESS_CACHE_HIT_RATIO, READINESS_OK, "Cache hit rate 80.0%");
    in.cache_source = " (Redis keyspace)";
    expect(&in, READINESS_CACHE_HIT_RATIO, READINESS_OK, "Cache hit rate 80.0% (Redis keyspace)");
    in.has_cache_hit_ratio = false;
    expect(&in, READINESS_CACHE_HIT_RATIO, READINESS_WARN, "Cache hit rate: no data");
}

static void test_bands(void)
{
    struct readiness_in in = healthy();
    in.response_time_seconds = 0.5;
    expect(&in, READINESS_RESPONSE_TIME, READINESS_WARN, "Response time 500.0ms not below 500ms");
    in.response_time_seconds = 0.4999;
    expect(&in, READINESS_RESPONSE_TIME, READINESS_OK, "Response time 499.9ms");
    in.error_ratio = 0.01;
    expect(&in, READINESS_ERROR_RATIO, READINESS_WARN, "Error rate 1.0% not below 1%");
    in.error_ratio = 0.0099;
    expect(&in, READINESS_ERROR_RATIO, READINESS_OK, "Error rate 1.0%");
    in.cpu_ratio = 0.60;
    expect(&in, READINESS_CPU, READINESS_OK, "CPU 60.0%");
    in.cpu_ratio = 0.80;
    expect(&in, READINESS_CPU, READINESS_OK, "CPU 80.0%");
    in.cpu_ratio = 0.5999;
    expect(&in, READINESS_CPU, READINESS_WARN, "CPU 60.0% outside 60-80%");
    in.cpu_ratio = 0.8001;
    expect(&in, READINESS_CPU, READINESS_WARN, "CPU 80.0% outside 60-80%");
    in.cpu_ratio = 0.05;
    expect(&in, READINESS_CPU, READINESS_WARN, "CPU 5.0% outside 60-80%");
    in.memory_ratio = 0.85;
    expect(&in, READINESS_MEMORY, READINESS_WARN, "Memory 85.0% not below 85%");
    in.memory_ratio = 0.8499;
    expect(&in, READINESS_MEMORY, READINESS_OK, "Memory 85.0%");
}

static void test_absent(void)
{
    struct readiness_in in;
    memset(&in, 0, sizeof(in));
    in.redis = READINESS_REDIS_UP;
    struct readiness_report r;
    readiness_evaluate(&in, &r);
    CU_ASSERT_TRUE(r.ready);
    CU_ASSERT_FALSE(r.strict_ready);
    CU_ASSERT_EQUAL(r.warnings, 5);
    expect(&in, READINESS_RESPONSE_TIME, READINESS_WARN, "Response time: no data");
    expect(&in, READINESS_ERROR_RATIO, READINESS_WARN, "Error rate: no data");
    expect(&in, READINESS_CPU, READINESS_WARN, "CPU: no data");
    expect(&in, READINESS_MEMORY, READINESS_WARN, "Memory: no data");
    CU_ASSERT_FALSE(r.checks[READINESS_CPU].has_value);
}

static void test_names(void)
{
    CU_ASSERT_STRING_EQUAL(readiness_check_name(READINESS_REDIS), "redis");
    CU_ASSERT_STRING_EQUAL(readiness_check_name(READINESS_MEMORY), "memory_utilization");
    CU_ASSERT_STRING_EQUAL(readiness_check_target(READINESS_CPU), "60-80%");
    CU_ASSERT_STRING_EQUAL(readiness_status_name(READINESS_WARN), "warn");
    CU_ASSERT_STRING_EQUAL(readiness_status_name(READINESS_SKIP), "skip");
}

static void add(struct mset *m, const char *name, const char *lname, const char *lvalue, double v)
{
    struct mfamily *f = NULL;
    CU_ASSERT_EQUAL_FATAL(mset_family(m, name, METRIC_GAUGE, "h", &f), 0);
    struct label l = {lname, lvalue};
    CU_ASSERT_EQUAL(mset_add(m, f, lname ? &l : NULL, lname ? 1 : 0, v), 0);
}

static void test_from_mset(void)
{
    struct readiness_in in;
    readiness_inputs_from_mset(NULL, &in);
    CU_ASSERT_EQUAL(in.redis, READINESS_REDIS_NOT_CONFIGURED);
    CU_ASSERT_FALSE(in.has_cpu);

    struct mset *m = mset_new();
    add(m, "rizk_source_up", "source", "system", 1);
    readiness_inputs_from_mset(m, &in);
    CU_ASSERT_EQUAL(in.redis, READINESS_REDIS_NOT_CONFIGURED);
    add(m, "rizk_source_up", "source", "redis", 0);
    add(m, "rizk_redis_up", "node", "a:1", 0);
    readiness_inputs_from_mset(m, &in);
    CU_ASSERT_EQUAL(in.redis, READINESS_REDIS_DOWN);
    CU_ASSERT_FALSE(in.clustered);
    /* In cluster mode the source is down when the state is not ok, though nodes answer. */
    add(m, "rizk_redis_up", "node", "b:1", 1);
    add(m, "rizk_cpu_utilization_ratio", NULL, NULL, 0.65);
    add(m, "rizk_memory_utilization_ratio", NULL, NULL, NAN);
    add(m, "rizk_redis_keyspace_hit_ratio", NULL, NULL, 0.9);
    add(m, "rizk_redis_cluster_state_ok", NULL, NULL, 0);
    add(m, "rizk_redis_cluster_size", NULL, NULL, 3);
    readiness_inputs_from_mset(m, &in);
    CU_ASSERT_EQUAL(in.redis, READINESS_REDIS_UP);
    CU_ASSERT_TRUE(in.has_cpu);
    CU_ASSERT_EQUAL(in.cpu_ratio, 0.65);
    CU_ASSERT_FALSE(in.has_memory);
    CU_ASSERT_TRUE(in.has_cache_hit_ratio);
    CU_ASSERT_EQUAL(in.cache_hit_ratio, 0.9);
    CU_ASSERT_STRING_EQUAL(in.cache_source, " (Redis keyspace)");
    CU_ASSERT_TRUE(in.clustered);
    CU_ASSERT_TRUE(in.has_cluster_state);
    CU_ASSERT_FALSE(in.cluster_state_ok);
    CU_ASSERT_EQUAL(in.cluster_masters, 3);
    CU_ASSERT_FALSE(in.has_response_time);
    struct readiness_report rr;
    readiness_evaluate(&in, &rr);
    CU_ASSERT_EQUAL(rr.checks[READINESS_REDIS].status, READINESS_OK);
    CU_ASSERT_EQUAL(rr.checks[READINESS_REDIS_CLUSTER].status, READINESS_FAIL);
    CU_ASSERT_STRING_EQUAL(rr.checks[READINESS_REDIS_CLUSTER].message,
                           "Redis cluster not healthy: cluster_state is fail");
    mset_free(m);

    m = mset_new();
    add(m, "rizk_source_up", "source", "redis", 1);
    add(m, "rizk_cache_hit_ratio", NULL, NULL, 0.5);
    add(m, "rizk_redis_keyspace_hit_ratio", NULL, NULL, 0.9);
    add(m, "rizk_response_time_seconds", NULL, NULL, 0.25);
    add(m, "rizk_error_ratio", NULL, NULL, 0.02);
    readiness_inputs_from_mset(m, &in);
    CU_ASSERT_EQUAL(in.redis, READINESS_REDIS_UP);
    CU_ASSERT_EQUAL(in.cache_hit_ratio, 0.5);
    CU_ASSERT_PTR_NULL(in.cache_source);
    CU_ASSERT_FALSE(in.clustered);
    CU_ASSERT_EQUAL(in.response_time_seconds, 0.25);
    CU_ASSERT_EQUAL(in.error_ratio, 0.02);
    mset_free(m);
}

static CU_TestInfo tests[] = {
    {"healthy deployment", test_healthy},
    {"redis down or not configured fails", test_redis},
    {"cluster state and masters", test_cluster},
    {"cache hit ratio warning and target", test_cache},
    {"checklist bands on their edges", test_bands},
    {"absent data warns", test_absent},
    {"names", test_names},
    {"inputs from a metric set", test_from_mset},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_readiness = {"readiness", NULL, NULL, NULL, NULL, tests};
