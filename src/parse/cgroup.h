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
    uint64_t total_inactive_file; /* v1: inactive_file of the cgroup and its descendants */
    bool has_total_inactive_file;
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

#define CGROUP_CTRL_MAX 64 /* a v1 controller list ("cpu,cpuacct") + NUL */

/* One v1 hierarchy: its controller list names the mount directory under /sys/fs/cgroup. */
struct cgroup_v1_line {
    bool found;
    char ctrl[CGROUP_CTRL_MAX]; /* "cpu,cpuacct", "cpuacct", "memory" */
    char path[CGROUP_PATH_MAX]; /* "/kubepods/burstable/pod.../<id>" */
};

struct cgroup_membership {
    enum cgroup_mode mode;
    bool has_v2;                   /* a "0::/path" line was found */
    char v2_path[CGROUP_PATH_MAX]; /* "/kubepods/.../ctr" or "/", valid when has_v2 */
    unsigned v1_lines;
    struct cgroup_v1_line v1_cpu, v1_cpuacct, v1_memory; /* the hierarchies read for v1 */
    unsigned malformed;
};

/* parse_cgroup_membership parses the text of /proc/<pid>/cgroup into *out (written only on
 * success). The path is the rest of the line (it may hold ':' and blanks; a trailing '\r' is
 * dropped) and must start with '/'. Never fails on content: an empty file gives
 * CGROUP_MODE_NONE. Returns 0. err is unused (kept for a uniform signature). thread: any. */
int parse_cgroup_membership(const char *text, struct cgroup_membership *out, struct parse_err *err);

/* cpu.cfs_quota_us (v1): "-1" (no limit) or the quota in microseconds per period. */
struct cgroup_v1_quota {
    bool has_quota; /* false for -1 */
    uint64_t quota_usec;
};

/* parse_cgroup_v1_quota parses text into *out (written only on success). Errors: -EPROTO (not
 * -1 nor a positive number, trailing junk), -ERANGE; err (may be NULL) gets the position.
 * thread: any. */
int parse_cgroup_v1_quota(const char *text, struct cgroup_v1_quota *out, struct parse_err *err);

/* cpu.stat (v1): the throttling counters of the cpu controller. */
struct cgroup_v1_cpu_stat {
    uint64_t nr_periods, nr_throttled, throttled_time_ns;
    bool has_periods, has_throttled, has_throttled_time;
    unsigned malformed;
};

/* parse_cgroup_v1_cpu_stat parses "key value" lines into *out (written only on success).
 * Errors: -EPROTO when none of the keys is usable, -ERANGE as above; err (may be NULL) gets the
 * position. thread: any. */
int parse_cgroup_v1_cpu_stat(const char *text, struct cgroup_v1_cpu_stat *out,
                             struct parse_err *err);

/* memory.limit_in_bytes (v1) at or above this means "no limit": the kernel reports
 * PAGE_COUNTER_MAX pages (9223372036854771712 with 4 KiB pages) rounded to the page size. */
#define CGROUP_V1_UNLIMITED (UINT64_C(1) << 62)

/* memory.oom_control (v1): oom_kill_disable, under_oom, oom_kill (kernels >= 4.13). */
struct cgroup_v1_oom {
    uint64_t oom_kill_disable, under_oom, oom_kill;
    bool has_oom_kill;
    unsigned malformed;
};

/* parse_cgroup_v1_oom_control parses "key value" lines into *out (written only on success).
 * Errors: -EPROTO when none of the keys is usable; err (may be NULL) gets the position.
 * thread: any. */
int parse_cgroup_v1_oom_control(const char *text, struct cgroup_v1_oom *out, struct parse_err *err);

#define CGROUP_ID_MAX 80 /* a container id (64 hex) or a name, + NUL */

/* parse_cgroup_container_id turns a container cgroup's directory name into the runtime's
 * container id: "cri-containerd-<id>.scope", "crio-<id>.scope", "docker-<id>.scope",
 * "libpod-<id>.scope" or "libpod-<id>" (systemd driver and podman), a bare "<id>" (cgroupfs
 * driver). Writes NUL-terminated id into out (written only on success). Errors: -ENOENT for a
 * directory that is not a container (CRI-O's "crio-conmon-<id>.scope", "libpod-conmon-...",
 * a slice, a name with '/' or blanks, an empty id), -E2BIG when it does not fit. thread: any. */
int parse_cgroup_container_id(const char *dirname, char *out, size_t n);

#define CGROUP_POD_DIRS 8 /* kubelet's two drivers x three QoS classes, podman's two managers */

/* parse_cgroup_pod_dirs writes the relative directories where the pod with this UID has its
 * cgroup: kubelet's "kubepods.slice/kubepods-pod<uid_>.slice" (systemd driver, Guaranteed),
 * "kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid_>.slice", "kubepods/pod<uid>",
 * "kubepods/<qos>/pod<uid>" (cgroupfs driver), where uid_ is the uid with '-' replaced by '_';
 * and podman's (kube play: the UID is the pod id) "libpod_parent/<uid>" (cgroupfs manager) and
 * "machine.slice/machine-libpod_pod_<uid>.slice" (systemd manager). out holds CGROUP_POD_DIRS
 * strings. Errors: -EINVAL (empty, longer than 64, characters other than [0-9a-fA-F-]),
 * -E2BIG. thread: any. */
int parse_cgroup_pod_dirs(const char *uid, char out[CGROUP_POD_DIRS][CGROUP_PATH_MAX]);

#endif
