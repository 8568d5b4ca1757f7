/* The adapter (rizk-metrics adapter): wires config -> TLS credentials -> Redis client pool ->
 * the custom/external metrics handler (k8s/serve) -> the HTTPS server, then waits for signals.
 *
 * DESIGN. No sampler and no collectors: the adapter only reads the fleet registry the
 * sidecars publish. Each request runs its two Redis round trips on the MHD thread that serves
 * it, with a client borrowed from a pool (one per HTTP thread), so queries proceed in
 * parallel and a Redis outage costs one bounded failure per request (503, the HPA keeps its
 * replica count). main blocks the signals in every thread and sigwaits: SIGHUP reloads the
 * certificates and CAs (new handshakes use them, established connections keep theirs),
 * SIGTERM/SIGINT drain and exit. */
#include "adapter.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "config/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/procsig.h"
#include "core/version.h"
#include "http/auth.h"
#include "http/server.h"
#include "http/tls.h"
#include "io/redis_pool.h"
#include "k8s/auth_setup.h"
#include "k8s/serve.h"
#include "parse/redis_url.h"
#include "core/banned.h"

/* Each 1000-pod query allocates and frees about half a megabyte (the MGET reply, the decoded
 * snapshots, the JSON body). With glibc's defaults the freed top of each thread's heap is
 * returned to the kernel (madvise) and faulted back in by the next query, and bodies above the
 * mmap threshold are mapped and unmapped each time: page faults were a seventh of the CPU time
 * of a query. Keeping up to this much freed memory per arena, and serving such blocks from the
 * heap, makes the working set stay resident: memory plateaus at the busiest request's size
 * per HTTP thread instead of churning. */
#define ADAPTER_MALLOC_KEEP (16 << 20)
#define ADAPTER_MALLOC_MMAP_MIN (8 << 20)
#define ADAPTER_TRIM_S 10
/* The shared fleet views are built by whichever HTTP thread refreshes them; with an arena per
 * thread each arena kept its own high-water mark of a view (and the trim threshold above keeps
 * it), so RSS crept up with every thread that happened to refresh. Two arenas bound that while
 * the request path (answers sent from the views' memo, zero-copy) barely allocates. */
#define ADAPTER_MALLOC_ARENAS 2

/* SIGTERM must end the process within 5 s: 4 s for in-flight requests, the rest for teardown. */
#define ADAPTER_DRAIN_MS 4000

struct adapter {
    const struct config *cfg; /* the effective one: auth.eff */
    struct auth_setup auth;
    struct tls_store *tls;
    struct redis_pool *pool;
    struct auth_policy *policy;
    struct k8s_serve *serve;
    struct http_server *http;
};

static void adapter_free(struct adapter *a)
{
    http_server_stop(a->http, ADAPTER_DRAIN_MS);
    k8s_serve_free(a->serve);
    redis_pool_free(a->pool);
    auth_policy_free(a->policy);
    tls_store_free(a->tls);
    auth_setup_fini(&a->auth);
}

static int adapter_tls(struct adapter *a)
{
    const struct config *cfg = a->cfg;
    if (cfg->insecure_http) {
        log_warn("adapter", "INSECURE: --insecure-http serves plain HTTP with NO authentication: "
                            "anyone who reaches the port reads every metric. For local tests "
                            "only; never in a cluster.");
        return 0;
    }
    /* --tls-min-version and --tls-cipher-suites as kube-apiserver spells them */
    struct tls_policy pol = {.client_auth = TLS_CLIENT_AUTH_ADAPTER};
    char suites_buf[2048] = "";
    const char *suites[64];
    snprintf(suites_buf, sizeof(suites_buf), "%s",
             cfg->tls_cipher_suites != NULL ? cfg->tls_cipher_suites : "");
    for (char *save = NULL, *t = strtok_r(suites_buf, ", \t", &save);
         t != NULL && pol.nciphers < 64; t = strtok_r(NULL, ", \t", &save))
        suites[pol.nciphers++] = t;
    pol.cipher_suites = suites;
    if (cfg->tls_min_version != NULL)
        tls_version_parse(cfg->tls_min_version, &pol.min_version); /* an enum: checked */
    char why[512], prio[1024];
    int rc = tls_priority_build(&pol, prio, sizeof(prio), why, sizeof(why));
    if (rc < 0) {
        log_error("adapter", "invalid value for --tls-cipher-suites: %s", why);
        return -EINVAL;
    }
    struct tls_files f = {cfg->tls_cert_file, cfg->tls_key_file, cfg->client_ca_file,
                          cfg->requestheader_client_ca_file, &pol};
    rc = tls_store_new(&f, &a->tls, why, sizeof(why));
    if (rc < 0) {
        log_error("adapter", "cannot load the TLS credentials: %s", why);
        return rc;
    }
    struct tls_creds *c = tls_store_acquire(a->tls);
    char desc[512];
    tls_creds_describe(c, desc, sizeof(desc));
    log_info("adapter", "serving certificate %s", desc);
    tls_creds_describe_suites(c, desc, sizeof(desc));
    log_info("adapter", "TLS %s minimum; TLS 1.2 cipher suites %s",
             cfg->tls_min_version != NULL ? cfg->tls_min_version : "VersionTLS12", desc);
    if (!tls_creds_requests_cert(c) && a->auth.authn == NULL)
        log_warn("adapter", "neither --client-ca-file nor --requestheader-client-ca-file is set "
                            "and no kube-apiserver reviews tokens: no client can authenticate, "
                            "every data request will be refused");
    tls_creds_release(c);
    return 0;
}

static void adapter_reload(void *arg)
{
    struct adapter *a = arg;
    if (a->tls == NULL) {
        log_info("adapter", "SIGHUP: nothing to reload (--insecure-http)");
        return;
    }
    char why[512];
    int rc = tls_store_reload(a->tls, why, sizeof(why));
    if (rc < 0) {
        log_error("adapter", "SIGHUP: reload failed, the previous certificates stay in use: %s",
                  why);
        return;
    }
    struct tls_creds *c = tls_store_acquire(a->tls);
    char desc[512];
    tls_creds_describe(c, desc, sizeof(desc));
    tls_creds_release(c);
    log_info("adapter", "SIGHUP: certificates reloaded, new connections get %s", desc);
}

static void adapter_trim(void *arg)
{
    (void)arg;
    malloc_trim(0);
}

int adapter_run(const struct config *cfg)
{
    struct adapter a = {.cfg = cfg};
    int exit_code = 1;
    sigset_t set;
    procsig_block(&set);
    mallopt(M_TRIM_THRESHOLD, ADAPTER_MALLOC_KEEP);
    mallopt(M_MMAP_THRESHOLD, ADAPTER_MALLOC_MMAP_MIN);
    mallopt(M_ARENA_MAX, ADAPTER_MALLOC_ARENAS);

    struct redis_client_opts ro;
    config_redis_opts(cfg, &ro);
    int rc = redis_pool_new(&ro, (size_t)cfg->web_threads, &a.pool);
    if (rc != 0) {
        log_error("adapter", "%s",
                  rc > 0 ? "no fleet registry: set --redis.addr or --redis.cluster-nodes "
                           "(REDIS_URL, REDIS_CLUSTER_URL)"
                         : "invalid Redis configuration");
        exit_code = 2;
        goto out;
    }
    char why[1024] = "";
    if (auth_setup_init(&a.auth, cfg, why, sizeof(why)) < 0) {
        log_error("adapter", "%s", why);
        goto out;
    }
    cfg = a.cfg = &a.auth.eff;
    rc = adapter_tls(&a);
    if (rc == -EINVAL)
        exit_code = 2; /* a malformed --tls-cipher-suites is a usage error */
    if (rc < 0)
        goto out;
    auth_policy_new(cfg, &a.policy);
    rc = k8s_serve_new(cfg, a.pool, a.policy, &a.serve);
    if (rc < 0) {
        log_error("adapter", "cannot render the discovery documents: %s", err_str(rc));
        goto out;
    }
    struct k8s_serve_auth sa;
    auth_setup_serve_auth(&a.auth, &sa);
    k8s_serve_set_auth(a.serve, &sa);
    struct http_server_opts o = {
        .fallback = k8s_serve_handle, .tls = a.tls, .decode_urls = true, .app = a.serve};
    rc = http_server_start_opts(cfg, &o, &a.http);
    if (rc < 0) {
        log_error("adapter", "cannot listen on %s: %s", cfg->web_listen_address, err_str(rc));
        goto out;
    }
    log_info("adapter",
             "rizk-metrics %s adapter listening on %s (port %u, %s), fleet registry max age "
             "%lldms",
             RIZK_VERSION, cfg->web_listen_address, http_server_port(a.http),
             a.tls != NULL ? "https" : "INSECURE plain http",
             (long long)(3 * cfg->fleet_interval_ms));
    /* Every ADAPTER_TRIM_S without a signal, the freed memory that ADAPTER_MALLOC_KEEP keeps
     * per arena goes back to the kernel: a burst keeps its working set resident, and the RSS
     * returns to the steady state after it (issue 14: each HTTP thread's arena held its
     * busiest query, 9 -> 21 MB with 16 connections). */
    (void)procsig_wait_every(&set, "adapter", adapter_reload, &a, ADAPTER_TRIM_S, adapter_trim);
    exit_code = 0;
out:
    adapter_free(&a);
    return exit_code;
}
