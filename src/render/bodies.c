/* The /metrics bodies, rendered on first use. gzip level 6: a body is compressed at most once
 * per tick, not per scrape, so the smaller body is worth the extra ~0.4 ms (see gzip.h). */
#include "render/bodies.h"

#include <errno.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "render/gzip.h"
#include "render/render.h"
#include "core/banned.h"

static const struct {
    enum snap_body kind;
    enum expo_format format;
    bool gzip;
} bodies_table[] = {
    {SNAP_BODY_TEXT, EXPO_TEXT, false},      {SNAP_BODY_TEXT_GZ, EXPO_TEXT, true},
    {SNAP_BODY_OM, EXPO_OPENMETRICS, false}, {SNAP_BODY_OM_GZ, EXPO_OPENMETRICS, true},
    {SNAP_BODY_PROTO, EXPO_PROTOBUF, false}, {SNAP_BODY_PROTO_GZ, EXPO_PROTOBUF, true},
};

int render_snapshot_body(const struct mset *m, enum snap_body kind, const void *plain,
                         size_t plain_len, void **out, size_t *len)
{
    size_t i = 0;
    while (i < sizeof(bodies_table) / sizeof(bodies_table[0]) && bodies_table[i].kind != kind)
        i++;
    if (i == sizeof(bodies_table) / sizeof(bodies_table[0]))
        return -EINVAL;
    const struct renderer *r = render_get(bodies_table[i].format);
    if (r == NULL || r->render == NULL)
        return -ENOTSUP;
    struct buf b;
    buf_init(&b, BODIES_MAX_BYTES);
    int rc = bodies_table[i].gzip ? gzip_compress(plain, plain_len, GZIP_LEVEL_DEFAULT, &b)
                                  : r->render(m, &b);
    if (rc < 0) {
        log_error("render", "rendering the %s%s metrics failed: %s", r->name,
                  bodies_table[i].gzip ? " (gzip)" : "", err_str(rc));
        buf_fini(&b);
        return rc;
    }
    *out = buf_steal(&b, len);
    buf_fini(&b);
    return 0;
}

void render_snapshot_bodies(struct snapshot *snap)
{
    snapshot_set_renderer(snap, render_snapshot_body);
}
