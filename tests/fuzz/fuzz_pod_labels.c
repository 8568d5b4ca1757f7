/* Fuzz target for the downward-API labels parser: NUL-terminated copy capped at 1 MiB; decoded
 * labels must be unique, bounded and NUL-free, and fini must release everything. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/pod_labels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct pod_labels *l = malloc(sizeof(*l));
    struct parse_err e;
    if (l != NULL && parse_pod_labels(text, l, &e) == 0) {
        if (l->n > POD_LABELS_MAX)
            abort();
        for (unsigned i = 0; i < l->n; i++) {
            size_t kl = strlen(l->items[i].key);
            if (kl == 0 || kl > POD_LABEL_KEY_MAX ||
                strlen(l->items[i].value) > POD_LABEL_VALUE_MAX)
                abort();
            if (pod_labels_get(l, l->items[i].key) != l->items[i].value)
                abort(); /* keys are unique: the first match is this one */
        }
        pod_labels_fini(l);
    }
    free(l);
    free(text);
    return 0;
}
