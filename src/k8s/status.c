/* metav1.Status, written with the streaming JSON writer. */
#include "k8s/status.h"

#include "render/jsonw.h"
#include "core/banned.h"

const char *k8s_status_reason(unsigned code)
{
    switch (code) {
    case 400:
        return "BadRequest";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "NotFound";
    case 405:
        return "MethodNotAllowed";
    case 503:
        return "ServiceUnavailable";
    default:
        return "InternalError";
    }
}

int k8s_status_render(struct buf *out, unsigned code, const char *message)
{
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_obj_open(&w);
    jsonw_key(&w, "kind");
    jsonw_str(&w, "Status");
    jsonw_key(&w, "apiVersion");
    jsonw_str(&w, "v1");
    jsonw_key(&w, "metadata");
    jsonw_obj_open(&w);
    jsonw_obj_close(&w);
    jsonw_key(&w, "status");
    jsonw_str(&w, "Failure");
    jsonw_key(&w, "message");
    jsonw_str(&w, message);
    jsonw_key(&w, "reason");
    jsonw_str(&w, k8s_status_reason(code));
    jsonw_key(&w, "code");
    jsonw_int(&w, code);
    jsonw_obj_close(&w);
    return jsonw_finish(&w);
}
