/* Redis INFO / CLUSTER INFO parser. The reply is "# Section\r\n" headers and "key:value\r\n"
 * lines; the value runs to the end of the line and may itself hold ':' (executable paths), so
 * only the first ':' splits. '\r' before '\n' is dropped, a bare LF is accepted too. */
#include "parse/redis_info.h"

#include <errno.h>
#include <string.h>

#include "core/strparse.h"
#include "core/banned.h"

/* info_line_end returns the end of the line at p (at '\n' or NUL) without a trailing '\r'. */
static const char *info_line_end(const char *p, const char **next)
{
    const char *e = p;
    while (*e != '\n' && *e != '\0')
        e++;
    *next = *e == '\n' ? e + 1 : e;
    while (e > p && e[-1] == '\r')
        e--;
    return e;
}

int parse_redis_info_each(const char *text, redis_info_cb cb, void *arg, unsigned *malformed,
                          struct parse_err *err)
{
    const char *section = "";
    size_t section_len = 0;
    unsigned fields = 0, bad = 0;
    const char *first_bad = NULL;
    const char *next;
    for (const char *p = text; *p != '\0'; p = next) {
        const char *end = info_line_end(p, &next);
        if (end == p)
            continue;
        if (*p == '#') {
            const char *s = p + 1;
            while (s < end && *s == ' ')
                s++;
            section = s;
            section_len = (size_t)(end - s);
            continue;
        }
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (colon == NULL || colon == p) {
            if (first_bad == NULL)
                first_bad = p;
            bad++;
            continue;
        }
        struct redis_info_field f = {
            section, section_len, p, (size_t)(colon - p), colon + 1, (size_t)(end - colon - 1)};
        fields++;
        int rc = cb(arg, &f);
        if (rc < 0)
            return rc;
    }
    if (malformed != NULL)
        *malformed = bad;
    if (fields == 0) {
        parse_err_set(err, text, first_bad ? first_bad : text, "no key:value field in reply");
        return -EPROTO;
    }
    return 0;
}

/* info_u64 parses a whole value slice as an unsigned decimal. */
static int info_u64(const char *v, size_t n, uint64_t *out)
{
    const char *p = v;
    uint64_t x;
    if (n == 0)
        return -EPROTO;
    int rc = sp_u64(&p, &x);
    if (rc < 0)
        return rc;
    if ((size_t)(p - v) != n)
        return -EPROTO;
    *out = x;
    return 0;
}

int parse_redis_info_subfield(const char *value, size_t value_len, const char *name, uint64_t *out)
{
    size_t nl = strlen(name);
    const char *end = value + value_len;
    for (const char *p = value; p < end;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *item_end = comma ? comma : end;
        const char *eq = memchr(p, '=', (size_t)(item_end - p));
        if (eq != NULL && (size_t)(eq - p) == nl && memcmp(p, name, nl) == 0)
            return info_u64(eq + 1, (size_t)(item_end - eq - 1), out);
        p = comma ? comma + 1 : end;
    }
    return -ENOENT;
}

static bool info_key_is(const struct redis_info_field *f, const char *key)
{
    return f->key_len == strlen(key) && memcmp(f->key, key, f->key_len) == 0;
}

/* info_str copies a value slice into a fixed field, truncating (version strings are short). */
static void info_str(char *dst, size_t cap, const struct redis_info_field *f)
{
    size_t n = f->value_len < cap - 1 ? f->value_len : cap - 1;
    memcpy(dst, f->value, n);
    dst[n] = '\0';
}

/* The numeric fields, by key: where to store the value and its has_* flag. */
struct info_num {
    const char *key;
    size_t value_off;
    size_t has_off;
};

#define INFO_NUM(k, field)                                                                         \
    {                                                                                              \
        k, offsetof(struct redis_info, field), offsetof(struct redis_info, has_##field)            \
    }

static const struct info_num info_nums[] = {
    INFO_NUM("connected_clients", connected_clients),
    INFO_NUM("used_memory", used_memory),
    INFO_NUM("maxmemory", maxmemory),
    INFO_NUM("total_commands_processed", total_commands_processed),
    INFO_NUM("keyspace_hits", keyspace_hits),
    INFO_NUM("keyspace_misses", keyspace_misses),
    INFO_NUM("evicted_keys", evicted_keys),
    INFO_NUM("expired_keys", expired_keys),
    INFO_NUM("uptime_in_seconds", uptime_seconds),
};

/* info_db handles "dbN:keys=..,expires=..,avg_ttl=..". */
static int info_db(struct redis_info *in, const struct redis_info_field *f)
{
    const char *p = f->key + 2;
    uint64_t idx;
    if (info_u64(p, f->key_len - 2, &idx) < 0 || idx > 0xffffffffu)
        return -EPROTO;
    struct redis_info_db db = {.index = (unsigned)idx};
    if (parse_redis_info_subfield(f->value, f->value_len, "keys", &db.keys) < 0)
        return -EPROTO;
    if (parse_redis_info_subfield(f->value, f->value_len, "expires", &db.expires) < 0)
        db.expires = 0;
    if (in->ndbs == REDIS_INFO_MAX_DBS) {
        in->dbs_dropped++;
        return 0;
    }
    in->dbs[in->ndbs++] = db;
    return 0;
}

static int info_field(void *arg, const struct redis_info_field *f)
{
    struct redis_info *in = arg;
    in->fields++;
    if (info_key_is(f, "redis_version")) {
        info_str(in->version, sizeof(in->version), f);
        return 0;
    }
    if (info_key_is(f, "redis_mode")) {
        info_str(in->mode, sizeof(in->mode), f);
        return 0;
    }
    if (info_key_is(f, "role")) {
        /* Redis still says "slave" on the wire; we export "replica". */
        if (f->value_len == 6 && memcmp(f->value, "master", 6) == 0)
            in->role = REDIS_ROLE_MASTER;
        else if (f->value_len == 5 && memcmp(f->value, "slave", 5) == 0)
            in->role = REDIS_ROLE_REPLICA;
        return 0;
    }
    if (info_key_is(f, "cluster_enabled")) {
        uint64_t v;
        if (info_u64(f->value, f->value_len, &v) < 0 || v > 1) {
            in->malformed++;
            return 0;
        }
        in->cluster_enabled = v == 1;
        in->has_cluster_enabled = true;
        return 0;
    }
    if (f->key_len > 2 && memcmp(f->key, "db", 2) == 0 && f->key[2] >= '0' && f->key[2] <= '9') {
        if (info_db(in, f) < 0)
            in->malformed++;
        return 0;
    }
    for (size_t i = 0; i < sizeof(info_nums) / sizeof(info_nums[0]); i++) {
        if (!info_key_is(f, info_nums[i].key))
            continue;
        uint64_t v;
        if (info_u64(f->value, f->value_len, &v) < 0) {
            in->malformed++;
            return 0;
        }
        *(uint64_t *)((char *)in + info_nums[i].value_off) = v;
        *(bool *)((char *)in + info_nums[i].has_off) = true;
        return 0;
    }
    return 0;
}

int parse_redis_info(const char *text, struct redis_info *out, struct parse_err *err)
{
    struct redis_info in;
    unsigned bad = 0;
    memset(&in, 0, sizeof(in));
    int rc = parse_redis_info_each(text, info_field, &in, &bad, err);
    if (rc < 0)
        return rc;
    in.malformed += bad;
    *out = in;
    return 0;
}

#define CINFO_NUM(k, field)                                                                        \
    {                                                                                              \
        k, offsetof(struct redis_cluster_info, field),                                             \
            offsetof(struct redis_cluster_info, has_##field)                                       \
    }

static const struct info_num cinfo_nums[] = {
    CINFO_NUM("cluster_known_nodes", known_nodes),       CINFO_NUM("cluster_size", size),
    CINFO_NUM("cluster_slots_assigned", slots_assigned), CINFO_NUM("cluster_slots_ok", slots_ok),
    CINFO_NUM("cluster_slots_fail", slots_fail),
};

static int cinfo_field(void *arg, const struct redis_info_field *f)
{
    struct redis_cluster_info *ci = arg;
    if (info_key_is(f, "cluster_state")) {
        ci->state_ok = f->value_len == 2 && memcmp(f->value, "ok", 2) == 0;
        ci->has_state = true;
        return 0;
    }
    for (size_t i = 0; i < sizeof(cinfo_nums) / sizeof(cinfo_nums[0]); i++) {
        if (!info_key_is(f, cinfo_nums[i].key))
            continue;
        uint64_t v;
        if (info_u64(f->value, f->value_len, &v) < 0) {
            ci->malformed++;
            return 0;
        }
        *(uint64_t *)((char *)ci + cinfo_nums[i].value_off) = v;
        *(bool *)((char *)ci + cinfo_nums[i].has_off) = true;
        return 0;
    }
    return 0;
}

int parse_redis_cluster_info(const char *text, struct redis_cluster_info *out,
                             struct parse_err *err)
{
    struct redis_cluster_info ci;
    unsigned bad = 0;
    memset(&ci, 0, sizeof(ci));
    int rc = parse_redis_info_each(text, cinfo_field, &ci, &bad, err);
    if (rc < 0)
        return rc;
    if (!ci.has_state) {
        parse_err_set(err, text, text, "cluster_state missing");
        return -EPROTO;
    }
    ci.malformed += bad;
    *out = ci;
    return 0;
}
