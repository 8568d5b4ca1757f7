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
     "Address to serve HTTP on: host:port, :port for all interfaces, [v6]:port.",
     OFF(web_listen_address)},
    {"web.telemetry-path", OPT_PATH, "/metrics", 0, 0, NULL,
     "Path under which to expose metrics.", OFF(web_telemetry_path)},
    {"web.max-connections", OPT_U64, "64", 1, 10000, NULL,
     "Maximum concurrent HTTP connections; more are refused.", OFF(web_max_connections)},
    {"web.max-request-bytes", OPT_U64, "32768", 4096, 1048576, NULL,
     "Maximum size of one HTTP request (headers and body) per connection.",
     OFF(web_max_request_bytes)},
    {"web.idle-timeout", OPT_DURATION, "30s", 1 * SEC, 1 * HOUR, NULL,
     "Close HTTP connections idle for this long.", OFF(web_idle_timeout_ms)},
    {"web.threads", OPT_U64, "2", 1, 64, NULL, "Number of HTTP worker threads.",
     OFF(web_threads)},
    {"log.level", OPT_ENUM, "info", 0, 0, "debug|info|warn|error",
     "Only log messages with the given severity or above.", OFF(log_level)},
    {"log.format", OPT_ENUM, "logfmt", 0, 0, "logfmt|json", "Output format of log messages.",
     OFF(log_format)},
    {"path.procfs", OPT_STRING, "/proc", 0, 0, NULL, "procfs mountpoint.", OFF(path_procfs)},
    {"path.sysfs", OPT_STRING, "/sys", 0, 0, NULL, "sysfs mountpoint.", OFF(path_sysfs)},
    {"path.cgroupfs", OPT_STRING, "/sys/fs/cgroup", 0, 0, NULL,
     "cgroup filesystem mountpoint (cgroup v2 unified hierarchy).", OFF(path_cgroupfs)},
    {"history.interval", OPT_DURATION, "1s", 100, 1 * HOUR, NULL,
     "Sampling interval: one tick collects every source and appends to the history.",
     OFF(history_interval_ms)},
    {"history.retention", OPT_DURATION, "1h", 1 * MIN, 7 * DAY, NULL,
     "How much history the ring buffers keep (retention / interval slots per series).",
     OFF(history_retention_ms)},
    {"signals.window", OPT_DURATION, "60s", 1 * SEC, 1 * DAY, NULL,
     "Window over which the scaling signals are computed.", OFF(signals_window_ms)},
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
};

const size_t option_count = sizeof(option_table) / sizeof(option_table[0]);
