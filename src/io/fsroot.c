/* openat()-based reads under a root directory fd. Reads are bounded by the caller's buf cap. */
#include "io/fsroot.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "core/banned.h"

struct fsroot {
    int fd;
    char *path;
};

int fsroot_open(const char *path, struct fsroot **out)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct fsroot *r = xmalloc(sizeof(*r));
    r->fd = fd;
    r->path = xstrdup(path);
    *out = r;
    return 0;
}

void fsroot_free(struct fsroot *r)
{
    if (r == NULL)
        return;
    close(r->fd);
    free(r->path);
    free(r);
}

const char *fsroot_path(const struct fsroot *r)
{
    return r->path;
}

static bool fsroot_rel_ok(const char *rel)
{
    if (rel == NULL || rel[0] == '\0' || rel[0] == '/')
        return false;
    for (const char *p = rel; *p;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return false;
        p += n;
        if (*p == '/')
            p++;
    }
    return true;
}

int fsroot_read(const struct fsroot *r, const char *rel, struct buf *out)
{
    if (!fsroot_rel_ok(rel))
        return -EINVAL;
    /* O_NONBLOCK: a FIFO in place of a file (a broken fixture or mount) must not block the
     * sampler in open() waiting for a writer; anything but a regular file is refused. procfs,
     * sysfs and cgroupfs files are all regular files. */
    int fd = openat(r->fd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return -errno;
    struct stat st;
    int rc = fstat(fd, &st) < 0     ? -errno
             : S_ISDIR(st.st_mode)  ? -EISDIR
             : !S_ISREG(st.st_mode) ? -EINVAL
                                    : 0;
    if (rc < 0) {
        close(fd);
        return rc;
    }
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            buf_fini(out);
            break;
        }
        if (n == 0)
            break;
        rc = buf_add(out, chunk, (size_t)n);
        if (rc < 0)
            break;
    }
    close(fd);
    return rc;
}

bool fsroot_exists(const struct fsroot *r, const char *rel)
{
    struct stat st;
    return fsroot_rel_ok(rel) && fstatat(r->fd, rel, &st, 0) == 0;
}

int fsroot_list(const struct fsroot *r, const char *rel, long max,
                int (*fn)(const char *name, void *ctx), void *ctx)
{
    if (!fsroot_rel_ok(rel))
        return -EINVAL;
    int fd = openat(r->fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    long n = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == max) {
            rc = -E2BIG;
            break;
        }
        n++;
        if (fn(e->d_name, ctx) != 0)
            break;
    }
    closedir(d);
    return rc < 0 ? rc : (int)n;
}

static int fsroot_count_one(const char *name, void *ctx)
{
    (void)name;
    (void)ctx;
    return 0;
}

int fsroot_count_entries(const struct fsroot *r, const char *rel, long *out)
{
    int n = fsroot_list(r, rel, LONG_MAX, fsroot_count_one, NULL);
    if (n < 0)
        return n;
    *out = n;
    return 0;
}

int fsroot_read_path(const char *path, struct buf *out)
{
    /* dirname and basename may modify their argument: each gets its own copy. */
    char *dir = xstrdup(path), *base = xstrdup(path);
    struct fsroot *root = NULL;
    int rc = fsroot_open(dirname(dir), &root);
    if (rc == 0)
        rc = fsroot_read(root, basename(base), out);
    fsroot_free(root);
    free(dir);
    free(base);
    return rc;
}

int fsroot_path_version(const char *path, struct fsroot_version *out)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -errno;
    *out = (struct fsroot_version){(unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
                                   (unsigned long long)st.st_size,
                                   (long long)st.st_mtim.tv_sec * 1000000000LL +
                                       st.st_mtim.tv_nsec};
    return 0;
}
