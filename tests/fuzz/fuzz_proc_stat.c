/* Fuzz target for parse_proc_stat: the input is copied into a NUL-terminated buffer capped at 1 MiB
 * (the parsers require NUL termination), parsed, and the result's invariants are checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/proc_stat.h"

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
    struct proc_stat *s = malloc(sizeof(*s));
    struct parse_err e;
    if (s != NULL && parse_proc_stat(text, s, &e) == 0) {
        if (s->total.nmodes < 4 || s->total.nmodes > PROC_CPU_MODES)
            abort();
        if (s->ncpus - s->cpus_dropped > PROC_STAT_MAX_CPUS)
            abort();
    }
    free(s);
    free(text);
    return 0;
}
