/* Number formatting for the text exposition formats, byte-identical to Go's
 * strconv.FormatFloat(v, 'g', -1, 64) as used by client_golang, node_exporter and redis_exporter:
 * the shortest digits that read back to the same double, in exponent form when the decimal
 * exponent is < -4 or >= 6 (100000 but 1e+06, 0.0001 but 1e-05), and the tokens NaN, +Inf, -Inf.
 * The canonical form (OpenMetrics le/quantile) appends ".0" to integral results: 1 -> "1.0".
 * thread: any (no shared state; relies on the "C" numeric locale, which the daemon never
 * changes). */
#ifndef RIZK_RENDER_NUMFMT_H
#define RIZK_RENDER_NUMFMT_H

#include <stddef.h>

#include "core/buf.h"

/* Longest output: "-2.2250738585072014e-308" (24 bytes) plus ".0" and NUL. */
#define NUMFMT_MAX 32

/* numfmt_format writes the Go-compatible shortest form of v into dst (NUMFMT_MAX bytes,
 * caller-provided), NUL-terminated, and returns its length. Never fails. */
size_t numfmt_format(char dst[NUMFMT_MAX], double v);

/* numfmt_format_canonical is numfmt_format plus ".0" when the result has neither '.' nor 'e'
 * and is finite: 0.005, 1.0, 10.0, 100000.0, 1e+06, +Inf. */
size_t numfmt_format_canonical(char dst[NUMFMT_MAX], double v);

/* numfmt_append / numfmt_append_canonical append the same text to out.
 * Errors: -E2BIG when out's cap is reached (out freed, see core/buf.h). */
int numfmt_append(struct buf *out, double v);
int numfmt_append_canonical(struct buf *out, double v);

#endif
