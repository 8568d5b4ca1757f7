/* Filesystem roots (--path.procfs, --path.sysfs, --path.cgroupfs): a directory opened once at
 * startup; every read is openat() relative to it, so fixtures and /host/proc work and a path
 * join cannot escape the root (no absolute paths, no ".." components). */
#ifndef RIZK_IO_FSROOT_H
#define RIZK_IO_FSROOT_H

#include <stdbool.h>

#include "core/buf.h"

struct fsroot;

/* fsroot_open opens path as a root. Errors: negative errno from open(2). Caller frees. */
int fsroot_open(const char *path, struct fsroot **out);
void fsroot_free(struct fsroot *r);
/* fsroot_path returns the path given to fsroot_open (borrowed, lives as long as r). */
const char *fsroot_path(const struct fsroot *r);

/* fsroot_read appends the whole file rel to out (which must be empty); out's cap bounds the
 * size (-E2BIG). Errors: -EINVAL (bad rel), -ENOENT, other negative errno. thread: any. */
int fsroot_read(const struct fsroot *r, const char *rel, struct buf *out);
/* fsroot_read_path appends the whole file at path (absolute or relative to the working
 * directory) to out (which must be empty), bounded by out's cap (-E2BIG). For the single files
 * flags name (certificates, password and labels files). Errors: negative errno (-ENOENT,
 * -EACCES, ...), -E2BIG. thread: any. */
int fsroot_read_path(const char *path, struct buf *out);
/* fsroot_exists tells whether rel exists under the root. */
bool fsroot_exists(const struct fsroot *r, const char *rel);
/* fsroot_count_entries counts directory entries of rel, "." and ".." excluded. */
int fsroot_count_entries(const struct fsroot *r, const char *rel, long *out);

/* fsroot_list calls fn(name, ctx) for each entry of directory rel ("." and ".." excluded), in
 * readdir order, up to max entries; fn returning non-zero stops the walk. Returns the number of
 * entries passed to fn, or a negative errno (-EINVAL bad rel, -ENOENT, -ENOTDIR, ...). -E2BIG
 * when more than max entries exist (fn saw the first max). thread: any. */
int fsroot_list(const struct fsroot *r, const char *rel, long max,
                int (*fn)(const char *name, void *ctx), void *ctx);
/* What identifies one version of a file: a replaced (Secret symlink swap, mv) or rewritten
 * file changes at least one field. */
struct fsroot_version {
    unsigned long long dev, ino, size;
    long long mtime_ns;
};
/* fsroot_path_version stats path (following symlinks). Errors: negative errno. thread: any. */
int fsroot_path_version(const char *path, struct fsroot_version *out);

#endif
