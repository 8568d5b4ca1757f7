/* Fuzz target for parse_proc_loadavg: the input is copied into a NUL-terminated buffer capped at 1
 * MiB (the parsers require NUL termination), parsed, and the result's invariants are checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include "parse/proc_loadavg.h"

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
    struct proc_loadavg l;
    struct parse_err e;
    if (parse_proc_loadavg(text, &l, &e) == 0) {
        if (!isfinite(l.load1) || l.load1 < 0 || !isfinite(l.load15) || l.load15 < 0)
            abort();
    }
    free(text);
    return 0;
}
