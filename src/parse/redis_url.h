/* Pure parser for Redis endpoints as users write them: "redis://[user[:password]@]host:port[/db]"
 * (REDIS_URL, the guide's form) or a bare "host:port"; and comma-separated lists of those for
 * the cluster seeds (REDIS_CLUSTER_URL). User and password are percent-decoded. The password is
 * a secret: callers must never print a parsed URL; redis_url_redact gives a printable form. */
#ifndef RIZK_PARSE_REDIS_URL_H
#define RIZK_PARSE_REDIS_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "parse/redis_reply.h"

#define REDIS_URL_CRED_MAX 256 /* user or password bytes + NUL */
#define REDIS_URL_MAX_SEEDS 16

struct redis_url {
    char host[REDIS_HOST_MAX];
    unsigned port;
    unsigned db;                       /* 0 unless "/N" */
    char user[REDIS_URL_CRED_MAX];     /* "" when absent */
    char password[REDIS_URL_CRED_MAX]; /* "" when absent; secret */
    bool has_password;
};

/* What a Redis client is made from, as the user gave it: the endpoint or the cluster seeds (URL
 * text, parsed by the client) and the credential overrides. Built from the configuration by
 * the wiring code (config_redis_opts); strings borrowed. */
struct redis_client_opts {
    const char *addr;          /* one endpoint (--redis.addr, REDIS_URL); NULL: none */
    const char *cluster_nodes; /* cluster seeds (--redis.cluster-nodes); wins over addr */
    const char *username;      /* NULL: the URL's */
    const char *password;      /* secret; NULL: the URL's */
    const char *password_file; /* read at each connect; wins over password */
    int timeout_ms;            /* connect and command timeout */
};

/* parse_redis_url parses one endpoint (NUL-terminated). A missing port means 6379, a missing
 * "/db" means 0. Writes *out only on success. Errors: -EPROTO (syntax or another scheme),
 * -EPROTONOSUPPORT (rediss://: TLS needs hiredis >= 1.0, which Debian 12 lacks), -ERANGE (port
 * 1-65535, db up to 1000000), -E2BIG (host or credential too long). thread: any. */
int parse_redis_url(const char *s, struct redis_url *out);

/* parse_redis_url_list parses a comma-separated list (spaces around items allowed) into out
 * (room for max). Returns how many were parsed (>= 1) or the first item's error; -E2BIG when
 * more than max items. thread: any. */
int parse_redis_url_list(const char *s, struct redis_url *out, size_t max);

/* redis_url_redact writes the endpoint list s in canonical form with every password replaced
 * by "<secret>" ("redis://app:<secret>@h:6379/2,redis://h2:6379") into out (NUL-terminated,
 * truncated to n); input that does not parse comes out as "<secret>". thread: any. */
void redis_url_redact(const char *s, char *out, size_t n);

#endif
