/* fuzz_negotiate: Accept and Accept-Encoding parsing on arbitrary bytes. The first byte picks
 * whether protobuf is available; the rest, NUL-terminated and capped a little above
 * NEGOTIATE_HEADER_MAX so the length bound is exercised, is the header. Checks the contract:
 * *out always set to a known format, protobuf only when available, fallback means text. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/negotiate.h"

#define FUZZ_MAX (NEGOTIATE_HEADER_MAX + 64)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    bool pb = (data[0] & 1) != 0;
    data++;
    size--;
    if (size > FUZZ_MAX)
        size = FUZZ_MAX;
    char *h = malloc(size + 1);
    if (h == NULL)
        return 0;
    memcpy(h, data, size);
    h[size] = '\0';

    enum expo_format f = EXPO_NFORMATS;
    int rc = negotiate_format(h, pb, &f);
    if (rc != 0 && rc != NEGOTIATE_FALLBACK)
        abort();
    if ((unsigned)f >= EXPO_NFORMATS)
        abort();
    if (f == EXPO_PROTOBUF && !pb)
        abort();
    if (rc == NEGOTIATE_FALLBACK && f != EXPO_TEXT)
        abort();
    /* Protobuf availability only ever turns a protobuf answer into another one. */
    enum expo_format g = EXPO_NFORMATS;
    negotiate_format(h, !pb, &g);
    if (f != g && f != EXPO_PROTOBUF && g != EXPO_PROTOBUF)
        abort();
    if (negotiate_content_type(f) == NULL)
        abort();
    (void)negotiate_gzip(h);
    free(h);
    return 0;
}
