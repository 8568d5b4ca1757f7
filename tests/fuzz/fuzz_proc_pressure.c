/* Fuzz target for parse_proc_pressure: the input is copied into a NUL-terminated buffer capped at 1
 * MiB (the parsers require NUL termination), parsed, and the result's invariants are checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include "parse/proc_pressure.h"

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
    struct proc_pressure p;
    struct parse_err e;
    if (parse_proc_pressure(text, &p, &e) == 0) {
        if (!isfinite(p.some.avg10) || !isfinite(p.some.avg300))
            abort();
    } else if (e.line == 0 || e.what == NULL) {
        abort();
    }
    free(text);
    return 0;
}
