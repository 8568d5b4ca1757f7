/* All escaping of untrusted text lives here, one function per output context (STYLE anti-pattern
 * 5): the rules differ per position, and one label value holding '"' would make Prometheus reject
 * the whole scrape. Every function also repairs invalid UTF-8 (each maximal ill-formed
 * subsequence becomes U+FFFD, as Python's "replace" does), because Prometheus rejects a label
 * value that is not UTF-8 and JSON must be UTF-8: whatever the input, the output is valid.
 *
 * Common contract: s points to n bytes (borrowed, may hold NUL bytes, need not be terminated);
 * the escaped bytes are appended to out without surrounding quotes unless stated.
 * Returns 0 or -E2BIG when out's cap is reached (out is then freed, see core/buf.h).
 * thread: any (no shared state). */
#ifndef RIZK_RENDER_ESCAPE_H
#define RIZK_RENDER_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* escape_help_text escapes a text-format 0.0.4 HELP docstring: only '\' -> "\\" and LF -> "\n".
 * '"' stays raw: expfmt/promtool reject "\"" in HELP. NUL becomes U+FFFD. */
int escape_help_text(struct buf *out, const char *s, size_t n);

/* escape_help_om escapes an OpenMetrics HELP: '\' -> "\\", LF -> "\n", '"' -> "\"".
 * NUL becomes U+FFFD. */
int escape_help_om(struct buf *out, const char *s, size_t n);

/* escape_label_value escapes a label value for text 0.0.4 and OpenMetrics alike:
 * '\' -> "\\", '"' -> "\"", LF -> "\n"; every other byte is kept (tabs and CR are legal raw,
 * and "\t" would be an invalid escape for expfmt). NUL becomes U+FFFD. */
int escape_label_value(struct buf *out, const char *s, size_t n);

/* escape_utf8 copies a protobuf string (label value, HELP): nothing is quoted or escaped, only
 * the UTF-8 repair applies (and NUL becomes U+FFFD, as in the text formats), because
 * Prometheus fails a protobuf scrape whose HELP or label value is not valid UTF-8. */
int escape_utf8(struct buf *out, const char *s, size_t n);

/* escape_is_utf8 tells whether escape_utf8 would copy s unchanged (valid UTF-8, no NUL), so a
 * caller can skip the copy. thread: any. */
bool escape_is_utf8(const char *s, size_t n);

/* escape_json_string escapes the inside of a JSON string (RFC 8259): '"' and '\' are escaped,
 * \b \f \n \r \t use their short forms, every other byte below 0x20 and DEL become \u00XX. */
int escape_json_string(struct buf *out, const char *s, size_t n);

/* escape_html escapes HTML text or a double-quoted attribute value: & < > " ' become entities,
 * control bytes other than TAB/LF/CR are dropped. Same contract as the functions above. */
int escape_html(struct buf *out, const char *s, size_t n);

/* escape_logfmt_value appends a logfmt value: bare when it is non-empty and holds only bytes
 * in 0x21-0x7E other than '"', '=' and '\'; otherwise double-quoted with \" \\ \n \r \t and
 * \u00XX for other control bytes. */
int escape_logfmt_value(struct buf *out, const char *s, size_t n);

#endif
