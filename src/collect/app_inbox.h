/* The app inbox: how pushed reports cross from the HTTP threads to the sampler, which alone
 * owns the app-stats aggregate (STYLE 3.7). An HTTP handler decodes and validates a report
 * completely on its own thread, then hands the decoded delta over with app_inbox_push; the
 * sampler takes everything queued at the start of each tick (app_inbox_drain) and applies it.
 *
 * DESIGN: a mutex-protected FIFO with a byte budget rather than a lock-free MPSC ring: pushes
 * come at HTTP request rate, the critical sections are a few pointer moves (the sampler swaps
 * the whole list out and applies it after unlocking), and TSan understands a mutex. The budget
 * bounds the memory a flood of reports between two ticks can hold; over it a push fails and the
 * client is told to retry (503). Counters of outcomes are relaxed atomics for the self-metrics. */
#ifndef RIZK_COLLECT_APP_INBOX_H
#define RIZK_COLLECT_APP_INBOX_H

#include <stddef.h>
#include <stdint.h>

#include "parse/app_report.h"

struct app_inbox;
struct app_stats;
struct sample_sink;

/* Default budget for queued reports (decoded size). */
#define APP_INBOX_MAX_BYTES (4u * 1024 * 1024)

enum app_inbox_result {
    APP_INBOX_ACCEPTED = 0, /* queued */
    APP_INBOX_INVALID,      /* 400: did not decode */
    APP_INBOX_FORBIDDEN,    /* 403: peer not in --web.report-allow */
    APP_INBOX_BUSY,         /* 503: budget full */
    APP_INBOX_UNSUPPORTED,  /* 415: content type */
    APP_INBOX_REFUSED,      /* decoded and queued, but the aggregate refused it at apply time */
    APP_INBOX_RESULTS
};

/* app_inbox_new creates an inbox holding at most max_bytes of queued deltas. Caller frees with
 * app_inbox_free after every producer and the consumer stopped. */
int app_inbox_new(size_t max_bytes, struct app_inbox **out);
void app_inbox_free(struct app_inbox *in);

/* app_inbox_push takes ownership of *d (moved out: *d is zeroed) when it returns 0; -EAGAIN
 * when the budget is full (d untouched, still the caller's). thread: any (HTTP). */
int app_inbox_push(struct app_inbox *in, struct app_delta *d);

/* app_inbox_drain applies every queued delta to st in arrival order and frees them; returns how
 * many were applied. A delta the aggregate refuses is dropped whole and counted as refused.
 * thread: sampler. */
size_t app_inbox_drain(struct app_inbox *in, struct app_stats *st);

/* app_inbox_count counts an outcome (for rizk_app_reports_total{result}). thread: any. */
void app_inbox_count(struct app_inbox *in, enum app_inbox_result r);
/* app_inbox_emit writes rizk_app_reports_total{result}. thread: sampler. */
void app_inbox_emit(struct app_inbox *in, struct sample_sink *sink);

#endif
