/* Fuzz target for parse_proc_nettcp: the input is copied into a NUL-terminated buffer capped at 1
 * MiB (the parsers require NUL termination), parsed, and the result's invariants are checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/proc_nettcp.h"

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
    struct proc_nettcp t;
    struct parse_err e;
    /* The port comes from the first two bytes, so the fuzzer can steer established_on_port. */
    unsigned port = size >= 2 ? (unsigned)data[0] << 8 | data[1] : 0;
    if (parse_proc_nettcp(text, port, &t, &e) == 0) {
        uint64_t sum = 0;
        for (int i = 0; i < PROC_TCP_STATES; i++)
            sum += t.by_state[i];
        if (sum != t.sockets || t.by_state[0] != 0 ||
            t.established_on_port > t.by_state[PROC_TCP_ESTABLISHED])
            abort();
    }
    free(text);
    return 0;
}
