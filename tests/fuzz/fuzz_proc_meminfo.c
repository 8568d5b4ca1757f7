/* Fuzz target for parse_proc_meminfo: the input is copied into a NUL-terminated buffer capped at 1
 * MiB (the parsers require NUL termination), parsed, and the result's invariants are checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/proc_meminfo.h"

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
    struct proc_meminfo *m = malloc(sizeof(*m));
    struct parse_err e;
    if (m != NULL && parse_proc_meminfo(text, m, &e) == 0) {
        if (m->nentries > PROC_MEMINFO_MAX || proc_meminfo_find(m, "MemTotal") == NULL)
            abort();
        for (unsigned i = 0; i < m->nentries; i++)
            if (strlen(m->entries[i].name) == 0)
                abort();
    }
    free(m);
    free(text);
    return 0;
}
