/* cluster_checks: the check --cluster checklist over recorded Kubernetes API documents
 * (tests/fixtures/k8s/, shaped as `kubectl get -o json` prints them) and fleet pods: for every
 * item one pass, one warn and one fail case with the exact message, plus "not checkable" when
 * an input could not be read, and documents of the wrong shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <jansson.h>

#include "signals/cluster_checks.h"
#include "unit_util.h"
#include "core/banned.h"

static json_t *load(const char *name)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "k8s/%s", name);
    size_t len = 0;
    char *text = unit_fixture_read(rel, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    json_error_t err;
    json_t *j = json_loadb(text, len, 0, &err);
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    return j;
}

/* The fleet of the fixture pods: distinct instance ids, one zone and region each. */
static const struct cluster_fleet_pod fleet_ok[] = {
    {"rizk-app-7f9c8d5b6d-4xk2p", "rizk-app-7f9c8d5b6d-4xk2p", "eu-west-1", "eu-west-1a"},
    {"rizk-app-7f9c8d5b6d-9wq7z", "rizk-app-7f9c8d5b6d-9wq7z", "eu-west-1", "eu-west-1b"},
    {"rizk-app-7f9c8d5b6d-h2m5c", "rizk-app-7f9c8d5b6d-h2m5c", "eu-west-1", "eu-west-1c"},
    {"checkout-5d8f-abcde", "checkout-5d8f-abcde", NULL, NULL}, /* another workload: ignored */
};

struct docs {
    json_t *dep, *hpas, *pdbs, *pods;
};

static void docs_load(struct docs *d)
{
    d->dep = load("deployment.json");
    d->hpas = load("hpa.json");
    d->pdbs = load("pdb.json");
    d->pods = load("pods.json");
}

static void docs_free(struct docs *d)
{
    json_decref(d->dep);
    json_decref(d->hpas);
    json_decref(d->pdbs);
    json_decref(d->pods);
}

static struct cluster_in base_in(const struct docs *d)
{
    struct cluster_in in = {
        .ns = "shop",
        .workload = "rizk-app",
        .deployment = d->dep,
        .hpas = d->hpas,
        .pdbs = d->pdbs,
        .pods = d->pods,
        .fleet = fleet_ok,
        .nfleet = sizeof(fleet_ok) / sizeof(fleet_ok[0]),
        .redis = CLUSTER_REDIS_CLUSTER,
        .redis_masters = 3,
        .redis_masters_with_replica = 3,
        .drain_ms = 30000,
    };
    return in;
}

static void expect(const struct cluster_report *r, enum cluster_item_id id, enum cluster_status st,
                   const char *msg)
{
    const struct cluster_item *it = &r->items[id];
    if (it->status != st || strcmp(it->message, msg) != 0)
        fprintf(stderr, "\n  %s: got %s \"%s\"\n  expected %s \"%s\"\n", cluster_item_name(id),
                cluster_status_name(it->status), it->message, cluster_status_name(st), msg);
    CU_ASSERT_EQUAL(it->status, st);
    CU_ASSERT_STRING_EQUAL(it->message, msg);
}

/* swap: evaluate with one document replaced by a fixture. */
static void eval_with(const char *which, const char *fixture, struct cluster_report *r)
{
    struct docs d;
    docs_load(&d);
    json_t *alt = load(fixture);
    struct cluster_in in = base_in(&d);
    if (strcmp(which, "deployment") == 0)
        in.deployment = alt;
    else if (strcmp(which, "hpas") == 0)
        in.hpas = alt;
    else if (strcmp(which, "pdbs") == 0)
        in.pdbs = alt;
    else
        in.pods = alt;
    cluster_checks_evaluate(&in, r);
    json_decref(alt);
    docs_free(&d);
}

static void test_all_pass(void)
{
    struct docs d;
    docs_load(&d);
    struct cluster_in in = base_in(&d);
    struct cluster_report r;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_HPA, CLUSTER_PASS,
           "HPA rizk-app: cpu 70%, memory 80%, rizk_requests_per_second");
    expect(&r, CLUSTER_RESOURCES, CLUSTER_PASS,
           "cpu and memory requests and limits on every container");
    expect(&r, CLUSTER_PDB, CLUSTER_PASS,
           "PDB rizk-app covers rizk-app: 1 of 3 replicas may be evicted at once");
    expect(&r, CLUSTER_ZONES, CLUSTER_PASS,
           "3 pods over 3 zones (eu-west-1a, eu-west-1b, eu-west-1c; from the fleet)");
    expect(&r, CLUSTER_GRACEFUL_SHUTDOWN, CLUSTER_PASS,
           "preStop hook on every app container, grace period 45s");
    expect(&r, CLUSTER_REDIS_HA, CLUSTER_PASS, "Redis Cluster: 3 masters, each with a replica");
    expect(&r, CLUSTER_INSTANCE_PREFIXES, CLUSTER_PASS, "3 pods, 3 distinct instance ids");
    expect(&r, CLUSTER_HEALTH_CHECKS, CLUSTER_PASS, "readinessProbe on the app container");
    expect(&r, CLUSTER_REGIONAL_ENDPOINTS, CLUSTER_PASS, "all 3 pods carry a region (eu-west-1)");
    CU_ASSERT_EQUAL(r.pass, CLUSTER_NITEMS);
    CU_ASSERT_TRUE(r.ready);
    CU_ASSERT_TRUE(r.strict_ready);
    docs_free(&d);
}

static void test_hpa(void)
{
    struct cluster_report r;
    eval_with("hpas", "hpa-warn.json", &r);
    expect(&r, CLUSTER_HPA, CLUSTER_WARN,
           "HPA rizk-app targets rizk-app but lacks the guide's memory Utilization, Pods "
           "rizk_requests_per_second");
    eval_with("hpas", "hpa-inactive.json", &r);
    expect(&r, CLUSTER_HPA, CLUSTER_WARN,
           "HPA rizk-app cannot scale: ScalingActive=False FailedGetPodsMetric: the HPA was unable "
           "to compute the replica count: unable to get metric rizk_requests_per_second: unable "
           "to fetch metrics from custom metrics API: the server coul");
    eval_with("hpas", "hpa-fail.json", &r);
    expect(&r, CLUSTER_HPA, CLUSTER_FAIL, "no HorizontalPodAutoscaler targets Deployment rizk-app");
    CU_ASSERT_FALSE(r.ready);
}

static void test_resources(void)
{
    struct cluster_report r;
    eval_with("deployment", "deployment-resources-warn.json", &r);
    expect(&r, CLUSTER_RESOURCES, CLUSTER_WARN, "requests set; no limit for rizk-metrics cpu");
    CU_ASSERT_TRUE(r.ready);
    CU_ASSERT_FALSE(r.strict_ready);
    eval_with("deployment", "deployment-resources-fail.json", &r);
    expect(&r, CLUSTER_RESOURCES, CLUSTER_FAIL,
           "no request for app cpu, app memory (Utilization targets and scheduling need "
           "requests)");
}

static void test_pdb(void)
{
    struct cluster_report r;
    eval_with("pdbs", "pdb-warn.json", &r);
    expect(&r, CLUSTER_PDB, CLUSTER_WARN,
           "PDB rizk-app covers rizk-app but allows no eviction at 3 replicas (node drains "
           "block)");
    eval_with("pdbs", "pdb-fail.json", &r);
    expect(&r, CLUSTER_PDB, CLUSTER_FAIL, "no PodDisruptionBudget selects the pods of rizk-app");
}

static void test_zones(void)
{
    struct docs d;
    docs_load(&d);
    struct cluster_in in = base_in(&d);
    struct cluster_report r;
    /* warn: one known zone, one pod without */
    struct cluster_fleet_pod f[3];
    memcpy(f, fleet_ok, sizeof(f));
    f[1].zone = "eu-west-1a";
    f[2].zone = NULL;
    in.fleet = f;
    in.nfleet = 3;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_ZONES, CLUSTER_WARN,
           "2 of 3 pods in zone eu-west-1a, the others' zone unknown");
    /* fail: all three in one zone */
    f[2].zone = "eu-west-1a";
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_ZONES, CLUSTER_FAIL,
           "all its pods are in one zone (eu-west-1a): a zone outage takes rizk-app down");
    /* no zone in the fleet: the pods' topology label; all in one zone fails */
    f[0].zone = f[1].zone = f[2].zone = NULL;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_ZONES, CLUSTER_PASS,
           "3 pods over 3 zones (eu-west-1a, eu-west-1b, eu-west-1c; from the pod labels)");
    json_t *one = load("pods-one-zone.json");
    in.pods = one;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_ZONES, CLUSTER_FAIL,
           "all its pods are in one zone (eu-west-1a): a zone outage takes rizk-app down");
    json_decref(one);
    json_t *none = load("pods-no-zone.json");
    in.pods = none;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_ZONES, CLUSTER_NOT_CHECKABLE,
           "no pod of rizk-app has a zone (set --pod.zone or the topology.kubernetes.io/zone "
           "label in the sidecar's labels file)");
    json_decref(none);
    docs_free(&d);
}

static void test_shutdown(void)
{
    struct cluster_report r;
    eval_with("deployment", "deployment-shutdown-warn.json", &r);
    expect(&r, CLUSTER_GRACEFUL_SHUTDOWN, CLUSTER_WARN,
           "no preStop hook and no terminationGracePeriodSeconds: relies on the 30s default "
           "(drain time 30s)");
    eval_with("deployment", "deployment-shutdown-fail.json", &r);
    expect(&r, CLUSTER_GRACEFUL_SHUTDOWN, CLUSTER_FAIL,
           "no preStop hook and a grace period of 10s, shorter than the drain time 30s: "
           "in-flight requests are cut");
    /* an explicit grace period long enough passes without a hook */
    struct docs d;
    docs_load(&d);
    json_t *dep = load("deployment-shutdown-fail.json");
    json_t *tspec =
        json_object_get(json_object_get(json_object_get(dep, "spec"), "template"), "spec");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tspec);
    json_object_set_new(tspec, "terminationGracePeriodSeconds", json_integer(60));
    struct cluster_in in = base_in(&d);
    in.deployment = dep;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_GRACEFUL_SHUTDOWN, CLUSTER_PASS,
           "terminationGracePeriodSeconds 60 >= drain time 30s");
    in.drain_ms = 90000;
    cluster_checks_evaluate(&in, &r);
    CU_ASSERT_EQUAL(r.items[CLUSTER_GRACEFUL_SHUTDOWN].status, CLUSTER_FAIL);
    json_decref(dep);
    docs_free(&d);
}

static void test_probes(void)
{
    struct cluster_report r;
    eval_with("deployment", "deployment-probes-warn.json", &r);
    expect(&r, CLUSTER_HEALTH_CHECKS, CLUSTER_WARN, "no readinessProbe on worker");
    eval_with("deployment", "deployment-probes-fail.json", &r);
    expect(&r, CLUSTER_HEALTH_CHECKS, CLUSTER_FAIL,
           "no readinessProbe on any app container: the Service sends traffic to pods that are "
           "not ready");
}

static void test_redis(void)
{
    struct docs d;
    docs_load(&d);
    struct cluster_in in = base_in(&d);
    struct cluster_report r;
    in.redis_masters_with_replica = 2;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_REDIS_HA, CLUSTER_WARN,
           "1 of 3 masters have no replica: losing one loses its slots");
    in.redis_masters = 2;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_REDIS_HA, CLUSTER_FAIL, "Redis Cluster of 2 masters, fewer than 3");
    in.redis = CLUSTER_REDIS_STANDALONE;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_REDIS_HA, CLUSTER_WARN,
           "standalone Redis: a single point of failure (the guide runs a Redis Cluster of >= 3 "
           "masters, each with a replica)");
    in.redis = CLUSTER_REDIS_UNREACHABLE;
    in.redis_err = "127.0.0.1:6379: connection refused";
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_REDIS_HA, CLUSTER_NOT_CHECKABLE,
           "Redis topology not readable: 127.0.0.1:6379: connection refused");
    in.redis = CLUSTER_REDIS_NOT_CONFIGURED;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_REDIS_HA, CLUSTER_NOT_CHECKABLE,
           "no Redis configured (--redis.addr, --redis.cluster-nodes, REDIS_URL)");
    CU_ASSERT_TRUE(r.ready); /* not checkable never fails */
    docs_free(&d);
}

static void test_fleet_items(void)
{
    struct docs d;
    docs_load(&d);
    struct cluster_in in = base_in(&d);
    struct cluster_report r;
    struct cluster_fleet_pod f[3];
    memcpy(f, fleet_ok, sizeof(f));
    in.fleet = f;
    in.nfleet = 2; /* the third pod does not publish */
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_INSTANCE_PREFIXES, CLUSTER_WARN,
           "2 distinct instance ids, but only 2 of 3 pods publish");
    in.nfleet = 3;
    f[2].instance_id = "rizk-app";
    f[1].instance_id = "rizk-app"; /* INSTANCE_ID set to one value for the whole Deployment */
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_INSTANCE_PREFIXES, CLUSTER_FAIL,
           "3 pods but 2 instance ids (rizk-app is shared): their <prefix>{<instance>}: keys "
           "collide; give each pod its own INSTANCE_ID or let it default to the pod name");
    f[1].region = NULL;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_REGIONAL_ENDPOINTS, CLUSTER_WARN,
           "1 of 3 pods carry no region: rizk-app-7f9c8d5b6d-9wq7z");
    f[0].region = f[2].region = NULL;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_REGIONAL_ENDPOINTS, CLUSTER_FAIL,
           "no pod carries a region (set --pod.region or the topology.kubernetes.io/region "
           "label)");
    in.fleet = NULL;
    in.nfleet = 0;
    in.fleet_err = "no Redis configured";
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_INSTANCE_PREFIXES, CLUSTER_NOT_CHECKABLE,
           "fleet registry not readable: no Redis configured");
    expect(&r, CLUSTER_REGIONAL_ENDPOINTS, CLUSTER_NOT_CHECKABLE,
           "fleet registry not readable: no Redis configured");
    expect(&r, CLUSTER_ZONES, CLUSTER_PASS,
           "3 pods over 3 zones (eu-west-1a, eu-west-1b, eu-west-1c; from the pod labels)");
    docs_free(&d);
}

/* Without the pod list (API unreadable) the workload's fleet pods are those named
 * <deployment>-...: the other workload's pod is left out; one pod alone is one zone. */
static void test_fleet_without_pod_list(void)
{
    struct docs d;
    docs_load(&d);
    struct cluster_in in = base_in(&d);
    in.pods = NULL;
    in.pods_err = "403 Forbidden";
    struct cluster_report r;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_INSTANCE_PREFIXES, CLUSTER_PASS, "3 pods, 3 distinct instance ids");
    expect(&r, CLUSTER_REGIONAL_ENDPOINTS, CLUSTER_PASS, "all 3 pods carry a region (eu-west-1)");
    expect(&r, CLUSTER_ZONES, CLUSTER_PASS,
           "3 pods over 3 zones (eu-west-1a, eu-west-1b, eu-west-1c; from the fleet)");
    in.nfleet = 1;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_ZONES, CLUSTER_FAIL,
           "its only pod is in one zone (eu-west-1a): a zone outage takes rizk-app down");
    expect(&r, CLUSTER_INSTANCE_PREFIXES, CLUSTER_PASS, "1 pod, 1 distinct instance id");
    expect(&r, CLUSTER_REGIONAL_ENDPOINTS, CLUSTER_PASS, "the 1 pod carries a region (eu-west-1)");
    docs_free(&d);
}

/* Unreadable and mis-shaped documents: not checkable with the reason, never a pass. */
static void test_unreadable(void)
{
    struct cluster_in in = {.ns = "shop", .workload = "rizk-app", .drain_ms = 30000};
    in.deployment_err = "GET /apis/apps/v1/namespaces/shop/deployments/rizk-app: 404 Not Found";
    in.hpas_err = "403 Forbidden";
    struct cluster_report r;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_HPA, CLUSTER_NOT_CHECKABLE, "HPAs not readable: 403 Forbidden");
    expect(&r, CLUSTER_RESOURCES, CLUSTER_NOT_CHECKABLE,
           "Deployment not readable: GET /apis/apps/v1/namespaces/shop/deployments/rizk-app: "
           "404 Not Found");
    expect(&r, CLUSTER_PDB, CLUSTER_NOT_CHECKABLE,
           "PodDisruptionBudgets not readable: not a policy/v1 PodDisruptionBudgetList");
    CU_ASSERT_EQUAL(r.not_checkable, CLUSTER_NITEMS);
    CU_ASSERT_TRUE(r.ready);

    json_t *junk = json_loads("{\"items\": [1, \"x\", {\"spec\": []}], \"spec\": 7}", 0, NULL);
    in.deployment = junk;
    in.deployment_err = NULL;
    in.hpas = junk;
    in.pdbs = junk;
    in.pods = junk;
    cluster_checks_evaluate(&in, &r);
    expect(&r, CLUSTER_HPA, CLUSTER_FAIL, "no HorizontalPodAutoscaler targets Deployment rizk-app");
    expect(&r, CLUSTER_RESOURCES, CLUSTER_NOT_CHECKABLE,
           "the Deployment's pod template has no containers");
    expect(&r, CLUSTER_PDB, CLUSTER_NOT_CHECKABLE,
           "Deployment not readable: no pod template labels");
    CU_ASSERT_EQUAL(r.pass, 0);
    json_decref(junk);
}

static CU_TestInfo tests[] = {
    {"all pass on the guide's manifests", test_all_pass},
    {"hpa: pass, warn (metrics, inactive), fail", test_hpa},
    {"resources: warn, fail", test_resources},
    {"pdb: warn, fail", test_pdb},
    {"zones: warn, fail, pod labels, not checkable", test_zones},
    {"graceful shutdown: warn, fail, explicit grace", test_shutdown},
    {"health checks: warn, fail", test_probes},
    {"redis ha: warn, fail, standalone, not checkable", test_redis},
    {"instance prefixes and regions: warn, fail", test_fleet_items},
    {"fleet pods without the pod list", test_fleet_without_pod_list},
    {"unreadable and mis-shaped documents", test_unreadable},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_cluster_checks = {"cluster_checks", NULL, NULL, NULL, NULL, tests};
