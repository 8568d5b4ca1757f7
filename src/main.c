/* Entry point: argv/env -> struct config -> the chosen mode. No logic of its own. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "adapter.h"
#include "app.h"
#include "check.h"
#include "collect/registry.h"
#include "config/config.h"
#include "core/log.h"
#include "io/http_fetch.h"

int main(int argc, char **argv, char **envp)
{
    struct config cfg;
    enum config_action action =
        config_load(&cfg, &registry_config_collectors, argc, argv, envp, stdout, stderr);
    if (action != CONFIG_RUN) {
        config_fini(&cfg);
        return action == CONFIG_EXIT_OK ? 0 : 2;
    }
    enum log_level level = LOG_LEVEL_INFO;
    enum log_format format = LOG_FORMAT_LOGFMT;
    log_level_parse(cfg.log_level, &level);
    log_format_parse(cfg.log_format, &format);
    log_setup(level, format);
    if (cfg.print_config)
        config_print(&cfg, stdout);

    /* libcurl is dlopen'ed on first use (io/curl_api.h): only a sidecar that pulls loads it,
     * and its global state is set up here, before any thread exists (the pull worker). Without
     * libcurl the pull collector fails its init with one log line; nothing else needs it. */
    bool curl = cfg.app_metrics_url != NULL && cfg.app_metrics_url[0] != '\0';
    if (curl && http_fetch_global_init() < 0) {
        log_error("main", "libcurl cannot be loaded: --app.metrics-url is not pulled");
        curl = false;
    }
    int rc;
    switch (cfg.mode) {
    case MODE_ADAPTER:
        rc = cfg.check_config ? 0 : adapter_run(&cfg);
        if (cfg.check_config)
            printf("configuration OK\n");
        break;
    case MODE_CHECK:
        rc = check_run(&cfg);
        break;
    default:
        rc = cfg.check_config ? app_check(&cfg) : app_run(&cfg);
        break;
    }
    if (curl)
        http_fetch_global_cleanup();
    config_fini(&cfg);
    return rc;
}
