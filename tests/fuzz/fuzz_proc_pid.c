/* Fuzz target for parse_proc_pid_stat and parse_proc_pid_limits: the input is copied into a
 * NUL-terminated buffer capped at 1 MiB (the parsers require NUL termination), parsed, and the
 * result's invariants are checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/proc_pid.h"

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
    struct proc_pid_stat ps;
    struct proc_pid_limits lim;
    struct parse_err e;
    (void)parse_proc_pid_stat(text, &ps, &e);
    if (parse_proc_pid_limits(text, &lim, &e) == 0 && !lim.has_open_files && !lim.has_address_space)
        abort();
    free(text);
    return 0;
}
