/* Parser for /proc/meminfo: "Name:   value kB" lines. Keeps every line in a generic bounded
 * list (so a collector can export all of them) plus direct fields, in bytes, for the ones the
 * signals need. Pure: bytes in, struct out. */
#ifndef RIZK_PARSE_PROC_MEMINFO_H
#define RIZK_PARSE_PROC_MEMINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define PROC_MEMINFO_MAX 128     /* entries kept; the excess is counted in dropped */
#define PROC_MEMINFO_NAME_MAX 40 /* name bytes + NUL; longer names are malformed lines */

struct proc_meminfo_entry {
    char name[PROC_MEMINFO_NAME_MAX]; /* as in the file: "Active(anon)", "HugePages_Total" */
    uint64_t value;                   /* bytes when has_unit (kB x 1024), else the raw count */
    bool has_unit;
};

struct proc_meminfo {
    struct proc_meminfo_entry entries[PROC_MEMINFO_MAX]; /* file order, names unique */
    unsigned nentries;
    unsigned dropped;
    /* Direct fields, bytes. MemTotal is required; MemAvailable appeared in 3.14. */
    uint64_t mem_total;
    uint64_t mem_free, mem_available, buffers, cached, swap_total, swap_free;
    bool has_mem_free, has_mem_available, has_buffers, has_cached, has_swap_total, has_swap_free;
    unsigned malformed; /* lines skipped: no ':', bad number, unknown unit, overflow, duplicate */
};

/* parse_proc_meminfo parses the NUL-terminated text of /proc/meminfo into *out (written only on
 * success). Malformed lines are skipped and counted. Errors: -EPROTO when MemTotal is missing or
 * malformed, -ERANGE instead when the first skipped line overflowed 2^64-1 bytes (typically
 * MemTotal itself); err (may be NULL) gets the position. thread: any. */
int parse_proc_meminfo(const char *text, struct proc_meminfo *out, struct parse_err *err);

/* proc_meminfo_find returns the entry called name, or NULL. Borrowed from m. thread: any. */
const struct proc_meminfo_entry *proc_meminfo_find(const struct proc_meminfo *m, const char *name);

#endif
