/* Fuzz target for the --history.path loader's parser: the input as it is (the checksum gate),
 * then the same bytes with a correct CRC-32 in the last four, so the fuzzer reaches the series
 * table behind the gate. Every indexed span must lie inside the buffer and every sample must
 * be readable. Capped at 1 MiB. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/history_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (1u << 20)

static void fuzz_check(const unsigned char *b, size_t len, struct history_file *hf)
{
    struct parse_err err;
    if (parse_history_file(b, len, hf, &err) != 0) {
        if (err.what == NULL || err.col > len)
            abort();
        return;
    }
    if (hf->nseries > HISTORY_FILE_MAX_SERIES)
        abort();
    for (uint32_t i = 0; i < hf->nseries; i++) {
        const struct history_file_series *s = &hf->series[i];
        const unsigned char *n = (const unsigned char *)s->name;
        if (n < b || n + s->name_len > b + len || s->name_len == 0 ||
            s->samples < b || s->samples + (size_t)s->nsamples * 16 > b + len)
            abort();
        for (uint32_t j = 0; j < s->nsamples; j++) {
            int64_t t;
            double v;
            history_file_sample(s, j, &t, &v);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    unsigned char *b = malloc(size ? size : 1);
    struct history_file *hf = malloc(sizeof(*hf));
    if (b == NULL || hf == NULL) {
        free(b);
        free(hf);
        return 0;
    }
    memcpy(b, data, size);
    fuzz_check(b, size, hf);
    if (size >= 4) {
        uint32_t crc = history_file_crc32(0, b, size - 4);
        for (int i = 0; i < 4; i++)
            b[size - 4 + i] = (unsigned char)(crc >> (8 * i));
        fuzz_check(b, size, hf);
    }
    free(hf);
    free(b);
    return 0;
}
