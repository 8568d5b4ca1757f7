/* The adapter's self-metrics: fixed label sets (path classes, status codes, auth results) as
 * arrays of padded atomics, so counting is lock-free and the series are bounded by design;
 * users, the one open-ended label, go through a small capped table. */
#include "k8s/selfmetrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/version.h"
#include "core/xalloc.h"
#include "render/escape.h"
#include "core/banned.h"

/* one counter per cache line: MHD's threads bump neighbouring counters concurrently */
struct sm_counter {
    _Atomic uint64_t v;
    char _pad[64 - sizeof(uint64_t)];
};

enum sm_path {
    SM_HEALTHZ,
    SM_LIVEZ,
    SM_READYZ,
    SM_VERSION,
    SM_OPENAPI,
    SM_DISCOVERY,
    SM_CUSTOM,
    SM_EXTERNAL,
    SM_FLEET,
    SM_METRICS,
    SM_INVALID,
    SM_OTHER,
    SM_NPATHS
};
static const char *const sm_path_names[SM_NPATHS] = {
    "healthz",          "livez", "readyz",  "version", "openapi", "discovery", "custom_metrics",
    "external_metrics", "fleet", "metrics", "invalid", "other"};

static const unsigned sm_codes[] = {200, 400, 401, 403, 404, 405, 413, 429, 500, 503};
#define SM_NCODES (sizeof(sm_codes) / sizeof(sm_codes[0]) + 1) /* + "other" */

/* seconds; the HPA's queries take about a millisecond, a Redis timeout 200 ms */
static const double sm_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                   0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define SM_NBOUNDS (sizeof(sm_bounds) / sizeof(sm_bounds[0]))

struct sm_hist {
    struct sm_counter bucket[SM_NBOUNDS + 1]; /* non-cumulative; the last is +Inf */
    struct sm_counter sum_ns;
};

enum sm_auth {
    SM_AUTH_FRONT_PROXY,
    SM_AUTH_CLIENT_CERT,
    SM_AUTH_TOKEN,
    SM_AUTH_INSECURE,
    SM_AUTH_ANONYMOUS,
    SM_AUTH_OTHER,
    SM_AUTH_REFUSED,
    SM_NAUTH
};
/* the auth_identity.via values, then the two of this module */
static const char *const sm_auth_names[SM_NAUTH] = {
    "front-proxy", "client-cert", "token", "insecure-http", "anonymous", "other", "refused"};

struct sm_user {
    char *name;
    struct sm_counter n;
};

struct k8s_selfmetrics {
    int64_t start_ms;
    struct sm_counter requests[SM_NPATHS][SM_NCODES];
    struct sm_hist latency[SM_NPATHS];
    struct sm_counter inflight;
    struct sm_counter auth[SM_NAUTH];
    struct sm_counter authz_allowed, authz_denied;
    struct sm_counter redis_ok, redis_err;
    struct sm_hist redis_latency;
    pthread_mutex_t users_mu;
    struct sm_user users[K8S_SELFMETRICS_MAX_USERS];
    size_t nusers; /* under users_mu; entries are never removed */
    struct sm_counter users_other;
};

static void sm_inc(struct sm_counter *c, uint64_t n)
{
    atomic_fetch_add_explicit(&c->v, n, memory_order_relaxed);
}

static uint64_t sm_get(const struct sm_counter *c)
{
    return atomic_load_explicit(&c->v, memory_order_relaxed);
}

struct k8s_selfmetrics *k8s_selfmetrics_new(int64_t start_ms)
{
    struct k8s_selfmetrics *m = xcalloc(1, sizeof(*m));
    m->start_ms = start_ms;
    pthread_mutex_init(&m->users_mu, NULL);
    return m;
}

void k8s_selfmetrics_free(struct k8s_selfmetrics *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->nusers; i++)
        free(m->users[i].name);
    pthread_mutex_destroy(&m->users_mu);
    free(m);
}

void k8s_selfmetrics_begin(struct k8s_selfmetrics *m)
{
    sm_inc(&m->inflight, 1);
}

static enum sm_path sm_path_of(const struct k8s_request_obs *o)
{
    if (o->self_metrics)
        return SM_METRICS;
    switch (o->kind) {
    case K8S_ROUTE_HEALTHZ:
        return SM_HEALTHZ;
    case K8S_ROUTE_LIVEZ:
        return SM_LIVEZ;
    case K8S_ROUTE_READYZ:
        return SM_READYZ;
    case K8S_ROUTE_VERSION:
        return SM_VERSION;
    case K8S_ROUTE_OPENAPI:
        return SM_OPENAPI;
    case K8S_ROUTE_APIS:
    case K8S_ROUTE_GROUP:
    case K8S_ROUTE_RESOURCES:
        return SM_DISCOVERY;
    case K8S_ROUTE_PODS_METRIC:
    case K8S_ROUTE_OTHER_OBJECT:
        return SM_CUSTOM;
    case K8S_ROUTE_EXTERNAL:
        return SM_EXTERNAL;
    case K8S_ROUTE_FLEET:
        return SM_FLEET;
    case K8S_ROUTE_BAD_NAME:
        return SM_INVALID;
    default:
        return SM_OTHER;
    }
}

static size_t sm_code_index(unsigned status)
{
    for (size_t i = 0; i < SM_NCODES - 1; i++)
        if (sm_codes[i] == status)
            return i;
    return SM_NCODES - 1;
}

static void sm_observe_hist(struct sm_hist *h, int64_t ns)
{
    if (ns < 0)
        ns = 0;
    double s = (double)ns / 1e9;
    size_t i = 0;
    while (i < SM_NBOUNDS && s > sm_bounds[i])
        i++;
    sm_inc(&h->bucket[i], 1);
    sm_inc(&h->sum_ns, (uint64_t)ns);
}

static void sm_count_user(struct k8s_selfmetrics *m, const char *user)
{
    pthread_mutex_lock(&m->users_mu);
    struct sm_counter *c = NULL;
    for (size_t i = 0; i < m->nusers && c == NULL; i++)
        if (strcmp(m->users[i].name, user) == 0)
            c = &m->users[i].n;
    if (c == NULL && m->nusers < K8S_SELFMETRICS_MAX_USERS) {
        m->users[m->nusers].name = xstrdup(user);
        c = &m->users[m->nusers].n;
        m->nusers++;
    }
    pthread_mutex_unlock(&m->users_mu);
    sm_inc(c != NULL ? c : &m->users_other, 1);
}

static enum sm_auth sm_auth_of(const char *via)
{
    for (int i = 0; i < SM_AUTH_OTHER; i++)
        if (strcmp(via, sm_auth_names[i]) == 0)
            return (enum sm_auth)i;
    return SM_AUTH_OTHER;
}

void k8s_selfmetrics_observe(struct k8s_selfmetrics *m, const struct k8s_request_obs *o)
{
    enum sm_path p = sm_path_of(o);
    sm_inc(&m->requests[p][sm_code_index(o->status)], 1);
    sm_observe_hist(&m->latency[p], o->duration_ns);
    if (o->user != NULL) {
        sm_count_user(m, o->user);
        sm_inc(&m->auth[sm_auth_of(o->via != NULL ? o->via : "")], 1);
        if (o->status == 403)
            sm_inc(&m->authz_denied, 1);
        else if (p == SM_CUSTOM || p == SM_EXTERNAL || p == SM_FLEET || p == SM_METRICS)
            sm_inc(&m->authz_allowed, 1);
    } else if (o->refused) {
        sm_inc(&m->auth[SM_AUTH_REFUSED], 1);
    }
    atomic_fetch_sub_explicit(&m->inflight.v, 1, memory_order_relaxed);
}

void k8s_selfmetrics_redis(struct k8s_selfmetrics *m, int rc, int64_t duration_ns)
{
    sm_inc(rc < 0 ? &m->redis_err : &m->redis_ok, 1);
    sm_observe_hist(&m->redis_latency, duration_ns);
}

/* --- rendering ---------------------------------------------------------------------------- */

static int sm_head(struct buf *b, const char *name, const char *type, const char *help)
{
    return buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* sm_hist_render writes one histogram's series; labels is "" or `path="x",`. */
static int sm_hist_render(struct buf *b, const char *name, const char *labels,
                          const struct sm_hist *h)
{
    uint64_t cum = 0;
    int rc = 0;
    for (size_t i = 0; i <= SM_NBOUNDS && rc == 0; i++) {
        cum += sm_get(&h->bucket[i]);
        if (i < SM_NBOUNDS)
            rc = buf_printf(b, "%s_bucket{%sle=\"%g\"} %llu\n", name, labels, sm_bounds[i],
                            (unsigned long long)cum);
        else
            rc = buf_printf(b, "%s_bucket{%sle=\"+Inf\"} %llu\n", name, labels,
                            (unsigned long long)cum);
    }
    size_t n = strlen(labels);
    /* labels without the trailing comma for _sum and _count */
    if (rc == 0)
        rc = buf_printf(b, "%s_sum%s%.*s%s %.9g\n", name, n ? "{" : "", (int)(n ? n - 1 : 0),
                        labels, n ? "}" : "", (double)sm_get(&h->sum_ns) / 1e9);
    if (rc == 0)
        rc = buf_printf(b, "%s_count%s%.*s%s %llu\n", name, n ? "{" : "", (int)(n ? n - 1 : 0),
                        labels, n ? "}" : "", (unsigned long long)cum);
    return rc;
}

static uint64_t sm_hist_count(const struct sm_hist *h)
{
    uint64_t n = 0;
    for (size_t i = 0; i <= SM_NBOUNDS; i++)
        n += sm_get(&h->bucket[i]);
    return n;
}

static int sm_render_requests(struct k8s_selfmetrics *m, struct buf *b)
{
    int rc = sm_head(b, "rizk_adapter_requests_total", "counter",
                     "Requests answered, by path class and HTTP status code.");
    for (size_t p = 0; p < SM_NPATHS && rc == 0; p++)
        for (size_t c = 0; c < SM_NCODES && rc == 0; c++) {
            uint64_t v = sm_get(&m->requests[p][c]);
            if (v == 0)
                continue;
            if (c < SM_NCODES - 1)
                rc = buf_printf(b, "rizk_adapter_requests_total{path=\"%s\",code=\"%u\"} %llu\n",
                                sm_path_names[p], sm_codes[c], (unsigned long long)v);
            else
                rc = buf_printf(b, "rizk_adapter_requests_total{path=\"%s\",code=\"other\"} %llu\n",
                                sm_path_names[p], (unsigned long long)v);
        }
    if (rc == 0)
        rc = sm_head(b, "rizk_adapter_request_duration_seconds", "histogram",
                     "Time from routing a request to handing its answer to the server.");
    for (size_t p = 0; p < SM_NPATHS && rc == 0; p++) {
        if (sm_hist_count(&m->latency[p]) == 0)
            continue;
        char labels[64];
        snprintf(labels, sizeof(labels), "path=\"%s\",", sm_path_names[p]);
        rc = sm_hist_render(b, "rizk_adapter_request_duration_seconds", labels, &m->latency[p]);
    }
    if (rc == 0)
        rc = sm_head(b, "rizk_adapter_requests_in_flight", "gauge", "Requests being answered now.");
    if (rc == 0)
        rc = buf_printf(b, "rizk_adapter_requests_in_flight %llu\n",
                        (unsigned long long)sm_get(&m->inflight));
    return rc;
}

static int sm_render_users(struct k8s_selfmetrics *m, struct buf *b)
{
    int rc = sm_head(b, "rizk_adapter_user_requests_total", "counter",
                     "Authenticated requests by user (the first 32 users; later ones as ~other).");
    pthread_mutex_lock(&m->users_mu);
    for (size_t i = 0; i < m->nusers && rc == 0; i++) {
        rc = buf_adds(b, "rizk_adapter_user_requests_total{user=\"");
        if (rc == 0)
            rc = escape_label_value(b, m->users[i].name, strlen(m->users[i].name));
        if (rc == 0)
            rc = buf_printf(b, "\"} %llu\n", (unsigned long long)sm_get(&m->users[i].n));
    }
    pthread_mutex_unlock(&m->users_mu);
    uint64_t other = sm_get(&m->users_other);
    if (rc == 0 && other > 0)
        rc = buf_printf(b, "rizk_adapter_user_requests_total{user=\"~other\"} %llu\n",
                        (unsigned long long)other);
    return rc;
}

/* sm_pair writes the two samples of a counter with a two-valued label. */
static int sm_pair(struct buf *b, const char *name, const char *label, const char *v1,
                   const struct sm_counter *c1, const char *v2, const struct sm_counter *c2)
{
    int rc = buf_printf(b, "%s{%s=\"%s\"} %llu\n", name, label, v1, (unsigned long long)sm_get(c1));
    if (rc == 0)
        rc = buf_printf(b, "%s{%s=\"%s\"} %llu\n", name, label, v2, (unsigned long long)sm_get(c2));
    return rc;
}

static int sm_render_auth(struct k8s_selfmetrics *m, struct buf *b)
{
    int rc = sm_head(b, "rizk_adapter_authentications_total", "counter",
                     "Identities established, by how (front-proxy, client-cert, ...), and "
                     "refusals (result=\"refused\": 401).");
    for (size_t i = 0; i < SM_NAUTH && rc == 0; i++)
        rc = buf_printf(b, "rizk_adapter_authentications_total{result=\"%s\"} %llu\n",
                        sm_auth_names[i], (unsigned long long)sm_get(&m->auth[i]));
    if (rc == 0)
        rc = sm_head(b, "rizk_adapter_authorizations_total", "counter",
                     "Authorization decisions on metric reads and /metrics (denied: 403).");
    if (rc == 0)
        rc = sm_pair(b, "rizk_adapter_authorizations_total", "decision", "allowed",
                     &m->authz_allowed, "denied", &m->authz_denied);
    return rc;
}

static int sm_render_redis(struct k8s_selfmetrics *m, struct buf *b)
{
    int rc = sm_head(b, "rizk_adapter_redis_queries_total", "counter",
                     "Fleet-registry queries (ZRANGEBYSCORE + MGET round trips), by result.");
    if (rc == 0)
        rc = sm_pair(b, "rizk_adapter_redis_queries_total", "result", "ok", &m->redis_ok, "error",
                     &m->redis_err);
    if (rc == 0)
        rc = sm_head(b, "rizk_adapter_redis_query_duration_seconds", "histogram",
                     "Duration of one fleet-registry query.");
    if (rc == 0)
        rc = sm_hist_render(b, "rizk_adapter_redis_query_duration_seconds", "", &m->redis_latency);
    return rc;
}

int k8s_selfmetrics_render(struct k8s_selfmetrics *m, struct buf *out)
{
    int rc = sm_render_requests(m, out);
    if (rc == 0)
        rc = sm_render_users(m, out);
    if (rc == 0)
        rc = sm_render_auth(m, out);
    if (rc == 0)
        rc = sm_render_redis(m, out);
    if (rc == 0)
        rc = sm_head(out, "rizk_adapter_build_info", "gauge",
                     "The adapter's version and revision (always 1).");
    if (rc == 0)
        rc = buf_printf(out, "rizk_adapter_build_info{version=\"%s\",revision=\"%s\"} 1\n",
                        RIZK_VERSION, RIZK_REVISION);
    if (rc == 0)
        rc = sm_head(out, "process_start_time_seconds", "gauge",
                     "Start time of the process since the Unix epoch in seconds.");
    if (rc == 0)
        rc = buf_printf(out, "process_start_time_seconds %.3f\n", (double)m->start_ms / 1e3);
    return rc;
}
