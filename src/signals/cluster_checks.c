/* The cluster checklist: one evaluator per item over the API documents (see the header for the
 * rules). Documents are external input: every field is looked up with its type checked, and a
 * missing or mistyped field reads as absent, never as a crash or a pass. */
#include "signals/cluster_checks.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strparse.h"
#include "core/xalloc.h"
#include "core/banned.h"

/* Zones and regions listed in a message at most. */
#define CLUSTER_MAX_LISTED 8

static const char *const cluster_item_names[CLUSTER_NITEMS] = {
    [CLUSTER_HPA] = "hpa",
    [CLUSTER_RESOURCES] = "resources",
    [CLUSTER_PDB] = "pdb",
    [CLUSTER_ZONES] = "zones",
    [CLUSTER_GRACEFUL_SHUTDOWN] = "graceful_shutdown",
    [CLUSTER_REDIS_HA] = "redis_ha",
    [CLUSTER_INSTANCE_PREFIXES] = "instance_prefixes",
    [CLUSTER_HEALTH_CHECKS] = "health_checks",
    [CLUSTER_REGIONAL_ENDPOINTS] = "regional_endpoints",
};

static const char *const cluster_item_targets[CLUSTER_NITEMS] = {
    [CLUSTER_HPA] = "HPA: cpu 70%, memory 80%, rps",
    [CLUSTER_RESOURCES] = "requests+limits, all",
    [CLUSTER_PDB] = "PDB covers workload",
    [CLUSTER_ZONES] = ">= 2 zones",
    [CLUSTER_GRACEFUL_SHUTDOWN] = "preStop or grace>=drain",
    [CLUSTER_REDIS_HA] = ">= 3 masters+replicas",
    [CLUSTER_INSTANCE_PREFIXES] = "distinct instance ids",
    [CLUSTER_HEALTH_CHECKS] = "readinessProbe, all",
    [CLUSTER_REGIONAL_ENDPOINTS] = "every pod has region",
};

static const char *const cluster_status_names[] = {
    [CLUSTER_PASS] = "pass",
    [CLUSTER_WARN] = "warn",
    [CLUSTER_FAIL] = "fail",
    [CLUSTER_NOT_CHECKABLE] = "not_checkable",
};

const char *cluster_item_name(enum cluster_item_id id)
{
    return (unsigned)id < CLUSTER_NITEMS ? cluster_item_names[id] : "";
}

const char *cluster_item_target(enum cluster_item_id id)
{
    return (unsigned)id < CLUSTER_NITEMS ? cluster_item_targets[id] : "";
}

const char *cluster_status_name(enum cluster_status s)
{
    return (unsigned)s <= CLUSTER_NOT_CHECKABLE ? cluster_status_names[s] : "";
}

__attribute__((format(printf, 3, 4))) static void
verdict(struct cluster_item *it, enum cluster_status st, const char *fmt, ...)
{
    it->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->message, sizeof(it->message), fmt, ap);
    va_end(ap);
}

/* A bounded appender for lists in messages ("app, rizk-metrics"). */
struct text {
    char *p;
    size_t used, cap;
};

__attribute__((format(printf, 2, 3))) static void text_add(struct text *t, const char *fmt, ...)
{
    if (t->used + 1 >= t->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(t->p + t->used, t->cap - t->used, fmt, ap);
    va_end(ap);
    if (w > 0)
        t->used = (size_t)w >= t->cap - t->used ? t->cap - 1 : t->used + (size_t)w;
}

/* ---- typed lookups: a dotted path of object keys; wrong types read as absent ---- */

static const json_t *jpath(const json_t *o, const char *path)
{
    char key[64];
    while (o != NULL && *path != '\0') {
        size_t n = strcspn(path, ".");
        if (n >= sizeof(key) || !json_is_object(o))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_object_get(o, key);
        path += n;
        if (*path == '.')
            path++;
    }
    return o;
}

static const char *jstr(const json_t *o, const char *path)
{
    return json_string_value(jpath(o, path));
}

static bool jint(const json_t *o, const char *path, long long *out)
{
    const json_t *v = jpath(o, path);
    if (!json_is_integer(v))
        return false;
    *out = json_integer_value(v);
    return true;
}

static bool jstreq(const json_t *o, const char *path, const char *want)
{
    const char *s = jstr(o, path);
    return s != NULL && strcmp(s, want) == 0;
}

static const json_t *jitems(const json_t *list)
{
    const json_t *a = json_object_get(list, "items");
    return json_is_array(a) ? a : NULL;
}

static const char *why(const char *err, const char *what)
{
    return err != NULL ? err : what;
}

/* ---- the workload's containers ---- */

/* The containers that run for the pod's life: containers[], and initContainers[] with
 * restartPolicy Always (native sidecars, Kubernetes >= 1.29). */
struct containers {
    const json_t *c[64];
    bool app[64]; /* from containers[] (the app); false for native sidecars */
    size_t n;
};

static void containers_of(const json_t *dep, struct containers *out)
{
    out->n = 0;
    const json_t *spec = jpath(dep, "spec.template.spec");
    const json_t *a = json_object_get(spec, "containers");
    for (size_t i = 0; json_is_array(a) && i < json_array_size(a) && out->n < 64; i++) {
        const json_t *c = json_array_get(a, i);
        if (!json_is_object(c))
            continue;
        out->app[out->n] = true;
        out->c[out->n++] = c;
    }
    a = json_object_get(spec, "initContainers");
    for (size_t i = 0; json_is_array(a) && i < json_array_size(a) && out->n < 64; i++) {
        const json_t *c = json_array_get(a, i);
        if (!json_is_object(c) || !jstreq(c, "restartPolicy", "Always"))
            continue;
        out->app[out->n] = false;
        out->c[out->n++] = c;
    }
}

/* template_containers reads the Deployment's containers into *cs; false (with the item decided
 * not checkable) when there is no readable Deployment or it has no containers. */
static bool template_containers(const struct cluster_in *in, struct cluster_item *it,
                                struct containers *cs)
{
    if (!json_is_object(in->deployment)) {
        verdict(it, CLUSTER_NOT_CHECKABLE, "Deployment not readable: %s",
                why(in->deployment_err, "not an apps/v1 Deployment"));
        return false;
    }
    containers_of(in->deployment, cs);
    if (cs->n == 0) {
        verdict(it, CLUSTER_NOT_CHECKABLE, "the Deployment's pod template has no containers");
        return false;
    }
    return true;
}

static const char *cname(const json_t *c)
{
    const char *n = jstr(c, "name");
    return n != NULL ? n : "?";
}

/* ---- hpa ---- */

static bool hpa_targets(const json_t *h, const char *workload)
{
    return jstreq(h, "spec.scaleTargetRef.kind", "Deployment") &&
           jstreq(h, "spec.scaleTargetRef.name", workload);
}

/* hpa_metric_kind: 0 cpu, 1 memory, 2 rps, -1 other. *target gets the value it aims at. */
static int hpa_metric_kind(const json_t *m, long long *util)
{
    const char *type = jstr(m, "type");
    *util = -1;
    if (type == NULL)
        return -1;
    if (strcmp(type, "Resource") == 0) {
        const char *name = jstr(m, "resource.name");
        if (!jstreq(m, "resource.target.type", "Utilization") || name == NULL)
            return -1;
        jint(m, "resource.target.averageUtilization", util);
        if (strcmp(name, "cpu") == 0)
            return 0;
        if (strcmp(name, "memory") == 0)
            return 1;
        return -1;
    }
    if (strcmp(type, "Pods") == 0 && jstreq(m, "pods.metric.name", CLUSTER_HPA_RPS_METRIC))
        return 2;
    if (strcmp(type, "External") == 0 && jstreq(m, "external.metric.name", CLUSTER_HPA_RPS_METRIC))
        return 2;
    return -1;
}

/* hpa_inactive: the HPA's own ScalingActive=False condition (it cannot read its metrics). */
static const json_t *hpa_inactive(const json_t *h)
{
    const json_t *conds = jpath(h, "status.conditions");
    for (size_t i = 0; json_is_array(conds) && i < json_array_size(conds); i++) {
        const json_t *c = json_array_get(conds, i);
        if (jstreq(c, "type", "ScalingActive") && jstreq(c, "status", "False"))
            return c;
    }
    return NULL;
}

static void check_hpa(const struct cluster_in *in, struct cluster_item *it)
{
    const json_t *items = jitems(in->hpas);
    if (items == NULL) {
        verdict(it, CLUSTER_NOT_CHECKABLE, "HPAs not readable: %s",
                why(in->hpas_err, "not an autoscaling/v2 HorizontalPodAutoscalerList"));
        return;
    }
    const json_t *h = NULL;
    for (size_t i = 0; i < json_array_size(items) && h == NULL; i++)
        if (hpa_targets(json_array_get(items, i), in->workload))
            h = json_array_get(items, i);
    if (h == NULL) {
        verdict(it, CLUSTER_FAIL, "no HorizontalPodAutoscaler targets Deployment %s", in->workload);
        return;
    }
    const char *hname = jstr(h, "metadata.name");
    hname = hname ? hname : "?";
    bool have[3] = {false, false, false};
    long long util[3] = {-1, -1, -1};
    const json_t *metrics = jpath(h, "spec.metrics");
    for (size_t i = 0; json_is_array(metrics) && i < json_array_size(metrics); i++) {
        long long u;
        int k = hpa_metric_kind(json_array_get(metrics, i), &u);
        if (k >= 0) {
            have[k] = true;
            util[k] = u;
        }
    }
    static const char *const names[3] = {"cpu Utilization", "memory Utilization",
                                         "Pods " CLUSTER_HPA_RPS_METRIC};
    char missing[160] = "";
    struct text t = {missing, 0, sizeof(missing)};
    for (int k = 0; k < 3; k++)
        if (!have[k])
            text_add(&t, "%s%s", t.used ? ", " : "", names[k]);
    if (t.used > 0) {
        verdict(it, CLUSTER_WARN, "HPA %s targets %s but lacks the guide's %s", hname, in->workload,
                missing);
        return;
    }
    const json_t *inactive = hpa_inactive(h);
    if (inactive != NULL) {
        const char *r = jstr(inactive, "reason"), *msg = jstr(inactive, "message");
        verdict(it, CLUSTER_WARN, "HPA %s cannot scale: ScalingActive=False %s: %.160s", hname,
                r ? r : "", msg ? msg : "");
        return;
    }
    if (util[0] != CLUSTER_HPA_CPU_TARGET || util[1] != CLUSTER_HPA_MEMORY_TARGET) {
        verdict(it, CLUSTER_PASS, "HPA %s: cpu %lld%%, memory %lld%%, %s (the guide: %d%%, %d%%)",
                hname, util[0], util[1], CLUSTER_HPA_RPS_METRIC, CLUSTER_HPA_CPU_TARGET,
                CLUSTER_HPA_MEMORY_TARGET);
        return;
    }
    verdict(it, CLUSTER_PASS, "HPA %s: cpu %d%%, memory %d%%, %s", hname, CLUSTER_HPA_CPU_TARGET,
            CLUSTER_HPA_MEMORY_TARGET, CLUSTER_HPA_RPS_METRIC);
}

/* ---- resources ---- */

static bool has_quantity(const json_t *c, const char *path)
{
    const char *q = jstr(c, path);
    /* resource quantities are strings in the API ("500m", "1Gi"); numbers appear when a
     * manifest wrote `cpu: 1` and a client sent it as is. */
    return (q != NULL && q[0] != '\0') || json_is_number(jpath(c, path));
}

static void check_resources(const struct cluster_in *in, struct cluster_item *it)
{
    struct containers cs;
    if (!template_containers(in, it, &cs))
        return;
    char noreq[200] = "", nolim[200] = "";
    struct text tr = {noreq, 0, sizeof(noreq)}, tl = {nolim, 0, sizeof(nolim)};
    static const char *const res[2] = {"cpu", "memory"};
    for (size_t i = 0; i < cs.n; i++) {
        for (int r = 0; r < 2; r++) {
            char p[32];
            snprintf(p, sizeof(p), "resources.requests.%s", res[r]);
            if (!has_quantity(cs.c[i], p))
                text_add(&tr, "%s%s %s", tr.used ? ", " : "", cname(cs.c[i]), res[r]);
            snprintf(p, sizeof(p), "resources.limits.%s", res[r]);
            if (!has_quantity(cs.c[i], p))
                text_add(&tl, "%s%s %s", tl.used ? ", " : "", cname(cs.c[i]), res[r]);
        }
    }
    if (tr.used > 0)
        verdict(it, CLUSTER_FAIL,
                "no request for %s (Utilization targets and scheduling need requests)", noreq);
    else if (tl.used > 0)
        verdict(it, CLUSTER_WARN, "requests set; no limit for %s", nolim);
    else
        verdict(it, CLUSTER_PASS, "cpu and memory requests and limits on %s",
                cs.n == 1 ? "the container" : "every container");
}

/* ---- pdb ---- */

/* selector_matches: a metav1.LabelSelector (matchLabels + matchExpressions) against labels. An
 * empty selector matches everything (policy/v1 semantics); a malformed one matches nothing. */
static bool selector_matches(const json_t *sel, const json_t *labels)
{
    if (!json_is_object(sel))
        return false;
    const json_t *ml = json_object_get(sel, "matchLabels");
    const char *k;
    const json_t *v;
    if (ml != NULL) {
        if (!json_is_object(ml))
            return false;
        json_object_foreach((json_t *)(uintptr_t)ml, k, v)
        {
            const char *have = jstr(labels, k);
            if (!json_is_string(v) || have == NULL || strcmp(have, json_string_value(v)) != 0)
                return false;
        }
    }
    const json_t *me = json_object_get(sel, "matchExpressions");
    for (size_t i = 0; json_is_array(me) && i < json_array_size(me); i++) {
        const json_t *e = json_array_get(me, i);
        const char *key = jstr(e, "key"), *op = jstr(e, "operator");
        const json_t *vals = json_object_get(e, "values");
        if (key == NULL || op == NULL)
            return false;
        const char *have = json_string_value(json_object_get(labels, key));
        bool in_vals = false;
        for (size_t j = 0; have != NULL && json_is_array(vals) && j < json_array_size(vals); j++)
            in_vals = in_vals || (json_is_string(json_array_get(vals, j)) &&
                                  strcmp(json_string_value(json_array_get(vals, j)), have) == 0);
        if (strcmp(op, "In") == 0 && !in_vals)
            return false;
        if (strcmp(op, "NotIn") == 0 && in_vals)
            return false;
        if (strcmp(op, "Exists") == 0 && have == NULL)
            return false;
        if (strcmp(op, "DoesNotExist") == 0 && have != NULL)
            return false;
        if (strcmp(op, "In") != 0 && strcmp(op, "NotIn") != 0 && strcmp(op, "Exists") != 0 &&
            strcmp(op, "DoesNotExist") != 0)
            return false;
    }
    return true;
}

/* intstr_scaled: an IntOrString of the PDB against replicas, percentages rounded up as the
 * disruption controller does (GetScaledValueFromIntOrPercent(..., true)). */
static bool intstr_scaled(const json_t *v, long long replicas, long long *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    const char *s = json_string_value(v);
    if (s == NULL)
        return false;
    size_t n = strlen(s);
    if (n < 2 || n > 4 || s[n - 1] != '%')
        return false;
    char num[4] = {0};
    memcpy(num, s, n - 1);
    const char *c = num;
    uint64_t pct;
    if (sp_u64(&c, &pct) < 0 || *c != '\0' || pct > 100)
        return false;
    *out = ((long long)pct * replicas + 99) / 100;
    return true;
}

static void check_pdb(const struct cluster_in *in, struct cluster_item *it)
{
    const json_t *items = jitems(in->pdbs);
    if (items == NULL) {
        verdict(it, CLUSTER_NOT_CHECKABLE, "PodDisruptionBudgets not readable: %s",
                why(in->pdbs_err, "not a policy/v1 PodDisruptionBudgetList"));
        return;
    }
    const json_t *labels = jpath(in->deployment, "spec.template.metadata.labels");
    if (!json_is_object(labels)) {
        verdict(it, CLUSTER_NOT_CHECKABLE, "Deployment not readable: %s",
                why(in->deployment_err, "no pod template labels"));
        return;
    }
    const json_t *p = NULL;
    for (size_t i = 0; i < json_array_size(items) && p == NULL; i++)
        if (selector_matches(jpath(json_array_get(items, i), "spec.selector"), labels))
            p = json_array_get(items, i);
    if (p == NULL) {
        verdict(it, CLUSTER_FAIL, "no PodDisruptionBudget selects the pods of %s", in->workload);
        return;
    }
    const char *pname = jstr(p, "metadata.name");
    pname = pname ? pname : "?";
    long long replicas = 1, v;
    jint(in->deployment, "spec.replicas", &replicas);
    const json_t *min = jpath(p, "spec.minAvailable"), *max = jpath(p, "spec.maxUnavailable");
    long long allowed;
    if (max != NULL && intstr_scaled(max, replicas, &v))
        allowed = v;
    else if (min != NULL && intstr_scaled(min, replicas, &v))
        allowed = replicas - v;
    else if (min == NULL && max == NULL)
        allowed = replicas; /* neither set: the API defaults nothing; evictions unlimited */
    else {
        verdict(it, CLUSTER_WARN, "PDB %s covers %s, but its budget is not a number or percent",
                pname, in->workload);
        return;
    }
    if (allowed <= 0) {
        verdict(it, CLUSTER_WARN,
                "PDB %s covers %s but allows no eviction at %lld replicas (node drains block)",
                pname, in->workload, replicas);
        return;
    }
    verdict(it, CLUSTER_PASS, "PDB %s covers %s: %lld of %lld replicas may be evicted at once",
            pname, in->workload, allowed > replicas ? replicas : allowed, replicas);
}

/* ---- the workload's fleet pods ---- */

/* pod_in_list: the pod is one of the PodList's (the workload's pods). Without a list, by name:
 * a Deployment's pods are called <deployment>-<template hash>-<suffix>. */
static bool pod_in_list(const json_t *pods, const char *workload, const char *name)
{
    const json_t *items = jitems(pods);
    if (items == NULL) {
        size_t n = strlen(workload);
        return name != NULL && strncmp(name, workload, n) == 0 && name[n] == '-';
    }
    for (size_t i = 0; i < json_array_size(items); i++)
        if (name != NULL && jstreq(json_array_get(items, i), "metadata.name", name))
            return true;
    return false;
}

/* add_distinct appends s to set (n of cap) unless present; returns the new count. */
static size_t add_distinct(const char **set, size_t n, size_t cap, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(set[i], s) == 0)
            return n;
    if (n < cap)
        set[n++] = s;
    return n;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* list_names appends the names sorted (the fleet's order is publish time: not stable). */
static void list_names(struct text *t, const char **set, size_t n)
{
    qsort(set, n, sizeof(*set), cmp_name);
    for (size_t i = 0; i < n && i < CLUSTER_MAX_LISTED; i++)
        text_add(t, "%s%s", i ? ", " : "", set[i]);
    if (n > CLUSTER_MAX_LISTED)
        text_add(t, ", ...");
}

static void check_zones(const struct cluster_in *in, struct cluster_item *it)
{
    const char *zones[64];
    size_t nz = 0, known = 0, total = 0;
    const char *source = "fleet";
    for (size_t i = 0; in->fleet != NULL && i < in->nfleet; i++) {
        if (!pod_in_list(in->pods, in->workload, in->fleet[i].pod))
            continue;
        total++;
        if (in->fleet[i].zone != NULL && in->fleet[i].zone[0] != '\0') {
            known++;
            nz = add_distinct(zones, nz, 64, in->fleet[i].zone);
        }
    }
    if (known == 0) {
        /* No sidecar publishes a zone: the pods' own topology label, if a policy sets it. */
        const json_t *items = jitems(in->pods);
        total = items ? json_array_size(items) : 0;
        for (size_t i = 0; i < total; i++) {
            const json_t *labels = jpath(json_array_get(items, i), "metadata.labels");
            const char *z =
                json_string_value(json_object_get(labels, "topology.kubernetes.io/zone"));
            if (z != NULL && z[0] != '\0') {
                known++;
                nz = add_distinct(zones, nz, 64, z);
            }
        }
        source = "pod labels";
    }
    if (known == 0) {
        verdict(it, CLUSTER_NOT_CHECKABLE,
                "no pod of %s has a zone (set --pod.zone or the topology.kubernetes.io/zone label "
                "in the sidecar's labels file)%s%s",
                in->workload, in->fleet_err ? "; fleet: " : "", in->fleet_err ? in->fleet_err : "");
        return;
    }
    char list[200] = "";
    struct text t = {list, 0, sizeof(list)};
    list_names(&t, zones, nz);
    if (nz >= CLUSTER_MIN_ZONES)
        verdict(it, CLUSTER_PASS, "%zu pods over %zu zones (%s; from the %s)", known, nz, list,
                source);
    else if (known < total)
        verdict(it, CLUSTER_WARN, "%zu of %zu pods in zone %s, the others' zone unknown", known,
                total, list);
    else
        verdict(it, CLUSTER_FAIL, "%s in one zone (%s): a zone outage takes %s down",
                known == 1 ? "its only pod is" : "all its pods are", list, in->workload);
}

static void check_instance_prefixes(const struct cluster_in *in, struct cluster_item *it)
{
    if (in->fleet == NULL) {
        verdict(it, CLUSTER_NOT_CHECKABLE, "fleet registry not readable: %s",
                why(in->fleet_err, "no Redis configured"));
        return;
    }
    const char **ids = xcalloc(in->nfleet ? in->nfleet : 1, sizeof(*ids));
    size_t total = 0;
    for (size_t i = 0; i < in->nfleet; i++) {
        if (!pod_in_list(in->pods, in->workload, in->fleet[i].pod))
            continue;
        const char *id = in->fleet[i].instance_id;
        if (id == NULL || id[0] == '\0')
            id = in->fleet[i].pod ? in->fleet[i].pod : "";
        ids[total++] = id;
    }
    qsort(ids, total, sizeof(*ids), cmp_name);
    size_t distinct = 0;
    const char *dup = NULL;
    for (size_t i = 0; i < total; i++) {
        if (i == 0 || strcmp(ids[i], ids[i - 1]) != 0)
            distinct++;
        else if (dup == NULL)
            dup = ids[i];
    }
    const json_t *items = jitems(in->pods);
    size_t running = items ? json_array_size(items) : total;
    if (total == 0)
        verdict(it, CLUSTER_NOT_CHECKABLE, "no pod of %s publishes to the fleet registry",
                in->workload);
    else if (dup != NULL)
        verdict(it, CLUSTER_FAIL,
                "%zu pods but %zu instance ids (%s is shared): their <prefix>{<instance>}: keys "
                "collide; give each pod its own INSTANCE_ID or let it default to the pod name",
                total, distinct, dup);
    else if (total < running)
        verdict(it, CLUSTER_WARN, "%zu distinct instance ids, but only %zu of %zu pods publish",
                distinct, total, running);
    else
        verdict(it, CLUSTER_PASS, "%zu pod%s, %zu distinct instance id%s", total,
                total == 1 ? "" : "s", distinct, distinct == 1 ? "" : "s");
    free(ids);
}

static void check_regions(const struct cluster_in *in, struct cluster_item *it)
{
    if (in->fleet == NULL) {
        verdict(it, CLUSTER_NOT_CHECKABLE, "fleet registry not readable: %s",
                why(in->fleet_err, "no Redis configured"));
        return;
    }
    const char *regions[64], *without[64];
    size_t nr = 0, nw = 0, total = 0, with = 0;
    for (size_t i = 0; i < in->nfleet; i++) {
        if (!pod_in_list(in->pods, in->workload, in->fleet[i].pod))
            continue;
        total++;
        if (in->fleet[i].region != NULL && in->fleet[i].region[0] != '\0') {
            with++;
            nr = add_distinct(regions, nr, 64, in->fleet[i].region);
        } else if (in->fleet[i].pod != NULL) {
            nw = add_distinct(without, nw, 64, in->fleet[i].pod);
        }
    }
    if (total == 0) {
        verdict(it, CLUSTER_NOT_CHECKABLE, "no pod of %s publishes to the fleet registry",
                in->workload);
        return;
    }
    char list[200] = "";
    struct text t = {list, 0, sizeof(list)};
    if (with == total) {
        list_names(&t, regions, nr);
        verdict(it, CLUSTER_PASS, "%s %zu pod%s carr%s a region (%s)", total == 1 ? "the" : "all",
                total, total == 1 ? "" : "s", total == 1 ? "ies" : "y", list);
    } else if (with > 0) {
        list_names(&t, without, nw);
        verdict(it, CLUSTER_WARN, "%zu of %zu pods carry no region: %s", total - with, total, list);
    } else {
        verdict(it, CLUSTER_FAIL,
                "no pod carries a region (set --pod.region or the topology.kubernetes.io/region "
                "label)");
    }
}

/* ---- graceful shutdown and health checks ---- */

static void check_shutdown(const struct cluster_in *in, struct cluster_item *it)
{
    struct containers cs;
    if (!template_containers(in, it, &cs))
        return;
    size_t napp = 0, hooked = 0;
    for (size_t i = 0; i < cs.n; i++) {
        if (!cs.app[i])
            continue;
        napp++;
        hooked += json_is_object(jpath(cs.c[i], "lifecycle.preStop"));
    }
    if (napp == 0) {
        verdict(it, CLUSTER_NOT_CHECKABLE, "the Deployment's pod template has no containers");
        return;
    }
    long long grace = CLUSTER_DEFAULT_GRACE_S;
    bool explicit_grace =
        jint(in->deployment, "spec.template.spec.terminationGracePeriodSeconds", &grace);
    long long drain_s = (in->drain_ms + 999) / 1000;
    if (hooked == napp) {
        verdict(it, CLUSTER_PASS, "preStop hook on every app container, grace period %llds", grace);
        return;
    }
    if (explicit_grace && grace >= drain_s) {
        verdict(it, CLUSTER_PASS, "terminationGracePeriodSeconds %lld >= drain time %llds", grace,
                drain_s);
        return;
    }
    if (!explicit_grace && grace >= drain_s) {
        verdict(it, CLUSTER_WARN,
                "no preStop hook and no terminationGracePeriodSeconds: relies on the %ds default "
                "(drain time %llds)",
                CLUSTER_DEFAULT_GRACE_S, drain_s);
        return;
    }
    verdict(it, CLUSTER_FAIL,
            "no preStop hook and a grace period of %llds, shorter than the drain time %llds: "
            "in-flight requests are cut",
            grace, drain_s);
}

static void check_health(const struct cluster_in *in, struct cluster_item *it)
{
    struct containers cs;
    if (!template_containers(in, it, &cs))
        return;
    size_t napp = 0, probed = 0;
    char missing[200] = "";
    struct text t = {missing, 0, sizeof(missing)};
    for (size_t i = 0; i < cs.n; i++) {
        if (!cs.app[i])
            continue;
        napp++;
        if (json_is_object(jpath(cs.c[i], "readinessProbe")))
            probed++;
        else
            text_add(&t, "%s%s", t.used ? ", " : "", cname(cs.c[i]));
    }
    if (napp == 0)
        verdict(it, CLUSTER_NOT_CHECKABLE, "the Deployment's pod template has no containers");
    else if (probed == napp)
        verdict(it, CLUSTER_PASS, "readinessProbe on %s",
                napp == 1 ? "the app container" : "every app container");
    else if (probed > 0)
        verdict(it, CLUSTER_WARN, "no readinessProbe on %s", missing);
    else
        verdict(it, CLUSTER_FAIL,
                "no readinessProbe on any app container: the Service sends traffic to pods "
                "that are not ready");
}

/* ---- redis ---- */

static void check_redis(const struct cluster_in *in, struct cluster_item *it)
{
    switch (in->redis) {
    case CLUSTER_REDIS_NOT_CONFIGURED:
        verdict(it, CLUSTER_NOT_CHECKABLE,
                "no Redis configured (--redis.addr, --redis.cluster-nodes, REDIS_URL)");
        return;
    case CLUSTER_REDIS_UNREACHABLE:
        verdict(it, CLUSTER_NOT_CHECKABLE, "Redis topology not readable: %s",
                why(in->redis_err, "unreachable"));
        return;
    case CLUSTER_REDIS_STANDALONE:
        verdict(it, CLUSTER_WARN,
                "standalone Redis: a single point of failure (the guide runs a Redis Cluster of "
                ">= %d masters, each with a replica)",
                CLUSTER_REDIS_MASTERS);
        return;
    case CLUSTER_REDIS_CLUSTER:
        break;
    }
    unsigned m = in->redis_masters, r = in->redis_masters_with_replica;
    if (m < CLUSTER_REDIS_MASTERS)
        verdict(it, CLUSTER_FAIL, "Redis Cluster of %u master%s, fewer than %d", m,
                m == 1 ? "" : "s", CLUSTER_REDIS_MASTERS);
    else if (r < m)
        verdict(it, CLUSTER_WARN, "%u of %u masters have no replica: losing one loses its slots",
                m - r, m);
    else
        verdict(it, CLUSTER_PASS, "Redis Cluster: %u masters, each with a replica", m);
}

void cluster_checks_evaluate(const struct cluster_in *in, struct cluster_report *out)
{
    static void (*const eval[CLUSTER_NITEMS])(const struct cluster_in *, struct cluster_item *) = {
        [CLUSTER_HPA] = check_hpa,
        [CLUSTER_RESOURCES] = check_resources,
        [CLUSTER_PDB] = check_pdb,
        [CLUSTER_ZONES] = check_zones,
        [CLUSTER_GRACEFUL_SHUTDOWN] = check_shutdown,
        [CLUSTER_REDIS_HA] = check_redis,
        [CLUSTER_INSTANCE_PREFIXES] = check_instance_prefixes,
        [CLUSTER_HEALTH_CHECKS] = check_health,
        [CLUSTER_REGIONAL_ENDPOINTS] = check_regions,
    };
    struct cluster_report r;
    memset(&r, 0, sizeof(r));
    for (int i = 0; i < CLUSTER_NITEMS; i++) {
        r.items[i].id = (enum cluster_item_id)i;
        eval[i](in, &r.items[i]);
        switch (r.items[i].status) {
        case CLUSTER_PASS:
            r.pass++;
            break;
        case CLUSTER_WARN:
            r.warn++;
            break;
        case CLUSTER_FAIL:
            r.fail++;
            break;
        case CLUSTER_NOT_CHECKABLE:
            r.not_checkable++;
            break;
        }
    }
    r.ready = r.fail == 0;
    r.strict_ready = r.fail == 0 && r.warn == 0;
    *out = r;
}
