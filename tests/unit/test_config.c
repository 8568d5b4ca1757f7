/* Unit tests for config/: defaults, env < flag precedence, validation messages, durations. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "collect/registry.h"
#include "config/config.h"
#include "config/options.h"

/* load runs config_load on a NULL-terminated argv/env and captures stdout/stderr. */
static enum config_action load(struct config *cfg, const char **argv, const char **env,
                               char *out, size_t outn, char *err, size_t errn)
{
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    FILE *fo = fmemopen(out, outn, "w");
    FILE *fe = fmemopen(err, errn, "w");
    /* config_load takes main()'s non-const argv/envp; it never writes through them */
    char *av[32], *ev[16];
    for (int i = 0; i <= argc; i++)
        av[i] = (char *)(uintptr_t)argv[i];
    int ne = 0;
    for (; env[ne] != NULL; ne++)
        ev[ne] = (char *)(uintptr_t)env[ne];
    ev[ne] = NULL;
    enum config_action a = config_load(cfg, &registry_config_collectors, argc, av, ev, fo, fe);
    fclose(fo);
    fclose(fe);
    return a;
}

static void test_defaults(void)
{
    const char *argv[] = {"rizk-metrics", NULL};
    const char *env[] = {NULL};
    char out[256] = "", err[256] = "";
    struct config cfg;
    CU_ASSERT_EQUAL(load(&cfg, argv, env, out, sizeof(out), err, sizeof(err)), CONFIG_RUN);
    CU_ASSERT_EQUAL(cfg.mode, MODE_SIDECAR);
    CU_ASSERT_STRING_EQUAL(cfg.web_listen_address, ":8080");
    CU_ASSERT_STRING_EQUAL(cfg.web_telemetry_path, "/metrics");
    CU_ASSERT_EQUAL(cfg.history_interval_ms, 1000);
    CU_ASSERT_EQUAL(cfg.history_retention_ms, 3600000);
    CU_ASSERT_EQUAL(cfg.signals_window_ms, 60000);
    CU_ASSERT_EQUAL(config_history_slots(&cfg), 3600);
    CU_ASSERT_TRUE(cfg.collector_enabled[0]);
    CU_ASSERT_STRING_EQUAL(err, "");
    config_fini(&cfg);
}

static void test_precedence(void)
{
    const char *argv[] = {"rizk-metrics", "sidecar", "--history.interval", "2s",
                          "--log.level=debug", NULL};
    const char *env[] = {"RIZK_HISTORY_INTERVAL=5s", "RIZK_WEB_LISTEN_ADDRESS=127.0.0.1:9",
                         "RIZK_COLLECTOR_CGROUP=false", NULL};
    char out[256] = "", err[256] = "";
    struct config cfg;
    CU_ASSERT_EQUAL(load(&cfg, argv, env, out, sizeof(out), err, sizeof(err)), CONFIG_RUN);
    CU_ASSERT_EQUAL(cfg.history_interval_ms, 2000);                  /* flag beats env */
    CU_ASSERT_STRING_EQUAL(cfg.web_listen_address, "127.0.0.1:9"); /* env beats default */
    CU_ASSERT_STRING_EQUAL(cfg.log_level, "debug");
    CU_ASSERT_FALSE(cfg.collector_enabled[1]);
    CU_ASSERT_EQUAL(cfg.origins.opt[0], 1);
    config_fini(&cfg);
}

static void check_usage(const char **argv, const char **env, const char *want_err)
{
    char out[256] = "", err[512] = "";
    struct config cfg;
    CU_ASSERT_EQUAL(load(&cfg, argv, env, out, sizeof(out), err, sizeof(err)),
                    CONFIG_EXIT_USAGE);
    CU_ASSERT_STRING_EQUAL(err, want_err);
    if (strcmp(err, want_err) != 0)
        fprintf(stderr, "\n got: %s\nwant: %s\n", err, want_err);
    config_fini(&cfg);
}

static void test_errors(void)
{
    const char *none[] = {NULL};
    const char *a1[] = {"x", "--history.interval=10ms", NULL};
    check_usage(a1, none,
                "rizk-metrics: invalid value \"10ms\" for --history.interval: expected a "
                "duration from 100ms to 1h (e.g. 500ms, 1s, 1m30s, 1h)\n");
    const char *a2[] = {"x", "--web.max-connections", "0", NULL};
    check_usage(a2, none,
                "rizk-metrics: invalid value \"0\" for --web.max-connections: expected an "
                "integer from 1 to 10000\n");
    const char *a3[] = {"x", "--log.level=loud", NULL};
    check_usage(a3, none,
                "rizk-metrics: invalid value \"loud\" for --log.level: expected one of "
                "debug|info|warn|error\n");
    const char *a4[] = {"x", "--bogus", NULL};
    check_usage(a4, none, "rizk-metrics: unknown flag --bogus (see --help)\n");
    const char *a5[] = {"x", "--web.listen-address", NULL};
    check_usage(a5, none, "rizk-metrics: flag --web.listen-address needs a value (see --help)\n");
    const char *a6[] = {"x", NULL};
    const char *e6[] = {"RIZK_SIGNALS_WINDOW=forever", NULL};
    check_usage(a6, e6,
                "rizk-metrics: invalid value \"forever\" in RIZK_SIGNALS_WINDOW (for "
                "--signals.window): expected a duration from 1s to 1d (e.g. 500ms, 1s, 1m30s, "
                "1h)\n");
    const char *a7[] = {"x", "--no-collector.nope", NULL};
    check_usage(a7, none,
                "rizk-metrics: unknown collector \"nope\" in --no-collector.nope (known: system "
                "cgroup redis statsd app_pull)\n");
    const char *a8[] = {"x", "--signals.window=2h", NULL};
    check_usage(a8, none,
                "rizk-metrics: invalid value for --signals.window: expected a duration from 2 x "
                "--history.interval to --history.retention\n");
    const char *a9[] = {"x", "frobnicate", NULL};
    check_usage(a9, none,
                "rizk-metrics: unknown command \"frobnicate\": expected sidecar, adapter, check or "
                "version (see --help)\n");
    const char *a10[] = {"x", "--web.telemetry-path=metrics", NULL};
    check_usage(a10, none,
                "rizk-metrics: invalid value \"metrics\" for --web.telemetry-path: expected a URL "
                "path starting with / (no spaces, '?' or '#')\n");
    /* the pull channel */
    const char *a11[] = {"x", "--app.metrics-url=ftp://app/metrics", NULL};
    check_usage(a11, none,
                "rizk-metrics: invalid value \"ftp://app/metrics\" for --app.metrics-url: "
                "expected empty or an http:// or https:// URL\n");
    const char *a12[] = {"x", "--app.metrics-url=http:///metrics", NULL};
    check_usage(a12, none,
                "rizk-metrics: invalid value \"http:///metrics\" for --app.metrics-url: expected "
                "http://host[:port]/path or https://...\n");
    const char *a13[] = {"x", "--app.errors-from-label=status=5", NULL};
    check_usage(a13, none,
                "rizk-metrics: invalid value \"status=5\" for --app.errors-from-label: expected "
                "label:prefix, up to 4 comma-separated (e.g. status:5 or status:5,code:5)\n");
    const char *a14[] = {"x", "--app.requests-metric=http-requests", NULL};
    check_usage(a14, none,
                "rizk-metrics: invalid value \"http-requests\" for --app.requests-metric: "
                "expected a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)\n");
    const char *a15[] = {"x", "--app.errors-metric=rizk_requests_total", NULL};
    check_usage(a15, none,
                "rizk-metrics: invalid value \"rizk_requests_total\" for --app.errors-metric: "
                "already used by --app.requests-metric\n");
    const char *a16[] = {"x", "--app.cache-tier-label=1tier", NULL};
    check_usage(a16, none,
                "rizk-metrics: invalid value \"1tier\" for --app.cache-tier-label: expected a "
                "label name ([a-zA-Z_][a-zA-Z0-9_]*)\n");
    /* with a rule, the errors family is not read: reusing its name is fine */
    const char *ok1[] = {"x", "--app.errors-metric=rizk_requests_total",
                         "--app.errors-from-label=status:5,code:5",
                         "--app.metrics-url=http://127.0.0.1:8000/metrics", NULL};
    char out[256] = "", err[512] = "";
    struct config cfg;
    CU_ASSERT_EQUAL(load(&cfg, ok1, none, out, sizeof(out), err, sizeof(err)), CONFIG_RUN);
    CU_ASSERT_STRING_EQUAL(cfg.app_errors_from_label, "status:5,code:5");
    config_fini(&cfg);
}

static void test_collectors_flags(void)
{
    const char *argv[] = {"x", "--collector.disable-defaults", "--collector.cgroup", NULL};
    const char *env[] = {NULL};
    char out[256] = "", err[256] = "";
    struct config cfg;
    CU_ASSERT_EQUAL(load(&cfg, argv, env, out, sizeof(out), err, sizeof(err)), CONFIG_RUN);
    CU_ASSERT_FALSE(cfg.collector_enabled[0]);
    CU_ASSERT_TRUE(cfg.collector_enabled[1]);
    config_fini(&cfg);
}

static void test_help_lists_every_flag(void)
{
    const char *argv[] = {"x", "--help", NULL};
    const char *env[] = {NULL};
    static char out[32768];
    char err[256] = "";
    struct config cfg;
    CU_ASSERT_EQUAL(load(&cfg, argv, env, out, sizeof(out), err, sizeof(err)), CONFIG_EXIT_OK);
    for (size_t i = 0; i < option_count; i++) {
        char needle[128];
        snprintf(needle, sizeof(needle), "--%s", option_table[i].flag);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, needle));
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "env RIZK_WEB_LISTEN_ADDRESS, default \":8080\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--[no-]collector.cgroup"));
    config_fini(&cfg);
}

static void test_durations(void)
{
    int64_t ms = 0;
    CU_ASSERT_EQUAL(config_parse_duration("1h30m", &ms), 0);
    CU_ASSERT_EQUAL(ms, 5400000);
    CU_ASSERT_EQUAL(config_parse_duration("500ms", &ms), 0);
    CU_ASSERT_EQUAL(ms, 500);
    CU_ASSERT_EQUAL(config_parse_duration("1m1s1ms", &ms), 0);
    CU_ASSERT_EQUAL(ms, 61001);
    CU_ASSERT_EQUAL(config_parse_duration("0", &ms), 0);
    CU_ASSERT_EQUAL(ms, 0);
    CU_ASSERT(config_parse_duration("30m1h", &ms) < 0);
    CU_ASSERT(config_parse_duration("1.5s", &ms) < 0);
    CU_ASSERT(config_parse_duration("", &ms) < 0);
    CU_ASSERT(config_parse_duration("10", &ms) < 0);
    char buf[32];
    config_format_duration(5400000, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "1h30m");
    config_format_duration(86400000, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "1d");
    config_format_duration(100, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "100ms");
}

static void test_table_defaults_valid(void)
{
    /* every default parses under its own row's rules: a default out of range is a bug */
    const char *argv[] = {"x", "--check-config", NULL};
    const char *env[] = {NULL};
    char out[256] = "", err[256] = "";
    struct config cfg;
    CU_ASSERT_EQUAL(load(&cfg, argv, env, out, sizeof(out), err, sizeof(err)), CONFIG_RUN);
    CU_ASSERT_TRUE(cfg.check_config);
    for (size_t i = 0; i < option_count; i++) {
        const struct option_def *o = &option_table[i];
        if (o->type == OPT_DURATION) {
            int64_t ms;
            CU_ASSERT_EQUAL(config_parse_duration(o->def, &ms), 0);
            CU_ASSERT(ms >= o->min && ms <= o->max);
        }
    }
    config_fini(&cfg);
}

static CU_TestInfo config_tests[] = {
    {"defaults", test_defaults},
    {"precedence default < env < flag", test_precedence},
    {"error messages name flag and range", test_errors},
    {"collector flags", test_collectors_flags},
    {"help lists every flag", test_help_lists_every_flag},
    {"durations", test_durations},
    {"table defaults valid", test_table_defaults_valid},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_config = {"config", NULL, NULL, NULL, NULL, config_tests};
