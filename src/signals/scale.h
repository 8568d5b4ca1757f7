/* The scaling recommendation (SPEC 5): the Rizk scaling guide's AutoScalingController as a pure
 * function of a decision history, with the guide's semantics kept exactly. Each tick appends one
 * decision sample (the five inputs, any of them absent); with fewer than 3 samples the advice is
 * wait; otherwise the NEWEST sample decides (the guide's should_scale_up(current_metrics)):
 * scale_up when at least up_min_conditions (2) of its five values are above their scale-up
 * thresholds, scale_down only when all five are below their scale-down thresholds, else
 * maintain. The reason string quotes the averages of the last 3 samples, as the guide's does.
 * An absent value never counts as exceeded and always blocks scale-down: unknown is not low.
 * Idle is not unknown (SPEC 5): a sample marked idle (the request source is up and counted zero
 * requests) has no response time, and "no requests" counts as below the scale-down threshold.
 *
 * Units: cpu, memory and error are ratios 0-1, rps is requests per second, response time is
 * seconds; the reason string prints them as the guide does (percent, ms). */
#ifndef RIZK_SIGNALS_SCALE_H
#define RIZK_SIGNALS_SCALE_H

#include <stdbool.h>
#include <stddef.h>

/* The five inputs, in the order of the guide's conditions lists. */
enum scale_signal {
    SCALE_CPU = 0,       /* rizk_cpu_utilization_ratio */
    SCALE_MEMORY,        /* rizk_memory_utilization_ratio */
    SCALE_RPS,           /* rizk_requests_per_second */
    SCALE_RESPONSE_TIME, /* rizk_response_time_seconds */
    SCALE_ERROR_RATIO,   /* rizk_error_ratio */
    SCALE_NSIGNALS
};

enum scale_action { SCALE_WAIT = 0, SCALE_MAINTAIN, SCALE_UP, SCALE_DOWN, SCALE_NACTIONS };

/* The guide waits for this many samples, and averages this many for the reason string. */
#define SCALE_MIN_SAMPLES 3
/* Replica change bands of the guide's _calculate_scale_up_replicas (cpu ratio, exclusive). */
#define SCALE_CPU_PLUS3 0.90
#define SCALE_CPU_PLUS2 0.80
/* Longest reason string, NUL included. */
#define SCALE_REASON_MAX 256

/* One decision sample: v[i] is meaningful only when has[i]; a non-finite v counts as absent.
 * idle: the request source was up and counted zero requests over the window; an absent
 * response time then means "no requests" (below the scale-down threshold, never exceeded). */
struct scale_sample {
    bool has[SCALE_NSIGNALS];
    double v[SCALE_NSIGNALS];
    bool idle;
};

struct scale_thresholds {
    double up[SCALE_NSIGNALS];   /* a condition holds when value > up[i] */
    double down[SCALE_NSIGNALS]; /* ... when value < down[i] */
    unsigned up_min_conditions;  /* scale_up needs at least this many (the guide: 2) */
};

struct scale_advice {
    enum scale_action action;
    int replica_change; /* +3/+2/+1 up, -1 down, 0 otherwise */
    size_t samples;     /* history length the advice was computed from */
    /* Conditions of the newest sample (also filled while waiting, when a sample exists). */
    unsigned conditions_up;        /* values above their scale-up threshold (0-5) */
    unsigned conditions_down;      /* values below their scale-down threshold (0-5) */
    bool exceeded[SCALE_NSIGNALS]; /* newest value > up threshold */
    bool below[SCALE_NSIGNALS];    /* newest value < down threshold */
    struct scale_sample current;   /* the newest sample (all absent when none) */
    bool idle;                     /* the newest sample is idle (current.idle) */
    bool has_avg[SCALE_NSIGNALS];  /* some of the last 3 samples had the value */
    double avg[SCALE_NSIGNALS];    /* mean of the present values among the last 3 */
    char reason[SCALE_REASON_MAX];
};

/* scale_thresholds_default fills th with the guide's numbers: up cpu 0.70, memory 0.80,
 * rps 100, response time 1.0 s, error 0.05; down 0.30, 0.40, 20, 0.2 s, 0.01; 2 conditions.
 * thread: any. */
void scale_thresholds_default(struct scale_thresholds *th);

/* scale_signal_name returns the metric name of the signal-table row that is input i
 * ("rizk_cpu_utilization_ratio"); static.
 * scale_action_name returns "wait", "maintain", "scale_up" or "scale_down"; static.
 * thread: any. */
const char *scale_signal_name(enum scale_signal i);
const char *scale_action_name(enum scale_action a);

/* scale_replicas_target is the absolute target: current + change, never below 1 (scale to zero
 * is the HPA's call, not ours); 0 when current is 0 (unknown). thread: any (pure). */
long scale_replicas_target(unsigned long current, int change);

/* scale_recommend computes the advice from the last n decision samples in hist (borrowed,
 * oldest first; n may be 0). Only the newest 3 are read; n is the history length that decides
 * wait (n < 3). Writes *out; never fails. thread: any (pure). */
void scale_recommend(const struct scale_sample *hist, size_t n, const struct scale_thresholds *th,
                     struct scale_advice *out);

/* The decision history: a bounded ring of samples (the guide's metrics_history, trimmed to its
 * newest `capacity`, 100 by default). Owned by one thread (the sampler). */
struct scale_history;

/* scale_history_new allocates a history of capacity >= SCALE_MIN_SAMPLES samples (smaller
 * values are raised to it). Never fails (xalloc). Caller frees with scale_history_free. */
struct scale_history *scale_history_new(size_t capacity);
/* scale_history_free releases h. NULL-safe. */
void scale_history_free(struct scale_history *h);
/* scale_history_push appends s, dropping the oldest sample once full. */
void scale_history_push(struct scale_history *h, const struct scale_sample *s);
/* scale_history_len returns how many samples the history holds (at most its capacity). */
size_t scale_history_len(const struct scale_history *h);
/* scale_history_recommend is scale_recommend over the whole history. */
void scale_history_recommend(const struct scale_history *h, const struct scale_thresholds *th,
                             struct scale_advice *out);

#endif
