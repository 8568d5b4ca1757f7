/* Pure parsers for the Redis Cluster replies the client must understand: the MOVED / ASK
 * redirection errors and the CLUSTER NODES text (node list, roles, health and slot ownership).
 * No I/O, clock or globals. */
#ifndef RIZK_PARSE_REDIS_REPLY_H
#define RIZK_PARSE_REDIS_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define REDIS_SLOTS 16384
#define REDIS_HOST_MAX 256   /* host bytes + NUL (a DNS name is at most 253) */
#define REDIS_NODE_ID_LEN 40 /* hex characters of a cluster node id */

enum redis_redirect_kind { REDIS_REDIRECT_MOVED = 1, REDIS_REDIRECT_ASK };

struct redis_redirect {
    enum redis_redirect_kind kind;
    unsigned slot; /* 0..16383 */
    char host[REDIS_HOST_MAX];
    unsigned port;
};

/* parse_redis_redirect parses an error reply's text, "MOVED <slot> <host>:<port>" or
 * "ASK <slot> <host>:<port>" (len bytes, need not be NUL-terminated). The address splits at
 * its last ':' (Redis prints IPv6 without brackets; brackets are accepted too); an empty host
 * (":6380", a node that does not know its own address) is returned as "". Writes *out only on
 * success. Errors: -ENOENT (not a redirection: another error such as CLUSTERDOWN), -EPROTO
 * (malformed), -ERANGE (slot > 16383 or port > 65535). thread: any. */
int parse_redis_redirect(const char *text, size_t len, struct redis_redirect *out);

enum redis_node_flag {
    REDIS_NODE_MYSELF = 1u << 0,
    REDIS_NODE_MASTER = 1u << 1,
    REDIS_NODE_REPLICA = 1u << 2, /* "slave" on the wire */
    REDIS_NODE_PFAIL = 1u << 3,
    REDIS_NODE_FAIL = 1u << 4,
    REDIS_NODE_HANDSHAKE = 1u << 5,
    REDIS_NODE_NOADDR = 1u << 6,
    REDIS_NODE_NOFAILOVER = 1u << 7,
};

struct redis_cluster_node {
    char id[REDIS_NODE_ID_LEN + 1];
    char host[REDIS_HOST_MAX]; /* "" when the node does not know its address yet */
    unsigned port;
    unsigned flags;                        /* enum redis_node_flag bits */
    char master_id[REDIS_NODE_ID_LEN + 1]; /* "" for a master ("-") */
    bool connected;                        /* link-state */
    unsigned nslots;                       /* slots this node serves */
};

#define REDIS_CLUSTER_MAX_NODES 256
#define REDIS_SLOT_NONE 0xffffu

/* The parsed CLUSTER NODES reply: nodes in reply order and, per slot, the index of the node that
 * serves it (REDIS_SLOT_NONE when unassigned). Importing/migrating markers ("[5-<-id]") are
 * ignored: the map follows ownership and MOVED/ASK handle migrations. ~100 KiB: heap only. */
struct redis_cluster_nodes {
    struct redis_cluster_node nodes[REDIS_CLUSTER_MAX_NODES];
    unsigned nnodes, dropped;
    uint16_t slot_owner[REDIS_SLOTS];
    unsigned malformed; /* lines skipped */
};

/* parse_redis_cluster_nodes parses the CLUSTER NODES text (one node per line: id addr flags
 * master ping-sent pong-recv epoch link-state slot...). addr is "host:port@cport[,hostname]".
 * Malformed lines are skipped and counted. Writes *out only on success. Errors: -EPROTO when
 * no node line is valid (err gets the first bad line). thread: any. */
int parse_redis_cluster_nodes(const char *text, struct redis_cluster_nodes *out,
                              struct parse_err *err);

/* parse_redis_addr splits "host:port" (IPv6 "[::1]:6379" or "::1:6379", last ':' splits) of len
 * bytes into host (NUL-terminated, brackets removed) and port 1-65535.
 * Errors: -EPROTO (syntax), -ERANGE (port), -E2BIG (host too long). thread: any. */
int parse_redis_addr(const char *s, size_t len, char *host, size_t host_cap, unsigned *port);

#endif
