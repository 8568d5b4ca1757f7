/* Configuration: struct config is filled once at startup from built-in defaults, then RIZK_*
 * environment variables, then flags (in that order of precedence), validated, and passed down
 * as const. After startup no module reads the environment. The option table lives in
 * options.c; --help, validation, --print-config and the README's flag table come from it. */
#ifndef RIZK_CONFIG_CONFIG_H
#define RIZK_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_MAX_COLLECTORS 16

#define CONFIG_MAX_OPTIONS 160

enum config_mode { MODE_SIDECAR = 0, MODE_ADAPTER, MODE_CHECK, MODE_VERSION };

/* Where each value came from (0 default, 1 env, 2 flag), for --print-config. */
struct redis_client_opts;

struct config_origins {
    unsigned char opt[CONFIG_MAX_OPTIONS];
    unsigned char col[CONFIG_MAX_COLLECTORS];
};

struct config {
    enum config_mode mode;
    /* web */
    char *web_listen_address;
    char *web_telemetry_path;
    uint64_t web_max_connections;
    uint64_t web_max_request_bytes; /* a request body */
    uint64_t web_max_header_bytes;  /* libmicrohttpd's per-connection pool */
    int64_t web_idle_timeout_ms;
    uint64_t web_threads;
    int64_t web_read_header_timeout_ms;
    int64_t web_read_body_timeout_ms;
    uint64_t web_max_connections_per_source;
    char *web_priority_sources; /* comma-separated CIDRs; NULL = none */
    uint64_t web_reserved_connections;
    /* log */
    char *log_level;
    char *log_format;
    /* filesystem roots */
    char *path_procfs;
    char *path_sysfs;
    char *path_cgroupfs;
    /* history and signals */
    int64_t history_interval_ms;
    int64_t history_retention_ms;
    char *history_path; /* --history.path; NULL: not persisted */
    int64_t history_persist_interval_ms;
    int64_t signals_window_ms;
    char *signals_basis; /* auto|app|pod|container|node */
    char *app_container; /* "" = the only other container */
    char *pod_uid;       /* "" = unknown */
    /* scaling recommendation (SPEC 5): ratios 0-1, requests/s, milliseconds */
    double scaling_cpu_up;
    double scaling_cpu_down;
    double scaling_memory_up;
    double scaling_memory_down;
    double scaling_rps_up;
    double scaling_rps_down;
    int64_t scaling_response_time_up_ms;
    int64_t scaling_response_time_down_ms;
    double scaling_error_ratio_up;
    double scaling_error_ratio_down;
    uint64_t scaling_up_min_conditions;
    uint64_t scaling_history;
    uint64_t scaling_current_replicas; /* 0: unknown */
    /* check command */
    char *check_url; /* "" : none given */
    char *check_output;
    bool check_strict;
    int64_t check_duration_ms;
    bool check_cluster;
    char *check_kubeconfig; /* NULL: in-cluster */
    char *check_namespace;  /* NULL: --pod.namespace, else the client's */
    char *check_workload;   /* NULL: none given (required with check_cluster) */
    int64_t check_drain_ms;
    /* redis and the fleet registry (unset strings are NULL) */
    char *redis_addr;          /* may hold a password: print only through redis_url_redact */
    char *redis_cluster_nodes; /* idem */
    int64_t redis_timeout_ms;
    char *redis_username;
    char *redis_password_file;
    char *redis_password; /* secret: environment only, never printed */
    char *redis_key_prefix;
    int64_t fleet_interval_ms;
    int64_t fleet_max_age_ms; /* adapter: age bound of the shared fleet view */
    /* pod identity */
    char *pod_name;
    char *pod_namespace;
    char *pod_instance_id;
    char *pod_labels_file;
    char *pod_region; /* NULL: the topology.kubernetes.io/region label, if any */
    char *pod_zone;   /* NULL: the topology.kubernetes.io/zone label, if any */
    /* the app: statsd listener, push reports, socket fallback */
    char *statsd_listen_address; /* "" disables the listener */
    char *statsd_prefix;
    uint64_t statsd_max_series;
    char *web_config_file; /* NULL: plain HTTP, no auth */
    bool web_probes_unauthenticated;
    char *web_report_allow;         /* comma-separated CIDRs allowed to POST /api/v1/report */
    uint64_t app_port;              /* 0: no ESTABLISHED-socket fallback for active connections */
    int64_t system_tcp_interval_ms; /* --system.tcp-interval: how often sockets are counted */
    /* the adapter: TLS and who may ask (unset strings are NULL) */
    char *tls_cert_file;
    char *tls_key_file;
    char *tls_min_version;   /* VersionTLS10 .. VersionTLS13 */
    char *tls_cipher_suites; /* comma-separated Go names; NULL: the defaults */
    char *client_ca_file;
    char *requestheader_client_ca_file;
    char *requestheader_allowed_names; /* comma-separated CNs; NULL: any the CA signed */
    char *authorized_users;            /* comma-separated; NULL: every authenticated user */
    char *authorized_groups;
    bool insecure_http;
    /* delegated authentication and authorization (k8s/delegate.c) */
    char *authentication_kubeconfig; /* NULL: in-cluster when KUBERNETES_SERVICE_HOST is set */
    char *authorization_kubeconfig;
    int64_t authentication_token_cache_ttl_ms;
    int64_t authorization_cache_authorized_ttl_ms;
    int64_t authorization_cache_unauthorized_ttl_ms;
    char *authorization_always_allow_paths;
    int64_t delegation_timeout_ms;
    char *requestheader_username_headers; /* NULL: from the ConfigMap, else X-Remote-User */
    char *requestheader_group_headers;
    char *requestheader_extra_headers_prefix;
    bool authentication_skip_lookup;
    bool authentication_tolerate_lookup_failure;
    /* the app pull channel (collect/col_app_http.c); "" URL: off */
    char *app_metrics_url;
    int64_t app_timeout_ms;
    uint64_t app_max_body_bytes;
    char *app_requests_metric;
    char *app_errors_metric;
    char *app_errors_from_label; /* NULL: errors from app_errors_metric */
    char *app_duration_metric;
    char *app_active_connections_metric;
    char *app_cache_hits_metric;
    char *app_cache_misses_metric;
    char *app_cache_tier_label;
    char *app_start_time_metric;
    /* collectors, in registry order: enabled[i] for collector_types[i] */
    const struct config_collectors *collectors; /* borrowed: the list config_load was given */
    bool collector_enabled[CONFIG_MAX_COLLECTORS];
    /* actions */
    bool check_config;
    bool print_config;
    struct config_origins origins;
};

/* The collectors the loader makes --[no-]collector.<name> flags and RIZK_COLLECTOR_<NAME>
 * variables for, in registry order. The wiring code hands in the registry's table
 * (registry_config_collectors), so that config/ does not depend on collect/. */
struct config_collector {
    const char *name; /* "cgroup" */
    const char *help;
    bool default_enabled;
};
struct config_collectors {
    size_t n; /* <= CONFIG_MAX_COLLECTORS */
    struct config_collector (*at)(size_t i);
};

/* Outcome of config_load besides success. */
enum config_action { CONFIG_RUN = 0, CONFIG_EXIT_OK, CONFIG_EXIT_USAGE };

/* config_load builds cfg from defaults, envp (NULL-terminated "K=V" strings) and argv; cols is
 * borrowed and must outlive cfg (a static table).
 * Returns CONFIG_RUN to go on, CONFIG_EXIT_OK after --help/--version (printed to out), or
 * CONFIG_EXIT_USAGE after printing a one-line error naming the flag and accepted range to err.
 * cfg must be freed with config_fini in every case. thread: main. */
enum config_action config_load(struct config *cfg, const struct config_collectors *cols, int argc,
                               char **argv, char **envp, FILE *out, FILE *err);
void config_fini(struct config *cfg);

/* config_print writes every option's effective value and where it came from. */
void config_print(const struct config *cfg, FILE *out);
/* config_help writes the usage text; config_help_markdown the README flag table. */
void config_help(const struct config_collectors *cols, FILE *out);
void config_help_markdown(const struct config_collectors *cols, FILE *out);

/* config_parse_duration parses Prometheus durations ("1h30m", "500ms", "7d"); -EINVAL. */
int config_parse_duration(const char *s, int64_t *ms);
/* config_format_duration writes ms in the same syntax ("1h", "1m30s", "250ms"). */
void config_format_duration(int64_t ms, char *out, size_t n);

/* config_redis_opts fills *o from --redis.addr / --redis.cluster-nodes, --redis.username,
 * --redis.password (REDIS_PASSWORD), --redis.password-file and --redis.timeout, for
 * io/redis_cluster and io/redis_pool; the strings are borrowed from cfg. thread: any. */
void config_redis_opts(const struct config *cfg, struct redis_client_opts *o);

/* config_history_slots is the ring capacity: retention / interval. */
uint64_t config_history_slots(const struct config *cfg);

#endif
