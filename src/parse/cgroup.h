/* Parsers for cgroup v2 interface files (cpu.stat, cpu.max, single-value files such as
 * memory.current and memory.max, memory.stat, memory.events) and for /proc/<pid>/cgroup, which
 * tells where the process sits and whether the host runs v1, hybrid or unified v2.
 * Pure: bytes in, struct out. */
#ifndef RIZK_PARSE_CGROUP_H
#define RIZK_PARSE_CGROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

/* cpu.stat. usage/user/system exist even without the cpu controller; the throttling keys only
 * with it. */
struct cgroup_cpu_stat {
    uint64_t usage_usec, user_usec, system_usec;
    uint64_t nr_periods, nr_throttled, throttled_usec;
    bool has_user, has_system, has_periods, has_throttled, has_throttled_usec;
    unsigned malformed;
};

/* parse_cgroup_cpu_stat parses "key value" lines into *out (written only on success); unknown
 * keys (nr_bursts, core_sched.force_idle_usec, ...) are ignored. Errors: -EPROTO when
 * usage_usec is missing, -ERANGE when the first skipped line was an overflow; err (may be NULL)
 * gets the position. thread: any. */
int parse_cgroup_cpu_stat(const char *text, struct cgroup_cpu_stat *out, struct parse_err *err);

/* cpu.max: "$QUOTA $PERIOD" where QUOTA is "max" (no limit) or microseconds per period. */
struct cgroup_cpu_max {
    bool has_quota;      /* false for "max" */
    uint64_t quota_usec; /* valid when has_quota */
    uint64_t period_usec;
};

/* parse_cgroup_cpu_max parses text into *out (written only on success). A missing period means
 * the kernel default, 100000. Errors: -EPROTO (not "max"/a number, zero period, trailing
 * junk), -ERANGE; err (may be NULL) gets the position. thread: any. */
int parse_cgroup_cpu_max(const char *text, struct cgroup_cpu_max *out, struct parse_err *err);

/* A single-value file: memory.current, memory.max, memory.high, pids.max, ... */
struct cgroup_value {
    bool is_max; /* the file said "max" (no limit); value is then UINT64_MAX */
    uint64_t value;
};

/* parse_cgroup_value parses "max" or a decimal, alone on the first line, into *out (written
 * only on success). Errors: -EPROTO, -ERANGE; err (may be NULL) gets the position. thread: any. */
int parse_cgroup_value(const char *text, struct cgroup_value *out, struct parse_err *err);

#define CGROUP_STAT_MAX 128     /* memory.stat entries kept; the excess is counted in dropped */
#define CGROUP_STAT_NAME_MAX 48 /* key bytes + NUL; longer keys are malformed lines */

struct cgroup_stat_entry {
    char name[CGROUP_STAT_NAME_MAX];
    uint64_t value;
};

/* memory.stat: every key in a generic list, plus direct fields (bytes) for what the working
 * set and the dashboards need. */
struct cgroup_memory_stat {
    struct cgroup_stat_entry entries[CGROUP_STAT_MAX]; /* file order, keys unique */
    unsigned nentries;
    unsigned dropped;
    uint64_t anon, file, active_file, inactive_file, shmem;
    bool has_anon, has_file, has_active_file, has_inactive_file, has_shmem;
    unsigned malformed;
};

/* parse_cgroup_memory_stat parses "key value" lines into *out (written only on success).
 * Errors: -EPROTO when no line is usable, -ERANGE when the first skipped line was an overflow;
 * err (may be NULL) gets the position. thread: any. */
int parse_cgroup_memory_stat(const char *text, struct cgroup_memory_stat *out,
                             struct parse_err *err);

/* memory.events (counts of events since the cgroup was created). */
struct cgroup_memory_events {
    uint64_t low, high, max, oom, oom_kill, oom_group_kill;
    bool has_low, has_high, has_max, has_oom, has_oom_kill, has_oom_group_kill;
    unsigned malformed;
};

/* parse_cgroup_memory_events parses "key value" lines into *out (written only on success).
 * Errors: -EPROTO when none of the known keys is usable, -ERANGE as above; err (may be NULL)
 * gets the position. thread: any. */
int parse_cgroup_memory_events(const char *text, struct cgroup_memory_events *out,
                               struct parse_err *err);

/* What /proc/<pid>/cgroup says about the hierarchy. */
enum cgroup_mode {
    CGROUP_MODE_NONE = 0, /* no usable line */
    CGROUP_MODE_V1,       /* only "N:controllers:/path" lines */
    CGROUP_MODE_HYBRID,   /* v1 lines and the unified "0::/path" line */
    CGROUP_MODE_V2        /* only "0::/path" */
};

#define CGROUP_PATH_MAX 4096 /* PATH_MAX: a longer path cannot be opened anyway */

struct cgroup_membership {
    enum cgroup_mode mode;
    bool has_v2;                   /* a "0::/path" line was found */
    char v2_path[CGROUP_PATH_MAX]; /* "/kubepods/.../ctr" or "/", valid when has_v2 */
    unsigned v1_lines;
    unsigned malformed;
};

/* parse_cgroup_membership parses the text of /proc/<pid>/cgroup into *out (written only on
 * success). The path is the rest of the line (it may hold ':' and blanks; a trailing '\r' is
 * dropped) and must start with '/'. Never fails on content: an empty file gives
 * CGROUP_MODE_NONE. Returns 0. err is unused (kept for a uniform signature). thread: any. */
int parse_cgroup_membership(const char *text, struct cgroup_membership *out, struct parse_err *err);

#endif
