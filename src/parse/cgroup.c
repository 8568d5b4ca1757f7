/* cgroup v2 file parsers. cpu.stat, memory.stat and memory.events share the "flat keyed"
 * format of Documentation/admin-guide/cgroup-v2.rst: one "key value" pair per line. */
#include "parse/cgroup.h"

#include <errno.h>
#include <string.h>

#include "core/strparse.h"
#include "parse/lex.h"
#include "core/banned.h"

/* flat_line parses "key value" (value a u64) and sets (*k, *kn) to the key. */
static int flat_line(const char **p, const char **k, size_t *kn, uint64_t *v)
{
    const char *s = *p;
    const char *w;
    size_t n;
    uint64_t x;
    lex_blanks(&s);
    int rc = lex_word(&s, &w, &n);
    if (rc < 0)
        return rc;
    rc = lex_u64(&s, &x);
    if (rc < 0)
        return rc;
    if (!lex_eol(&s))
        return -EPROTO;
    *k = w;
    *kn = n;
    *v = x;
    *p = s;
    return 0;
}

/* A table row maps a key to a field and its presence flag. */
struct flat_key {
    const char *key;
    uint64_t *value;
    bool *has;
};

/* flat_parse runs the table over every line; it counts skipped lines in skips and returns how
 * many lines matched a key. A key already seen is a skipped (duplicate) line. */
static unsigned flat_parse(const char *text, const struct flat_key *keys, size_t nkeys,
                           struct lex_skips *skips)
{
    unsigned matched = 0;
    for (const char *p = text; *p != '\0'; sp_next_line(&p)) {
        const char *line = p;
        const char *k;
        size_t kn;
        uint64_t v;
        if (lex_is_blank_line(p))
            continue;
        int rc = flat_line(&p, &k, &kn, &v);
        if (rc < 0) {
            lex_skip(skips, text, line, rc, "malformed key value line");
            continue;
        }
        for (size_t i = 0; i < nkeys; i++) {
            if (!sp_word_eq(k, kn, keys[i].key))
                continue;
            if (*keys[i].has) {
                lex_skip(skips, text, line, -EEXIST, "duplicate key");
                break;
            }
            *keys[i].value = v;
            *keys[i].has = true;
            matched++;
            break;
        }
    }
    return matched;
}

int parse_cgroup_cpu_stat(const char *text, struct cgroup_cpu_stat *out, struct parse_err *err)
{
    struct cgroup_cpu_stat cs = {0};
    struct lex_skips skips = {0};
    bool has_usage = false;
    const struct flat_key keys[] = {
        {"usage_usec", &cs.usage_usec, &has_usage},
        {"user_usec", &cs.user_usec, &cs.has_user},
        {"system_usec", &cs.system_usec, &cs.has_system},
        {"nr_periods", &cs.nr_periods, &cs.has_periods},
        {"nr_throttled", &cs.nr_throttled, &cs.has_throttled},
        {"throttled_usec", &cs.throttled_usec, &cs.has_throttled_usec},
    };
    flat_parse(text, keys, sizeof(keys) / sizeof(keys[0]), &skips);
    if (!has_usage)
        return lex_fail(&skips, err, text, text, "no usage_usec line");
    cs.malformed = skips.count;
    *out = cs;
    return 0;
}

/* The kernel's default CFS period (sched_cfs_bandwidth default), used if a period is absent. */
#define CGROUP_DEFAULT_PERIOD_USEC 100000

int parse_cgroup_cpu_max(const char *text, struct cgroup_cpu_max *out, struct parse_err *err)
{
    struct cgroup_cpu_max cm = {.period_usec = CGROUP_DEFAULT_PERIOD_USEC};
    const char *p = text;
    const char *w;
    size_t n;
    lex_blanks(&p);
    const char *at = p;
    int rc = lex_word(&p, &w, &n);
    if (rc < 0) {
        parse_err_set(err, text, at, "expected max or a quota");
        return -EPROTO;
    }
    if (!sp_word_eq(w, n, "max")) {
        rc = lex_u64(&at, &cm.quota_usec);
        if (rc < 0) {
            parse_err_set(err, text, at, "bad quota");
            return rc;
        }
        cm.has_quota = true;
    }
    if (!lex_eol(&p)) {
        at = p;
        rc = lex_u64(&p, &cm.period_usec);
        if (rc < 0) {
            parse_err_set(err, text, at, "bad period");
            return rc;
        }
    }
    if (!lex_eol(&p) || cm.period_usec == 0) {
        parse_err_set(err, text, p, cm.period_usec == 0 ? "zero period" : "trailing data");
        return -EPROTO;
    }
    *out = cm;
    return 0;
}

int parse_cgroup_value(const char *text, struct cgroup_value *out, struct parse_err *err)
{
    struct cgroup_value cv = {0};
    const char *p = text;
    const char *w;
    size_t n;
    lex_blanks(&p);
    const char *at = p;
    int rc = lex_word(&p, &w, &n);
    if (rc == 0 && sp_word_eq(w, n, "max")) {
        cv.is_max = true;
        cv.value = UINT64_MAX;
    } else if (rc == 0) {
        p = at;
        rc = lex_u64(&p, &cv.value);
    } else {
        rc = -EPROTO;
    }
    if (rc < 0) {
        parse_err_set(err, text, at, "expected max or a number");
        return rc;
    }
    if (!lex_eol(&p)) {
        parse_err_set(err, text, p, "trailing data");
        return -EPROTO;
    }
    *out = cv;
    return 0;
}

int parse_cgroup_memory_stat(const char *text, struct cgroup_memory_stat *out,
                             struct parse_err *err)
{
    struct cgroup_memory_stat ms;
    struct lex_skips skips = {0};
    memset(&ms, 0, sizeof(ms));
    for (const char *p = text; *p != '\0'; sp_next_line(&p)) {
        const char *line = p;
        const char *k;
        size_t kn;
        uint64_t v;
        if (lex_is_blank_line(p))
            continue;
        int rc = flat_line(&p, &k, &kn, &v);
        struct cgroup_stat_entry e;
        if (rc == 0 && lex_copy(e.name, sizeof(e.name), k, kn) < 0)
            rc = -EPROTO;
        /* Keys are unique in the kernel's output; a repeat means a corrupt or foreign file. */
        for (unsigned i = 0; rc == 0 && i < ms.nentries; i++)
            if (strcmp(ms.entries[i].name, e.name) == 0)
                rc = -EEXIST;
        if (rc < 0) {
            lex_skip(&skips, text, line, rc, "malformed memory.stat line");
            continue;
        }
        e.value = v;
        if (ms.nentries < CGROUP_STAT_MAX)
            ms.entries[ms.nentries++] = e;
        else
            ms.dropped++;
        const struct flat_key direct[] = {
            {"anon", &ms.anon, &ms.has_anon},
            {"file", &ms.file, &ms.has_file},
            {"active_file", &ms.active_file, &ms.has_active_file},
            {"inactive_file", &ms.inactive_file, &ms.has_inactive_file},
            {"shmem", &ms.shmem, &ms.has_shmem},
        };
        for (size_t i = 0; i < sizeof(direct) / sizeof(direct[0]); i++) {
            if (!*direct[i].has && strcmp(e.name, direct[i].key) == 0) {
                *direct[i].value = v;
                *direct[i].has = true;
            }
        }
    }
    if (ms.nentries == 0 && ms.dropped == 0)
        return lex_fail(&skips, err, text, text, "no key value line");
    ms.malformed = skips.count;
    *out = ms;
    return 0;
}

int parse_cgroup_memory_events(const char *text, struct cgroup_memory_events *out,
                               struct parse_err *err)
{
    struct cgroup_memory_events me = {0};
    struct lex_skips skips = {0};
    const struct flat_key keys[] = {
        {"low", &me.low, &me.has_low},
        {"high", &me.high, &me.has_high},
        {"max", &me.max, &me.has_max},
        {"oom", &me.oom, &me.has_oom},
        {"oom_kill", &me.oom_kill, &me.has_oom_kill},
        {"oom_group_kill", &me.oom_group_kill, &me.has_oom_group_kill},
    };
    unsigned matched = flat_parse(text, keys, sizeof(keys) / sizeof(keys[0]), &skips);
    if (matched == 0)
        return lex_fail(&skips, err, text, text, "no known memory.events key");
    me.malformed = skips.count;
    *out = me;
    return 0;
}

/* membership_line handles "hierarchy-ID:controller-list:cgroup-path". */
static int membership_line(const char *line, struct cgroup_membership *m)
{
    const char *s = line;
    uint64_t id;
    int rc = sp_u64(&s, &id);
    if (rc == 0)
        rc = sp_char(&s, ':');
    if (rc < 0)
        return -EPROTO;
    const char *ctrl = s;
    while (*s != ':' && *s != '\n' && *s != '\0')
        s++;
    if (*s != ':')
        return -EPROTO;
    size_t nctrl = (size_t)(s - ctrl);
    s++;
    const char *path = s;
    const char *end = strchr(s, '\n');
    if (end == NULL)
        end = s + strlen(s);
    size_t n = (size_t)(end - path);
    if (n > 0 && path[n - 1] == '\r')
        n--;
    if (n == 0 || path[0] != '/')
        return -EPROTO;
    /* The unified hierarchy is always ID 0 with an empty controller list. */
    if (id == 0 && nctrl == 0) {
        if (m->has_v2)
            return -EEXIST;
        rc = lex_copy(m->v2_path, sizeof(m->v2_path), path, n);
        if (rc < 0)
            return rc;
        m->has_v2 = true;
        return 0;
    }
    if (id == 0 || nctrl == 0)
        return -EPROTO;
    m->v1_lines++;
    return 0;
}

int parse_cgroup_membership(const char *text, struct cgroup_membership *out, struct parse_err *err)
{
    struct cgroup_membership m;
    (void)err;
    memset(&m, 0, sizeof(m));
    for (const char *p = text; *p != '\0'; sp_next_line(&p)) {
        if (lex_is_blank_line(p))
            continue;
        if (membership_line(p, &m) < 0)
            m.malformed++;
    }
    if (m.has_v2)
        m.mode = m.v1_lines > 0 ? CGROUP_MODE_HYBRID : CGROUP_MODE_V2;
    else
        m.mode = m.v1_lines > 0 ? CGROUP_MODE_V1 : CGROUP_MODE_NONE;
    *out = m;
    return 0;
}
