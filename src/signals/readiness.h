/* The scaling-readiness validation (SPEC 5): the guide's validate_scaling_readiness with real
 * inputs. Pure: a struct of optional values in, a fixed list of checks out. Errors (status fail,
 * "not ready") are the guide's errors: Redis unreachable or unconfigured, an unhealthy cluster.
 * Everything else is a warning (the guide's cache-hit warning and its performance checklist:
 * cache hit ratio > 0.80, response time < 500 ms, error ratio < 1 %, CPU 60-80 %, memory
 * < 85 %), and so is missing data; warnings fail only in strict mode.
 *
 * readiness_inputs_from_mset reads the inputs from a tick's metric set by metric name, so the
 * check works on whatever the collectors export (see the names in readiness.c). */
#ifndef RIZK_SIGNALS_READINESS_H
#define RIZK_SIGNALS_READINESS_H

#include <stdbool.h>
#include <stddef.h>

#include "store/mset.h"

enum readiness_status { READINESS_OK = 0, READINESS_WARN, READINESS_FAIL, READINESS_SKIP };

enum readiness_redis {
    READINESS_REDIS_NOT_CONFIGURED = 0, /* no redis source reported at all */
    READINESS_REDIS_DOWN,
    READINESS_REDIS_UP,
};

/* The checks, in report order. */
enum readiness_check_id {
    READINESS_REDIS = 0,
    READINESS_REDIS_CLUSTER,
    READINESS_CACHE_HIT_RATIO,
    READINESS_RESPONSE_TIME,
    READINESS_ERROR_RATIO,
    READINESS_CPU,
    READINESS_MEMORY,
    READINESS_NCHECKS
};

/* The guide's numbers. */
#define READINESS_CACHE_WARN 0.70       /* validate_scaling_readiness: warning below */
#define READINESS_CACHE_TARGET 0.80     /* checklist: "Cache hit rates > 80%" */
#define READINESS_RESPONSE_TIME_MAX 0.5 /* checklist: "Response times < 500ms" (seconds) */
#define READINESS_ERROR_RATIO_MAX 0.01  /* checklist: "Error rates < 1%" */
#define READINESS_CPU_LOW 0.60          /* checklist: "CPU utilization 60-80%" (inclusive) */
#define READINESS_CPU_HIGH 0.80
#define READINESS_MEMORY_MAX 0.85   /* checklist: "Memory utilization < 85%" */
#define READINESS_CLUSTER_MASTERS 3 /* a cluster needs at least 3 masters */

#define READINESS_MESSAGE_MAX 160

struct readiness_in {
    enum readiness_redis redis;
    bool clustered; /* a node reports cluster mode */
    bool has_cluster_state;
    bool cluster_state_ok; /* every node reports cluster_state:ok */
    bool has_cluster_masters;
    double cluster_masters; /* masters serving slots (cluster_size) */
    bool has_cache_hit_ratio;
    double cache_hit_ratio;
    const char *cache_source; /* static: which metric gave the ratio (for the message) */
    bool has_response_time;
    double response_time_seconds;
    bool has_error_ratio;
    double error_ratio;
    bool has_cpu;
    double cpu_ratio;
    bool has_memory;
    double memory_ratio;
};

struct readiness_check {
    enum readiness_status status;
    bool has_value;
    double value;
    char message[READINESS_MESSAGE_MAX];
};

struct readiness_report {
    struct readiness_check checks[READINESS_NCHECKS];
    unsigned failures;
    unsigned warnings;
    bool ready;        /* no failure */
    bool strict_ready; /* no failure and no warning */
};

/* readiness_evaluate runs every check on in and writes *out. Never fails. thread: any (pure). */
void readiness_evaluate(const struct readiness_in *in, struct readiness_report *out);

/* readiness_inputs_from_mset fills *in from a tick's metric set (borrowed; may be NULL: then
 * everything is absent and Redis is not configured). Non-finite values are absent.
 * thread: any (pure). */
void readiness_inputs_from_mset(const struct mset *m, struct readiness_in *in);

/* readiness_check_name returns the stable check name ("redis", "redis_cluster",
 * "cache_hit_ratio", "response_time", "error_ratio", "cpu_utilization", "memory_utilization");
 * readiness_check_target the target as text ("> 80%"); readiness_status_name "ok", "warn",
 * "fail" or "skip". All static. thread: any. */
const char *readiness_check_name(enum readiness_check_id id);
const char *readiness_check_target(enum readiness_check_id id);
const char *readiness_status_name(enum readiness_status st);

#endif
