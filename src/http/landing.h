/* The landing page "/": one self-contained HTML page (inline CSS and JS, no external asset: the
 * pod may have no internet) with links, source status and live charts of the last hour drawn
 * from /api/v1/history. The page is src/http/landing.html, embedded at build time as
 * landing_html[] (generated; no file is read at run time). Two placeholders are filled per
 * request, both escaped for HTML: {{TELEMETRY_PATH}} and {{SOURCES}} (the source table, so the
 * page says something without JavaScript too). Sent with a Content-Security-Policy that allows
 * only this origin. thread: MHD's pool. */
#ifndef RIZK_HTTP_LANDING_H
#define RIZK_HTTP_LANDING_H

#include <stddef.h>

#include "http/server.h"

/* The embedded page (generated from landing.html by src/CMakeLists.txt), NUL-terminated. */
extern const char landing_html[];
extern const size_t landing_html_len;

/* landing_page serves "/"; ctx is the app_routes_ctx of routes.h. */
enum MHD_Result landing_page(const struct http_request *req, void *ctx);

#endif
