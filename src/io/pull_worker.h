/* Pull worker: a thread that GETs one /metrics URL every interval (io/http_fetch), parses the
 * body with the families the caller selected (parse/expo, format from the Content-Type), and
 * leaves the newest outcome in a one-slot mailbox. The sampler takes it under a tiny mutex (a
 * pointer swap), so a slow or hung app costs the sampler nothing: the fetch, the timeout and the
 * parse all happen here. Generic: it knows nothing about which families mean what.
 * Threads: new/free/start/stop from the owner (app startup and shutdown); take from one consumer
 * thread (the sampler); the worker thread itself only touches the fetch handle and the slot. */
#ifndef RIZK_IO_PULL_WORKER_H
#define RIZK_IO_PULL_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "io/http_fetch.h"
#include "parse/expo_select.h"

struct pull_worker; /* opaque */

struct pull_worker_opts {
    struct http_fetch_opts fetch; /* timeout_ms must be below interval_ms */
    int64_t interval_ms;          /* > 0: start-to-start period of the fetches */
    int64_t first_delay_ms;       /* >= 0: wait this long after start before the first fetch,
                                   * to put fetches at a phase of the consumer's ticks */
    const char *const *names;     /* families to keep (see parse/expo.h); copied */
    unsigned nnames;              /* 1..EXPO_SELECT_MAX */
    unsigned max_samples;         /* kept samples per body (0: expo default) */
    size_t max_bytes;             /* kept label bytes per body (0: expo default) */
};

/* One attempt. set is owned by whoever holds the result: release it with pull_result_fini. */
struct pull_result {
    struct expo_set *set; /* NULL unless rc == 0 */
    int rc;               /* 0, a http_fetch_get error, or a parse_expo_select error */
    bool parse_failed;    /* rc came from the parser: the body arrived whole */
    long http_status;     /* 0 when no response arrived */
    enum expo_format format;
    struct parse_err err; /* where the parse failed when the error came from the parser */
    size_t body_bytes;
    long elapsed_ms;      /* transfer time */
    int64_t done_mono_ms; /* clock_mono_ms() when the attempt finished */
    uint64_t seq;         /* 1 for the first attempt, then +1; a gap means results were replaced */
    char error[160];      /* short reason for logs, "" on success */
};

/* pull_worker_new validates o and creates the fetch handle; the thread is not started. *out
 * (free with pull_worker_free) is written only on success. Errors: -EINVAL, -ENOMEM. */
int pull_worker_new(const struct pull_worker_opts *o, struct pull_worker **out);

/* pull_worker_start starts the thread; the first fetch happens after first_delay_ms, the next
 * ones on a fixed grid of interval_ms from it (no drift; a fetch that overruns skips to the next
 * slot of the grid). Errors: -EINVAL
 * (already started), or pthread_create's error as a negative errno. */
int pull_worker_start(struct pull_worker *w);

/* pull_worker_stop asks the thread to finish and joins it. It returns within the fetch timeout
 * (a transfer in flight is not interrupted). No-op when not started. */
void pull_worker_stop(struct pull_worker *w);

/* pull_worker_take moves the newest result, if one arrived since the last take, into *out (the
 * caller now owns out->set). Errors: -EAGAIN when there is nothing new (*out untouched).
 * Never blocks for longer than a pointer swap. */
int pull_worker_take(struct pull_worker *w, struct pull_result *out);

/* pull_worker_run_once performs one attempt on the calling thread, without the mailbox: for
 * tests and one-shot tools. Must not be used while the thread runs. Returns out->rc. */
int pull_worker_run_once(struct pull_worker *w, struct pull_result *out);

/* pull_result_fini frees r->set and clears it; NULL-safe. */
void pull_result_fini(struct pull_result *r);

/* pull_worker_free stops the thread if needed, frees any untaken result and w; NULL is a no-op. */
void pull_worker_free(struct pull_worker *w);

#endif
