/* Allocation for control structures: abort on OOM and on multiply overflow (tmux xmalloc).
 * Memory sized by external data goes through core/buf.h instead, which fails with -E2BIG. */
#ifndef RIZK_CORE_XALLOC_H
#define RIZK_CORE_XALLOC_H

#include <stddef.h>

/* All: thread any; never return NULL (abort instead). Free with free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xasprintf returns a newly allocated formatted string (caller frees). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
