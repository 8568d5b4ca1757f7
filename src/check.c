/* The check command. Both sources give the same document (the sidecar's /api/v1/readiness, or
 * the same body rendered by a direct-sampling tick), so there is one parser and one printer,
 * and `check` can never disagree with what the sidecar serves. */
#include "check.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "check_cluster.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/hostport.h"
#include "io/http_fetch.h"
#include "render/json.h"
#include "store/snapshot.h"
#include "core/banned.h"

#define CHECK_MAX_BYTES ((size_t)1 << 20)
/* A sidecar named by --url gets a generous timeout; the implicit local one a short one, since
 * most of the time nothing listens and we go on to sample directly. */
#define CHECK_URL_TIMEOUT_MS 5000
#define CHECK_LOCAL_TIMEOUT_MS 1000

/* check_fetch reads <base>/api/v1/readiness into doc. On failure writes why into err. */
static int check_fetch(const char *base, long timeout_ms, json_t **doc, char *err, size_t n)
{
    char url[2200];
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    snprintf(url, sizeof(url), "%.*s/api/v1/readiness", (int)bl, base);
    struct http_fetch_opts o = {.url = url,
                                .timeout_ms = timeout_ms,
                                .connect_timeout_ms = 0,
                                .max_body = CHECK_MAX_BYTES,
                                .accept = "application/json",
                                .user_agent = NULL};
    struct http_fetch *f = NULL;
    int rc = http_fetch_new(&o, &f);
    struct http_fetch_result res = {0};
    if (rc == 0)
        rc = http_fetch_get(f, &res);
    if (rc == -EPROTO && res.status != 0 && (res.status < 200 || res.status > 299)) {
        snprintf(err, n, "%.300s answered HTTP %ld", url, res.status);
        http_fetch_free(f);
        return rc;
    }
    if (rc < 0) {
        snprintf(err, n, "cannot read %.300s: %s", url, err_str(rc));
        http_fetch_free(f);
        return rc;
    }
    json_error_t jerr;
    json_t *j = json_loadb(res.body, res.body_len, 0, &jerr);
    http_fetch_free(f);
    if (j == NULL || !json_is_array(json_object_get(j, "checks")) ||
        !json_is_boolean(json_object_get(j, "ready"))) {
        snprintf(err, n, "%.300s is not a rizk-metrics readiness document", url);
        json_decref(j);
        return -EPROTO;
    }
    *doc = j;
    return 0;
}

/* check_local_url is the sidecar this host would run with the same flags. */
static void check_local_url(const struct config *cfg, char *url, size_t n)
{
    char host[256] = "";
    unsigned port = 8080;
    if (hostport_parse(cfg->web_listen_address, host, sizeof(host), &port) < 0 || host[0] == '\0' ||
        strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    if (strchr(host, ':') != NULL)
        snprintf(url, n, "http://[%s]:%u", host, port);
    else
        snprintf(url, n, "http://%s:%u", host, port);
}

static int check_sample(const struct config *cfg, json_t **doc)
{
    struct snapshot *snap = NULL;
    int rc = app_sample(cfg, cfg->check_duration_ms, &snap);
    if (rc < 0 || snap == NULL)
        return rc < 0 ? rc : -EIO;
    size_t len = 0;
    const char *body = snapshot_body(snap, SNAP_BODY_JSON_READINESS, &len);
    json_error_t jerr;
    *doc = body != NULL ? json_loadb(body, len, 0, &jerr) : NULL;
    snapshot_release(snap);
    return *doc != NULL ? 0 : -EIO;
}

static void check_value(const char *name, const json_t *v, char *out, size_t n)
{
    if (!json_is_number(v)) {
        snprintf(out, n, "-");
        return;
    }
    double d = json_number_value(v);
    if (strcmp(name, "response_time") == 0)
        snprintf(out, n, "%.1fms", d * 1000.0);
    else if (strcmp(name, "redis_cluster") == 0)
        snprintf(out, n, "%.0f", d);
    else
        snprintf(out, n, "%.1f%%", d * 100.0);
}

static const char *str_or(const json_t *o, const char *key, const char *def)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : def;
}

static void check_print_table(const json_t *doc, const char *source, bool strict, bool pass)
{
    const json_t *checks = json_object_get(doc, "checks");
    size_t nerr = json_array_size(json_object_get(doc, "errors"));
    size_t nwarn = json_array_size(json_object_get(doc, "warnings"));
    printf("Scaling readiness: %s (%zu error%s, %zu warning%s%s)\nSource: %s\n\n",
           pass ? "READY" : "NOT READY", nerr, nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s",
           strict ? "; --strict: warnings fail" : "", source);
    printf("%-20s %-6s %-9s %-24s %s\n", "CHECK", "STATUS", "VALUE", "TARGET", "MESSAGE");
    for (size_t i = 0; i < json_array_size(checks); i++) {
        const json_t *c = json_array_get(checks, i);
        const char *name = str_or(c, "name", "?");
        char st[8], val[32];
        snprintf(st, sizeof(st), "%s", str_or(c, "status", "?"));
        /* Upper case for what decides the exit code, so it stands out in a terminal. */
        if (strcmp(st, "fail") == 0 || (strict && strcmp(st, "warn") == 0))
            for (char *p = st; *p; p++)
                *p = (char)(*p - 'a' + 'A');
        check_value(name, json_object_get(c, "value"), val, sizeof(val));
        printf("%-20s %-6s %-9s %-24s %s\n", name, st, val, str_or(c, "target", ""),
               str_or(c, "message", ""));
    }
}

/* check_print_cluster prints the cluster checklist (check_cluster_run's document). */
static void check_print_cluster(const json_t *cl, bool strict)
{
    const char *server = json_string_value(json_object_get(cl, "server"));
    printf(
        "\nCluster checklist: %s/%s (%s): %lld pass, %lld warn, %lld fail, %lld not checkable\n\n",
        str_or(cl, "namespace", "?"), str_or(cl, "workload", "?"),
        server ? server : "no Kubernetes API",
        (long long)json_integer_value(json_object_get(cl, "pass")),
        (long long)json_integer_value(json_object_get(cl, "warn")),
        (long long)json_integer_value(json_object_get(cl, "fail")),
        (long long)json_integer_value(json_object_get(cl, "not_checkable")));
    printf("%-19s %-13s %-30s %s\n", "ITEM", "STATUS", "TARGET", "MESSAGE");
    const json_t *checks = json_object_get(cl, "checks");
    for (size_t i = 0; i < json_array_size(checks); i++) {
        const json_t *c = json_array_get(checks, i);
        const char *st = str_or(c, "status", "?");
        const char *shown = st;
        if (strcmp(st, "not_checkable") == 0)
            shown = "not checkable";
        else if (strcmp(st, "fail") == 0 || (strict && strcmp(st, "warn") == 0))
            shown = strcmp(st, "fail") == 0 ? "FAIL" : "WARN";
        printf("%-19s %-13s %-30s %s\n", str_or(c, "name", "?"), shown, str_or(c, "target", ""),
               str_or(c, "message", ""));
    }
}

static void check_print_json(json_t *doc, const char *source, bool strict, bool pass)
{
    json_object_set_new(doc, "source", json_string_nocheck(source));
    json_object_set_new(doc, "strict", json_boolean(strict));
    json_object_set_new(doc, "passed", json_boolean(pass));
    struct buf b;
    buf_init(&b, CHECK_MAX_BYTES);
    if (render_json(&b, doc) == 0)
        printf("%s\n", buf_ptr(&b));
    buf_fini(&b);
}

/* check_is_dns_name: a DNS-1123 subdomain, the rule for Deployment and namespace names. */
static bool check_is_dns_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253 || s[0] == '-' || s[0] == '.' || s[n - 1] == '-' || s[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '.'))
            return false;
    return true;
}

int check_run(const struct config *cfg)
{
    json_t *doc = NULL;
    char err[512] = "";
    char source[2100];
    int rc;
    if (cfg->check_cluster && cfg->check_workload == NULL) {
        fprintf(stderr, "rizk-metrics: --check.cluster needs --check.workload (the name of the "
                        "workload's Deployment)\n");
        return 2;
    }
    /* Both go into API paths: only what Kubernetes allows in a name (DNS-1123), never a '/'. */
    const char *names[] = {cfg->check_workload, cfg->check_namespace};
    const char *flags[] = {"--check.workload", "--check.namespace"};
    for (int i = 0; cfg->check_cluster && i < 2; i++) {
        if (names[i] != NULL && !check_is_dns_name(names[i])) {
            fprintf(stderr,
                    "rizk-metrics: invalid value \"%s\" for %s: a Kubernetes name (lower-case "
                    "letters, digits, '-' and '.', at most 253)\n",
                    names[i], flags[i]);
            return 2;
        }
    }
    if (http_fetch_global_init() < 0) {
        fprintf(stderr, "rizk-metrics: check: cannot initialise libcurl\n");
        return 1;
    }
    if (cfg->check_url[0] != '\0') {
        snprintf(source, sizeof(source), "%s", cfg->check_url);
        rc = check_fetch(cfg->check_url, CHECK_URL_TIMEOUT_MS, &doc, err, sizeof(err));
        if (rc < 0) {
            fprintf(stderr, "rizk-metrics: check: %s\n", err);
            http_fetch_global_cleanup();
            return 1;
        }
    } else {
        check_local_url(cfg, source, sizeof(source));
        rc = check_fetch(source, CHECK_LOCAL_TIMEOUT_MS, &doc, err, sizeof(err));
        if (rc < 0) {
            char d[32];
            config_format_duration(cfg->check_duration_ms, d, sizeof(d));
            snprintf(source, sizeof(source), "direct sampling for %s (no sidecar answered)", d);
            rc = check_sample(cfg, &doc);
            if (rc < 0) {
                fprintf(stderr, "rizk-metrics: check: sampling failed: %s\n", err_str(rc));
                http_fetch_global_cleanup();
                return 1;
            }
        }
    }
    bool strict = cfg->check_strict;
    bool pass = json_is_true(json_object_get(doc, strict ? "strict_ready" : "ready"));
    json_t *cl = cfg->check_cluster ? check_cluster_run(cfg) : NULL;
    http_fetch_global_cleanup();
    bool pod_pass = pass;
    if (cl != NULL) {
        pass = pass && json_is_true(json_object_get(cl, strict ? "strict_ready" : "ready"));
        json_object_set_new(doc, "cluster", cl);
    }
    if (strcmp(cfg->check_output, "json") == 0) {
        check_print_json(doc, source, strict, pass);
    } else {
        check_print_table(doc, source, strict, pod_pass);
        if (cl != NULL) {
            check_print_cluster(cl, strict);
            printf("\nOverall: %s\n", pass ? "READY" : "NOT READY");
        }
    }
    json_decref(doc);
    return pass ? 0 : 1;
}
