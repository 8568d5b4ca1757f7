/* History persistence (--history.path, SPEC 12): the store's rings written to a file that
 * survives a restart, and read back at start. The format and its checks are
 * parse/history_file.h; this file does the I/O: a save writes PATH.tmp, fsyncs it, renames it
 * over PATH and fsyncs the directory, so a crash leaves the old file or the new one, never half
 * of one. */
#ifndef RIZK_IO_PERSIST_H
#define RIZK_IO_PERSIST_H

#include <stddef.h>
#include <stdint.h>

#include "store/series.h"

struct store;

/* The public names of the series, which the file is keyed by (signals/sigtable.h's history
 * names, passed in so that the store does not depend on the signals). */
struct persist_names {
    const char *(*name)(enum hist_series id, char *buf, size_t n);
    int (*lookup)(const char *name); /* -1 when unknown */
};

/* persist_save writes every series of s with its samples up to now_wall_ms to path, atomically.
 * Returns the number of samples written, or a negative errno from the file system (the old
 * file is then left as it was). thread: any (the store is read through its seqlocks). */
long persist_save(const struct store *s, const struct persist_names *names, const char *path,
                  int64_t now_wall_ms);

/* persist_load appends the samples of path to the empty store s: series by name (names this
 * build does not know are skipped), only samples in (now_wall_ms - retention_ms, now_wall_ms)
 * and in time order. Returns the number of samples loaded; -ENOENT when there is no file;
 * -EPROTO when the file is corrupt, truncated or foreign (*why says how; nothing is loaded);
 * other negative errnos from reading. thread: the store's writer, before it ticks. */
long persist_load(struct store *s, const struct persist_names *names, const char *path,
                  int64_t now_wall_ms, int64_t retention_ms, const char **why);

#endif
