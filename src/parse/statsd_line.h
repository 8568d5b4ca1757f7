/* Parser for one statsd / DogStatsD line: "name:value[:value...]|type[|@rate][|#k:v,k2:v2]"
 * (types c g ms h d s; DogStatsD's "|c:<container>" and "|T<unix>" fields are accepted and
 * ignored), DogStatsD events "_e{<title bytes>,<text bytes>}:<title>|<text>[|d:|h:|k:|p:|s:|
 * t:|#tags|c:]" and service checks "_sc|<name>|<status 0-3>[|d:|h:|#tags|c:][|m:<message>]"
 * (the message is the last field and may hold '|'), plus the datagram splitter and the name
 * sanitizer for exported series.
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

enum statsd_kind {
    STATSD_KIND_METRIC = 0,
    STATSD_KIND_EVENT,         /* _e{ */
    STATSD_KIND_SERVICE_CHECK, /* _sc| */
};

/* An event's "t:" field (default info), the {alert_type} label values. */
enum statsd_alert {
    STATSD_ALERT_INFO = 0,
    STATSD_ALERT_SUCCESS,
    STATSD_ALERT_WARNING,
    STATSD_ALERT_ERROR,
    STATSD_ALERTS
};

/* A service check's status, the {status} label values; the gauge exports the number. */
enum statsd_check_status {
    STATSD_CHECK_OK = 0,
    STATSD_CHECK_WARNING,
    STATSD_CHECK_CRITICAL,
    STATSD_CHECK_UNKNOWN,
    STATSD_CHECK_STATUSES
};

/* Why a line was rejected; also the {reason} label values of the listener's counters. */
enum statsd_reason {
    STATSD_OK = 0,
    STATSD_BAD_NAME,          /* empty name, control bytes or '|' in it */
    STATSD_BAD_VALUE,         /* missing, not a finite number, too many values */
    STATSD_BAD_TYPE,          /* missing or unknown type, unknown extra field */
    STATSD_BAD_RATE,          /* "@r" with r not in (0, 1] */
    STATSD_BAD_TAGS,          /* "#" field with an empty key or too many tags */
    STATSD_TOO_LONG,          /* more than STATSD_LINE_MAX bytes */
    STATSD_BAD_EVENT,         /* "_e{" line: lengths that do not match, unknown field or value */
    STATSD_BAD_SERVICE_CHECK, /* "_sc|" line: no name, a status not 0-3, unknown field */
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
    enum statsd_kind kind;
    struct statsd_span name; /* metric name, event title or service check name */
    enum statsd_type type;
    size_t nvalues;                   /* >= 1; always 1 for sets */
    double values[STATSD_MAX_VALUES]; /* numeric types */
    uint32_t relative;                /* gauges: bit i set when values[i] had an explicit sign */
    struct statsd_span set_value;     /* sets only */
    double rate;                      /* 1 unless "@r" */
    size_t ntags;
    struct statsd_tag tags[STATSD_MAX_TAGS];
    /* events and service checks only */
    struct statsd_span text;     /* event text as sent (DogStatsD escapes newlines as "\\n") */
    struct statsd_span hostname; /* "h:" */
    struct statsd_span message;  /* service check "m:" */
    int64_t timestamp;           /* "d:" in unix seconds, 0 when absent */
    enum statsd_alert alert;     /* event "t:" */
    bool low_priority;           /* event "p:low" */
    enum statsd_check_status status;
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
 * label value ("bad_name", ..., "too_long", "bad_event", "bad_service_check"; "ok");
 * statsd_alert_name "info", "success", "warning", "error"; statsd_check_status_name "ok",
 * "warning", "critical", "unknown". Static strings. */
const char *statsd_type_name(enum statsd_type t);
const char *statsd_reason_name(enum statsd_reason r);
const char *statsd_alert_name(enum statsd_alert a);
const char *statsd_check_status_name(enum statsd_check_status s);

/* statsd_sanitize writes in[0..n) into out (size cap) as a Prometheus name fragment: every byte
 * outside [a-zA-Z0-9_] becomes '_', and a leading digit gets a '_' prefix when leading_digit_ok
 * is false. Returns the length written, or -E2BIG when it does not fit (out untouched beyond
 * cap). thread: any. */
int statsd_sanitize(const char *in, size_t n, bool leading_digit_ok, char *out, size_t cap);

#endif
