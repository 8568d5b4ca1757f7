/* THE option table (redis static_configs[], tmux options_table[]). --help, validation,
 * --print-config and the README's flag table are generated from it; env twins are derived
 * mechanically: --web.listen-address -> RIZK_WEB_LISTEN_ADDRESS. Collector enable flags are
 * generated from the collector registry, not listed here. */
#include "config/options.h"

#include "config/config.h"

#define OFF(field) offsetof(struct config, field)
#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

const struct option_def option_table[] = {
    {"web.listen-address", OPT_ADDR, ":8080", 0, 0, NULL,
     "Address to serve HTTP on: host:port, :port for all interfaces, [v6]:port. The adapter's "
     "default is :6443 (HTTPS) when this is not set.",
     OFF(web_listen_address)},
    {"web.telemetry-path", OPT_PATH, "/metrics", 0, 0, NULL,
     "Path under which to expose metrics.", OFF(web_telemetry_path)},
    {"web.max-connections", OPT_U64, "512", 1, 10000, NULL,
     "Maximum concurrent HTTP connections; more are refused.", OFF(web_max_connections)},
    {"web.max-request-bytes", OPT_U64, "65536", 4096, 1048576, NULL,
     "Maximum size of one HTTP request body (a pushed report); larger ones get 413.",
     OFF(web_max_request_bytes)},
    /* libmicrohttpd's per-connection pool, which it zeroes whole at every request: with
     * 64 KiB, 50 keep-alive scrapers held 3.2 MiB (peak RSS 11.2 MiB with a full history,
     * measured), with 16 KiB 0.8 MiB, with 8 KiB 0.4 MiB. The sidecar's 8 KiB is Apache's and
     * nginx's limit for one header line (a scrape's head is 200-400 bytes, with a bearer token
     * about 1.5 KiB); the adapter keeps 16 KiB (config_mode_defaults): kube-apiserver's
     * front-proxy requests carry one X-Remote-Group header per group of the user. */
    {"web.max-header-bytes", OPT_U64, "8192", 2048, 1048576, NULL,
     "Memory for one HTTP request's headers and the response's headers, per connection; "
     "a request whose headers do not fit gets 431. The adapter's default is 16384.",
     OFF(web_max_header_bytes)},
    {"web.idle-timeout", OPT_DURATION, "30s", 1 * SEC, 1 * HOUR, NULL,
     "Close HTTP connections idle for this long.", OFF(web_idle_timeout_ms)},
    /* 0: as Go's GOMAXPROCS, the CPUs of the affinity mask (taskset, the kubelet's static CPU
     * manager), at most 2. Two threads on one core take turns by scheduler slices: with the
     * server pinned to one core, run.sh's p99 for 50 scrapers read 4.3 ms with 2 threads, 0.65
     * ms with 1 (SIDECAR_ARGS=--web.threads=2, README "Performance and scale"). */
    {"web.threads", OPT_U64, "0", 0, 64, NULL,
     "Number of HTTP worker threads; 0 = one per CPU the process may run on (its affinity "
     "mask), at most 2. The adapter's default is 2.",
     OFF(web_threads)},
    /* Attack limits (README "Reliability"): deadlines that do not reset on each byte, unlike
     * the idle timeout, and admission per source with a share kept for the scrapers. */
    {"web.read-header-timeout", OPT_DURATION, "5s", 100, 1 * MIN, NULL,
     "Deadline for a whole request head (TLS handshake included), from the accept or the next "
     "request's first byte; the connection is closed when it passes.",
     OFF(web_read_header_timeout_ms)},
    {"web.read-body-timeout", OPT_DURATION, "10s", 100, 10 * MIN, NULL,
     "Deadline for a whole request body, from the end of its head.",
     OFF(web_read_body_timeout_ms)},
    {"web.max-connections-per-source", OPT_U64, "64", 1, 10000, NULL,
     "Maximum concurrent HTTP connections from one client address (--web.priority-sources "
     "are exempt); more are refused with 503.",
     OFF(web_max_connections_per_source)},
    {"web.priority-sources", OPT_STRING, "", 0, 0, NULL,
     "Comma-separated CIDRs of the scrapers (e.g. Prometheus' pod network): they may use the "
     "--web.reserved-connections that other clients cannot take. Unset: nothing is reserved.",
     OFF(web_priority_sources)},
    {"web.reserved-connections", OPT_U64, "16", 0, 1000, NULL,
     "Of --web.max-connections, how many only --web.priority-sources may use.",
     OFF(web_reserved_connections)},
    /* The sidecar's web security (exporter-toolkit's web-config.yml, as node_exporter). */
    {"web.config.file", OPT_STRING, "", 0, 0, NULL,
     "sidecar: exporter-toolkit web config file (TLS, client certificates, basic auth, "
     "headers, rate limit); reloaded on SIGHUP, TLS files re-read when they change.",
     OFF(web_config_file)},
    {"web.probes-unauthenticated", OPT_BOOL, "false", 0, 0, NULL,
     "sidecar: serve /health, /healthz, /ready and /readyz without basic auth and outside "
     "the rate limit (kubelet probes); TLS still applies.",
     OFF(web_probes_unauthenticated)},
    {"log.level", OPT_ENUM, "info", 0, 0, "debug|info|warn|error",
     "Only log messages with the given severity or above.", OFF(log_level)},
    {"log.format", OPT_ENUM, "logfmt", 0, 0, "logfmt|json", "Output format of log messages.",
     OFF(log_format)},
    {"path.procfs", OPT_STRING, "/proc", 0, 0, NULL, "procfs mountpoint.", OFF(path_procfs)},
    {"path.sysfs", OPT_STRING, "/sys", 0, 0, NULL, "sysfs mountpoint.", OFF(path_sysfs)},
    {"path.cgroupfs", OPT_STRING, "/sys/fs/cgroup", 0, 0, NULL,
     "cgroup filesystem mountpoint (v2 unified, or the v1 controller directories).",
     OFF(path_cgroupfs)},
    {"history.interval", OPT_DURATION, "1s", 100, 1 * HOUR, NULL,
     "Sampling interval: one tick collects every source and appends to the history.",
     OFF(history_interval_ms)},
    {"history.retention", OPT_DURATION, "1h", 1 * MIN, 7 * DAY, NULL,
     "How much history the ring buffers keep (retention / interval slots per series).",
     OFF(history_retention_ms)},
    {"history.path", OPT_STRING, "", 0, 0, NULL,
     "File the history is saved to (on SIGTERM and every --history.persist-interval) and "
     "reloaded from at start, so rates and the recommendation survive a restart. Unset: the "
     "history lives in memory only.",
     OFF(history_path)},
    {"history.persist-interval", OPT_DURATION, "1m", 1 * SEC, 1 * DAY, NULL,
     "How often the history is saved to --history.path besides on SIGTERM.",
     OFF(history_persist_interval_ms)},
    {"signals.window", OPT_DURATION, "60s", 1 * SEC, 1 * DAY, NULL,
     "Window over which the scaling signals are computed.", OFF(signals_window_ms)},
    {"signals.basis", OPT_ENUM, "auto", 0, 0, "auto|app|pod|container|node",
     "Whose CPU and memory the utilization signals measure: the app container beside the "
     "sidecar, the whole pod, the sidecar's own container, or the node; auto = the first "
     "readable of app, pod, container, node. An unreadable basis falls back down that list.",
     OFF(signals_basis)},
    {"app.container", OPT_STRING, "", 0, 0, NULL,
     "The app container when the pod has several: its main process name (as in "
     "/proc/PID/comm) or a prefix of its container id. Empty: the only other container.",
     OFF(app_container)},
    {"pod.uid", OPT_STRING, "", 0, 0, NULL,
     "This pod's UID (downward API metadata.uid): finds the pod's cgroup when --path.cgroupfs "
     "is the node's cgroup tree mounted read-only.",
     OFF(pod_uid)},
    /* The scaling recommendation (SPEC 5): defaults are the Rizk scaling guide's thresholds. */
    {"scaling.cpu-up", OPT_DOUBLE, "0.7", 0, 1, NULL,
     "Scale-up condition: CPU utilization ratio above this (the guide's 70 %).",
     OFF(scaling_cpu_up)},
    {"scaling.cpu-down", OPT_DOUBLE, "0.3", 0, 1, NULL,
     "Scale-down condition: CPU utilization ratio below this (the guide's 30 %).",
     OFF(scaling_cpu_down)},
    {"scaling.memory-up", OPT_DOUBLE, "0.8", 0, 1, NULL,
     "Scale-up condition: memory utilization ratio above this (the guide's 80 %).",
     OFF(scaling_memory_up)},
    {"scaling.memory-down", OPT_DOUBLE, "0.4", 0, 1, NULL,
     "Scale-down condition: memory utilization ratio below this (the guide's 40 %).",
     OFF(scaling_memory_down)},
    {"scaling.rps-up", OPT_DOUBLE, "100", 0, 1000000000, NULL,
     "Scale-up condition: requests per second above this.", OFF(scaling_rps_up)},
    {"scaling.rps-down", OPT_DOUBLE, "20", 0, 1000000000, NULL,
     "Scale-down condition: requests per second below this.", OFF(scaling_rps_down)},
    {"scaling.response-time-up", OPT_DURATION, "1s", 1, 1 * HOUR, NULL,
     "Scale-up condition: mean response time above this.", OFF(scaling_response_time_up_ms)},
    {"scaling.response-time-down", OPT_DURATION, "200ms", 1, 1 * HOUR, NULL,
     "Scale-down condition: mean response time below this.",
     OFF(scaling_response_time_down_ms)},
    {"scaling.error-ratio-up", OPT_DOUBLE, "0.05", 0, 1, NULL,
     "Scale-up condition: error ratio above this (the guide's 5 %).",
     OFF(scaling_error_ratio_up)},
    {"scaling.error-ratio-down", OPT_DOUBLE, "0.01", 0, 1, NULL,
     "Scale-down condition: error ratio below this (the guide's 1 %).",
     OFF(scaling_error_ratio_down)},
    {"scaling.up-min-conditions", OPT_U64, "2", 1, 5, NULL,
     "Recommend scale_up when at least this many of the five scale-up conditions hold.",
     OFF(scaling_up_min_conditions)},
    {"scaling.history", OPT_U64, "100", 3, 100000, NULL,
     "Decision samples kept for the recommendation, one per tick (the guide keeps 100).",
     OFF(scaling_history)},
    {"scaling.current-replicas", OPT_U64, "0", 0, 100000, NULL,
     "Current replica count: recommended_replicas = this + the change; 0 = the live pods of "
     "this workload in the fleet registry (null when unknown; the change is still given).",
     OFF(scaling_current_replicas)},
    /* The check command (rizk-metrics check); harmless for the sidecar. */
    {"check.url", OPT_URL, "", 0, 0, NULL,
     "check: base URL of a running sidecar; empty = the local sidecar on "
     "--web.listen-address, else sample directly for --check.duration.",
     OFF(check_url)},
    {"check.output", OPT_ENUM, "table", 0, 0, "table|json", "check: output format.",
     OFF(check_output)},
    {"check.strict", OPT_BOOL, "false", 0, 0, NULL,
     "check: warnings make the check fail (exit 1) too.", OFF(check_strict)},
    {"check.duration", OPT_DURATION, "3s", 1 * SEC, 1 * MIN, NULL,
     "check: how long to sample the sources directly when no sidecar answers.",
     OFF(check_duration_ms)},
    {"check.cluster", OPT_BOOL, "false", 0, 0, NULL,
     "check: also run the guide's checklist items the Kubernetes API and the fleet can answer "
     "(needs --check.workload; in-cluster config or --check.kubeconfig).",
     OFF(check_cluster)},
    {"check.kubeconfig", OPT_STRING, "", 0, 0, NULL,
     "check --cluster: kubeconfig file to reach kube-apiserver; empty = in-cluster config.",
     OFF(check_kubeconfig)},
    {"check.namespace", OPT_STRING, "", 0, 0, NULL,
     "check --cluster: namespace of the workload (default: --pod.namespace, else the "
     "kubeconfig's or service account's).",
     OFF(check_namespace)},
    {"check.workload", OPT_STRING, "", 0, 0, NULL,
     "check --cluster: name of the workload's Deployment.", OFF(check_workload)},
    {"check.drain-time", OPT_DURATION, "30s", 0, 1 * HOUR, NULL,
     "check --cluster: time the app needs to finish in-flight requests; graceful shutdown "
     "passes with a preStop hook or a terminationGracePeriodSeconds at least this long.",
     OFF(check_drain_ms)},
    /* redis (collector and fleet registry) */
    {"redis.addr", OPT_REDIS_URL, "", 0, 0, NULL,
     "Standalone Redis: redis://[user[:password]@]host:port[/db] or host:port. Unset (and no "
     "--redis.cluster-nodes): the redis collector and the fleet registry are off.",
     OFF(redis_addr)},
    {"redis.cluster-nodes", OPT_REDIS_URL, "", 0, 0, NULL,
     "Redis Cluster seed nodes, comma-separated (host:port or redis:// URLs); the rest are "
     "discovered with CLUSTER NODES.", OFF(redis_cluster_nodes)},
    {"redis.timeout", OPT_DURATION, "200ms", 10, 10 * SEC, NULL,
     "Timeout of each Redis connect and command.", OFF(redis_timeout_ms)},
    {"redis.username", OPT_STRING, "", 0, 0, NULL,
     "Redis ACL user for AUTH (overrides the URL's user).", OFF(redis_username)},
    {"redis.password-file", OPT_STRING, "", 0, 0, NULL,
     "File holding the Redis password (read at each connect; wins over REDIS_PASSWORD).",
     OFF(redis_password_file)},
    {"redis.password", OPT_SECRET, "", 0, 0, NULL,
     "Redis password, from the environment only (never a flag: argv is world-readable).",
     OFF(redis_password)},
    {"redis.key-prefix", OPT_STRING, "rizk:", 0, 0, NULL,
     "Prefix of every Redis key this program writes.", OFF(redis_key_prefix)},
    {"fleet.interval", OPT_DURATION, "5s", 1 * SEC, 1 * HOUR, NULL,
     "How often the pod's signals are published to the fleet registry (key TTL: 3 intervals).",
     OFF(fleet_interval_ms)},
    {"fleet.max-age", OPT_DURATION, "1s", 0, 1 * MIN, NULL,
     "adapter: the oldest the shared per-namespace view of the fleet registry may be (a query "
     "past half of it refreshes it: one ZRANGEBYSCORE + MGET per refresh, not per query); 0: "
     "every query reads Redis.",
     OFF(fleet_max_age_ms)},
    /* pod identity (downward API) */
    {"pod.name", OPT_STRING, "", 0, 0, NULL, "This pod's name (default: the hostname).",
     OFF(pod_name)},
    {"pod.namespace", OPT_STRING, "", 0, 0, NULL,
     "This pod's namespace; the fleet registry is published only when it is known.",
     OFF(pod_namespace)},
    {"pod.instance-id", OPT_STRING, "", 0, 0, NULL,
     "Instance id for instance-scoped keys (default: the pod name).", OFF(pod_instance_id)},
    {"pod.labels-file", OPT_STRING, "/etc/podinfo/labels", 0, 0, NULL,
     "Downward-API labels file (key=\"value\" lines), re-read at each fleet publish.",
     OFF(pod_labels_file)},
    {"pod.region", OPT_STRING, "", 0, 0, NULL,
     "Region published in fleet snapshots (default: the topology.kubernetes.io/region label).",
     OFF(pod_region)},
    {"pod.zone", OPT_STRING, "", 0, 0, NULL,
     "Zone published in fleet snapshots (default: the topology.kubernetes.io/zone label).",
     OFF(pod_zone)},
    {"statsd.listen-address", OPT_ADDR_OR_EMPTY, "127.0.0.1:8125", 0, 0, NULL,
     "UDP address of the statsd/DogStatsD listener (--collector.statsd); empty disables it.",
     OFF(statsd_listen_address)},
    {"statsd.prefix", OPT_STRING, "rizk.", 0, 0, NULL,
     "statsd names under this prefix feed the app signals (requests, errors, response_time, "
     "active_connections, cache.l1.hits, ...); other names are exported as rizk_app_<name>.",
     OFF(statsd_prefix)},
    {"statsd.max-series", OPT_U64, "1000", 0, 10000, NULL,
     "Most rizk_app_* series statsd may create; lines for more are dropped and counted.",
     OFF(statsd_max_series)},
    {"web.report-allow", OPT_STRING, "127.0.0.0/8,::1/128", 0, 0, NULL,
     "Comma-separated CIDRs allowed to POST /api/v1/report (others get 403).",
     OFF(web_report_allow)},
    {"app.port", OPT_U64, "0", 0, 65535, NULL,
     "The app's listening TCP port: ESTABLISHED sockets on it give rizk_active_connections "
     "when the app reports none (0 disables).",
     OFF(app_port)},
    /* The socket walk is node-wide work (the kernel's established hash table is shared by
     * every network namespace): 1.0-1.6 ms per count on a 24 GiB node with 262144 buckets
     * (tests/bench/sockdiag_cost), a third of the whole sampler at a 1 s tick. */
    {"system.tcp-interval", OPT_DURATION, "5s", 100, 1 * HOUR, NULL,
     "How often TCP sockets are counted by state (rizk_system_tcp_connections, and the "
     "ESTABLISHED ones on --app.port): each count walks the kernel's socket hash table, which "
     "every pod of the node shares. Never more often than --history.interval, at most half "
     "of --signals.window; in between, the last count is served.",
     OFF(system_tcp_interval_ms)},
    /* The adapter (rizk-metrics adapter): HTTPS and the two ways in of an aggregated API
     * server. Flag names follow kube-apiserver's, as operators already know them. */
    {"tls.cert-file", OPT_STRING, "", 0, 0, NULL,
     "adapter: PEM certificate chain served over HTTPS; reloaded on SIGHUP. Unset (with "
     "--tls.key-file): a self-signed certificate made at start.",
     OFF(tls_cert_file)},
    {"tls.key-file", OPT_STRING, "", 0, 0, NULL,
     "adapter: PEM private key of --tls.cert-file; reloaded on SIGHUP.", OFF(tls_key_file)},
    {"tls-min-version", OPT_ENUM, "VersionTLS12", 0, 0,
     "VersionTLS10|VersionTLS11|VersionTLS12|VersionTLS13",
     "adapter: lowest TLS version accepted (kube-apiserver's spelling).", OFF(tls_min_version)},
    {"tls-cipher-suites", OPT_STRING, "", 0, 0, NULL,
     "adapter: comma-separated TLS 1.2 cipher suites in Go/Kubernetes names (e.g. "
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256); empty = ECDHE with AES-GCM or ChaCha20, no CBC.",
     OFF(tls_cipher_suites)},
    {"client-ca-file", OPT_STRING, "", 0, 0, NULL,
     "adapter: PEM CAs that sign direct clients' certificates (user = CN, groups = O), as "
     "kube-apiserver's --client-ca-file; reloaded on SIGHUP.",
     OFF(client_ca_file)},
    {"requestheader-client-ca-file", OPT_STRING, "", 0, 0, NULL,
     "adapter: PEM CAs that sign kube-apiserver's front-proxy client certificate; requests on "
     "it carry the user in X-Remote-User and groups in X-Remote-Group; reloaded on SIGHUP.",
     OFF(requestheader_client_ca_file)},
    {"requestheader-allowed-names", OPT_STRING, "", 0, 0, NULL,
     "adapter: comma-separated CNs allowed as front proxy (e.g. front-proxy-client); empty = "
     "any certificate --requestheader-client-ca-file signed.",
     OFF(requestheader_allowed_names)},
    {"authorized-users", OPT_STRING, "", 0, 0, NULL,
     "adapter: comma-separated users allowed to read metrics; empty (and no "
     "--authorized-groups) = every authenticated user.",
     OFF(authorized_users)},
    {"authorized-groups", OPT_STRING, "", 0, 0, NULL,
     "adapter: comma-separated groups allowed to read metrics (system:masters always is).",
     OFF(authorized_groups)},
    {"insecure-http", OPT_BOOL, "false", 0, 0, NULL,
     "adapter: serve plain HTTP without any authentication. For local tests only: never in a "
     "cluster.",
     OFF(insecure_http)},
    /* Delegated authentication and authorization (k8s/delegate.c), as kube-apiserver's
     * aggregated API servers do it; names and defaults are k8s.io/apiserver's. */
    {"authentication-kubeconfig", OPT_STRING, "", 0, 0, NULL,
     "adapter: kubeconfig of the kube-apiserver that reviews bearer tokens (TokenReview) and "
     "holds the extension-apiserver-authentication ConfigMap; empty = in-cluster when "
     "KUBERNETES_SERVICE_HOST is set, else no delegation.",
     OFF(authentication_kubeconfig)},
    {"authorization-kubeconfig", OPT_STRING, "", 0, 0, NULL,
     "adapter: kubeconfig of the kube-apiserver that authorizes each request "
     "(SubjectAccessReview); empty = in-cluster when KUBERNETES_SERVICE_HOST is set, else no "
     "delegated authorization (--authorized-users/--authorized-groups only).",
     OFF(authorization_kubeconfig)},
    {"authentication-token-webhook-cache-ttl", OPT_DURATION, "10s", 0, 1 * DAY, NULL,
     "adapter: how long TokenReview answers are cached (0 = not cached).",
     OFF(authentication_token_cache_ttl_ms)},
    {"authorization-webhook-cache-authorized-ttl", OPT_DURATION, "10s", 0, 1 * DAY, NULL,
     "adapter: how long an allowing SubjectAccessReview answer is cached (0 = not cached).",
     OFF(authorization_cache_authorized_ttl_ms)},
    {"authorization-webhook-cache-unauthorized-ttl", OPT_DURATION, "10s", 0, 1 * DAY, NULL,
     "adapter: how long a refusing SubjectAccessReview answer is cached (0 = not cached).",
     OFF(authorization_cache_unauthorized_ttl_ms)},
    {"authorization-always-allow-paths", OPT_STRING, "/healthz,/readyz,/livez", 0, 0, NULL,
     "adapter: comma-separated paths served without authentication or authorization (a "
     "trailing * matches a prefix), for kubelet probes.",
     OFF(authorization_always_allow_paths)},
    {"delegation-timeout", OPT_DURATION, "5s", 100, 1 * MIN, NULL,
     "adapter: deadline of one TokenReview or SubjectAccessReview; past it the request fails "
     "with 503 and a Status (cached decisions keep being served).",
     OFF(delegation_timeout_ms)},
    {"requestheader-username-headers", OPT_STRING, "", 0, 0, NULL,
     "adapter: comma-separated headers holding the user on front-proxy requests (first "
     "non-empty wins); empty = the extension-apiserver-authentication ConfigMap's, else "
     "X-Remote-User.",
     OFF(requestheader_username_headers)},
    {"requestheader-group-headers", OPT_STRING, "", 0, 0, NULL,
     "adapter: comma-separated headers holding the groups on front-proxy requests; empty = the "
     "ConfigMap's, else X-Remote-Group.",
     OFF(requestheader_group_headers)},
    {"requestheader-extra-headers-prefix", OPT_STRING, "", 0, 0, NULL,
     "adapter: comma-separated header prefixes of the user's extra attributes on front-proxy "
     "requests; empty = the ConfigMap's, else X-Remote-Extra-.",
     OFF(requestheader_extra_headers_prefix)},
    {"authentication-skip-lookup", OPT_BOOL, "false", 0, 0, NULL,
     "adapter: do not read the kube-system/extension-apiserver-authentication ConfigMap for "
     "the client and front-proxy CAs and headers the flags leave unset.",
     OFF(authentication_skip_lookup)},
    {"authentication-tolerate-lookup-failure", OPT_BOOL, "false", 0, 0, NULL,
     "adapter: start even when that ConfigMap cannot be read (front-proxy and client "
     "certificates then only work with the flags).",
     OFF(authentication_tolerate_lookup_failure)},
    /* the app pull channel (collector app_pull) */
    {"app.metrics-url", OPT_URL, "", 0, 0, NULL,
     "The app's Prometheus/OpenMetrics endpoint, fetched every --history.interval "
     "(--collector.app_pull); empty = no pull.",
     OFF(app_metrics_url)},
    {"app.timeout", OPT_DURATION, "800ms", 10, 1 * MIN, NULL,
     "Timeout of one pull (connect + transfer); at most 0.8 x --history.interval is used.",
     OFF(app_timeout_ms)},
    {"app.max-body-bytes", OPT_U64, "4194304", 1024, 268435456, NULL,
     "Largest decoded body accepted from the app; a bigger one fails the pull (counted).",
     OFF(app_max_body_bytes)},
    {"app.requests-metric", OPT_STRING, "rizk_requests_total", 0, 0, NULL,
     "Pulled counter family counted as requests (every series summed).",
     OFF(app_requests_metric)},
    {"app.errors-metric", OPT_STRING, "rizk_request_errors_total", 0, 0, NULL,
     "Pulled counter family counted as errors (ignored with --app.errors-from-label).",
     OFF(app_errors_metric)},
    {"app.errors-from-label", OPT_STRING, "", 0, 0, NULL,
     "label:prefix[,label:prefix...]: errors are the series of --app.requests-metric whose "
     "label starts with prefix (status:5 counts status=\"503\"); unset = --app.errors-metric.",
     OFF(app_errors_from_label)},
    {"app.duration-metric", OPT_STRING, "rizk_request_duration_seconds", 0, 0, NULL,
     "Pulled histogram family of request durations in seconds (buckets summed over series).",
     OFF(app_duration_metric)},
    {"app.active-connections-metric", OPT_STRING, "rizk_active_connections", 0, 0, NULL,
     "Pulled gauge family of open connections (series summed).",
     OFF(app_active_connections_metric)},
    {"app.cache-hits-metric", OPT_STRING, "rizk_cache_hits_total", 0, 0, NULL,
     "Pulled counter family of cache hits, by --app.cache-tier-label (l1, l2).",
     OFF(app_cache_hits_metric)},
    {"app.cache-misses-metric", OPT_STRING, "rizk_cache_misses_total", 0, 0, NULL,
     "Pulled counter family of cache misses, by --app.cache-tier-label (l1, l2).",
     OFF(app_cache_misses_metric)},
    {"app.cache-tier-label", OPT_STRING, "tier", 0, 0, NULL,
     "Label of the cache families naming the tier; its values l1 and l2 are read.",
     OFF(app_cache_tier_label)},
    {"app.start-time-metric", OPT_STRING, "process_start_time_seconds", 0, 0, NULL,
     "Pulled gauge of the app's start time: a change means the app restarted (every counter "
     "then counts from zero).",
     OFF(app_start_time_metric)},
};

const size_t option_count = sizeof(option_table) / sizeof(option_table[0]);

const struct option_alias option_aliases[] = {
    {"url", "check.url"},         {"output", "check.output"},         {"strict", "check.strict"},
    {"cluster", "check.cluster"}, {"kubeconfig", "check.kubeconfig"},
};

const size_t option_alias_count = sizeof(option_aliases) / sizeof(option_aliases[0]);
const struct option_env_alias option_env_aliases[] = {
    {"REDIS_URL", "redis.addr"},
    {"REDIS_CLUSTER_URL", "redis.cluster-nodes"},
    {"REDIS_PASSWORD", "redis.password"},
    {"POD_NAME", "pod.name"},
    {"POD_NAMESPACE", "pod.namespace"},
    {"POD_UID", "pod.uid"},
    {"INSTANCE_ID", "pod.instance-id"},
};

const size_t option_env_alias_count = sizeof(option_env_aliases) / sizeof(option_env_aliases[0]);
