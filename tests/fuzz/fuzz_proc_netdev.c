/* Fuzz target for parse_proc_netdev: the input is copied into a NUL-terminated buffer capped at 1
 * MiB (the parsers require NUL termination), parsed, and the result's invariants are checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/proc_netdev.h"

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
    struct proc_netdev *n = malloc(sizeof(*n));
    struct parse_err e;
    if (n != NULL && parse_proc_netdev(text, n, &e) == 0) {
        if (n->nifs > PROC_NETDEV_MAX)
            abort();
        for (unsigned i = 0; i < n->nifs; i++)
            if (strlen(n->ifs[i].name) == 0 || strlen(n->ifs[i].name) >= PROC_NETDEV_NAME_MAX)
                abort();
    }
    free(n);
    free(text);
    return 0;
}
