/* hiredis 0.14 wrapper. hiredis reports a failure as ctx->err plus errno at the time of the
 * failing syscall; errno is read right after the call, before anything else can clobber it. A
 * read timeout surfaces as REDIS_ERR_IO with EAGAIN (SO_RCVTIMEO), a connect timeout as
 * REDIS_ERR_IO with ETIMEDOUT. */
#include "io/redis_conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "io/fsroot.h"
#include "core/banned.h"

#define REDIS_PASSWORD_MAX 512

struct redis_conn {
    redisContext *ctx;
    bool broken;
};

static const char *const redis_err_kind_names[REDIS_ERRK_COUNT] = {
    [REDIS_ERRK_CONNECT] = "connect",
    [REDIS_ERRK_TIMEOUT] = "timeout",
    [REDIS_ERRK_AUTH] = "auth",
    [REDIS_ERRK_PROTOCOL] = "protocol",
    [REDIS_ERRK_IO] = "io",
    [REDIS_ERRK_REPLY] = "reply",
    [REDIS_ERRK_MOVED_OVERFLOW] = "moved_overflow",
    [REDIS_ERRK_CLUSTER_DOWN] = "cluster_down",
};

const char *redis_err_kind_name(enum redis_err_kind k)
{
    return (k >= 0 && k < REDIS_ERRK_COUNT) ? redis_err_kind_names[k] : "unknown";
}

enum redis_err_kind redis_err_kind_of(int rc)
{
    switch (-rc) {
    case ETIMEDOUT:
        return REDIS_ERRK_TIMEOUT;
    case EACCES:
    case ENOENT: /* the password file is missing ... */
    case E2BIG:  /* ... or larger than any password */
        return REDIS_ERRK_AUTH;
    case EPROTO:
        return REDIS_ERRK_PROTOCOL;
    case ECONNRESET:
    case EPIPE:
    case EIO:
        return REDIS_ERRK_IO;
    case EREMOTEIO:
        return REDIS_ERRK_REPLY;
    case ELOOP:
        return REDIS_ERRK_MOVED_OVERFLOW;
    case EAGAIN:
        return REDIS_ERRK_CLUSTER_DOWN;
    default:
        return REDIS_ERRK_CONNECT;
    }
}

/* conn_rc turns a hiredis context error (and the errno saved after the call) into our code. */
static int conn_rc(const redisContext *ctx, int saved_errno, bool connecting)
{
    switch (ctx->err) {
    case REDIS_ERR_IO:
        if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT ||
            saved_errno == EINPROGRESS)
            return -ETIMEDOUT;
        if (connecting)
            return saved_errno > 0 ? -saved_errno : -ECONNREFUSED;
        return saved_errno == EPIPE || saved_errno == ECONNRESET ? -ECONNRESET : -EIO;
    case REDIS_ERR_EOF:
        return -ECONNRESET;
    case REDIS_ERR_PROTOCOL:
        return -EPROTO;
    case REDIS_ERR_OTHER:
        /* hiredis 0.14 reports getaddrinfo failures and connect refusals here */
        if (connecting)
            return saved_errno == ETIMEDOUT ? -ETIMEDOUT : -ECONNREFUSED;
        return -EIO;
    default:
        return -EIO;
    }
}

/* A struct redis_reply is a hiredis redisReply seen through an opaque type: callers hold only
 * pointers to it, and only this file looks inside. */
static const redisReply *hr(const struct redis_reply *r)
{
    return (const redisReply *)(const void *)r;
}

void redis_reply_free(struct redis_reply *r)
{
    if (r != NULL)
        freeReplyObject(r);
}

enum redis_reply_type redis_reply_type(const struct redis_reply *r)
{
    switch (hr(r)->type) {
    case REDIS_REPLY_STRING:
        return REDIS_R_STRING;
    case REDIS_REPLY_ARRAY:
        return REDIS_R_ARRAY;
    case REDIS_REPLY_INTEGER:
        return REDIS_R_INTEGER;
    case REDIS_REPLY_NIL:
        return REDIS_R_NIL;
    case REDIS_REPLY_STATUS:
        return REDIS_R_STATUS;
    case REDIS_REPLY_ERROR:
        return REDIS_R_ERROR;
    default:
        return REDIS_R_OTHER;
    }
}

const char *redis_reply_str(const struct redis_reply *r, size_t *len)
{
    const redisReply *h = hr(r);
    bool has_str = h->type == REDIS_REPLY_STRING || h->type == REDIS_REPLY_STATUS ||
                   h->type == REDIS_REPLY_ERROR;
    if (len != NULL)
        *len = has_str ? h->len : 0;
    return has_str ? h->str : NULL;
}

long long redis_reply_integer(const struct redis_reply *r)
{
    return hr(r)->type == REDIS_REPLY_INTEGER ? hr(r)->integer : 0;
}

size_t redis_reply_count(const struct redis_reply *r)
{
    return hr(r)->type == REDIS_REPLY_ARRAY ? hr(r)->elements : 0;
}

const struct redis_reply *redis_reply_at(const struct redis_reply *r, size_t i)
{
    return (const struct redis_reply *)(const void *)hr(r)->element[i];
}

void redis_reply_elems(const struct redis_reply *r, struct redis_reply_elem *out)
{
    size_t n = redis_reply_count(r);
    for (size_t i = 0; i < n; i++) {
        const struct redis_reply *e = redis_reply_at(r, i);
        out[i].type = redis_reply_type(e);
        out[i].str = redis_reply_str(e, &out[i].len);
    }
}

static bool reply_starts(const redisReply *r, const char *prefix)
{
    size_t n = strlen(prefix);
    return r->len >= n && strncmp(r->str, prefix, n) == 0;
}

int redis_reply_error_rc(const struct redis_reply *reply)
{
    const redisReply *r = hr(reply);
    if (r == NULL || r->type != REDIS_REPLY_ERROR)
        return 0;
    if (reply_starts(r, "NOAUTH") || reply_starts(r, "WRONGPASS") || reply_starts(r, "NOPERM") ||
        reply_starts(r, "ERR invalid password") || reply_starts(r, "ERR AUTH"))
        return -EACCES;
    if (reply_starts(r, "CLUSTERDOWN") || reply_starts(r, "TRYAGAIN"))
        return -EAGAIN;
    return -EREMOTEIO;
}

int redis_conn_pipeline(struct redis_conn *c, size_t n, const struct redis_cmd *cmds,
                        struct redis_reply **replies)
{
    int rc = 0;
    size_t got = 0;
    for (size_t i = 0; i < n; i++)
        replies[i] = NULL;
    if (c->broken)
        return -EIO;
    for (size_t i = 0; i < n; i++) {
        if (redisAppendCommandArgv(c->ctx, cmds[i].argc, cmds[i].argv, cmds[i].argvlen) !=
            REDIS_OK) {
            rc = -ENOMEM;
            goto fail;
        }
    }
    for (; got < n; got++) {
        void *r = NULL;
        errno = 0;
        if (redisGetReply(c->ctx, &r) != REDIS_OK || r == NULL) {
            int e = errno;
            rc = conn_rc(c->ctx, e, false);
            goto fail;
        }
        replies[got] = r;
    }
    return 0;
fail:
    for (size_t i = 0; i < got; i++) {
        redis_reply_free(replies[i]);
        replies[i] = NULL;
    }
    c->broken = true;
    return rc;
}

int redis_conn_command(struct redis_conn *c, struct redis_reply **reply, int argc,
                       const char **argv)
{
    size_t lens[16];
    if (argc < 1 || argc > 16)
        return -EINVAL;
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(argv[i]);
    struct redis_cmd cmd = {argc, argv, lens};
    return redis_conn_pipeline(c, 1, &cmd, reply);
}

bool redis_conn_is_broken(const struct redis_conn *c)
{
    return c->broken;
}

/* conn_read_password reads the password file into out (NUL-terminated, trailing CR/LF and
 * blanks removed: `echo pass > file` and Kubernetes Secrets both end in a newline). */
static int conn_read_password(const char *path, char *out, size_t cap)
{
    struct buf b;
    buf_init(&b, cap - 1);
    /* The real errno goes up: "no such file" must not read as an auth "permission denied". */
    int rc = fsroot_read_path(path, &b);
    if (rc < 0) {
        buf_fini(&b);
        return rc;
    }
    size_t n = buf_len(&b);
    memcpy(out, buf_ptr(&b), n);
    buf_fini(&b);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
        n--;
    out[n] = '\0';
    return 0;
}

static int conn_auth(struct redis_conn *c, const struct redis_auth *auth)
{
    char pw[REDIS_PASSWORD_MAX];
    const char *password = auth->password;
    int rc = 0;
    if (auth->password_file != NULL && auth->password_file[0] != '\0') {
        rc = conn_read_password(auth->password_file, pw, sizeof(pw));
        if (rc < 0)
            return rc;
        password = pw;
    }
    bool has_user = auth->username != NULL && auth->username[0] != '\0';
    if (password == NULL && !has_user)
        return 0;
    const char *argv[3] = {"AUTH", NULL, NULL};
    int argc = 2;
    if (has_user) {
        argv[1] = auth->username;
        argv[2] = password ? password : "";
        argc = 3;
    } else {
        argv[1] = password;
    }
    struct redis_reply *r = NULL;
    rc = redis_conn_command(c, &r, argc, argv);
    explicit_bzero(pw, sizeof(pw));
    if (rc < 0)
        return rc;
    /* The error text (WRONGPASS ...) never holds the password, but we do not keep it anyway. */
    if (redis_reply_type(r) == REDIS_R_ERROR)
        rc = -EACCES;
    else if (redis_reply_type(r) != REDIS_R_STATUS)
        rc = -EPROTO;
    redis_reply_free(r);
    return rc;
}

int redis_conn_open(const char *host, unsigned port, unsigned db, const struct redis_auth *auth,
                    int timeout_ms, struct redis_conn **out)
{
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    struct redis_conn *c = xcalloc(1, sizeof(*c));
    int rc = 0;
    errno = 0;
    c->ctx = redisConnectWithTimeout(host, (int)port, tv);
    int e = errno;
    if (c->ctx == NULL) {
        rc = -ENOMEM;
        goto fail;
    }
    if (c->ctx->err) {
        rc = conn_rc(c->ctx, e, true);
        goto fail;
    }
    if (redisSetTimeout(c->ctx, tv) != REDIS_OK) {
        rc = -EIO;
        goto fail;
    }
    redisEnableKeepAlive(c->ctx);
    if (auth != NULL) {
        rc = conn_auth(c, auth);
        if (rc < 0)
            goto fail;
    }
    if (db != 0) {
        char dbs[16];
        snprintf(dbs, sizeof(dbs), "%u", db);
        const char *argv[] = {"SELECT", dbs};
        struct redis_reply *r = NULL;
        rc = redis_conn_command(c, &r, 2, argv);
        if (rc == 0 && redis_reply_type(r) == REDIS_R_ERROR)
            rc = redis_reply_error_rc(r);
        redis_reply_free(r);
        if (rc < 0)
            goto fail;
    }
    *out = c;
    return 0;
fail:
    redis_conn_free(c);
    return rc;
}

void redis_conn_free(struct redis_conn *c)
{
    if (c == NULL)
        return;
    if (c->ctx != NULL)
        redisFree(c->ctx);
    free(c);
}
