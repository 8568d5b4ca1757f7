/* Fuzz target for the kubeconfig parser: arbitrary bytes (capped at 1 MiB) as YAML, resolved
 * once with the current context and once with a fixed context name. On success the cluster's
 * server is set and non-empty, a certificate comes with its key, and fini releases everything. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/kubeconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (1u << 20)

static void fuzz_one(const char *text, size_t len, const char *ctx)
{
    struct kubeconfig k;
    struct parse_err e = {0};
    if (parse_kubeconfig(text, len, ctx, &k, &e) != 0) {
        if (e.what == NULL)
            abort(); /* every failure says why */
        return;
    }
    if (k.server == NULL || k.server[0] == '\0' || k.context == NULL || k.cluster == NULL)
        abort();
    if ((k.cert_file != NULL || k.cert_data != NULL) != (k.key_file != NULL || k.key_data != NULL))
        abort();
    if (k.insecure_skip_tls_verify && (k.ca_file != NULL || k.ca_data != NULL))
        abort();
    kubeconfig_fini(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    /* libyaml reads len bytes, no NUL needed: a copy of exactly size bytes lets ASan see any
     * read past the end */
    char *text = malloc(size ? size : 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    fuzz_one(text, size, NULL);
    fuzz_one(text, size, "fake");
    free(text);
    return 0;
}
