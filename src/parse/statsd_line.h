/* Parser for one statsd / DogStatsD line: "name:value[:value...]|type[|@rate][|#k:v,k2:v2]"
 * (types c g ms h d s; DogStatsD's "|c:<container>" and "|T<unix>" fields are accepted and
 * ignored), plus the datagram splitter and the name sanitizer for exported series.
 * Pure and allocation-free: the result borrows spans of the input, which need not be
 * NUL-terminated (lines are slices of a datagram). The hot path of the statsd listener, so
 * values take an exact fast path (integer mantissa / power of ten) before the general parser. */
#ifndef RIZK_PARSE_STATSD_LINE_H
#define RIZK_PARSE_STATSD_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATSD_LINE_MAX 4096 /* longer lines are rejected as too_long */
#define STATSD_MAX_VALUES 32 /* "name:1:2:3|c" */
#define STATSD_MAX_TAGS 32

enum statsd_type {
    STATSD_COUNTER = 0,  /* c */
    STATSD_GAUGE,        /* g; "+n"/"-n" are relative */
    STATSD_TIMER,        /* ms */
    STATSD_HISTOGRAM,    /* h */
    STATSD_DISTRIBUTION, /* d */
    STATSD_SET,          /* s; the value is an opaque string */
    STATSD_TYPES
};

/* Why a line was rejected; also the {reason} label values of the listener's counters. */
enum statsd_reason {
    STATSD_OK = 0,
    STATSD_BAD_NAME,    /* empty name, control bytes or '|' in it */
    STATSD_BAD_VALUE,   /* missing, not a finite number, too many values */
    STATSD_BAD_TYPE,    /* missing or unknown type, unknown extra field */
    STATSD_BAD_RATE,    /* "@r" with r not in (0, 1] */
    STATSD_BAD_TAGS,    /* "#" field with an empty key or too many tags */
    STATSD_TOO_LONG,    /* more than STATSD_LINE_MAX bytes */
    STATSD_UNSUPPORTED, /* DogStatsD events (_e{) and service checks (_sc|) */
    STATSD_REASONS
};

struct statsd_span {
    const char *p;
    size_t n;
};

/* A tag "key:value"; a bare tag "key" has value.p == NULL and value.n == 0. */
struct statsd_tag {
    struct statsd_span key;
    struct statsd_span value;
};

struct statsd_line {
    struct statsd_span name;
    enum statsd_type type;
    size_t nvalues;                   /* >= 1; always 1 for sets */
    double values[STATSD_MAX_VALUES]; /* numeric types */
    uint32_t relative;                /* gauges: bit i set when values[i] had an explicit sign */
    struct statsd_span set_value;     /* sets only */
    double rate;                      /* 1 unless "@r" */
    size_t ntags;
    struct statsd_tag tags[STATSD_MAX_TAGS];
};

/* parse_statsd_line parses line[0..len) (no '\n'; a trailing '\r' is ignored) into *out, which
 * borrows spans of line. Returns 0, or -EPROTO with *why set (out then holds garbage).
 * Only the fields up to out->ntags / out->nvalues are written. thread: any. */
int parse_statsd_line(const char *line, size_t len, struct statsd_line *out,
                      enum statsd_reason *why);

/* parse_statsd_next_line sets *line to the next non-empty line of [*p, end) and advances *p
 * past it; false at the end of the datagram. thread: any. */
bool parse_statsd_next_line(const char **p, const char *end, struct statsd_span *line);

/* statsd_type_name returns "c", "g", "ms", "h", "d" or "s"; statsd_reason_name returns the
 * label value ("bad_name", ..., "too_long", "unsupported"; "ok"). Static strings. */
const char *statsd_type_name(enum statsd_type t);
const char *statsd_reason_name(enum statsd_reason r);

/* statsd_sanitize writes in[0..n) into out (size cap) as a Prometheus name fragment: every byte
 * outside [a-zA-Z0-9_] becomes '_', and a leading digit gets a '_' prefix when leading_digit_ok
 * is false. Returns the length written, or -E2BIG when it does not fit (out untouched beyond
 * cap). thread: any. */
int statsd_sanitize(const char *in, size_t n, bool leading_digit_ok, char *out, size_t cap);

#endif
