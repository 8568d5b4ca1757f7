/* Bump arena: a list of chunks, newest first; only the newest one is bumped (inline, arena.h),
 * so a large request in between wastes the rest of the previous chunk (at most one chunk per
 * large request). */
#include "core/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct arena_chunk {
    struct arena_chunk *next;
    max_align_t data[];
};

void arena_init(struct arena *a, size_t chunk)
{
    a->_head = NULL;
    a->_cur = a->_end = NULL;
    a->_chunk = chunk;
}

/* arena_alloc_chunk is arena_alloc's slow path: n does not fit the newest chunk (or there is
 * none yet), so a new chunk becomes the newest. */
void *arena_alloc_chunk(struct arena *a, size_t n)
{
    RIZK_ASSERT(n <= SIZE_MAX - sizeof(struct arena_chunk) - sizeof(max_align_t));
    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    size_t chunk = a->_chunk != 0 ? a->_chunk : ARENA_CHUNK_DEFAULT;
    size_t size = n > chunk ? n : chunk;
    struct arena_chunk *c = xmalloc(sizeof(*c) + size);
    c->next = a->_head;
    a->_head = c;
    a->_cur = (char *)c->data + n;
    a->_end = (char *)c->data + size;
    return c->data;
}

void *arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
    RIZK_ASSERT(size == 0 || nmemb <= SIZE_MAX / size);
    void *p = arena_alloc(a, nmemb * size);
    memset(p, 0, nmemb * size);
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(a, n);
    memcpy(p, s, n);
    return p;
}

void arena_fini(struct arena *a)
{
    if (a == NULL)
        return;
    struct arena_chunk *c = a->_head;
    while (c != NULL) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->_head = NULL;
    a->_cur = a->_end = NULL;
}
