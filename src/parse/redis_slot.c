/* CRC16/XMODEM with a 256-entry table generated at compile time would be faster; one key per
 * command makes the bitwise loop's cost irrelevant, and it cannot hide a wrong table entry. */
#include "parse/redis_slot.h"

#include <string.h>

#include "core/banned.h"

uint16_t redis_slot_crc16(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint16_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)(b[i] << 8);
        for (int k = 0; k < 8; k++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

unsigned redis_slot_of_key(const void *key, size_t n)
{
    const char *k = key;
    const char *open = n ? memchr(k, '{', n) : NULL;
    if (open != NULL) {
        size_t rest = n - (size_t)(open - k) - 1;
        const char *close = rest ? memchr(open + 1, '}', rest) : NULL;
        if (close != NULL && close > open + 1)
            return redis_slot_crc16(open + 1, (size_t)(close - open - 1)) & 16383u;
    }
    return redis_slot_crc16(k, n) & 16383u;
}
