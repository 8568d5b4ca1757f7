/* Parser for /proc/stat: the aggregate "cpu" line, the per-CPU "cpuN" lines, btime, ctxt,
 * processes, procs_running and procs_blocked. CPU times stay in raw USER_HZ ticks: converting
 * needs sysconf(_SC_CLK_TCK), which is the collector's business, and integers keep the tests
 * exact. Pure: bytes in, struct out. */
#ifndef RIZK_PARSE_PROC_STAT_H
#define RIZK_PARSE_PROC_STAT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

/* Per-CPU lines kept; more are counted in ncpus and cpus_dropped but not stored. */
#define PROC_STAT_MAX_CPUS 512

/* Columns of a cpu line, in file order. Kernels before 2.6.33 print fewer (2.6.24: no
 * guest_nice, 2.6.11: no guest, ...); guest and guest_nice are already included in user and
 * nice. */
enum proc_cpu_mode {
    PROC_CPU_USER = 0,
    PROC_CPU_NICE,
    PROC_CPU_SYSTEM,
    PROC_CPU_IDLE,
    PROC_CPU_IOWAIT,
    PROC_CPU_IRQ,
    PROC_CPU_SOFTIRQ,
    PROC_CPU_STEAL,
    PROC_CPU_GUEST,
    PROC_CPU_GUEST_NICE,
    PROC_CPU_MODES
};

struct proc_cpu_times {
    unsigned id;                    /* N of "cpuN"; 0 for the aggregate line */
    unsigned nmodes;                /* columns present, 4..PROC_CPU_MODES */
    uint64_t ticks[PROC_CPU_MODES]; /* USER_HZ ticks; columns >= nmodes are 0 */
};

struct proc_stat {
    struct proc_cpu_times total; /* the "cpu" line (required) */
    struct proc_cpu_times cpus[PROC_STAT_MAX_CPUS];
    unsigned ncpus;        /* per-CPU lines seen, stored or not */
    unsigned cpus_dropped; /* per-CPU lines beyond PROC_STAT_MAX_CPUS */
    uint64_t btime;        /* boot time, Unix seconds */
    uint64_t ctxt;
    uint64_t processes; /* forks since boot */
    uint64_t procs_running;
    uint64_t procs_blocked;
    bool has_btime, has_ctxt, has_processes, has_procs_running, has_procs_blocked;
    unsigned malformed; /* lines skipped: bad numbers, too few columns, ... */
};

/* proc_cpu_mode_name returns the lowercase mode name used as a label value ("user", "iowait",
 * "guest_nice"), or "" for an out-of-range mode. Static string. thread: any. */
const char *proc_cpu_mode_name(enum proc_cpu_mode m);

/* parse_proc_stat parses the NUL-terminated text of /proc/stat into *out (written only on
 * success). Unknown keys (intr, softirq, ...) and extra columns are ignored; malformed lines are
 * skipped and counted. Errors: -EPROTO when there is no usable aggregate "cpu" line, -ERANGE when
 * it was skipped because a value exceeds 2^64-1; err (may be NULL) gets the position.
 * thread: any (no shared state). */
int parse_proc_stat(const char *text, struct proc_stat *out, struct parse_err *err);

#endif
