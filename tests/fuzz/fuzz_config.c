/* Fuzz target for the command line and environment parser (config_load): the input is split on
 * newlines; lines starting with "ENV " become environment entries, the rest argv words. Any
 * input must end in a clean CONFIG_RUN / EXIT_OK / EXIT_USAGE without leaks or crashes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/registry.h"
#include "config/config.h"

#define FUZZ_MAX_INPUT 8192
#define FUZZ_MAX_WORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *argv[FUZZ_MAX_WORDS + 2];
    char *envp[FUZZ_MAX_WORDS + 1];
    int argc = 0, envc = 0;
    argv[argc++] = (char *)"rizk-metrics";
    for (char *line = text; line != NULL && *line != '\0';) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        if (strncmp(line, "ENV ", 4) == 0) {
            if (envc < FUZZ_MAX_WORDS)
                envp[envc++] = line + 4;
        } else if (argc < FUZZ_MAX_WORDS + 1) {
            argv[argc++] = line;
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    argv[argc] = NULL;
    envp[envc] = NULL;
    FILE *sink = fopen("/dev/null", "w");
    if (sink != NULL) {
        struct config cfg;
        enum config_action a =
            config_load(&cfg, &registry_config_collectors, argc, argv, envp, sink, sink);
        if (a == CONFIG_RUN)
            config_print(&cfg, sink);
        config_fini(&cfg);
        fclose(sink);
    }
    free(text);
    return 0;
}
