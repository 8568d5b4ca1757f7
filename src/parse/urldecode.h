/* Percent-decoding (RFC 3986 %XX, either hex case), the one decoder of the project: URL paths
 * and query values of the HTTP server (lenient, with application/x-www-form-urlencoded '+' for
 * query values) and the user and password of redis:// URLs (strict). Pure: no allocation.
 * Go clients (kubectl, kube-apiserver's proxy) send "*" as %2A and re-encode every selector
 * character (= , ( ) ! / < >), so the adapter must decode before it routes or parses. */
#ifndef RIZK_PARSE_URLDECODE_H
#define RIZK_PARSE_URLDECODE_H

#include <stddef.h>

#define URLDECODE_PLUS 0x1u   /* '+' becomes ' ' (query strings, not paths) */
#define URLDECODE_STRICT 0x2u /* a '%' without two hex digits, or %00, is an error */

/* urldecode_n decodes the n bytes at in into out (cap bytes, the NUL included; out may be in,
 * since decoding never lengthens) and sets *len (may be NULL) to the decoded length. Lenient:
 * "%00" is kept as written (a NUL would silently cut a selector short, and widen what it
 * selects, while the literal "%00" makes it fail to parse) and so is a '%' not followed by two
 * hex digits, as Go's lenient decoders and libmicrohttpd do. With URLDECODE_STRICT those are
 * -EPROTO instead. Errors: -EPROTO, -E2BIG (out too small; out is then unspecified).
 * thread: any. */
int urldecode_n(const char *in, size_t n, char *out, size_t cap, unsigned flags, size_t *len);
/* urldecode decodes the NUL-terminated s in place, leniently, and returns the new length (s
 * stays NUL-terminated). thread: any. */
size_t urldecode(char *s, unsigned flags);

#endif
