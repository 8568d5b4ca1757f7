/* Fuzz target for the web-config parser (parse/webconfig.c): any bytes (capped a little over
 * WEBCONFIG_MAX_BYTES so the size check is reached) either parse into a config whose
 * invariants hold, or fail with a message that names a line. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/webconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (WEBCONFIG_MAX_BYTES + 16)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    struct webconfig *w = NULL;
    struct parse_err e = {0};
    char why[256] = "";
    int rc = parse_webconfig((const char *)data, size, &w, &e, why, sizeof(why));
    if (rc == 0) {
        if (w == NULL || w->nheaders > WEBCONFIG_NHEADERS || w->nsans > WEBCONFIG_MAX_LIST ||
            w->nciphers > WEBCONFIG_MAX_LIST || w->ncurves > WEBCONFIG_MAX_LIST ||
            w->nusers > WEBCONFIG_MAX_USERS || w->min_version > w->max_version)
            abort();
        if (w->has_tls && (w->cert_file == NULL || w->key_file == NULL))
            abort();
        for (size_t i = 0; i < w->nusers; i++)
            if (strlen(w->users[i].hash) != 60)
                abort();
        webconfig_free(w);
    } else if (w != NULL || why[0] == '\0' || strncmp(why, "line ", 5) != 0) {
        if (!(rc == -E2BIG && strncmp(why, "the file is larger", 18) == 0))
            abort();
    }
    return 0;
}
