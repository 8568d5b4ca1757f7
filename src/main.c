/* Entry point: argv/env -> struct config -> the chosen mode. No logic of its own. */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "config/config.h"
#include "core/log.h"

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

    int rc;
    switch (cfg.mode) {
    case MODE_ADAPTER:
    case MODE_CHECK:
        fprintf(stderr, "rizk-metrics: %s: not built yet in this version\n",
                cfg.mode == MODE_ADAPTER ? "adapter" : "check");
        rc = 2;
        break;
    default:
        rc = cfg.check_config ? app_check(&cfg) : app_run(&cfg);
        break;
    }
    config_fini(&cfg);
    return rc;
}
