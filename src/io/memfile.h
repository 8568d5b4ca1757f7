/* Anonymous in-memory files (memfd) that code reading certificates by path can read: the
 * adapter's generated self-signed certificate and the CAs taken from the
 * extension-apiserver-authentication ConfigMap go through the same TLS loader (and the same
 * SIGHUP reload) as files named by flags, with nothing written to disk (the root file system
 * may be read-only). */
#ifndef RIZK_IO_MEMFILE_H
#define RIZK_IO_MEMFILE_H

#include <stddef.h>

#define MEMFILE_PATH_MAX 40
#define MEMFILE_NONE                                                                               \
    {                                                                                              \
        .fd = -1                                                                                   \
    }

struct memfile {
    int fd;                      /* -1 when closed */
    char path[MEMFILE_PATH_MAX]; /* "/proc/self/fd/<fd>": open(2) it for a fresh read */
};

/* memfile_init creates a sealed in-memory file named name (for /proc listings) holding len bytes
 * of data. *m is written only on success. Errors: negative errno from memfd_create/write.
 * thread: any. */
int memfile_init(struct memfile *m, const char *name, const void *data, size_t len);
/* memfile_fini closes it (the memory goes with the last descriptor). NULL-safe; a no-op on a
 * zeroed struct or MEMFILE_NONE. */
void memfile_fini(struct memfile *m);

#endif
