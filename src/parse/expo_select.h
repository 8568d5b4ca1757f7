/* Selecting a few families from an exposition: what the pull collector uses. A pair of parse_expo
 * callbacks decides once per family block whether it is wanted and copies the wanted samples
 * into one compact, immutable allocation that can be handed to another thread as is. Memory is
 * bounded by the caller's caps; exceeding one fails the parse (-E2BIG) instead of returning a
 * partial family. Pure; thread: any. */
#ifndef RIZK_PARSE_EXPO_SELECT_H
#define RIZK_PARSE_EXPO_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "parse/expo.h"

#define EXPO_SELECT_MAX 32 /* names per selection */

/* A selection names the families wanted. A name matches the family of that name or its counter
 * spelling: "rizk_requests" and "rizk_requests_total" both select the counter whether it came as
 * 0.0.4 or OM. A typed family matches when its base name (name without the counter "_total")
 * equals the wanted base; an untyped family also matches by suffix (x_bucket, x_sum, x_count,
 * x_total, x_gsum, x_gcount), so a histogram without TYPE lines is still found. _created
 * samples are never kept. */
struct expo_select {
    const char *const *names; /* borrowed during the call; nnames <= EXPO_SELECT_MAX */
    unsigned nnames;
    unsigned max_samples; /* kept samples; more: -E2BIG (0: 4096) */
    size_t max_bytes;     /* label bytes kept; more: -E2BIG (0: 1 MiB) */
    struct expo_limits limits;
};

/* One kept sample. want indexes sel->names. Pointers are owned by the set. */
struct expo_kept {
    unsigned want;
    enum expo_role role;
    enum expo_type type; /* of the family it came from (UNTYPED when implicit) */
    const struct expo_label *labels;
    unsigned nlabels;
    double value;
    bool has_ts;
    int64_t ts_ms;
};

/* The result: kept samples in body order, plus per wanted name whether a family matched, whether
 * it was left out as invalid (parse/expo.h: a family with any broken rule is dropped whole), and
 * the type of its first typed family. One allocation holds the set, samples, labels and strings.
 * Read-only for callers; free with expo_set_free. */
struct expo_set {
    unsigned nsamples;
    const struct expo_kept *samples;
    unsigned nwants;
    bool found[EXPO_SELECT_MAX];
    bool rejected[EXPO_SELECT_MAX]; /* found, but invalid in this body: no sample of it kept */
    enum expo_type types[EXPO_SELECT_MAX];
    struct expo_stats stats;
    enum expo_format format;
};

/* parse_expo_select parses body (same contract as parse_expo, including
 * body[len] == '\0') and keeps only the samples of the
 * selected families in a new set (*out, caller frees with expo_set_free), written only on
 * success. Errors: -EINVAL (bad selection), -E2BIG (a cap passed), -EPROTO (not an exposition),
 * err (may be NULL) gets the position. thread: any. */
int parse_expo_select(const char *body, size_t len, enum expo_format fmt,
                      const struct expo_select *sel, struct expo_set **out, struct parse_err *err);

/* expo_set_free frees a set; NULL is a no-op. */
void expo_set_free(struct expo_set *s);

/* expo_kept_label returns the value of label name in k, or NULL. Borrowed from k's set. */
const char *expo_kept_label(const struct expo_kept *k, const char *name);

#endif
