/* Parser for /proc/loadavg: "0.00 0.02 0.00 2/96 9857" (load averages over 1, 5 and 15 minutes,
 * runnable/total scheduling entities, last PID). Pure: bytes in, struct out. */
#ifndef RIZK_PARSE_PROC_LOADAVG_H
#define RIZK_PARSE_PROC_LOADAVG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct proc_loadavg {
    double load1, load5, load15; /* finite, >= 0 */
    uint64_t running, total;     /* valid when has_tasks */
    uint64_t last_pid;           /* valid when has_last_pid */
    bool has_tasks, has_last_pid;
};

/* parse_proc_loadavg parses the first line of text into *out (written only on success). The
 * three loads are required; the optional fields are flagged when absent or malformed.
 * Errors: -EPROTO (missing, negative or non-finite load), -ERANGE (load overflows a double);
 * err (may be NULL) gets the position. thread: any. */
int parse_proc_loadavg(const char *text, struct proc_loadavg *out, struct parse_err *err);

#endif
