/* One Redis connection over Debian's hiredis 0.14 (blocking API, no TLS, no RESP3): connect with
 * a timeout, AUTH (ACL user optional) and SELECT, then commands with the same timeout. A
 * transport error or timeout breaks the connection for good: the owner frees it and reconnects
 * (with backoff; see redis_cluster.h). Secrets: the password is sent in AUTH and wiped from our
 * buffers; it never reaches a log line, an error string or a metric. Replies are opaque
 * struct redis_reply, read through the view functions below (read-only, freed with
 * redis_reply_free): hiredis itself is included by redis_conn.c alone.
 * thread: a connection is used by one thread at a time (the Redis worker that owns it). */
#ifndef RIZK_IO_REDIS_CONN_H
#define RIZK_IO_REDIS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


/* Where the credentials come from. All borrowed for the call. The password file wins over the
 * password; a NULL/"" username means the default user (AUTH <password>). */
struct redis_auth {
    const char *username;
    const char *password;      /* secret */
    const char *password_file; /* read at each connect, so a rotated Secret is picked up */
};

/* Error kinds for rizk_redis_errors_total{kind}, derived from our negative errno codes. */
enum redis_err_kind {
    REDIS_ERRK_CONNECT = 0,    /* refused, unreachable, DNS */
    REDIS_ERRK_TIMEOUT,        /* connect or command timeout */
    REDIS_ERRK_AUTH,           /* AUTH refused, NOAUTH, NOPERM, password file unreadable */
    REDIS_ERRK_PROTOCOL,       /* unexpected or malformed reply */
    REDIS_ERRK_IO,             /* connection reset or closed mid-command */
    REDIS_ERRK_REPLY,          /* the server answered an error (LOADING, OOM, ...) */
    REDIS_ERRK_MOVED_OVERFLOW, /* too many MOVED/ASK redirections */
    REDIS_ERRK_CLUSTER_DOWN,   /* CLUSTERDOWN / TRYAGAIN, or no node serves the slot */
    REDIS_ERRK_COUNT
};

/* redis_err_kind_of maps an error code returned by this module or redis_cluster to a kind:
 * -ETIMEDOUT timeout, -EACCES auth, -EPROTO protocol, -ECONNRESET/-EPIPE/-EIO io, -EREMOTEIO
 * reply, -ELOOP moved_overflow, -EAGAIN cluster_down, anything else connect. thread: any. */
enum redis_err_kind redis_err_kind_of(int rc);
/* redis_err_kind_name returns the label value ("connect", "timeout", ...). thread: any. */
const char *redis_err_kind_name(enum redis_err_kind k);

struct redis_conn;

/* A reply, owned by whoever received it from redis_conn_pipeline/redis_conn_command (or by the
 * array reply that contains it). Opaque: read it with the functions below. */
struct redis_reply;

/* The reply types callers tell apart (RESP2; anything else reads as REDIS_R_OTHER). */
enum redis_reply_type {
    REDIS_R_STRING = 0, /* bulk string */
    REDIS_R_ARRAY,
    REDIS_R_INTEGER,
    REDIS_R_NIL,
    REDIS_R_STATUS, /* +OK, +PONG */
    REDIS_R_ERROR,  /* -ERR ..., -MOVED ...: a reply, not a failure */
    REDIS_R_OTHER,
};

/* redis_conn_open connects to host:port within timeout_ms, sets the same timeout on every later
 * read and write, sends AUTH when auth has a password (or password file) and SELECT when db is
 * not 0. *out is owned by the caller (redis_conn_free). Errors: -ETIMEDOUT, -ECONNREFUSED (and
 * other connect errnos), -EACCES (AUTH refused or password file unreadable), -EPROTO, -EIO.
 * thread: any (blocking for up to a few timeouts). */
int redis_conn_open(const char *host, unsigned port, unsigned db, const struct redis_auth *auth,
                    int timeout_ms, struct redis_conn **out);
/* redis_conn_free closes the connection. NULL-safe. */
void redis_conn_free(struct redis_conn *c);

/* A command: argc arguments, binary-safe (argvlen[i] bytes of argv[i]); all borrowed. */
struct redis_cmd {
    int argc;
    const char **argv;
    const size_t *argvlen;
};

/* redis_conn_pipeline sends n commands in one write and reads n replies (one round trip).
 * replies[i] are owned by the caller (redis_reply_free), and an error reply (REDIS_R_ERROR)
 * is a reply, not a failure: the caller decides (MOVED, ASK, NOAUTH...). On failure no reply is
 * returned (replies[] all NULL) and the connection is broken. Errors: -ETIMEDOUT, -EIO,
 * -ECONNRESET, -EPROTO. thread: the owner. */
int redis_conn_pipeline(struct redis_conn *c, size_t n, const struct redis_cmd *cmds,
                        struct redis_reply **replies);
/* redis_conn_command is redis_conn_pipeline of one command given as NUL-terminated words. */
int redis_conn_command(struct redis_conn *c, struct redis_reply **reply, int argc,
                       const char **argv);

/* redis_conn_is_broken tells whether a transport error happened (the conn must be freed). */
bool redis_conn_is_broken(const struct redis_conn *c);

/* redis_reply_free frees a reply and every element of an array reply. NULL-safe. */
void redis_reply_free(struct redis_reply *r);
/* redis_reply_type tells the type of r (not NULL). thread: the owner of r. */
enum redis_reply_type redis_reply_type(const struct redis_reply *r);
/* redis_reply_str returns the bytes of a string, status or error reply (NUL-terminated, binary
 * safe: *len bytes, len may be NULL), borrowed from r; NULL (and *len 0) for any other type. */
const char *redis_reply_str(const struct redis_reply *r, size_t *len);
/* redis_reply_integer returns the value of an integer reply, 0 for any other type. */
long long redis_reply_integer(const struct redis_reply *r);
/* redis_reply_count returns the number of elements of an array reply, 0 for any other type. */
size_t redis_reply_count(const struct redis_reply *r);
/* redis_reply_at returns element i (< redis_reply_count) of an array reply, borrowed from r. */
const struct redis_reply *redis_reply_at(const struct redis_reply *r, size_t i);

/* One element of an array reply as redis_reply_elems sees it: str/len as redis_reply_str
 * (NULL/0 unless a string, status or error), borrowed from the array reply. */
struct redis_reply_elem {
    enum redis_reply_type type;
    const char *str;
    size_t len;
};
/* redis_reply_elems fills out[0 .. redis_reply_count(r)) in one pass: the view a caller walking
 * a large array (MGET of 1000 keys) reads instead of one call per element. */
void redis_reply_elems(const struct redis_reply *r, struct redis_reply_elem *out);
/* redis_reply_error_rc classifies an error reply: -EACCES for NOAUTH/WRONGPASS/NOPERM,
 * -EAGAIN for CLUSTERDOWN/TRYAGAIN, else -EREMOTEIO. Returns 0 for a non-error reply. */
int redis_reply_error_rc(const struct redis_reply *r);

#endif
