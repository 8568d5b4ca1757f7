/* Per-tick rendering of every format into the snapshot. gzip level 6: it runs once per tick,
 * not per scrape, so the smaller body is worth the extra ~0.4 ms (see gzip.h). */
#include "render/bodies.h"

#include "core/buf.h"
#include "render/gzip.h"
#include "render/render.h"
#include "core/banned.h"

static const struct {
    enum expo_format format;
    enum snap_body plain;
    enum snap_body gz;
} bodies_table[] = {
    {EXPO_TEXT, SNAP_BODY_TEXT, SNAP_BODY_TEXT_GZ},
    {EXPO_OPENMETRICS, SNAP_BODY_OM, SNAP_BODY_OM_GZ},
    {EXPO_PROTOBUF, SNAP_BODY_PROTO, SNAP_BODY_PROTO_GZ},
};

int render_snapshot_bodies(struct snapshot *snap, const struct mset *m)
{
    int first_rc = 0;
    for (size_t i = 0; i < sizeof(bodies_table) / sizeof(bodies_table[0]); i++) {
        const struct renderer *r = render_get(bodies_table[i].format);
        if (r == NULL || r->render == NULL)
            continue;
        struct buf plain, gz;
        buf_init(&plain, BODIES_MAX_BYTES);
        buf_init(&gz, BODIES_MAX_BYTES);
        int rc = r->render(m, &plain);
        if (rc == 0)
            rc = gzip_compress(buf_ptr(&plain), buf_len(&plain), GZIP_LEVEL_DEFAULT, &gz);
        if (rc == 0) {
            size_t n = 0;
            void *p = buf_steal(&plain, &n);
            snapshot_set_body(snap, bodies_table[i].plain, p, n);
            p = buf_steal(&gz, &n);
            snapshot_set_body(snap, bodies_table[i].gz, p, n);
        } else if (first_rc == 0) {
            first_rc = rc;
        }
        buf_fini(&plain);
        buf_fini(&gz);
    }
    return first_rc;
}
