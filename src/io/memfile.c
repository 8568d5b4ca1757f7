/* memfd_create + write + seals: the content cannot change after it was checked. */
#include "io/memfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/banned.h"

int memfile_init(struct memfile *m, const char *name, const void *data, size_t len)
{
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -errno;
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int rc = w < 0 ? -errno : -EIO;
            close(fd);
            return rc;
        }
        p += w;
        left -= (size_t)w;
    }
    /* best effort: a kernel without seals still gives a private file */
    (void)fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    m->fd = fd;
    snprintf(m->path, sizeof(m->path), "/proc/self/fd/%d", fd);
    return 0;
}

void memfile_fini(struct memfile *m)
{
    /* path is set only by a successful init: a zeroed struct (fd 0!) is left alone */
    if (m == NULL || m->fd < 0 || m->path[0] == '\0')
        return;
    close(m->fd);
    m->fd = -1;
    m->path[0] = '\0';
}
