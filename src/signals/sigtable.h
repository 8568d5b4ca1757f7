/* The signal table: every signal the sidecar derives (SPEC 4's seven, the duration quantiles and
 * the per-tier cache ratios), one row each, with everything the other modules need to know about
 * it: the exported metric (name, help, unit, type, the one label that tells a family's rows
 * apart), the history series it is appended to, its name and PodSnapshot field in the fleet
 * registry, its role in the scaling engine, its basis label and its chart on the landing page.
 * The sampler, the store's history API, the fleet publisher and reader, the scaling engine, the
 * readiness check, the JSON API and the landing page all read this table; none keeps a list of
 * its own. Adding a signal is adding a row (and, when published, a PodSnapshot field).
 * thread: any (const data). */
#ifndef RIZK_SIGNALS_SIGTABLE_H
#define RIZK_SIGNALS_SIGTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "store/series.h"

/* Row ids, in table order: SPEC 4's order first. The order is visible: /api/v1/current lists
 * the signals in it, the landing page charts them in it and the adapter's discovery documents
 * list the published ones in it. */
enum sig_id {
    SIG_REQUESTS_PER_SECOND = 0,
    SIG_ERROR_RATIO,
    SIG_RESPONSE_TIME,
    SIG_CACHE_HIT_RATIO,
    SIG_ACTIVE_CONNECTIONS,
    SIG_CPU_UTILIZATION,
    SIG_MEMORY_UTILIZATION,
    SIG_RESPONSE_TIME_P50,
    SIG_RESPONSE_TIME_P95,
    SIG_RESPONSE_TIME_P99,
    SIG_CACHE_L1_HIT_RATIO,
    SIG_CACHE_L2_HIT_RATIO,
    SIG_COUNT
};

/* How a value reads: the landing page prints ratios as percent and seconds as ms. */
enum sig_unit { SIG_UNIT_RATIO = 0, SIG_UNIT_PER_SECOND, SIG_UNIT_SECONDS, SIG_UNIT_COUNT };

struct sig_def {
    const char *name;        /* metric family, e.g. "rizk_response_time_quantile_seconds" */
    const char *label_name;  /* NULL, or the label that tells the family's rows apart ... */
    const char *label_value; /* ... and this row's value ("0.95", "l1") */
    const char *help;
    enum sig_unit unit;
    bool untyped;             /* exported untyped: a gauge may not carry a "quantile" label */
    double quantile;          /* quantile rows: which one (0.5 ...); 0 otherwise */
    enum hist_series history; /* the history series the value is appended to each tick */
    /* Name in the fleet registry and the adapter's APIs, "rizk_<field>" where <field> is the
     * rizk.v1.PodSnapshot field that carries it; NULL: not published. */
    const char *fleet;
    int scale;         /* enum scale_signal: the scaling engine's input it is; -1: none */
    const char *basis; /* rizk_signal_basis_info{signal=<basis>} is emitted for it; NULL: none */
    const char *title; /* SPEC 4's seven: the landing page's chart title, and /api/v1/current
                        * lists it; NULL: neither */
};

/* sigtable_at returns row id (id < SIG_COUNT). */
const struct sig_def *sigtable_at(enum sig_id id);
/* sigtable_fleet_lookup maps a fleet name ("rizk_response_time_p99_seconds") to its row, -1 when
 * no published signal has it. */
int sigtable_fleet_lookup(const char *fleet_name);
/* sigtable_fleet_count is the number of published rows. */
size_t sigtable_fleet_count(void);
/* sigtable_scale_row returns the row that feeds scaling input role (enum scale_signal), -1 if
 * none does. */
int sigtable_scale_row(int role);

/* Longest public history series name, NUL included. */
#define SIGTABLE_NAME_MAX 128

/* The public names of the history series (the history API's ?series=): a signal's is its
 * metric name, with its label as name{label="value"}; an input's is store/series.h's.
 * sigtable_history_name writes it into buf (n bytes, truncated if shorter) and returns buf.
 * sigtable_history_lookup maps a name back to its id, -1 if unknown. */
const char *sigtable_history_name(enum hist_series id, char *buf, size_t n);
int sigtable_history_lookup(const char *name);

#endif
