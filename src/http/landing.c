/* The landing page: the embedded template with its placeholders filled. */
#include "http/landing.h"

#include <string.h>
#include <time.h>

#include "config/config.h"
#include "core/buf.h"
#include "http/routes.h"
#include "render/escape.h"
#include "signals/sigtable.h"
#include "store/snapshot.h"
#include "core/banned.h"

/* The page is small; a filled page larger than this means a runaway source list. */
#define LANDING_MAX_BYTES ((size_t)1 << 20)

static void landing_sources(struct buf *b, const struct mset *m)
{
    const struct mfamily *up = m ? mset_find(m, "rizk_source_up") : NULL;
    const struct mfamily *last =
        m ? mset_find(m, "rizk_source_last_success_timestamp_seconds") : NULL;
    buf_adds(b, "<table><tr><th>source</th><th>status</th><th>last success (UTC)</th></tr>\n");
    for (size_t i = 0; up != NULL && i < up->nsamples; i++) {
        const struct msample *s = &up->samples[i];
        const char *name = s->nlabels > 0 ? s->labels[0].value : "";
        double ts = 0;
        for (size_t j = 0; last != NULL && j < last->nsamples; j++)
            if (last->samples[j].nlabels > 0 && strcmp(last->samples[j].labels[0].value, name) == 0)
                ts = last->samples[j].value;
        buf_adds(b, "<tr><td>");
        escape_html(b, name, strlen(name));
        buf_printf(b, "</td><td class=\"%s\">%s</td><td>", s->value > 0 ? "up" : "down",
                   s->value > 0 ? "up" : "down");
        if (ts > 0) {
            time_t t = (time_t)ts;
            struct tm tm;
            gmtime_r(&t, &tm);
            char when[32];
            strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
            buf_adds(b, when);
        } else {
            buf_adds(b, "never");
        }
        buf_adds(b, "</td></tr>\n");
    }
    buf_adds(b, "</table>");
}

/* landing_charts writes one line of the page's CHARTS list per charted signal (a row of the
 * signal table with a title): [series, title, how values print]. */
static void landing_charts(struct buf *b)
{
    static const char *const kinds[] = {
        [SIG_UNIT_RATIO] = "pct",
        [SIG_UNIT_PER_SECOND] = "rate",
        [SIG_UNIT_SECONDS] = "ms",
        [SIG_UNIT_COUNT] = "count",
    };
    for (int i = 0; i < SIG_COUNT; i++) {
        const struct sig_def *d = sigtable_at((enum sig_id)i);
        if (d->title == NULL)
            continue;
        buf_adds(b, "  [\"");
        escape_json_string(b, d->name, strlen(d->name));
        buf_adds(b, "\", \"");
        escape_json_string(b, d->title, strlen(d->title));
        buf_printf(b, "\", \"%s\"],\n", kinds[d->unit]);
    }
}

/* landing_fill copies the template, replacing each placeholder as it comes. */
static void landing_fill(struct buf *b, const struct config *cfg, const struct mset *m)
{
    static const char *const marks[] = {"{{TELEMETRY_PATH}}", "{{SOURCES}}", "{{SIGNAL_CHARTS}}\n"};
    const char *p = landing_html;
    for (;;) {
        const char *next = NULL;
        size_t which = 0;
        for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
            const char *q = strstr(p, marks[k]);
            if (q != NULL && (next == NULL || q < next)) {
                next = q;
                which = k;
            }
        }
        if (next == NULL)
            break;
        buf_add(b, p, (size_t)(next - p));
        if (which == 0)
            escape_html(b, cfg->web_telemetry_path, strlen(cfg->web_telemetry_path));
        else if (which == 1)
            landing_sources(b, m);
        else
            landing_charts(b);
        p = next + strlen(marks[which]);
    }
    buf_adds(b, p);
}

enum MHD_Result landing_page(const struct http_request *req, void *ctx)
{
    struct app_routes_ctx *c = ctx;
    struct snapshot *snap = snapshot_acquire(c->pub);
    struct buf b;
    buf_init(&b, LANDING_MAX_BYTES);
    landing_fill(&b, c->cfg, snap ? snapshot_mset(snap) : NULL);
    snapshot_release(snap);
    enum MHD_Result r;
    if (buf_len(&b) == 0)
        r = http_reply_text(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "landing page too large\n");
    else
        r = http_reply_html(req, MHD_HTTP_OK, buf_ptr(&b), buf_len(&b));
    buf_fini(&b);
    return r;
}
