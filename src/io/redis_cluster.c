/* Redis Cluster routing. DESIGN: the slot map stores node indices; every refresh rebuilds the
 * node table from CLUSTER NODES and then the map, so indices never dangle. A MOVED answer
 * patches the one slot at once (the next command goes straight to the new owner) and asks for
 * a full refresh before the next exec, rate-limited, because a MOVED usually means the whole
 * topology moved (resharding or failover). ASK is not cached: it is a one-shot migration hint. */
#include "io/redis_cluster.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/xalloc.h"
#include "parse/redis_reply.h"
#include "parse/redis_slot.h"
#include "core/banned.h"

#define RC_REDIRECTS_MAX 5
#define RC_PIPELINE_MAX 64
#define RC_REFRESH_MIN_MS 100
#define RC_BACKOFF_START_MS 100
#define RC_NAME_MAX (REDIS_HOST_MAX + 8)

struct rc_node {
    char host[REDIS_HOST_MAX];
    unsigned port;
    char name[RC_NAME_MAX];
    unsigned flags;
    unsigned nslots;
    struct redis_conn *conn;
    int64_t next_try_ms;
    int64_t backoff_ms;
    int last_rc;
};

struct redis_cluster {
    bool cluster;
    struct redis_url *seeds;
    size_t nseeds;
    char *username, *password, *password_file;
    int timeout_ms;
    int64_t backoff_max_ms;
    struct rc_node *nodes;
    size_t nnodes;
    int16_t slots[REDIS_SLOTS]; /* node index, -1 unknown */
    bool need_refresh;
    int64_t last_refresh_ms;
    unsigned db;
    struct redis_cluster_stats stats;
    struct redis_cluster_nodes *scratch; /* CLUSTER NODES parse result, reused */
};

static char *rc_strdup_or_null(const char *s)
{
    return (s != NULL && s[0] != '\0') ? xstrdup(s) : NULL;
}

static size_t rc_node_add(struct redis_cluster *c, const char *host, unsigned port)
{
    for (size_t i = 0; i < c->nnodes; i++)
        if (c->nodes[i].port == port && strcmp(c->nodes[i].host, host) == 0)
            return i;
    c->nodes = xreallocarray(c->nodes, c->nnodes + 1, sizeof(*c->nodes));
    struct rc_node *n = &c->nodes[c->nnodes];
    memset(n, 0, sizeof(*n));
    snprintf(n->host, sizeof(n->host), "%s", host);
    n->port = port;
    /* IPv6 addresses get brackets so the label reads as an address. */
    if (strchr(host, ':') != NULL)
        snprintf(n->name, sizeof(n->name), "[%s]:%u", host, port);
    else
        snprintf(n->name, sizeof(n->name), "%s:%u", host, port);
    return c->nnodes++;
}

int redis_cluster_new(const struct redis_cluster_opts *o, struct redis_cluster **out)
{
    if (o->nseeds == 0)
        return -EINVAL;
    struct redis_cluster *c = xcalloc(1, sizeof(*c));
    c->cluster = o->cluster;
    c->seeds = xcalloc(o->nseeds, sizeof(*c->seeds));
    memcpy(c->seeds, o->seeds, o->nseeds * sizeof(*c->seeds));
    c->nseeds = o->nseeds;
    /* Credentials live in c->username/password; the URL copies must not keep a second copy. */
    for (size_t i = 0; i < c->nseeds; i++)
        explicit_bzero(c->seeds[i].password, sizeof(c->seeds[i].password));
    c->username = rc_strdup_or_null(o->auth.username);
    c->password = o->auth.password ? xstrdup(o->auth.password) : NULL;
    c->password_file = rc_strdup_or_null(o->auth.password_file);
    c->timeout_ms = o->timeout_ms;
    c->backoff_max_ms = o->backoff_max_ms > 0 ? o->backoff_max_ms : 1000;
    c->db = c->cluster ? 0 : o->seeds[0].db;
    for (size_t s = 0; s < REDIS_SLOTS; s++)
        c->slots[s] = c->cluster ? -1 : 0;
    if (c->cluster) {
        for (size_t i = 0; i < o->nseeds; i++)
            rc_node_add(c, o->seeds[i].host, o->seeds[i].port);
        c->need_refresh = true;
    } else {
        rc_node_add(c, o->seeds[0].host, o->seeds[0].port);
    }
    *out = c;
    return 0;
}

int redis_cluster_from_opts(const struct redis_client_opts *ro, int64_t backoff_max_ms,
                            struct redis_cluster **out)
{
    const char *spec = ro->cluster_nodes ? ro->cluster_nodes : ro->addr;
    *out = NULL;
    if (spec == NULL)
        return 1;
    struct redis_url *u = xcalloc(REDIS_URL_MAX_SEEDS, sizeof(*u));
    int n = parse_redis_url_list(spec, u, REDIS_URL_MAX_SEEDS);
    int rc = n < 0 ? -EINVAL : 0;
    if (rc == 0) {
        struct redis_cluster_opts o = {
            .seeds = u,
            .nseeds = (size_t)n,
            .cluster = ro->cluster_nodes != NULL,
            .timeout_ms = ro->timeout_ms,
            .backoff_max_ms = backoff_max_ms,
        };
        /* The first seed that carries credentials provides the URL-level defaults. */
        for (int i = 0; i < n; i++) {
            if (o.auth.username == NULL && u[i].user[0] != '\0')
                o.auth.username = u[i].user;
            if (o.auth.password == NULL && u[i].has_password)
                o.auth.password = u[i].password;
        }
        if (ro->username != NULL)
            o.auth.username = ro->username;
        if (ro->password != NULL)
            o.auth.password = ro->password;
        o.auth.password_file = ro->password_file;
        rc = redis_cluster_new(&o, out);
    }
    explicit_bzero(u, REDIS_URL_MAX_SEEDS * sizeof(*u));
    free(u);
    return rc;
}

static void rc_node_close(struct rc_node *n)
{
    redis_conn_free(n->conn);
    n->conn = NULL;
}

void redis_cluster_free(struct redis_cluster *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nnodes; i++)
        rc_node_close(&c->nodes[i]);
    free(c->nodes);
    free(c->seeds);
    free(c->username);
    if (c->password != NULL)
        explicit_bzero(c->password, strlen(c->password));
    free(c->password);
    free(c->password_file);
    free(c->scratch);
    free(c);
}

/* rc_node_conn returns node i's connection, dialling it unless a backoff step is pending (then
 * the last error comes back at once). */
static int rc_node_conn(struct redis_cluster *c, size_t i, struct redis_conn **out)
{
    struct rc_node *n = &c->nodes[i];
    if (n->conn != NULL && redis_conn_is_broken(n->conn))
        rc_node_close(n);
    if (n->conn != NULL) {
        *out = n->conn;
        return 0;
    }
    int64_t now = clock_mono_ms();
    if (now < n->next_try_ms)
        return n->last_rc < 0 ? n->last_rc : -ECONNREFUSED;
    struct redis_auth auth = {c->username, c->password, c->password_file};
    int rc = redis_conn_open(n->host, n->port, c->db, &auth, c->timeout_ms, &n->conn);
    if (rc < 0) {
        int64_t start =
            RC_BACKOFF_START_MS < c->backoff_max_ms ? RC_BACKOFF_START_MS : c->backoff_max_ms;
        n->backoff_ms = n->backoff_ms ? n->backoff_ms * 2 : start;
        if (n->backoff_ms > c->backoff_max_ms)
            n->backoff_ms = c->backoff_max_ms;
        n->next_try_ms = now + n->backoff_ms;
        n->last_rc = rc;
        return rc;
    }
    if (n->backoff_ms != 0)
        c->stats.reconnects++;
    n->backoff_ms = 0;
    n->next_try_ms = 0;
    n->last_rc = 0;
    *out = n->conn;
    return 0;
}

int redis_cluster_node_pipeline(struct redis_cluster *c, size_t i, size_t n,
                                const struct redis_cmd *cmds, struct redis_reply **replies)
{
    struct redis_conn *conn;
    for (size_t k = 0; k < n; k++)
        replies[k] = NULL;
    if (i >= c->nnodes)
        return -EINVAL;
    int rc = rc_node_conn(c, i, &conn);
    if (rc < 0)
        return rc;
    rc = redis_conn_pipeline(conn, n, cmds, replies);
    if (rc < 0) {
        rc_node_close(&c->nodes[i]);
        c->need_refresh = true;
    }
    return rc;
}

/* rc_apply rebuilds the node table and slot map from a parsed CLUSTER NODES reply; dialled is
 * the host we asked, used for nodes that do not know their own address. */
static void rc_apply(struct redis_cluster *c, const struct redis_cluster_nodes *cn,
                     const char *dialled)
{
    size_t *map = xcalloc(cn->nnodes + 1, sizeof(*map));
    for (unsigned k = 0; k < cn->nnodes; k++) {
        const struct redis_cluster_node *pn = &cn->nodes[k];
        /* A node in handshake or without an address cannot be dialled yet. */
        if (pn->flags & (REDIS_NODE_HANDSHAKE | REDIS_NODE_NOADDR)) {
            map[k] = SIZE_MAX;
            continue;
        }
        size_t idx = rc_node_add(c, pn->host[0] ? pn->host : dialled, pn->port);
        c->nodes[idx].flags = pn->flags;
        c->nodes[idx].nslots = pn->nslots;
        map[k] = idx;
    }
    bool *keep = xcalloc(c->nnodes + 1, sizeof(*keep));
    for (unsigned k = 0; k < cn->nnodes; k++)
        if (map[k] != SIZE_MAX)
            keep[map[k]] = true;
    /* Compact: drop nodes the cluster no longer lists (forgotten, replaced addresses). */
    size_t *renum = xcalloc(c->nnodes + 1, sizeof(*renum));
    size_t w = 0;
    for (size_t i = 0; i < c->nnodes; i++) {
        if (!keep[i]) {
            rc_node_close(&c->nodes[i]);
            renum[i] = SIZE_MAX;
            continue;
        }
        if (w != i)
            c->nodes[w] = c->nodes[i];
        renum[i] = w++;
    }
    c->nnodes = w;
    for (size_t s = 0; s < REDIS_SLOTS; s++) {
        uint16_t o = cn->slot_owner[s];
        size_t idx = o == REDIS_SLOT_NONE ? SIZE_MAX : map[o];
        c->slots[s] = (int16_t)(idx == SIZE_MAX ? -1 : (int)renum[idx]);
    }
    free(renum);
    free(map);
    free(keep);
}

/* rc_refresh_from asks one node (index, or a seed when idx == SIZE_MAX) for CLUSTER NODES. */
static int rc_refresh_from(struct redis_cluster *c, const char *host, unsigned port)
{
    size_t i = rc_node_add(c, host, port);
    struct redis_reply *r = NULL;
    const char *argv[] = {"CLUSTER", "NODES"};
    size_t lens[] = {7, 5};
    struct redis_cmd cmd = {2, argv, lens};
    int rc = redis_cluster_node_pipeline(c, i, 1, &cmd, &r);
    if (rc < 0)
        return rc;
    if (redis_reply_type(r) == REDIS_R_ERROR)
        rc = redis_reply_error_rc(r);
    else if (redis_reply_type(r) != REDIS_R_STRING)
        rc = -EPROTO;
    if (rc == 0) {
        if (c->scratch == NULL)
            c->scratch = xmalloc(sizeof(*c->scratch));
        rc = parse_redis_cluster_nodes(redis_reply_str(r, NULL), c->scratch, NULL);
        if (rc == 0) {
            char dialled[REDIS_HOST_MAX];
            snprintf(dialled, sizeof(dialled), "%s", host);
            rc_apply(c, c->scratch, dialled);
        }
    }
    redis_reply_free(r);
    return rc;
}

int redis_cluster_refresh(struct redis_cluster *c)
{
    if (!c->cluster)
        return 0;
    c->stats.refreshes++;
    c->last_refresh_ms = clock_mono_ms();
    /* Candidates are copied first: a successful refresh rewrites the node table. */
    size_t ncand = c->nnodes + c->nseeds;
    struct {
        char host[REDIS_HOST_MAX];
        unsigned port;
    } *cand = xcalloc(ncand ? ncand : 1, sizeof(*cand));
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < c->nnodes; i++)
            if ((c->nodes[i].conn != NULL) == (pass == 0)) {
                snprintf(cand[k].host, sizeof(cand[k].host), "%s", c->nodes[i].host);
                cand[k++].port = c->nodes[i].port;
            }
    for (size_t i = 0; i < c->nseeds; i++) {
        snprintf(cand[k].host, sizeof(cand[k].host), "%s", c->seeds[i].host);
        cand[k++].port = c->seeds[i].port;
    }
    int rc = -ECONNREFUSED;
    for (size_t i = 0; i < k; i++) {
        rc = rc_refresh_from(c, cand[i].host, cand[i].port);
        if (rc == 0)
            break;
    }
    free(cand);
    if (rc == 0)
        c->need_refresh = false;
    else
        c->stats.refresh_failures++;
    return rc;
}

/* rc_maybe_refresh refreshes when one is due and the last one is not too recent. */
static void rc_maybe_refresh(struct redis_cluster *c)
{
    if (!c->cluster || !c->need_refresh)
        return;
    if (clock_mono_ms() - c->last_refresh_ms < RC_REFRESH_MIN_MS && c->stats.refreshes > 0)
        return;
    (void)redis_cluster_refresh(c);
}

/* rc_find_redirect returns the first MOVED/ASK among the replies, if any. */
static bool rc_find_redirect(struct redis_reply **replies, size_t n, struct redis_redirect *rd)
{
    for (size_t i = 0; i < n; i++) {
        const struct redis_reply *r = replies[i];
        size_t len = 0;
        const char *s = r != NULL ? redis_reply_str(r, &len) : NULL;
        if (s != NULL && redis_reply_type(r) == REDIS_R_ERROR &&
            parse_redis_redirect(s, len, rd) == 0)
            return true;
    }
    return false;
}

static void rc_free_replies(struct redis_reply **r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        redis_reply_free(r[i]);
        r[i] = NULL;
    }
}

int redis_cluster_exec(struct redis_cluster *c, const char *key, size_t keylen, size_t n,
                       const struct redis_cmd *cmds, struct redis_reply **replies)
{
    const char *asking_argv[] = {"ASKING"};
    const size_t asking_len[] = {6};
    struct redis_cmd wire[2 * RC_PIPELINE_MAX];
    struct redis_reply *got[2 * RC_PIPELINE_MAX];
    unsigned slot = redis_slot_of_key(key, keylen);
    bool asking = false, retried = false;
    int rc = -ELOOP;
    for (size_t k = 0; k < n; k++)
        replies[k] = NULL;
    if (n == 0 || n > RC_PIPELINE_MAX)
        return -EINVAL;
    rc_maybe_refresh(c);
    int target = c->slots[slot];
    for (int attempt = 0; attempt <= RC_REDIRECTS_MAX; attempt++) {
        if (target < 0) {
            /* Unknown owner: one refresh, then give up until the next call. */
            if (c->cluster && !retried) {
                retried = true;
                (void)redis_cluster_refresh(c);
                target = c->slots[slot];
                if (target >= 0)
                    continue;
            }
            return -EAGAIN;
        }
        size_t nw = 0;
        for (size_t k = 0; k < n; k++) {
            /* ASKING applies to the next command only, so it precedes each one. */
            if (asking)
                wire[nw++] = (struct redis_cmd){1, asking_argv, asking_len};
            wire[nw++] = cmds[k];
        }
        rc = redis_cluster_node_pipeline(c, (size_t)target, nw, wire, got);
        if (rc < 0) {
            if (!c->cluster || retried)
                return rc;
            /* The node died or moved: re-read the topology once and retry on the new owner. */
            retried = true;
            asking = false;
            (void)redis_cluster_refresh(c);
            target = c->slots[slot];
            continue;
        }
        struct redis_redirect rd;
        if (c->cluster && rc_find_redirect(got, nw, &rd)) {
            const char *host = rd.host[0] ? rd.host : c->nodes[target].host;
            char h[REDIS_HOST_MAX];
            snprintf(h, sizeof(h), "%s", host);
            rc_free_replies(got, nw);
            int idx = (int)rc_node_add(c, h, rd.port);
            if (rd.kind == REDIS_REDIRECT_MOVED) {
                c->stats.moved++;
                c->slots[rd.slot] = (int16_t)idx;
                c->need_refresh = true;
                asking = false;
            } else {
                c->stats.ask++;
                asking = true;
            }
            target = idx;
            rc = -ELOOP;
            continue;
        }
        size_t k = 0;
        for (size_t j = 0; j < nw; j++) {
            if (asking && (j % 2) == 0) {
                redis_reply_free(got[j]);
                continue;
            }
            replies[k++] = got[j];
        }
        return 0;
    }
    return rc;
}

size_t redis_cluster_node_count(const struct redis_cluster *c)
{
    return c->nnodes;
}

void redis_cluster_node_at(const struct redis_cluster *c, size_t i,
                           struct redis_cluster_node_view *out)
{
    const struct rc_node *n = &c->nodes[i];
    out->name = n->name;
    out->flags = n->flags;
    out->nslots = n->nslots;
}

bool redis_cluster_is_cluster(const struct redis_cluster *c)
{
    return c->cluster;
}

void redis_cluster_stats(const struct redis_cluster *c, struct redis_cluster_stats *out)
{
    *out = c->stats;
}
