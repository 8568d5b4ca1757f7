/* The basis of the utilization signals (SPEC 2): whose CPU and memory rizk_cpu_utilization_ratio
 * and rizk_memory_utilization_ratio measure. A small pure chooser: what was asked for and what is
 * readable in, the basis used out. */
#ifndef RIZK_SIGNALS_BASIS_H
#define RIZK_SIGNALS_BASIS_H

#include <stdbool.h>

/* In fallback order: auto tries app, then pod, then container, then node. */
enum basis_kind { BASIS_AUTO = 0, BASIS_APP, BASIS_POD, BASIS_CONTAINER, BASIS_NODE };

/* basis_name returns "auto", "app", "pod", "container" or "node" (static). thread: any. */
const char *basis_name(enum basis_kind kind);

/* basis_parse maps a --signals.basis value to *out (written only on success). Errors: -EINVAL
 * for anything but the five names. thread: any. */
int basis_parse(const char *s, enum basis_kind *out);

/* What the cgroup collector could read this tick. node is always readable. */
struct basis_avail {
    bool app, pod, container;
};

/* basis_choose returns the basis used: the requested one when readable, else the next readable
 * one down the order app, pod, container, node (auto starts at app). thread: any. */
enum basis_kind basis_choose(enum basis_kind requested, const struct basis_avail *avail);

#endif
