/* check --cluster: the I/O half of the cluster checklist. Every input is fetched once, in the
 * order the evaluators need them (the Deployment first: its selector names the pods), and a
 * failure becomes the reason string of the items that needed it; the verdicts themselves are
 * signals/cluster_checks.c's. */
#include "check_cluster.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "fleet/query.h"
#include "io/kube_client.h"
#include "io/redis_cluster.h"
#include "parse/redis_reply.h"
#include "signals/cluster_checks.h"
#include "core/banned.h"

#define CHECK_CLUSTER_TIMEOUT_MS 10000
#define CHECK_CLUSTER_MAX_BODY ((size_t)16 << 20) /* a PodList of a few thousand pods */
#define CHECK_CLUSTER_ERR_MAX 400

/* One fetched document and, when it could not be had, why. */
struct doc {
    json_t *json;
    char err[CHECK_CLUSTER_ERR_MAX];
};

/* doc_fetch GETs path; a non-2xx answer is an error quoting the Status message. */
static void doc_fetch(struct kube_client *kc, const char *path, struct doc *d)
{
    d->json = NULL;
    d->err[0] = '\0';
    struct buf resp;
    buf_init(&resp, CHECK_CLUSTER_MAX_BODY);
    long status = 0;
    char err[256] = "";
    int rc = kube_client_request(kc, "GET", path, NULL, &status, &resp, err, sizeof(err));
    if (rc < 0) {
        snprintf(d->err, sizeof(d->err), "GET %.200s: %.180s", path, err[0] ? err : err_str(rc));
        buf_fini(&resp);
        return;
    }
    json_error_t jerr;
    json_t *j = json_loadb(buf_ptr(&resp), buf_len(&resp), 0, &jerr);
    buf_fini(&resp);
    if (status < 200 || status > 299) {
        const char *msg = json_string_value(json_object_get(j, "message"));
        snprintf(d->err, sizeof(d->err), "GET %.200s: HTTP %ld%s%.160s", path, status,
                 msg ? ": " : "", msg ? msg : "");
        json_decref(j);
        return;
    }
    if (!json_is_object(j)) {
        snprintf(d->err, sizeof(d->err), "GET %.200s: not a JSON object", path);
        json_decref(j);
        return;
    }
    d->json = j;
}

/* pct_encode appends s percent-encoded for a query value (RFC 3986 unreserved kept). */
static void pct_encode(struct buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            buf_addc(b, (char)*p);
        else
            buf_printf(b, "%%%02X", *p);
    }
}

/* pods_path: the workload's pods by the Deployment's matchLabels (its matchExpressions, rare on
 * Deployments, are left to the evaluators, which only read names and labels). */
static int pods_path(const char *ns, const json_t *dep, struct buf *b)
{
    const json_t *ml =
        json_object_get(json_object_get(json_object_get(dep, "spec"), "selector"), "matchLabels");
    if (!json_is_object(ml) || json_object_size(ml) == 0)
        return -ENOENT;
    buf_printf(b, "/api/v1/namespaces/%s/pods?labelSelector=", ns);
    const char *k;
    json_t *v;
    bool first = true;
    json_object_foreach((json_t *)(uintptr_t)ml, k, v)
    {
        if (!json_is_string(v))
            return -EPROTO;
        if (!first)
            pct_encode(b, ",");
        pct_encode(b, k);
        pct_encode(b, "=");
        pct_encode(b, json_string_value(v));
        first = false;
    }
    return 0;
}

/* The fleet and Redis inputs: the namespace's live pods and the Redis topology. */
struct fleet_in {
    struct fleet_pods pods;
    bool have_pods;
    struct cluster_fleet_pod *fleet;
    char fleet_err[CHECK_CLUSTER_ERR_MAX];
    enum cluster_redis_mode redis;
    unsigned masters, masters_with_replica;
    char redis_err[CHECK_CLUSTER_ERR_MAX];
};

/* redis_topology counts the masters serving slots and those with a replica (CLUSTER NODES). */
static int redis_topology(struct redis_cluster *rc, struct fleet_in *f)
{
    int rc_ = redis_cluster_refresh(rc);
    if (rc_ < 0)
        return rc_;
    if (redis_cluster_node_count(rc) == 0)
        return -ENOENT;
    const char *argv[] = {"CLUSTER", "NODES"};
    size_t argl[] = {7, 5};
    struct redis_cmd cmd = {2, argv, argl};
    struct redis_reply *r = NULL;
    rc_ = redis_cluster_node_pipeline(rc, 0, 1, &cmd, &r);
    if (rc_ < 0)
        return rc_;
    struct redis_cluster_nodes *cn = xcalloc(1, sizeof(*cn));
    const char *text = redis_reply_str(r, NULL);
    rc_ = text != NULL ? parse_redis_cluster_nodes(text, cn, NULL) : -EPROTO;
    redis_reply_free(r);
    for (unsigned i = 0; rc_ == 0 && i < cn->nnodes; i++) {
        const struct redis_cluster_node *m = &cn->nodes[i];
        if (!(m->flags & REDIS_NODE_MASTER) || m->nslots == 0 || (m->flags & REDIS_NODE_FAIL))
            continue;
        f->masters++;
        for (unsigned j = 0; j < cn->nnodes; j++) {
            const struct redis_cluster_node *s = &cn->nodes[j];
            if ((s->flags & REDIS_NODE_REPLICA) && !(s->flags & REDIS_NODE_FAIL) &&
                strcmp(s->master_id, m->id) == 0) {
                f->masters_with_replica++;
                break;
            }
        }
    }
    free(cn);
    return rc_;
}

static void fleet_read(const struct config *cfg, const char *ns, struct fleet_in *f)
{
    memset(f, 0, sizeof(*f));
    struct redis_cluster *rc = NULL;
    struct redis_client_opts ro;
    config_redis_opts(cfg, &ro);
    int r = redis_cluster_from_opts(&ro, cfg->redis_timeout_ms, &rc);
    if (r == 1) {
        f->redis = CLUSTER_REDIS_NOT_CONFIGURED;
        snprintf(f->fleet_err, sizeof(f->fleet_err),
                 "no Redis configured (--redis.addr, --redis.cluster-nodes, REDIS_URL)");
        return;
    }
    if (r < 0) {
        f->redis = CLUSTER_REDIS_UNREACHABLE;
        snprintf(f->redis_err, sizeof(f->redis_err), "Redis configuration: %s", err_str(r));
        snprintf(f->fleet_err, sizeof(f->fleet_err), "%s", f->redis_err);
        return;
    }
    r = fleet_query_pods(rc, cfg->redis_key_prefix, ns, clock_wall_ms(), 3 * cfg->fleet_interval_ms,
                         &f->pods);
    if (r < 0) {
        snprintf(f->fleet_err, sizeof(f->fleet_err), "fleet registry: %s", err_str(r));
    } else {
        f->have_pods = true;
        f->fleet = xcalloc(f->pods.n ? f->pods.n : 1, sizeof(*f->fleet));
        for (size_t i = 0; i < f->pods.n; i++) {
            const Rizk__V1__PodSnapshot *p = f->pods.pods[i];
            f->fleet[i] = (struct cluster_fleet_pod){p->pod, p->instance_id, p->region, p->zone};
        }
    }
    if (redis_cluster_is_cluster(rc)) {
        f->redis = CLUSTER_REDIS_CLUSTER;
        r = redis_topology(rc, f);
        if (r < 0) {
            f->redis = CLUSTER_REDIS_UNREACHABLE;
            snprintf(f->redis_err, sizeof(f->redis_err), "CLUSTER NODES: %s", err_str(r));
        }
    } else {
        /* The fleet read answered, so the server is reachable; a failed read says why not. */
        f->redis = f->have_pods ? CLUSTER_REDIS_STANDALONE : CLUSTER_REDIS_UNREACHABLE;
        if (!f->have_pods)
            snprintf(f->redis_err, sizeof(f->redis_err), "%s", f->fleet_err);
    }
    redis_cluster_free(rc);
}

static void fleet_in_fini(struct fleet_in *f)
{
    if (f->have_pods)
        fleet_pods_fini(&f->pods);
    free(f->fleet);
}

static json_t *report_json(const struct cluster_report *r, const char *ns, const char *workload,
                           const char *server)
{
    json_t *o = json_object();
    json_object_set_new(o, "namespace", json_string(ns));
    json_object_set_new(o, "workload", json_string(workload));
    json_object_set_new(o, "server", server ? json_string(server) : json_null());
    json_t *checks = json_array();
    for (int i = 0; i < CLUSTER_NITEMS; i++) {
        const struct cluster_item *it = &r->items[i];
        json_t *c = json_object();
        json_object_set_new(c, "name", json_string(cluster_item_name(it->id)));
        json_object_set_new(c, "status", json_string(cluster_status_name(it->status)));
        json_object_set_new(c, "target", json_string(cluster_item_target(it->id)));
        json_object_set_new(c, "message", json_string(it->message));
        json_array_append_new(checks, c);
    }
    json_object_set_new(o, "checks", checks);
    json_object_set_new(o, "pass", json_integer(r->pass));
    json_object_set_new(o, "warn", json_integer(r->warn));
    json_object_set_new(o, "fail", json_integer(r->fail));
    json_object_set_new(o, "not_checkable", json_integer(r->not_checkable));
    json_object_set_new(o, "ready", json_boolean(r->ready));
    json_object_set_new(o, "strict_ready", json_boolean(r->strict_ready));
    return o;
}

json_t *check_cluster_run(const struct config *cfg)
{
    struct kube_client *kc = NULL;
    char kerr[CHECK_CLUSTER_ERR_MAX] = "";
    struct kube_client_opts ko = {.kubeconfig = cfg->check_kubeconfig,
                                  .sa_dir = NULL,
                                  .timeout_ms = CHECK_CLUSTER_TIMEOUT_MS};
    int rc = kube_client_new(&ko, &kc, kerr, sizeof(kerr));
    if (rc < 0 && kerr[0] == '\0')
        snprintf(kerr, sizeof(kerr), "%s", err_str(rc));
    const char *ns = cfg->check_namespace ? cfg->check_namespace : cfg->pod_namespace;
    if (ns == NULL)
        ns = kc != NULL ? kube_client_namespace(kc) : "default";

    struct doc dep = {0}, hpas = {0}, pdbs = {0}, pods = {0};
    char kube_reason[CHECK_CLUSTER_ERR_MAX + 32];
    snprintf(kube_reason, sizeof(kube_reason), "no Kubernetes API: %s", kerr);
    if (kc != NULL) {
        struct buf path;
        buf_init(&path, 4096);
        buf_printf(&path, "/apis/apps/v1/namespaces/%s/deployments/%s", ns, cfg->check_workload);
        doc_fetch(kc, buf_ptr(&path), &dep);
        buf_reset(&path);
        buf_printf(&path, "/apis/autoscaling/v2/namespaces/%s/horizontalpodautoscalers", ns);
        doc_fetch(kc, buf_ptr(&path), &hpas);
        buf_reset(&path);
        buf_printf(&path, "/apis/policy/v1/namespaces/%s/poddisruptionbudgets", ns);
        doc_fetch(kc, buf_ptr(&path), &pdbs);
        buf_reset(&path);
        if (dep.json == NULL)
            snprintf(pods.err, sizeof(pods.err), "the Deployment was not read");
        else if (pods_path(ns, dep.json, &path) < 0)
            snprintf(pods.err, sizeof(pods.err), "the Deployment has no matchLabels selector");
        else
            doc_fetch(kc, buf_ptr(&path), &pods);
        buf_fini(&path);
    }
    struct fleet_in f;
    fleet_read(cfg, ns, &f);

    struct cluster_in in = {
        .ns = ns,
        .workload = cfg->check_workload,
        .deployment = dep.json,
        .deployment_err = kc ? dep.err : kube_reason,
        .hpas = hpas.json,
        .hpas_err = kc ? hpas.err : kube_reason,
        .pdbs = pdbs.json,
        .pdbs_err = kc ? pdbs.err : kube_reason,
        .pods = pods.json,
        .pods_err = kc ? pods.err : kube_reason,
        .fleet = f.have_pods ? f.fleet : NULL,
        .nfleet = f.have_pods ? f.pods.n : 0,
        .fleet_err = f.fleet_err[0] ? f.fleet_err : NULL,
        .redis = f.redis,
        .redis_masters = f.masters,
        .redis_masters_with_replica = f.masters_with_replica,
        .redis_err = f.redis_err[0] ? f.redis_err : NULL,
        .drain_ms = cfg->check_drain_ms,
    };
    struct cluster_report r;
    cluster_checks_evaluate(&in, &r);
    json_t *out = report_json(&r, ns, cfg->check_workload, kc ? kube_client_server(kc) : NULL);
    fleet_in_fini(&f);
    json_decref(dep.json);
    json_decref(hpas.json);
    json_decref(pdbs.json);
    json_decref(pods.json);
    kube_client_free(kc);
    return out;
}
