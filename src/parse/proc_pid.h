/* Parsers for /proc/<pid>/stat and /proc/<pid>/limits, the inputs of the standard process_*
 * metrics. Pure: bytes in, struct out. */
#ifndef RIZK_PARSE_PROC_PID_H
#define RIZK_PARSE_PROC_PID_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

/* Field numbers of proc(5), 1-based, as read after the last ')'. */
struct proc_pid_stat {
    uint64_t pid;         /* 1 */
    char state;           /* 3: 'R', 'S', ... */
    uint64_t utime;       /* 14, clock ticks */
    uint64_t stime;       /* 15, clock ticks */
    uint64_t num_threads; /* 20 */
    uint64_t starttime;   /* 22, clock ticks after boot */
    uint64_t vsize;       /* 23, bytes */
    uint64_t rss;         /* 24, pages */
};

/* parse_proc_pid_stat parses the text of /proc/<pid>/stat into *out (written only on success).
 * The comm field (2) may hold blanks and ')', so fields are counted from the LAST ')'; fields
 * after 24 are ignored. Errors: -EPROTO (no "(comm)", fewer than 24 fields, a needed field not a
 * non-negative integer), -ERANGE (a needed field above 2^64-1); err (may be NULL) gets the
 * position. thread: any. */
int parse_proc_pid_stat(const char *text, struct proc_pid_stat *out, struct parse_err *err);

/* "unlimited" in /proc/<pid>/limits; the process_* metrics export it as 2^64-1 as well. */
#define PROC_LIMIT_UNLIMITED UINT64_MAX

struct proc_pid_limits {
    uint64_t open_files_soft, open_files_hard;       /* "Max open files"; valid when has_ */
    uint64_t address_space_soft, address_space_hard; /* "Max address space", bytes */
    bool has_open_files, has_address_space;
    unsigned malformed; /* known limit lines with an unparsable value */
};

/* parse_proc_pid_limits parses the text of /proc/<pid>/limits into *out (written only on
 * success). Other limits and the header are ignored. Errors: -EPROTO when neither "Max open
 * files" nor "Max address space" is usable, -ERANGE when the first skipped line was an
 * overflow; err (may be NULL) gets the position. thread: any. */
int parse_proc_pid_limits(const char *text, struct proc_pid_limits *out, struct parse_err *err);

#endif
