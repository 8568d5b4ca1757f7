/* A bump arena (h2o's mem pools, nginx's pools): memory handed out by a pointer bump from
 * chunks of a size chosen by the owner, never freed one by one, all released at once by
 * arena_fini. For objects that share one lifetime: a tick's render, a metric set, one fleet query.
 * thread: an arena belongs to one thread at a time. */
#ifndef RIZK_CORE_ARENA_H
#define RIZK_CORE_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct arena_chunk;

/* Embedded by its owner; the fields are private (do not touch). Zero-initialised it is an empty
 * arena with the default chunk size. */
struct arena {
    struct arena_chunk *_head;
    char *_cur, *_end; /* the free part of the newest chunk */
    size_t _chunk;     /* bytes per chunk; 0: ARENA_CHUNK_DEFAULT */
};

#define ARENA_CHUNK_DEFAULT (16u * 1024)

/* arena_init makes a an empty arena whose chunks hold chunk bytes (0: the default). */
void arena_init(struct arena *a, size_t chunk);
/* arena_alloc returns n bytes aligned for any type (max_align_t), not zeroed, owned by a and
 * valid until arena_fini. A request larger than a chunk gets a chunk of its own. Aborts on OOM.
 * Inline: the bump is the hot path of a protobuf decode (a dozen allocations per pod). */
/* arena_alloc_chunk is the slow path (a new chunk); call arena_alloc. */
void *arena_alloc_chunk(struct arena *a, size_t n);
static inline void *arena_alloc(struct arena *a, size_t n)
{
    size_t r = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (a->_cur != NULL && r >= n && r <= (size_t)(a->_end - a->_cur)) {
        void *p = a->_cur;
        a->_cur += r;
        return p;
    }
    return arena_alloc_chunk(a, n);
}
/* arena_calloc returns nmemb * size zeroed bytes (aborts on multiply overflow), as arena_alloc. */
void *arena_calloc(struct arena *a, size_t nmemb, size_t size);
/* arena_strdup copies s (NUL included) into a. */
char *arena_strdup(struct arena *a, const char *s);
/* arena_fini frees every chunk; a is empty again (same chunk size) and may be reused. NULL-safe. */
void arena_fini(struct arena *a);

#endif
