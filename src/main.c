/* Entry point: argv/env -> struct config -> the chosen mode. No logic of its own. */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "check.h"
#include "config/config.h"
#include "core/log.h"
#include "io/http_fetch.h"

int main(int argc, char **argv, char **envp)
{
    struct config cfg;
    enum config_action action = config_load(&cfg, argc, argv, envp, stdout, stderr);
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

    /* libcurl's global state, before any thread exists (the pull worker, check's fetches). */
    if (http_fetch_global_init() < 0) {
        fprintf(stderr, "rizk-metrics: cannot initialise libcurl\n");
        config_fini(&cfg);
        return 1;
    }
    int rc;
    switch (cfg.mode) {
    case MODE_ADAPTER:
        fprintf(stderr, "rizk-metrics: adapter: not built yet in this version\n");
        rc = 2;
        break;
    case MODE_CHECK:
        rc = check_run(&cfg);
        break;
    default:
        rc = cfg.check_config ? app_check(&cfg) : app_run(&cfg);
        break;
    }
    http_fetch_global_cleanup();
    config_fini(&cfg);
    return rc;
}
