/* One-shot HTTP GET with libcurl for the check command (reading a running sidecar's API):
 * no redirects, a total timeout, the body capped by the buffer's cap. Uses its own easy handle
 * per call; call curl_global_init once before (the check command does). */
#ifndef RIZK_IO_HTTP_GET_H
#define RIZK_IO_HTTP_GET_H

#include "core/buf.h"

/* http_get fetches url into out (appended; out's cap bounds the body) and writes the HTTP
 * status to *status. A non-2xx answer is not an error here: the caller reads *status.
 * Errors: -ECONNREFUSED (connection refused or host unresolvable), -ETIMEDOUT, -E2BIG (body
 * over out's cap; out freed), -EIO (any other transfer error). thread: any. */
int http_get(const char *url, long timeout_ms, struct buf *out, long *status);

#endif
