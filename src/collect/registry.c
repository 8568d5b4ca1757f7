/* Collector registry. The table below is the list of collectors: adding one is a new
 * col_<name>.c plus one line here (no self-registration; a static library would drop it). */
#include "collect/registry.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/collectors.h"
#include "collect/sink.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "core/banned.h"

static const struct collector_type *const collector_types[] = {
    &col_system_type,
    &col_cgroup_type,
    &col_redis_type,
    &col_statsd_type,
    &col_app_pull_type,
};

#define REGISTRY_NTYPES (sizeof(collector_types) / sizeof(collector_types[0]))
#define REGISTRY_MAX_SOURCES 16
/* A failing collector is retried after 1, 2, 4 ... ticks, at most this long apart. */
#define REGISTRY_BACKOFF_MAX_MS 60000
/* Per-collector cap on emitted samples: a runaway /proc (thousands of interfaces) cannot
 * blow up a scrape. */
#define REGISTRY_MAX_SAMPLES 20000

struct registry_entry {
    const struct collector_type *type;
    void *ctx;
    bool active;
    int last_rc;
    double last_duration_s;
    int64_t backoff_ms;
    int64_t next_run_ms;
    struct complaint complaint;
};

struct registry_source {
    const char *name;
    size_t owner; /* entry index that reported it */
    bool up;
    double last_success;
};

struct registry {
    const struct config *cfg;
    struct registry_entry entries[REGISTRY_NTYPES];
    struct registry_source sources[REGISTRY_MAX_SOURCES];
    size_t nsources;
    size_t fd_owner[REGISTRY_NTYPES];
    size_t nfds;
};

_Static_assert(REGISTRY_NTYPES <= CONFIG_MAX_COLLECTORS, "raise CONFIG_MAX_COLLECTORS");

size_t registry_type_count(void)
{
    return REGISTRY_NTYPES;
}

const struct collector_type *registry_type_at(size_t i)
{
    RIZK_ASSERT(i < REGISTRY_NTYPES);
    return collector_types[i];
}

static struct config_collector registry_config_at(size_t i)
{
    const struct collector_type *t = registry_type_at(i);
    return (struct config_collector){t->name, t->help, t->default_enabled};
}

const struct config_collectors registry_config_collectors = {REGISTRY_NTYPES, registry_config_at};

int registry_type_find(const char *name)
{
    for (size_t i = 0; i < REGISTRY_NTYPES; i++)
        if (strcmp(collector_types[i]->name, name) == 0)
            return (int)i;
    return -1;
}

struct registry *registry_new(const struct config *cfg)
{
    struct registry *r = xcalloc(1, sizeof(*r));
    r->cfg = cfg;
    for (size_t i = 0; i < REGISTRY_NTYPES; i++) {
        struct registry_entry *e = &r->entries[i];
        e->type = collector_types[i];
        if (!cfg->collector_enabled[i])
            continue;
        int rc = e->type->init ? e->type->init(cfg, &e->ctx) : 0;
        if (rc == COLLECTOR_INACTIVE) {
            log_debug("registry", "collector %s inactive: not configured", e->type->name);
            e->ctx = NULL;
            continue;
        }
        if (rc < 0) {
            log_error("registry", "collector %s disabled: init failed: %s", e->type->name,
                      err_str(rc));
            if (e->type->destroy)
                e->type->destroy(e->ctx);
            e->ctx = NULL;
            continue;
        }
        e->active = true;
        if (e->type->event_fd != NULL && e->type->event_fd(e->ctx) >= 0)
            r->fd_owner[r->nfds++] = i;
        log_debug("registry", "collector %s enabled", e->type->name);
    }
    return r;
}

void registry_free(struct registry *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < REGISTRY_NTYPES; i++) {
        struct registry_entry *e = &r->entries[i];
        if (e->active && e->type->destroy)
            e->type->destroy(e->ctx);
    }
    free(r);
}

static void registry_note_sources(struct registry *r, struct sample_sink *sink, size_t owner,
                                  size_t before, double wall_s)
{
    for (size_t i = before; i < sink_source_count(sink); i++) {
        const char *name;
        bool up;
        sink_source_at(sink, i, &name, &up);
        struct registry_source *src = NULL;
        for (size_t j = 0; j < r->nsources; j++)
            if (strcmp(r->sources[j].name, name) == 0)
                src = &r->sources[j];
        if (src == NULL) {
            if (r->nsources == REGISTRY_MAX_SOURCES)
                continue;
            src = &r->sources[r->nsources++];
            src->name = name;
            src->last_success = 0;
        }
        src->owner = owner;
        src->up = up;
        if (up)
            src->last_success = wall_s;
    }
}

static void registry_run_one(struct registry *r, size_t i, struct sample_sink *sink,
                             int64_t now_ms, double wall_s)
{
    struct registry_entry *e = &r->entries[i];
    if (now_ms < e->next_run_ms)
        return; /* backing off: keeps last_rc, so success stays 0 */
    size_t before = sink_source_count(sink);
    sink_set_limit(sink, REGISTRY_MAX_SAMPLES);
    int64_t t0 = clock_mono_ns();
    int rc = e->type->collect(e->ctx, sink);
    e->last_duration_s = (double)(clock_mono_ns() - t0) / 1e9;
    sink_set_limit(sink, 0);
    e->last_rc = rc;
    registry_note_sources(r, sink, i, before, wall_s);
    if (rc < 0) {
        complain(&e->complaint, now_ms, "registry", "collector %s failed: %s", e->type->name,
                 err_str(rc));
        e->backoff_ms = e->backoff_ms ? e->backoff_ms * 2 : r->cfg->history_interval_ms;
        if (e->backoff_ms > REGISTRY_BACKOFF_MAX_MS)
            e->backoff_ms = REGISTRY_BACKOFF_MAX_MS;
        e->next_run_ms = now_ms + e->backoff_ms;
        /* Sources it owns are down until it succeeds again. */
        for (size_t j = 0; j < r->nsources; j++)
            if (r->sources[j].owner == i)
                r->sources[j].up = false;
    } else {
        complain_release(&e->complaint, "registry", e->type->name);
        e->backoff_ms = 0;
        e->next_run_ms = 0;
    }
}

void registry_collect(struct registry *r, struct sample_sink *sink, int64_t now_ms, double wall_s)
{
    for (size_t i = 0; i < REGISTRY_NTYPES; i++)
        if (r->entries[i].active)
            registry_run_one(r, i, sink, now_ms, wall_s);

    for (size_t i = 0; i < REGISTRY_NTYPES; i++) {
        const struct registry_entry *e = &r->entries[i];
        if (!e->active)
            continue;
        struct label l = {"collector", e->type->name};
        sink_gauge(sink, "rizk_collector_duration_seconds",
                   "Duration of the collector's last run, in seconds.", &l, 1,
                   e->last_duration_s);
    }
    for (size_t i = 0; i < REGISTRY_NTYPES; i++) {
        const struct registry_entry *e = &r->entries[i];
        if (!e->active)
            continue;
        struct label l = {"collector", e->type->name};
        sink_gauge(sink, "rizk_collector_success",
                   "Whether the collector's last run succeeded (1) or failed (0).", &l, 1,
                   e->last_rc < 0 ? 0 : 1);
    }
    for (size_t i = 0; i < r->nsources; i++) {
        struct label l = {"source", r->sources[i].name};
        sink_gauge(sink, "rizk_source_up",
                   "Whether the source answered on the last tick (1) or not (0).", &l, 1,
                   r->sources[i].up ? 1 : 0);
    }
    for (size_t i = 0; i < r->nsources; i++) {
        if (r->sources[i].last_success <= 0)
            continue;
        struct label l = {"source", r->sources[i].name};
        sink_gauge(sink, "rizk_source_last_success_timestamp_seconds",
                   "Unix time of the source's last successful read.", &l, 1,
                   r->sources[i].last_success);
    }
}

size_t registry_event_fd_count(const struct registry *r)
{
    return r->nfds;
}

int registry_event_fd_at(const struct registry *r, size_t i)
{
    RIZK_ASSERT(i < r->nfds);
    const struct registry_entry *e = &r->entries[r->fd_owner[i]];
    return e->type->event_fd(e->ctx);
}

void registry_on_readable(struct registry *r, size_t i)
{
    RIZK_ASSERT(i < r->nfds);
    struct registry_entry *e = &r->entries[r->fd_owner[i]];
    e->type->on_readable(e->ctx);
}

void registry_bind_app_stats(struct registry *r, struct app_stats *stats)
{
    for (size_t i = 0; i < REGISTRY_NTYPES; i++) {
        struct registry_entry *e = &r->entries[i];
        if (e->active && e->type->bind_app_stats != NULL)
            e->type->bind_app_stats(e->ctx, stats);
    }
}
