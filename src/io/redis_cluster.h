/* A thin Redis Cluster client over redis_conn (hiredis 0.14 has none): a node table discovered
 * with CLUSTER NODES, a 16384-entry slot map, routing of a key-addressed pipeline to the slot's
 * master, MOVED (update the map, refresh lazily) and ASK (one-shot ASKING) redirections, and a
 * refresh after any transport error, which is how a failover (a replica promoted) is followed.
 * A standalone server is the degenerate case: one node that owns every slot, no refresh.
 * Each node has one lazily opened connection and a capped exponential reconnect backoff: a dead
 * node costs one fast failure per backoff step, not a timeout per command.
 * thread: one owner thread per struct redis_cluster (a Redis worker); not shared. */
#ifndef RIZK_IO_REDIS_CLUSTER_H
#define RIZK_IO_REDIS_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/redis_conn.h"
#include "parse/redis_url.h"

struct redis_cluster;

struct redis_cluster_opts {
    const struct redis_url *seeds; /* copied; seeds[0] is the server when !cluster */
    size_t nseeds;
    bool cluster;
    struct redis_auth auth; /* strings copied (the password is wiped on free) */
    int timeout_ms;         /* connect and command timeout */
    int64_t backoff_max_ms; /* reconnect backoff cap (starts at min(100 ms, cap), doubles) */
};

/* redis_cluster_new creates a client; nothing is dialled yet. Errors: -EINVAL (no seed).
 * *out is owned by the caller (redis_cluster_free). thread: any. */
int redis_cluster_new(const struct redis_cluster_opts *o, struct redis_cluster **out);

/* redis_cluster_from_opts builds the client from o's endpoint or cluster seeds and credentials
 * (user: o->username, else the URL's; password: o->password_file, else o->password, else the
 * URL's); o is borrowed for the call. Returns 1 (and *out NULL) when o names no Redis, 0 with
 * *out set, or -EINVAL. thread: any. */
int redis_cluster_from_opts(const struct redis_client_opts *o, int64_t backoff_max_ms,
                            struct redis_cluster **out);

/* redis_cluster_free closes every connection and wipes the copied password. NULL-safe. */
void redis_cluster_free(struct redis_cluster *c);

/* redis_cluster_exec sends n commands that all address the slot of key (callers use one hash
 * tag) to the node serving it, as one pipeline, following up to 5 MOVED/ASK redirections and
 * retrying once after a refresh when the node cannot be reached. replies[i] are the caller's
 * (redis_reply_free); error replies other than redirections are returned as replies.
 * Errors: as redis_conn_pipeline, plus -ELOOP (redirection limit), -EAGAIN (no node serves the
 * slot: cluster down or failing over). n <= 64. thread: the owner. */
int redis_cluster_exec(struct redis_cluster *c, const char *key, size_t keylen, size_t n,
                       const struct redis_cmd *cmds, struct redis_reply **replies);

/* redis_cluster_refresh re-reads CLUSTER NODES from the first node (connected ones first, then
 * the others, then the seeds) that answers, and rebuilds the node table and slot map; nodes
 * no longer listed are closed and dropped. A no-op returning 0 for a standalone server.
 * Errors: the last node's error when none answered. thread: the owner. */
int redis_cluster_refresh(struct redis_cluster *c);

/* Per-node access for the collector, which polls every node. Indices are valid until the next
 * refresh or exec. */
struct redis_cluster_node_view {
    const char *name; /* "host:port" (borrowed, valid until the next refresh or exec) */
    unsigned flags;   /* enum redis_node_flag bits from CLUSTER NODES (0 when standalone) */
    unsigned nslots;  /* slots served */
};

size_t redis_cluster_node_count(const struct redis_cluster *c);
void redis_cluster_node_at(const struct redis_cluster *c, size_t i,
                           struct redis_cluster_node_view *out);
/* redis_cluster_node_pipeline runs a pipeline on node i (no routing, no redirection), opening
 * the connection if needed (subject to the backoff). Errors as redis_conn_pipeline and
 * redis_conn_open. thread: the owner. */
int redis_cluster_node_pipeline(struct redis_cluster *c, size_t i, size_t n,
                                const struct redis_cmd *cmds, struct redis_reply **replies);

bool redis_cluster_is_cluster(const struct redis_cluster *c);

/* Counters since creation. */
struct redis_cluster_stats {
    uint64_t moved, ask, refreshes, refresh_failures, reconnects;
};
void redis_cluster_stats(const struct redis_cluster *c, struct redis_cluster_stats *out);

#endif
