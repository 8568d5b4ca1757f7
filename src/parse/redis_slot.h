/* Redis Cluster key slots: CRC16 (XMODEM: poly 0x1021, init 0) of the key, or of its hash tag,
 * modulo 16384, exactly as cluster.c keyHashSlot. Pure. */
#ifndef RIZK_PARSE_REDIS_SLOT_H
#define RIZK_PARSE_REDIS_SLOT_H

#include <stddef.h>
#include <stdint.h>

/* redis_slot_crc16 returns the CRC16/XMODEM of n bytes ("123456789" -> 0x31C3). thread: any. */
uint16_t redis_slot_crc16(const void *p, size_t n);

/* redis_slot_of_key returns the slot (0-16383) of an n-byte key. When the key holds a '{' followed
 * later by a '}' with at least one byte between them, only the bytes between the first '{' and
 * the first '}' after it are hashed ("{user1000}.following" and "{user1000}.followers" share a
 * slot; "{}x" hashes whole). thread: any. */
unsigned redis_slot_of_key(const void *key, size_t n);

#endif
