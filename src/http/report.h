/* POST /api/v1/report: the app's push channel (SPEC 2). The handler checks the peer against
 * --web.report-allow (403), the Content-Type (415), decodes and validates the whole report on
 * the HTTP thread (400 with a one-line reason; nothing is applied), and hands the decoded
 * delta to the sampler through the app inbox (202; 503 with Retry-After when the inbox is
 * full). It never touches sampler state. thread: MHD's pool. */
#ifndef RIZK_HTTP_REPORT_H
#define RIZK_HTTP_REPORT_H

#include "http/server.h"

/* report_handle is the route handler; ctx is the struct app_routes_ctx. */
enum MHD_Result report_handle(const struct http_request *req, void *ctx);

#endif
