/* The scaling engine: the guide's get_scaling_recommendation over a bounded decision history.
 * The reason strings keep the guide's wording ("High resource usage: CPU 85.0%, Memory 60.0%,
 * Response Time 1200.0ms") and extend it with the two inputs the guide leaves out (RPS, Error
 * Rate) and with which conditions held, so an operator can see why without the JSON. */
#include "signals/scale.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "signals/sigtable.h"
#include "core/banned.h"

/* How each input is quoted in the reason: the guide's order (CPU, Memory, Response Time), then
 * the two it leaves out. scale is the factor to the printed unit. */
static const struct {
    enum scale_signal sig;
    const char *label;
    double scale;
    const char *unit;
} scale_quote[SCALE_NSIGNALS] = {
    {SCALE_CPU, "CPU", 100.0, "%"},
    {SCALE_MEMORY, "Memory", 100.0, "%"},
    {SCALE_RESPONSE_TIME, "Response Time", 1000.0, "ms"},
    {SCALE_RPS, "RPS", 1.0, ""},
    {SCALE_ERROR_RATIO, "Error Rate", 100.0, "%"},
};

static const char *const scale_action_names[SCALE_NACTIONS] = {
    [SCALE_WAIT] = "wait",
    [SCALE_MAINTAIN] = "maintain",
    [SCALE_UP] = "scale_up",
    [SCALE_DOWN] = "scale_down",
};

void scale_thresholds_default(struct scale_thresholds *th)
{
    static const double up[SCALE_NSIGNALS] = {0.70, 0.80, 100.0, 1.0, 0.05};
    static const double down[SCALE_NSIGNALS] = {0.30, 0.40, 20.0, 0.2, 0.01};
    memcpy(th->up, up, sizeof(up));
    memcpy(th->down, down, sizeof(down));
    th->up_min_conditions = 2;
}

const char *scale_signal_name(enum scale_signal i)
{
    /* the signal table says which signal plays each role */
    int row = (unsigned)i < SCALE_NSIGNALS ? sigtable_scale_row((int)i) : -1;
    return row >= 0 ? sigtable_at((enum sig_id)row)->name : "";
}

const char *scale_action_name(enum scale_action a)
{
    return (unsigned)a < SCALE_NACTIONS ? scale_action_names[a] : "";
}

static bool scale_present(const struct scale_sample *s, int i)
{
    return s->has[i] && isfinite(s->v[i]);
}

/* scale_no_requests: the response time is absent because there was nothing to time. */
static bool scale_no_requests(const struct scale_sample *s, int i)
{
    return i == SCALE_RESPONSE_TIME && s->idle && !scale_present(s, i);
}

long scale_replicas_target(unsigned long current, int change)
{
    if (current == 0)
        return 0;
    long want = (long)current + change;
    return want < 1 ? 1 : want;
}

/* A bounded appender for the reason: truncates (never overflows) if the text is too long. */
struct reason {
    char *p;
    size_t used, cap;
};

__attribute__((format(printf, 2, 3))) static void reason_add(struct reason *r, const char *fmt, ...)
{
    if (r->used + 1 >= r->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(r->p + r->used, r->cap - r->used, fmt, ap);
    va_end(ap);
    if (w > 0)
        r->used = (size_t)w >= r->cap - r->used ? r->cap - 1 : r->used + (size_t)w;
}

static void reason_values(struct reason *r, const struct scale_advice *a)
{
    for (int k = 0; k < SCALE_NSIGNALS; k++) {
        int i = scale_quote[k].sig;
        const char *sep = k == 0 ? "" : ", ";
        if (a->has_avg[i])
            reason_add(r, "%s%s %.1f%s", sep, scale_quote[k].label,
                       a->avg[i] * scale_quote[k].scale, scale_quote[k].unit);
        else if (scale_no_requests(&a->current, i))
            reason_add(r, "%s%s no requests", sep, scale_quote[k].label);
        else
            reason_add(r, "%s%s n/a", sep, scale_quote[k].label);
    }
}

/* reason_list appends "; <title>: A, B" for the inputs where pick[i] is true, if any. */
static void reason_list(struct reason *r, const char *title, const bool pick[SCALE_NSIGNALS])
{
    bool first = true;
    for (int k = 0; k < SCALE_NSIGNALS; k++) {
        if (!pick[scale_quote[k].sig])
            continue;
        reason_add(r, "%s%s", first ? "; " : ", ", first ? title : "");
        reason_add(r, "%s", scale_quote[k].label);
        first = false;
    }
}

static void scale_reason(struct scale_advice *a, const struct scale_thresholds *th)
{
    struct reason r = {a->reason, 0, sizeof(a->reason)};
    a->reason[0] = '\0';
    bool absent[SCALE_NSIGNALS];
    for (int i = 0; i < SCALE_NSIGNALS; i++)
        absent[i] = !scale_present(&a->current, i) && !scale_no_requests(&a->current, i);
    switch (a->action) {
    case SCALE_WAIT:
        reason_add(&r, "Insufficient metrics history: %zu of %d samples", a->samples,
                   SCALE_MIN_SAMPLES);
        return;
    case SCALE_UP:
        reason_add(&r, "High resource usage: ");
        reason_values(&r, a);
        reason_list(&r, "above scale-up thresholds: ", a->exceeded);
        return;
    case SCALE_DOWN:
        reason_add(&r, "Low resource usage: ");
        reason_values(&r, a);
        return;
    case SCALE_MAINTAIN:
    case SCALE_NACTIONS:
        break;
    }
    reason_add(&r, "Metrics within acceptable range: ");
    reason_values(&r, a);
    if (a->conditions_up > 0 && a->conditions_up < th->up_min_conditions)
        reason_list(&r, "above scale-up thresholds: ", a->exceeded);
    reason_list(&r, "no data: ", absent);
}

static int scale_replica_change(enum scale_action action, const struct scale_sample *cur)
{
    if (action == SCALE_DOWN)
        return -1;
    if (action != SCALE_UP)
        return 0;
    if (scale_present(cur, SCALE_CPU) && cur->v[SCALE_CPU] > SCALE_CPU_PLUS3)
        return 3;
    if (scale_present(cur, SCALE_CPU) && cur->v[SCALE_CPU] > SCALE_CPU_PLUS2)
        return 2;
    return 1;
}

void scale_recommend(const struct scale_sample *hist, size_t n, const struct scale_thresholds *th,
                     struct scale_advice *out)
{
    struct scale_advice a;
    memset(&a, 0, sizeof(a));
    a.samples = n;
    if (n > 0)
        a.current = hist[n - 1];
    a.idle = a.current.idle;
    for (int i = 0; i < SCALE_NSIGNALS; i++) {
        if (n > 0 && scale_no_requests(&a.current, i)) {
            a.below[i] = true;
            a.conditions_down++;
            continue;
        }
        if (n == 0 || !scale_present(&a.current, i))
            continue;
        a.exceeded[i] = a.current.v[i] > th->up[i];
        a.below[i] = a.current.v[i] < th->down[i];
        a.conditions_up += a.exceeded[i];
        a.conditions_down += a.below[i];
    }
    size_t first = n > SCALE_MIN_SAMPLES ? n - SCALE_MIN_SAMPLES : 0;
    for (int i = 0; i < SCALE_NSIGNALS; i++) {
        double sum = 0;
        unsigned cnt = 0;
        for (size_t k = first; k < n; k++) {
            if (scale_present(&hist[k], i)) {
                sum += hist[k].v[i];
                cnt++;
            }
        }
        a.has_avg[i] = cnt > 0;
        a.avg[i] = cnt > 0 ? sum / cnt : 0.0;
    }
    if (n < SCALE_MIN_SAMPLES)
        a.action = SCALE_WAIT;
    else if (a.conditions_up >= th->up_min_conditions)
        a.action = SCALE_UP;
    else if (a.conditions_down == SCALE_NSIGNALS)
        a.action = SCALE_DOWN;
    else
        a.action = SCALE_MAINTAIN;
    a.replica_change = scale_replica_change(a.action, &a.current);
    scale_reason(&a, th);
    *out = a;
}

struct scale_history {
    size_t cap;
    size_t len;
    size_t head; /* index of the oldest sample */
    struct scale_sample *ring;
};

struct scale_history *scale_history_new(size_t capacity)
{
    struct scale_history *h = xcalloc(1, sizeof(*h));
    h->cap = capacity < SCALE_MIN_SAMPLES ? SCALE_MIN_SAMPLES : capacity;
    h->ring = xcalloc(h->cap, sizeof(*h->ring));
    return h;
}

void scale_history_free(struct scale_history *h)
{
    if (h == NULL)
        return;
    free(h->ring);
    free(h);
}

void scale_history_push(struct scale_history *h, const struct scale_sample *s)
{
    if (h->len < h->cap) {
        h->ring[(h->head + h->len) % h->cap] = *s;
        h->len++;
        return;
    }
    h->ring[h->head] = *s;
    h->head = (h->head + 1) % h->cap;
}

size_t scale_history_len(const struct scale_history *h)
{
    return h->len;
}

void scale_history_recommend(const struct scale_history *h, const struct scale_thresholds *th,
                             struct scale_advice *out)
{
    /* The engine reads only the newest 3 samples, so it gets a contiguous copy of those; it
     * waits exactly when that copy is shorter than 3, i.e. when the history is. */
    struct scale_sample tail[SCALE_MIN_SAMPLES];
    size_t k = h->len < SCALE_MIN_SAMPLES ? h->len : SCALE_MIN_SAMPLES;
    for (size_t j = 0; j < k; j++)
        tail[j] = h->ring[(h->head + h->len - k + j) % h->cap];
    scale_recommend(tail, k, th, out);
    out->samples = h->len;
}
