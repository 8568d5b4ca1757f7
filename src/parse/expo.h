/* Parser for the Prometheus text exposition (0.0.4) and OpenMetrics 1.0 text, for the app
 * channel's pull source. One line-at-a-time pass, no recursion, linear in the body size, memory
 * bounded by the caps below: there is no document tree, samples go to a callback (parse_expo);
 * parse/expo_select.h builds on it to keep only the few families a caller asks for.
 *
 * Validity (DESIGN): every rule of OpenMetrics 1.0 (its ABNF and its MUSTs) and of the text
 * format 0.0.4 is checked in the same single pass, each violation counted under one of a small
 * fixed set of reasons (enum expo_reason) with the line of its first occurrence. A violation
 * that belongs to a family (a bad sample line, a bad metadata line, broken buckets, a clash)
 * makes the whole family block invalid: its samples are no longer delivered and the optional
 * `invalid` callback tells the caller to drop what it already took from that family, so a NaN
 * counter or a histogram without +Inf never becomes a rate. The rest of the body still counts:
 * an app's /metrics is untrusted input and one bad family must not blind the autoscaler, where
 * Prometheus would fail the whole scrape. The body as a whole fails (-EPROTO) only when it is
 * not an exposition at all: control bytes on the first line (an undecoded gzip or protobuf
 * body), not one valid line, or an OpenMetrics body without "# EOF" (the only signal OM has for
 * a truncated body, and a truncated counter would read as a reset).
 * What differs by format: OM is the strict ABNF (one space between tokens, no blank lines, free
 * comments, CR, BOM, trailing commas or trailing blanks; its own number grammar; timestamps in
 * seconds; exemplars on counter _total and bucket samples only; UNIT; the OM-only types; family
 * and series groups never interleaved; timestamps within a series never going back). 0.0.4
 * takes any run of blanks between tokens, free comments and blank lines, a trailing comma in a
 * label set, integer millisecond timestamps, and only its five types; a series may appear once.
 * Both: names and escaping, metadata at most once per family and before its samples, one block
 * per family, counter-like values neither NaN nor negative, histogram buckets sorted by `le`
 * with +Inf present and cumulative counts equal to _count, summary quantiles in [0, 1].
 * Known limit: a NUL byte inside a label value (valid OM) is refused (reason "limit"), since
 * names and values are handed out as C strings; in HELP text it is accepted.
 * Timestamps are reported in ms either way. Pure: no I/O, clock or globals. thread: any. */
#ifndef RIZK_PARSE_EXPO_H
#define RIZK_PARSE_EXPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum expo_format {
    EXPO_FORMAT_TEXT = 0,    /* text/plain; version=0.0.4 (and anything unknown) */
    EXPO_FORMAT_OPENMETRICS, /* application/openmetrics-text */
};

enum expo_type {
    EXPO_TYPE_UNTYPED = 0, /* no TYPE line, "untyped" (0.0.4) or "unknown" (OM) */
    EXPO_TYPE_COUNTER,
    EXPO_TYPE_GAUGE,
    EXPO_TYPE_HISTOGRAM,
    EXPO_TYPE_GAUGEHISTOGRAM,
    EXPO_TYPE_SUMMARY,
    EXPO_TYPE_INFO,
    EXPO_TYPE_STATESET,
};

/* What a sample is within its family, from its name suffix. */
enum expo_role {
    EXPO_ROLE_VALUE = 0, /* gauge/untyped value, counter total (x or x_total), summary quantile */
    EXPO_ROLE_CREATED,   /* x_created (OM counter/histogram/summary) */
    EXPO_ROLE_BUCKET,    /* x_bucket{le} */
    EXPO_ROLE_SUM,       /* x_sum */
    EXPO_ROLE_COUNT,     /* x_count */
    EXPO_ROLE_GSUM,      /* x_gsum (gaugehistogram) */
    EXPO_ROLE_GCOUNT,    /* x_gcount (gaugehistogram) */
};

/* Why a line or a family was judged invalid: a small fixed set, exported as label values
 * (expo_reason_name). */
enum expo_reason {
    EXPO_REASON_SYNTAX = 0, /* the line grammar: names, label sets, quoting, separators, values */
    EXPO_REASON_METADATA,   /* HELP/TYPE/UNIT: malformed, unknown type, repeated, after samples */
    EXPO_REASON_GROUPING,   /* a family or series group interleaved, clashing names, a duplicate */
    EXPO_REASON_TIMESTAMP,  /* a bad timestamp, or mixed/backward timestamps in one series */
    EXPO_REASON_VALUE,      /* NaN/negative counter-like values, non-integer counts, info != 1 */
    EXPO_REASON_LABELS,     /* le/quantile/state label missing, malformed, or where not allowed */
    EXPO_REASON_HISTOGRAM,  /* buckets/quantiles out of order, no +Inf, _count != +Inf, sum rules */
    EXPO_REASON_UNIT,       /* UNIT not a suffix of the name, or a unit on info/stateset */
    EXPO_REASON_EXEMPLAR,   /* malformed, too long, or on a sample that cannot have one */
    EXPO_REASON_EOF,        /* text after "# EOF" */
    EXPO_REASON_LIMIT,      /* over this parser's caps: line length, labels per sample, NUL */
    EXPO_REASON_COUNT,
};

#define EXPO_LABELS_MAX_DEFAULT 64
#define EXPO_LINE_MAX_DEFAULT (64u * 1024u)

struct expo_label {
    const char *name;  /* NUL-terminated */
    const char *value; /* unescaped, NUL-terminated (raw bytes; not checked for UTF-8) */
};

struct expo_family {
    const char *name; /* as in TYPE/HELP, or the sample name for an implicit (untyped) family */
    enum expo_type type;
    bool typed;       /* a valid TYPE line was seen for this block */
    const char *help; /* unescaped; NULL when no HELP */
    const char *unit; /* NULL when no UNIT */
    unsigned seq;     /* 0, 1, 2...: one per family block, to cache per-family decisions */
};

struct expo_sample {
    const char *name; /* full sample name: x_total, x_bucket, ... */
    enum expo_role role;
    const struct expo_label *labels; /* in body order */
    unsigned nlabels;
    double value;  /* NaN, +Inf and -Inf included */
    bool has_ts;   /* explicit timestamp present */
    int64_t ts_ms; /* ms since the epoch (OM seconds are converted, rounded, saturated) */
    double ts_raw; /* as written: ms (0.0.4) or seconds (OM) */
    unsigned line; /* 1-based line in the body */
};

/* Counts of one parse. malformed lines are skipped; first_malformed.line == 0 when none. */
struct expo_stats {
    unsigned lines;
    unsigned samples;   /* valid sample lines, _created included */
    unsigned families;  /* family blocks (explicit and implicit) */
    unsigned comments;  /* free comment lines ("# EOF" in 0.0.4 is one) */
    unsigned blank;     /* blank lines (forbidden in OM, tolerated) */
    unsigned crlf;      /* lines ended by CRLF */
    unsigned exemplars; /* exemplars skipped */
    unsigned malformed; /* violations, every reason (a line may count once per rule broken) */
    unsigned reopened;  /* family blocks whose name already had a block (interleaving) */
    unsigned after_eof; /* OM: lines after "# EOF", ignored */
    unsigned families_invalid; /* family blocks judged invalid (their samples not delivered) */
    bool eof;                  /* OM: "# EOF" seen */
    struct parse_err first_malformed;
    unsigned reasons[EXPO_REASON_COUNT];              /* violations by reason */
    struct parse_err reason_first[EXPO_REASON_COUNT]; /* first of each (line 0: none) */
};

struct expo_limits {
    unsigned max_labels;  /* per sample (0: EXPO_LABELS_MAX_DEFAULT); more: line malformed */
    size_t max_line;      /* bytes per line (0: EXPO_LINE_MAX_DEFAULT); longer: malformed */
    unsigned max_samples; /* valid samples in the body (0: no limit); more: -E2BIG */
};

/* Callbacks; pointers passed in are valid only during the call. Return 0 to go on or a
 * negative errno to stop the parse, which then returns that code. family is optional: it is
 * called once per family block, before the block's first sample, or when a block with metadata
 * but no samples ends. sample is called for every valid sample line of a block not (yet) judged
 * invalid, _created included. invalid is optional: it is called at most once per family block,
 * after family, when the block is judged invalid (on the offending line, or when the block ends
 * for the checks that need all of it: +Inf, _count, clashing names, units); the caller drops
 * what it kept of that family. */
struct expo_callbacks {
    int (*family)(void *cls, const struct expo_family *f);
    int (*sample)(void *cls, const struct expo_family *f, const struct expo_sample *s);
    int (*invalid)(void *cls, const struct expo_family *f, enum expo_reason why, unsigned line);
};

/* parse_expo parses len bytes at body, which must be followed by a NUL (body[len] == '\0', as
 * struct buf guarantees), calling cb for each family and sample. lim and stats may be NULL
 * (defaults; no counts). Callbacks already made are not undone on failure: collect, and commit
 * only on 0. Errors: -EPROTO when the body is not an exposition (see the file comment), -E2BIG
 * when lim->max_samples is passed, or a callback's code; err (may be NULL) gets the position.
 * thread: any. */
int parse_expo(const char *body, size_t len, enum expo_format fmt, const struct expo_limits *lim,
               const struct expo_callbacks *cb, void *cls, struct expo_stats *stats,
               struct parse_err *err);

/* expo_format_from_content_type maps a Content-Type header value (may be NULL) to the parser:
 * the media type application/openmetrics-text (any case, any parameters) is OpenMetrics,
 * everything else (text/plain, missing, unknown) is text 0.0.4, like Prometheus 2.42. */
enum expo_format expo_format_from_content_type(const char *content_type);

/* expo_reason_name returns the label value of a reason: "syntax", "metadata", "grouping",
 * "timestamp", "value", "labels", "histogram", "unit", "exemplar", "eof", "limit". */
const char *expo_reason_name(enum expo_reason r);

/* expo_type_name returns "counter", "gauge", ..., "untyped". */
const char *expo_type_name(enum expo_type t);

#endif
