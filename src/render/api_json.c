/* Builders of the /api/v1 JSON documents (shapes in api_json.h). jansson's json_*_new setters
 * take over the reference of the value they are given, so each tree is built without leaks
 * even when a setter fails (it then frees the value), and the caller frees one root. Strings
 * use json_string_nocheck: label values and query text may be invalid UTF-8, which jansson
 * would refuse (dropping the field), while render_json repairs it on output. */
#include "render/api_json.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "render/json.h"
#include "signals/sigtable.h"
#include "core/banned.h"

/* mset_unlabelled returns the value of name's sample without labels, if any and finite. */
static bool mset_unlabelled(const struct mset *m, const char *name, double *v)
{
    const struct mfamily *f = m != NULL ? mset_find(m, name) : NULL;
    for (size_t i = 0; f != NULL && i < f->nsamples; i++) {
        if (f->samples[i].nlabels == 0 && isfinite(f->samples[i].value)) {
            *v = f->samples[i].value;
            return true;
        }
    }
    return false;
}

static const char *sample_label(const struct msample *s, const char *name)
{
    for (size_t i = 0; i < s->nlabels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return s->labels[i].value;
    return NULL;
}

static json_t *api_sources(const struct mset *m)
{
    json_t *arr = json_array();
    const struct mfamily *up = m != NULL ? mset_find(m, "rizk_source_up") : NULL;
    const struct mfamily *last =
        m != NULL ? mset_find(m, "rizk_source_last_success_timestamp_seconds") : NULL;
    for (size_t i = 0; up != NULL && i < up->nsamples; i++) {
        const char *name = sample_label(&up->samples[i], "source");
        if (name == NULL)
            continue;
        json_t *ts = json_null();
        for (size_t j = 0; last != NULL && j < last->nsamples; j++) {
            const char *n2 = sample_label(&last->samples[j], "source");
            double v = last->samples[j].value;
            if (n2 != NULL && strcmp(n2, name) == 0 && isfinite(v) && v > 0) {
                json_decref(ts);
                ts = json_integer((json_int_t)llround(v * 1000.0));
            }
        }
        json_t *o = json_object();
        json_object_set_new(o, "source", json_string_nocheck(name));
        json_object_set_new(o, "up", json_boolean(up->samples[i].value > 0));
        json_object_set_new(o, "last_success_timestamp_ms", ts);
        json_array_append_new(arr, o);
    }
    return arr;
}

json_t *api_json_current(const struct api_tick *t)
{
    json_t *root = json_object();
    json_object_set_new(root, "timestamp_ms", json_integer(t->info->wall_ms));
    json_object_set_new(root, "seq", json_integer((json_int_t)t->info->seq));
    json_object_set_new(root, "interval_seconds", json_real((double)t->interval_ms / 1000.0));
    json_object_set_new(root, "window_seconds", json_real((double)t->window_ms / 1000.0));
    json_t *sig = json_object();
    /* SPEC 4's seven (the rows with a title), in the table's order */
    for (int i = 0; i < SIG_COUNT; i++) {
        const struct sig_def *d = sigtable_at((enum sig_id)i);
        if (d->title == NULL)
            continue;
        double v = 0;
        bool has = mset_unlabelled(t->m, d->name, &v);
        json_object_set_new(sig, d->name, json_real_or_null(has, v));
    }
    json_object_set_new(root, "signals", sig);
    json_object_set_new(root, "sources", api_sources(t->m));
    json_t *rec = json_object();
    json_object_set_new(rec, "action", json_string_nocheck(scale_action_name(t->advice->action)));
    json_object_set_new(rec, "replica_change", json_integer(t->advice->replica_change));
    json_object_set_new(rec, "reason", json_string_nocheck(t->advice->reason));
    bool known = t->current_replicas > 0;
    json_object_set_new(rec, "recommended_replicas",
                        known ? json_integer(scale_replicas_target(
                                    (unsigned long)t->current_replicas, t->advice->replica_change))
                              : json_null());
    json_object_set_new(rec, "current_replicas",
                        known ? json_integer((json_int_t)t->current_replicas) : json_null());
    json_object_set_new(rec, "idle", json_boolean(t->advice->idle));
    json_object_set_new(root, "recommendation", rec);
    json_t *rd = json_object();
    json_object_set_new(rd, "ready", json_boolean(t->readiness->ready));
    json_object_set_new(rd, "strict_ready", json_boolean(t->readiness->strict_ready));
    json_object_set_new(root, "readiness", rd);
    return root;
}

static json_t *api_thresholds(const double th[SCALE_NSIGNALS])
{
    json_t *o = json_object();
    for (int i = 0; i < SCALE_NSIGNALS; i++)
        json_object_set_new(o, scale_signal_name((enum scale_signal)i), json_real(th[i]));
    return o;
}

json_t *api_json_recommendation(const struct api_tick *t)
{
    const struct scale_advice *a = t->advice;
    json_t *root = json_object();
    json_object_set_new(root, "action", json_string_nocheck(scale_action_name(a->action)));
    json_object_set_new(root, "reason", json_string_nocheck(a->reason));
    json_object_set_new(root, "replica_change", json_integer(a->replica_change));
    if (t->current_replicas > 0) {
        json_int_t want =
            scale_replicas_target((unsigned long)t->current_replicas, a->replica_change);
        json_object_set_new(root, "recommended_replicas", json_integer(want));
        json_object_set_new(root, "current_replicas",
                            json_integer((json_int_t)t->current_replicas));
        json_object_set_new(root, "current_replicas_source",
                            json_string_nocheck(t->replicas_source ? t->replicas_source : "flag"));
    } else {
        json_object_set_new(root, "recommended_replicas", json_null());
        json_object_set_new(root, "current_replicas", json_null());
        json_object_set_new(root, "current_replicas_source", json_null());
    }
    json_object_set_new(root, "idle", json_boolean(a->idle));
    json_object_set_new(root, "samples", json_integer((json_int_t)a->samples));
    json_object_set_new(root, "history_capacity", json_integer((json_int_t)t->history_capacity));
    json_t *met = json_object();
    json_object_set_new(met, "up", json_integer(a->conditions_up));
    json_object_set_new(met, "down", json_integer(a->conditions_down));
    json_object_set_new(root, "conditions_met", met);
    json_t *in = json_object();
    for (int i = 0; i < SCALE_NSIGNALS; i++) {
        json_t *o = json_object();
        bool has = a->samples > 0 && a->current.has[i];
        json_object_set_new(o, "current", json_real_or_null(has, a->current.v[i]));
        json_object_set_new(o, "average", json_real_or_null(a->has_avg[i], a->avg[i]));
        json_object_set_new(o, "above_scale_up", json_boolean(a->exceeded[i]));
        json_object_set_new(o, "below_scale_down", json_boolean(a->below[i]));
        json_object_set_new(in, scale_signal_name((enum scale_signal)i), o);
    }
    json_object_set_new(root, "inputs", in);
    json_t *th = json_object();
    json_object_set_new(th, "scale_up", api_thresholds(t->thresholds->up));
    json_object_set_new(th, "scale_down", api_thresholds(t->thresholds->down));
    json_object_set_new(th, "scale_up_min_conditions",
                        json_integer(t->thresholds->up_min_conditions));
    json_object_set_new(root, "thresholds", th);
    json_object_set_new(root, "timestamp_ms", json_integer(t->info->wall_ms));
    return root;
}

json_t *api_json_readiness(const struct readiness_report *r, int64_t wall_ms)
{
    json_t *root = json_object();
    json_object_set_new(root, "ready", json_boolean(r->ready));
    json_object_set_new(root, "strict_ready", json_boolean(r->strict_ready));
    json_t *errors = json_array();
    json_t *warnings = json_array();
    json_t *checks = json_array();
    for (int i = 0; i < READINESS_NCHECKS; i++) {
        const struct readiness_check *c = &r->checks[i];
        if (c->status == READINESS_FAIL)
            json_array_append_new(errors, json_string_nocheck(c->message));
        else if (c->status == READINESS_WARN)
            json_array_append_new(warnings, json_string_nocheck(c->message));
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string_nocheck(readiness_check_name(i)));
        json_object_set_new(o, "status", json_string_nocheck(readiness_status_name(c->status)));
        json_object_set_new(o, "value", json_real_or_null(c->has_value, c->value));
        json_object_set_new(o, "target", json_string_nocheck(readiness_check_target(i)));
        json_object_set_new(o, "message", json_string_nocheck(c->message));
        json_array_append_new(checks, o);
    }
    json_object_set_new(root, "errors", errors);
    json_object_set_new(root, "warnings", warnings);
    json_object_set_new(root, "checks", checks);
    json_object_set_new(root, "timestamp_ms", json_integer(wall_ms));
    return root;
}

json_t *api_json_history(const char *series, int64_t window_ms, int64_t end_ms, uint64_t in_window,
                         const struct ring_sample *pts, size_t n)
{
    json_t *root = json_object();
    json_object_set_new(root, "series", json_string_nocheck(series));
    json_object_set_new(root, "window_seconds", json_real((double)window_ms / 1000.0));
    json_object_set_new(root, "end_ms", json_integer(end_ms));
    json_object_set_new(root, "samples_in_window", json_integer((json_int_t)in_window));
    json_object_set_new(root, "points", json_integer((json_int_t)n));
    json_t *ts = json_array();
    json_t *vs = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(ts, json_integer(pts[i].t_ms));
        json_array_append_new(vs, json_real_or_null(true, pts[i].v));
    }
    json_object_set_new(root, "timestamps_ms", ts);
    json_object_set_new(root, "values", vs);
    return root;
}

json_t *api_json_error(const char *msg)
{
    json_t *root = json_object();
    /* json_string refuses invalid UTF-8: keep the error readable rather than lose it. */
    json_t *s = json_string_nocheck(msg);
    json_object_set_new(root, "error", s != NULL ? s : json_string_nocheck("invalid request"));
    return root;
}

static int api_body(struct snapshot *snap, enum snap_body kind, json_t *doc)
{
    if (doc == NULL)
        return -ENOMEM;
    char *data = NULL;
    size_t len = 0;
    int rc = render_json_steal(doc, API_JSON_MAX_BYTES, &data, &len);
    json_decref(doc);
    if (rc == 0)
        snapshot_set_body(snap, kind, data, len);
    return rc;
}

int render_api_bodies(struct snapshot *snap, const struct api_tick *t)
{
    int rcs[3];
    rcs[0] = api_body(snap, SNAP_BODY_JSON_CURRENT, api_json_current(t));
    rcs[1] = api_body(snap, SNAP_BODY_JSON_RECOMMENDATION, api_json_recommendation(t));
    rcs[2] = api_body(snap, SNAP_BODY_JSON_READINESS,
                      api_json_readiness(t->readiness, t->info->wall_ms));
    for (int i = 0; i < 3; i++)
        if (rcs[i] < 0)
            return rcs[i];
    return 0;
}
