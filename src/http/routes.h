/* The sidecar's route table and handlers. Handlers only acquire the published snapshot and
 * send what it holds: no collection, no rendering, no locks beyond the snapshot's. */
#ifndef RIZK_HTTP_ROUTES_H
#define RIZK_HTTP_ROUTES_H

#include "http/server.h"

struct app_inbox;
struct cidr_set;
struct config;
struct snapshot_pub;
struct store;

/* What the handlers read; owned by the app, borrowed by the server for its lifetime. */
struct app_routes_ctx {
    const struct config *cfg;
    struct snapshot_pub *pub;
    const struct store *store;
    struct app_inbox *inbox;               /* POST /api/v1/report hands reports over here */
    const struct cidr_set *report_allow;   /* --web.report-allow */
};

/* The table (terminated by a NULL path) and the /metrics handler (mounted at
 * --web.telemetry-path). thread: MHD's pool. */
extern const struct http_route app_routes[];
enum MHD_Result app_routes_metrics(const struct http_request *req, void *ctx);

#endif
