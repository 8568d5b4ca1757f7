/* cgroup v2 and v1 file parsers. cpu.stat, memory.stat, memory.events and v1's memory.oom_control
 * share the "flat keyed" format of Documentation/admin-guide/cgroup-v2.rst: one "key value" pair
 * per line. Also the cgroup directory names of kubelet (pods) and the runtimes (containers). */
#include "parse/cgroup.h"

#include <errno.h>
#include <stdio.h>
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
            {"total_inactive_file", &ms.total_inactive_file, &ms.has_total_inactive_file},
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

/* ctrl_has tells whether the comma-separated controller list (ctrl, n) holds name. */
static bool ctrl_has(const char *ctrl, size_t n, const char *name)
{
    size_t len = strlen(name);
    const char *end = ctrl + n;
    for (const char *p = ctrl; p < end;) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        size_t w = c != NULL ? (size_t)(c - p) : (size_t)(end - p);
        if (w == len && memcmp(p, name, len) == 0)
            return true;
        p += w + 1;
    }
    return false;
}

static void v1_keep(struct cgroup_v1_line *l, const char *ctrl, size_t nctrl, const char *path,
                    size_t n)
{
    /* The first line wins: a controller appears in one hierarchy only. */
    if (l->found || lex_copy(l->ctrl, sizeof(l->ctrl), ctrl, nctrl) < 0)
        return;
    if (lex_copy(l->path, sizeof(l->path), path, n) < 0) {
        l->ctrl[0] = '\0';
        return;
    }
    l->found = true;
}

/* membership_v1 keeps the hierarchies the v1 readers need: cpu (quota), cpuacct (usage) and
 * memory. "cpu,cpuacct" (the usual co-mount) serves both cpu and cpuacct. */
static void membership_v1(struct cgroup_membership *m, const char *ctrl, size_t nctrl,
                          const char *path, size_t n)
{
    if (ctrl_has(ctrl, nctrl, "cpu"))
        v1_keep(&m->v1_cpu, ctrl, nctrl, path, n);
    if (ctrl_has(ctrl, nctrl, "cpuacct"))
        v1_keep(&m->v1_cpuacct, ctrl, nctrl, path, n);
    if (ctrl_has(ctrl, nctrl, "memory"))
        v1_keep(&m->v1_memory, ctrl, nctrl, path, n);
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
    membership_v1(m, ctrl, nctrl, path, n);
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

int parse_cgroup_v1_quota(const char *text, struct cgroup_v1_quota *out, struct parse_err *err)
{
    struct cgroup_v1_quota q = {0};
    const char *p = text;
    lex_blanks(&p);
    const char *at = p;
    if (p[0] == '-') {
        if (p[1] != '1') {
            parse_err_set(err, text, at, "negative quota other than -1");
            return -EPROTO;
        }
        p += 2;
    } else {
        int rc = lex_u64(&p, &q.quota_usec);
        if (rc < 0) {
            parse_err_set(err, text, at, "bad quota");
            return rc;
        }
        if (q.quota_usec == 0) {
            parse_err_set(err, text, at, "zero quota");
            return -EPROTO;
        }
        q.has_quota = true;
    }
    if (!lex_eol(&p)) {
        parse_err_set(err, text, p, "trailing data");
        return -EPROTO;
    }
    *out = q;
    return 0;
}

int parse_cgroup_v1_cpu_stat(const char *text, struct cgroup_v1_cpu_stat *out,
                             struct parse_err *err)
{
    struct cgroup_v1_cpu_stat cs = {0};
    struct lex_skips skips = {0};
    const struct flat_key keys[] = {
        {"nr_periods", &cs.nr_periods, &cs.has_periods},
        {"nr_throttled", &cs.nr_throttled, &cs.has_throttled},
        {"throttled_time", &cs.throttled_time_ns, &cs.has_throttled_time},
    };
    unsigned matched = flat_parse(text, keys, sizeof(keys) / sizeof(keys[0]), &skips);
    if (matched == 0)
        return lex_fail(&skips, err, text, text, "no known v1 cpu.stat key");
    cs.malformed = skips.count;
    *out = cs;
    return 0;
}

int parse_cgroup_v1_oom_control(const char *text, struct cgroup_v1_oom *out, struct parse_err *err)
{
    struct cgroup_v1_oom o = {0};
    struct lex_skips skips = {0};
    bool has_disable = false, has_under = false;
    const struct flat_key keys[] = {
        {"oom_kill_disable", &o.oom_kill_disable, &has_disable},
        {"under_oom", &o.under_oom, &has_under},
        {"oom_kill", &o.oom_kill, &o.has_oom_kill},
    };
    unsigned matched = flat_parse(text, keys, sizeof(keys) / sizeof(keys[0]), &skips);
    if (matched == 0)
        return lex_fail(&skips, err, text, text, "no known memory.oom_control key");
    o.malformed = skips.count;
    *out = o;
    return 0;
}

static bool has_prefix(const char *s, const char *prefix, size_t *len)
{
    *len = strlen(prefix);
    return strncmp(s, prefix, *len) == 0;
}

int parse_cgroup_container_id(const char *dirname, char *out, size_t n)
{
    /* Runtime prefixes of the systemd driver; conmon's own scopes sit beside the containers. */
    static const char *const skip[] = {"crio-conmon-", "libpod-conmon-"};
    static const char *const prefix[] = {"cri-containerd-", "crio-", "docker-", "libpod-"};
    size_t len;
    for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
        if (has_prefix(dirname, skip[i], &len))
            return -ENOENT;
    const char *id = dirname;
    for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++) {
        if (has_prefix(dirname, prefix[i], &len)) {
            id = dirname + len;
            break;
        }
    }
    size_t idn = strlen(id);
    if (idn >= 6 && strcmp(id + idn - 6, ".scope") == 0)
        idn -= 6;
    else if (idn >= 6 && strcmp(id + idn - 6, ".slice") == 0)
        return -ENOENT;
    if (idn == 0)
        return -ENOENT;
    for (size_t i = 0; i < idn; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c <= ' ' || c == '/' || c == 0x7f)
            return -ENOENT;
    }
    return lex_copy(out, n, id, idn);
}

int parse_cgroup_pod_dirs(const char *uid, char out[CGROUP_POD_DIRS][CGROUP_PATH_MAX])
{
    /* Kubernetes pod UIDs are RFC 4122 strings (hex and '-'), podman's pod ids 64 hex digits;
     * 64 bounds the copies below. */
    char u[65], u_[65];
    size_t n = strlen(uid);
    if (n == 0 || n >= sizeof(u))
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (lex_hex_digit(uid[i]) < 0 && uid[i] != '-')
            return -EINVAL;
        u[i] = uid[i];
        u_[i] = uid[i] == '-' ? '_' : uid[i];
    }
    u[n] = u_[n] = '\0';
    static const char *const qos[] = {"burstable", "besteffort"};
    int w[CGROUP_POD_DIRS];
    w[0] = snprintf(out[0], CGROUP_PATH_MAX, "kubepods.slice/kubepods-pod%s.slice", u_);
    w[1] = snprintf(out[1], CGROUP_PATH_MAX, "kubepods/pod%s", u);
    for (int i = 0; i < 2; i++) {
        w[2 + 2 * i] = snprintf(out[2 + 2 * i], CGROUP_PATH_MAX,
                                "kubepods.slice/kubepods-%s.slice/kubepods-%s-pod%s.slice", qos[i],
                                qos[i], u_);
        w[3 + 2 * i] = snprintf(out[3 + 2 * i], CGROUP_PATH_MAX, "kubepods/%s/pod%s", qos[i], u);
    }
    w[6] = snprintf(out[6], CGROUP_PATH_MAX, "libpod_parent/%s", u);
    w[7] = snprintf(out[7], CGROUP_PATH_MAX, "machine.slice/machine-libpod_pod_%s.slice", u);
    for (int i = 0; i < CGROUP_POD_DIRS; i++)
        if (w[i] < 0 || w[i] >= CGROUP_PATH_MAX)
            return -E2BIG;
    return 0;
}
