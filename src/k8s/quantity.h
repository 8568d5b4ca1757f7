/* Kubernetes resource.Quantity strings for metric values (reference/k8s-custom-metrics.md 1.6).
 * The HPA reads a value as MilliValue() = ceil(q x 1000), so we always write integer
 * milli-units: an integral value plainly ("100"), anything else as "<n>m" ("1500m"), rounded
 * up (away from zero) to the next milli-unit exactly as the HPA would round it. No float
 * formatting, exponent, nan or inf ever reaches the wire. Pure. */
#ifndef RIZK_K8S_QUANTITY_H
#define RIZK_K8S_QUANTITY_H

#include <stddef.h>
#include <stdint.h>

#define QUANTITY_MAX_LEN 24 /* "-9200000000000000000m" and the NUL fit */

/* quantity_format writes v as a quantity into buf (n bytes, NUL-terminated). Errors: -EDOM for
 * NaN and infinities, -ERANGE beyond +-9.2e15 (far from int64 milli overflow), -E2BIG when n
 * is too small. The caller drops the item on error: a value never becomes 0. thread: any. */
int quantity_format(double v, char *buf, size_t n);

/* quantity_parse_milli parses a quantity string as apimachinery does (sign, digits with an
 * optional '.', then a binary-SI suffix Ki..Ei, a decimal-SI suffix n u m k M G T P E, or an
 * exponent e<int>/E<int>) and returns MilliValue(): the value x 1000 rounded away from zero. Used
 * by tests and tools to read back what the HPA reads. Errors: -EPROTO (malformed), -ERANGE (does
 * not fit in int64). thread: any. */
int quantity_parse_milli(const char *s, int64_t *milli);

#endif
