/* POST /api/v1/report (see report.h). */
#include "http/report.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "collect/app_inbox.h"
#include "core/cidr.h"
#include "http/routes.h"
#include "parse/app_report.h"
#include "core/banned.h"

enum report_encoding { REPORT_NONE = 0, REPORT_JSON, REPORT_PROTO };

/* report_encoding_of maps the media type (parameters ignored, case-insensitive). */
static enum report_encoding report_encoding_of(const char *ct)
{
    if (ct == NULL)
        return REPORT_NONE;
    while (*ct == ' ')
        ct++;
    size_t n = strcspn(ct, "; \t");
    static const struct {
        const char *type;
        enum report_encoding enc;
    } types[] = {{"application/json", REPORT_JSON},
                 {"application/x-protobuf", REPORT_PROTO},
                 {"application/protobuf", REPORT_PROTO},
                 {"application/vnd.google.protobuf", REPORT_PROTO}};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strlen(types[i].type) == n && strncasecmp(ct, types[i].type, n) == 0)
            return types[i].enc;
    return REPORT_NONE;
}

static const struct sockaddr *report_peer(const struct http_request *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return ci != NULL ? ci->client_addr : NULL;
}

enum MHD_Result report_handle(const struct http_request *req, void *ctx)
{
    struct app_routes_ctx *c = ctx;
    if (c->inbox == NULL || c->report_allow == NULL)
        return http_reply_text(req, MHD_HTTP_SERVICE_UNAVAILABLE, "push reports are not set up\n");
    if (!cidr_set_match(c->report_allow, report_peer(req))) {
        app_inbox_count(c->inbox, APP_INBOX_FORBIDDEN);
        return http_reply_text(req, MHD_HTTP_FORBIDDEN,
                               "forbidden: the client address is not in --web.report-allow\n");
    }
    enum report_encoding enc = report_encoding_of(http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE));
    if (enc == REPORT_NONE) {
        app_inbox_count(c->inbox, APP_INBOX_UNSUPPORTED);
        return http_reply_text(req, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                               "unsupported content type: send application/x-protobuf "
                               "(rizk.v1.Report) or application/json\n");
    }
    struct app_delta d;
    char why[APP_REPORT_WHY_MAX];
    const char *body = req->body != NULL ? req->body : "";
    int rc = enc == REPORT_JSON
                 ? parse_app_report_json(body, req->body_len, &d, why)
                 : parse_app_report_proto((const uint8_t *)body, req->body_len, &d, why);
    if (rc < 0) {
        char msg[APP_REPORT_WHY_MAX + 16];
        snprintf(msg, sizeof(msg), "bad report: %s\n", why);
        app_inbox_count(c->inbox, APP_INBOX_INVALID);
        return http_reply_text(req, MHD_HTTP_BAD_REQUEST, msg);
    }
    rc = app_inbox_push(c->inbox, &d);
    if (rc < 0) {
        app_delta_fini(&d);
        app_inbox_count(c->inbox, APP_INBOX_BUSY);
        return http_reply_text(req, MHD_HTTP_SERVICE_UNAVAILABLE,
                               "busy: too many reports queued, retry in a second\n");
    }
    app_inbox_count(c->inbox, APP_INBOX_ACCEPTED);
    return http_reply_text(req, MHD_HTTP_ACCEPTED, "accepted\n");
}
