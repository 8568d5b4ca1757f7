/* Parser for PSI files (/proc/pressure/{cpu,memory,io} and cgroup v2 *.pressure):
 * "some avg10=1.77 avg60=0.62 avg300=0.58 total=4030936" and the same for "full". The cpu file
 * has no "full" line before 5.13. Pure: bytes in, struct out. */
#ifndef RIZK_PARSE_PROC_PRESSURE_H
#define RIZK_PARSE_PROC_PRESSURE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct psi_record {
    double avg10, avg60, avg300; /* percent of wall time, 0..100; 0 when the key is absent */
    uint64_t total;              /* cumulative stall time, microseconds */
};

struct proc_pressure {
    struct psi_record some; /* at least one task stalled */
    struct psi_record full; /* all non-idle tasks stalled; valid when has_full */
    bool has_full;
    unsigned malformed; /* lines skipped (bad value, no total=, duplicate, unknown kind) */
};

/* parse_proc_pressure parses text into *out (written only on success). Unknown key=value pairs
 * are ignored. Errors: -EPROTO when there is no usable "some" line, -ERANGE when it was skipped
 * for an overflowing total; err (may be NULL) gets the position. thread: any. */
int parse_proc_pressure(const char *text, struct proc_pressure *out, struct parse_err *err);

#endif
