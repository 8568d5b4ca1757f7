/* Reads one cgroup's CPU and memory, v2 or v1, under a filesystem root: the sidecar's own
 * (--path.cgroupfs), another container's through /proc/<pid>/root/sys/fs/cgroup (a shared
 * process namespace), or a pod's in the node's tree mounted read-only. Used by the cgroup
 * collector only (sampler thread). */
#ifndef RIZK_COLLECT_CGROUP_READ_H
#define RIZK_COLLECT_CGROUP_READ_H

#include <stdbool.h>

#include "core/buf.h"
#include "io/fsroot.h"
#include "parse/cgroup.h"

#define CGROUP_LOC_MAX (CGROUP_PATH_MAX + 128)

/* Where one cgroup's files are, relative to a root. v2: the three directories are equal. v1: the
 * cpu (quota), cpuacct (usage) and memory hierarchies' directories; an empty one is absent. */
struct cgroup_loc {
    int version; /* 1 or 2 */
    char cpu[CGROUP_LOC_MAX];
    char cpuacct[CGROUP_LOC_MAX];
    char memory[CGROUP_LOC_MAX];
};

/* One reading, in base units; each value valid when its has_* is set. */
struct cgroup_usage {
    bool has_cpu, has_cpu_limit, has_user, has_system, has_periods, has_throttled;
    bool has_throttled_seconds, has_memory, has_memory_limit, has_oom_kills, has_oom_events;
    bool has_max_events;
    double cpu_seconds, cpu_limit_cores, user_seconds, system_seconds;
    double periods, throttled_periods, throttled_seconds;
    double memory_usage_bytes, memory_working_set_bytes, memory_limit_bytes;
    double oom_kills, oom_events, max_events;
};

/* cgroup_loc_find fills *out for the cgroup at path (from /proc/<pid>/cgroup, e.g.
 * "/kubepods/.../<id>") under prefix ("" for the root itself, or "1234/root/sys/fs/cgroup"):
 * v2 when prefix holds cgroup.controllers, else v1 with the hierarchies of memb. Each directory
 * is prefix/path when it holds the cgroup's files, else prefix itself (a container sees its own
 * cgroup mounted at the root). Returns 0, or -ENOENT when neither exists. thread: sampler. */
int cgroup_loc_find(const struct fsroot *root, const char *prefix,
                    const struct cgroup_membership *memb, struct cgroup_loc *out);

/* cgroup_loc_dir fills *out for the cgroup directory rel (v2), or for rel inside each v1
 * hierarchy directory named by memb under prefix. Returns 0, or -ENOENT when no file of a
 * cgroup is there. thread: sampler. */
int cgroup_loc_dir(const struct fsroot *root, const char *prefix, int version,
                   const struct cgroup_membership *memb, const char *rel, struct cgroup_loc *out);

/* cgroup_read_usage reads the cgroup at loc into *out (zeroed first), using scratch (emptied).
 * Returns 0 when the CPU usage or the memory usage was read; -ENOENT when neither file exists;
 * another negative errno (read or parse error) when one exists but could not be used, with
 * *out holding what was read. thread: sampler. */
int cgroup_read_usage(const struct fsroot *root, const struct cgroup_loc *loc, struct buf *scratch,
                      struct cgroup_usage *out);

#endif
