/* The sidecar's JSON API (SPEC 5, 6): /api/v1/current, /api/v1/recommendation and
 * /api/v1/readiness send the tick's pre-rendered document from the snapshot, zero-copy;
 * /api/v1/history reads the store's rings directly (seqlocked reads never block the sampler)
 * and is bounded: at most --history.retention back and at most API_HISTORY_MAX_POINTS points,
 * downsampled evenly when fewer are asked for. Errors are {"error": "..."} with a 4xx/5xx code.
 * Handlers take the app_routes_ctx of routes.h. thread: MHD's pool. */
#ifndef RIZK_HTTP_API_H
#define RIZK_HTTP_API_H

#include "http/server.h"

/* Most points one history answer holds (also the default when points= is not given). */
#define API_HISTORY_MAX_POINTS 4096

enum MHD_Result api_current(const struct http_request *req, void *ctx);
enum MHD_Result api_recommendation(const struct http_request *req, void *ctx);
enum MHD_Result api_readiness(const struct http_request *req, void *ctx);
enum MHD_Result api_history(const struct http_request *req, void *ctx);

#endif
