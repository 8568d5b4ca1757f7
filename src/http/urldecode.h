/* Percent- and plus-decoding of URL paths and query values (RFC 3986 %XX, either hex case;
 * application/x-www-form-urlencoded '+' for query values). Pure: no allocation, in place.
 * Go clients (kubectl, kube-apiserver's proxy) send "*" as %2A and re-encode every selector
 * character (= , ( ) ! / < >), so the adapter must decode before it routes or parses. */
#ifndef RIZK_HTTP_URLDECODE_H
#define RIZK_HTTP_URLDECODE_H

#include <stddef.h>

#define URLDECODE_PLUS 0x1u /* '+' becomes ' ' (query strings, not paths) */

/* urldecode decodes the NUL-terminated s in place and returns the new length (s stays
 * NUL-terminated). "%XX" becomes its byte, except "%00", which is kept as written: a NUL would
 * silently cut a selector short (and widen what it selects), while the literal "%00" makes it
 * fail to parse. A '%' not followed by two hex digits is kept literally, as Go's lenient
 * decoders and libmicrohttpd do. thread: any. */
size_t urldecode(char *s, unsigned flags);

#endif
