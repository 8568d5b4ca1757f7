/* Pure parsers for the Redis INFO and CLUSTER INFO replies: "# Section" headers, "key:value"
 * lines ended by CRLF (LF accepted), blank lines between sections, and the comma-separated
 * "k=v" sub-fields of dbN and cmdstat_* values. One tokenizer walks the text once and yields
 * (section, key, value); parse_redis_info maps the fields the collector exports onto a struct.
 * Keys are matched whole, never as substrings (collectd's strstr bug). No I/O, clock or globals. */
#ifndef RIZK_PARSE_REDIS_INFO_H
#define RIZK_PARSE_REDIS_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* One field: borrowed slices of the parsed text, not NUL-terminated. section is "" (len 0)
 * before the first "# Section" line. */
struct redis_info_field {
    const char *section;
    size_t section_len;
    const char *key;
    size_t key_len;
    const char *value;
    size_t value_len;
};

/* Called once per field in text order; a negative return stops the walk and is returned. */
typedef int (*redis_info_cb)(void *arg, const struct redis_info_field *f);

/* parse_redis_info_each tokenizes text (NUL-terminated) and calls cb for each "key:value" line.
 * Lines without ':' or with an empty key are skipped and counted in *malformed (may be NULL).
 * Returns 0, cb's negative return, or -EPROTO when no field at all was found (err gets the first
 * malformed line, or line 1). thread: any. */
int parse_redis_info_each(const char *text, redis_info_cb cb, void *arg, unsigned *malformed,
                          struct parse_err *err);

/* parse_redis_info_subfield finds sub-field name in a "k1=v1,k2=v2" value slice and parses
 * it as an unsigned decimal. Errors: -ENOENT (absent), -EPROTO (not a number), -ERANGE. */
int parse_redis_info_subfield(const char *value, size_t value_len, const char *name, uint64_t *out);

#define REDIS_INFO_MAX_DBS 64
#define REDIS_INFO_STR_MAX 32

enum redis_role { REDIS_ROLE_UNKNOWN = 0, REDIS_ROLE_MASTER, REDIS_ROLE_REPLICA };

struct redis_info_db {
    unsigned index; /* N of "dbN" */
    uint64_t keys, expires;
};

/* The fields of INFO the redis collector exports. Each number has a has_* flag: INFO may be
 * asked for only some sections, and fields come and go between Redis versions. */
struct redis_info {
    char version[REDIS_INFO_STR_MAX]; /* redis_version; "" when absent */
    char mode[REDIS_INFO_STR_MAX];    /* redis_mode: standalone, cluster, sentinel; "" absent */
    enum redis_role role;             /* role: master / slave */
    bool cluster_enabled, has_cluster_enabled;
    uint64_t connected_clients, used_memory, maxmemory, total_commands_processed;
    uint64_t keyspace_hits, keyspace_misses, evicted_keys, expired_keys, uptime_seconds;
    bool has_connected_clients, has_used_memory, has_maxmemory, has_total_commands_processed;
    bool has_keyspace_hits, has_keyspace_misses, has_evicted_keys, has_expired_keys;
    bool has_uptime_seconds;
    struct redis_info_db dbs[REDIS_INFO_MAX_DBS]; /* text order; excess counted in dbs_dropped */
    unsigned ndbs, dbs_dropped;
    unsigned fields;    /* key:value lines seen */
    unsigned malformed; /* lines skipped: no ':', bad number for a known key, bad dbN line */
};

/* parse_redis_info parses an INFO reply into *out (written only on success). Unknown keys are
 * ignored; a known key with a bad number is skipped and counted. Errors: -EPROTO when the text
 * holds no field (err gets the position). thread: any. */
int parse_redis_info(const char *text, struct redis_info *out, struct parse_err *err);

/* The fields of CLUSTER INFO the collector exports. */
struct redis_cluster_info {
    bool state_ok; /* cluster_state:ok */
    uint64_t known_nodes, size, slots_assigned, slots_ok, slots_fail;
    bool has_state, has_known_nodes, has_size, has_slots_assigned, has_slots_ok, has_slots_fail;
    unsigned malformed;
};

/* parse_redis_cluster_info parses a CLUSTER INFO reply into *out (written only on success).
 * Errors: -EPROTO when cluster_state is missing (err gets the position). thread: any. */
int parse_redis_cluster_info(const char *text, struct redis_cluster_info *out,
                             struct parse_err *err);

#endif
