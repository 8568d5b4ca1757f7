/* Content negotiation for /metrics: pure parsing of Accept and Accept-Encoding (RFC 9110 §12.5),
 * no I/O, so it is unit-tested on the exact headers Prometheus 2.42, curl and browsers send, and
 * fuzzed.
 *
 * Format choice: each format gets the q of the most specific media range that matches it
 * (type/subtype with parameters, then type/subtype, then type with a wildcard subtype, then the
 * full wildcard; among equally specific ranges the highest q). The highest q > 0 wins; on a
 * tie text beats OpenMetrics beats protobuf, so a richer format is sent only when the client
 * rates it strictly higher. Matching ranges:
 *   text        text/plain, with version=0.0.4 if a version is given
 *   OpenMetrics application/openmetrics-text, version 1.0.0 or 0.0.1 (our body is valid for both;
 *               Prometheus ignores the version and prometheus_client sends 0.0.1)
 *   protobuf    only an explicit application/vnd.google.protobuf range with
 *               proto=io.prometheus.client.MetricFamily and encoding=delimited, never a wildcard
 * A charset parameter must be utf-8; escaping= (Prometheus 3) is ignored because our names are
 * always legacy-valid; any other parameter makes the range not match (RFC 9110: a range with
 * parameters names that exact representation). Malformed elements are skipped. Lenient on two
 * common deviations: "q=.2" and a bare "*" (Java's HttpURLConnection default header).
 *
 * When nothing acceptable is offered we still serve text 0.0.4 with 200, never 406: that is what
 * node_exporter (client_golang) does, and a scrape that gets something parseable beats one that
 * fails. The caller may log the NEGOTIATE_FALLBACK result. */
#ifndef RIZK_HTTP_NEGOTIATE_H
#define RIZK_HTTP_NEGOTIATE_H

#include <stdbool.h>

#include "render/render.h"

/* Headers longer than this are not parsed: the defaults apply. */
#define NEGOTIATE_HEADER_MAX 4096

/* Positive, not an error: *out was set to EXPO_TEXT because the header was present but named no
 * acceptable format (only unsupported types, all q=0, malformed, or over NEGOTIATE_HEADER_MAX). */
#define NEGOTIATE_FALLBACK 1

/* negotiate_format chooses the /metrics body for an Accept header value (borrowed,
 * NUL-terminated; NULL or blank means "anything": text). protobuf_available says whether a
 * protobuf body exists (render_is_available(EXPO_PROTOBUF)); without it protobuf is never chosen.
 * Always writes *out. Returns 0, or NEGOTIATE_FALLBACK (see above). thread: any. */
int negotiate_format(const char *accept, bool protobuf_available, enum expo_format *out);

/* negotiate_gzip tells whether to send the gzip body for an Accept-Encoding value (borrowed;
 * NULL or blank: no). True when gzip (or x-gzip, or else "*") has q > 0 and the client does not
 * explicitly rate identity higher; "gzip;q=0" is false. Over NEGOTIATE_HEADER_MAX: false.
 * thread: any. */
bool negotiate_gzip(const char *accept_encoding);

/* negotiate_content_type returns the Content-Type header value for f (static string; the same
 * as render_content_type). thread: any. */
const char *negotiate_content_type(enum expo_format f);

#endif
