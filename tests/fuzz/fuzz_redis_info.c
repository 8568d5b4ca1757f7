/* Fuzz target for the INFO and CLUSTER INFO parsers: the input is copied into a NUL-terminated
 * buffer capped at 1 MiB, parsed both ways, and the results' invariants are checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/redis_info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (1u << 20)

static int count_field(void *arg, const struct redis_info_field *f)
{
    if (f->key_len == 0 || memchr(f->key, ':', f->key_len) != NULL ||
        memchr(f->value, '\n', f->value_len) != NULL)
        abort();
    uint64_t v;
    (void)parse_redis_info_subfield(f->value, f->value_len, "keys", &v);
    (*(unsigned *)arg)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct redis_info *in = malloc(sizeof(*in));
    struct parse_err e;
    if (in != NULL && parse_redis_info(text, in, &e) == 0) {
        if (in->ndbs > REDIS_INFO_MAX_DBS || in->fields == 0 ||
            strlen(in->version) >= REDIS_INFO_STR_MAX || strlen(in->mode) >= REDIS_INFO_STR_MAX)
            abort();
    }
    free(in);
    unsigned n = 0;
    (void)parse_redis_info_each(text, count_field, &n, NULL, &e);
    struct redis_cluster_info ci;
    if (parse_redis_cluster_info(text, &ci, &e) == 0 && !ci.has_state)
        abort();
    free(text);
    return 0;
}
