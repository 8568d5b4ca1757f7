/* MOVED/ASK and CLUSTER NODES parsers. CLUSTER NODES is LF-terminated text (CRLF is tolerated);
 * fields are single-space separated; slots are "N" or "A-B", and "[...]" entries describe
 * migrations in progress, which the owner map ignores (the server answers ASK for those). */
#include "parse/redis_reply.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "core/banned.h"

/* reply_num parses an unsigned decimal that must fill [p, end). */
static int reply_num(const char *p, const char *end, uint64_t max, unsigned *out)
{
    uint64_t v = 0;
    if (p == end)
        return -EPROTO;
    for (const char *s = p; s < end; s++) {
        if (*s < '0' || *s > '9')
            return -EPROTO;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max)
            return -ERANGE;
    }
    *out = (unsigned)v;
    return 0;
}

int parse_redis_addr(const char *s, size_t len, char *host, size_t host_cap, unsigned *port)
{
    const char *end = s + len;
    const char *colon = NULL;
    for (const char *p = s; p < end; p++)
        if (*p == ':')
            colon = p;
    if (colon == NULL)
        return -EPROTO;
    const char *h = s, *he = colon;
    if (he > h && *h == '[') {
        if (he[-1] != ']')
            return -EPROTO;
        h++;
        he--;
    }
    unsigned pt;
    int rc = reply_num(colon + 1, end, 65535, &pt);
    if (rc < 0)
        return rc;
    if (pt == 0)
        return -ERANGE;
    for (const char *p = h; p < he; p++)
        if (*p == '\0' || *p == ' ' || *p == '\r' || *p == '\n' || *p == '\t')
            return -EPROTO;
    if ((size_t)(he - h) >= host_cap)
        return -E2BIG;
    memcpy(host, h, (size_t)(he - h));
    host[he - h] = '\0';
    *port = pt;
    return 0;
}

int parse_redis_redirect(const char *text, size_t len, struct redis_redirect *out)
{
    struct redis_redirect r;
    const char *end = text + len;
    const char *p = text;
    if (len >= 6 && memcmp(text, "MOVED ", 6) == 0) {
        r.kind = REDIS_REDIRECT_MOVED;
        p += 6;
    } else if (len >= 4 && memcmp(text, "ASK ", 4) == 0) {
        r.kind = REDIS_REDIRECT_ASK;
        p += 4;
    } else {
        return -ENOENT;
    }
    const char *sp = memchr(p, ' ', (size_t)(end - p));
    if (sp == NULL)
        return -EPROTO;
    int rc = reply_num(p, sp, REDIS_SLOTS - 1, &r.slot);
    if (rc < 0)
        return rc;
    const char *a = sp + 1;
    const char *ae = a;
    while (ae < end && *ae != ' ' && *ae != '\r' && *ae != '\n')
        ae++;
    if (ae != end && !(ae + 2 == end && ae[0] == '\r' && ae[1] == '\n'))
        return -EPROTO;
    /* ":6380" is legal: the node does not know its own IP; the caller uses the one it dialled. */
    if (ae > a && *a == ':' && memchr(a + 1, ':', (size_t)(ae - a - 1)) == NULL) {
        rc = reply_num(a + 1, ae, 65535, &r.port);
        if (rc < 0)
            return rc;
        if (r.port == 0)
            return -ERANGE;
        r.host[0] = '\0';
    } else {
        rc = parse_redis_addr(a, (size_t)(ae - a), r.host, sizeof(r.host), &r.port);
        if (rc < 0)
            return rc;
    }
    *out = r;
    return 0;
}

/* nodes_field returns the next space-separated field of the line [*p, end). */
static bool nodes_field(const char **p, const char *end, const char **f, const char **fe)
{
    const char *s = *p;
    if (s >= end)
        return false;
    const char *e = memchr(s, ' ', (size_t)(end - s));
    if (e == NULL)
        e = end;
    *f = s;
    *fe = e;
    *p = e < end ? e + 1 : end;
    return e > s;
}

static bool nodes_word_is(const char *f, const char *fe, const char *w)
{
    size_t n = strlen(w);
    return (size_t)(fe - f) == n && memcmp(f, w, n) == 0;
}

static int nodes_flags(const char *f, const char *fe, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {
        {"myself", REDIS_NODE_MYSELF},
        {"master", REDIS_NODE_MASTER},
        {"slave", REDIS_NODE_REPLICA},
        {"fail?", REDIS_NODE_PFAIL},
        {"fail", REDIS_NODE_FAIL},
        {"handshake", REDIS_NODE_HANDSHAKE},
        {"noaddr", REDIS_NODE_NOADDR},
        {"nofailover", REDIS_NODE_NOFAILOVER},
        {"noflags", 0},
    };
    unsigned flags = 0;
    for (const char *p = f; p < fe;) {
        const char *c = memchr(p, ',', (size_t)(fe - p));
        const char *we = c ? c : fe;
        /* Unknown flags are ignored: newer servers add some. */
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (nodes_word_is(p, we, names[i].name))
                flags |= names[i].bit;
        p = c ? c + 1 : fe;
    }
    *out = flags;
    return 0;
}

static int nodes_id(const char *f, const char *fe, char *out)
{
    if (fe - f != REDIS_NODE_ID_LEN)
        return -EPROTO;
    for (const char *p = f; p < fe; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return -EPROTO;
    memcpy(out, f, REDIS_NODE_ID_LEN);
    out[REDIS_NODE_ID_LEN] = '\0';
    return 0;
}

/* nodes_addr parses "host:port@cport[,hostname]"; host may be empty. */
static int nodes_addr(const char *f, const char *fe, struct redis_cluster_node *n)
{
    const char *at = memchr(f, '@', (size_t)(fe - f));
    const char *ae = at ? at : fe;
    if (at == NULL) {
        /* Redis < 4 had no cluster bus port in the address: tolerate it. */
        const char *comma = memchr(f, ',', (size_t)(fe - f));
        if (comma != NULL)
            ae = comma;
    }
    if (ae > f && *f == ':' && memchr(f + 1, ':', (size_t)(ae - f - 1)) == NULL) {
        n->host[0] = '\0';
        int rc = reply_num(f + 1, ae, 65535, &n->port);
        return rc < 0 ? rc : (n->port == 0 ? -ERANGE : 0);
    }
    return parse_redis_addr(f, (size_t)(ae - f), n->host, sizeof(n->host), &n->port);
}

/* nodes_slots records the slot ranges of node idx and counts them. The ranges are validated in
 * a first pass so that a bad one leaves the owner map untouched. */
static int nodes_slots(const char *p, const char *end, unsigned idx, struct redis_cluster_nodes *cn,
                       unsigned *count)
{
    for (int pass = 0; pass < 2; pass++) {
        const char *q = p, *f, *fe;
        unsigned total = 0;
        while (nodes_field(&q, end, &f, &fe)) {
            if (*f == '[')
                continue;
            const char *dash = memchr(f, '-', (size_t)(fe - f));
            unsigned a, b;
            int rc = reply_num(f, dash ? dash : fe, REDIS_SLOTS - 1, &a);
            if (rc == 0)
                rc = dash ? reply_num(dash + 1, fe, REDIS_SLOTS - 1, &b) : 0;
            if (rc < 0)
                return rc;
            if (dash == NULL)
                b = a;
            if (b < a)
                return -EPROTO;
            if (pass == 1)
                for (unsigned s = a; s <= b; s++)
                    cn->slot_owner[s] = (uint16_t)idx;
            total += b - a + 1;
        }
        *count = total;
    }
    return 0;
}

/* nodes_digits checks that the next field is a decimal number (ping-sent, pong-recv, epoch). */
static bool nodes_digits(const char **p, const char *end)
{
    const char *f, *fe;
    if (!nodes_field(p, end, &f, &fe))
        return false;
    for (const char *s = f; s < fe; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static int nodes_line(const char *line, const char *end, struct redis_cluster_nodes *cn)
{
    struct redis_cluster_node n;
    const char *p = line, *f, *fe;
    int rc;
    memset(&n, 0, sizeof(n));
    if (!nodes_field(&p, end, &f, &fe) || nodes_id(f, fe, n.id) < 0)
        return -EPROTO;
    if (!nodes_field(&p, end, &f, &fe))
        return -EPROTO;
    rc = nodes_addr(f, fe, &n);
    if (rc < 0)
        return rc;
    if (!nodes_field(&p, end, &f, &fe) || nodes_flags(f, fe, &n.flags) < 0)
        return -EPROTO;
    if (!nodes_field(&p, end, &f, &fe))
        return -EPROTO;
    if (!nodes_word_is(f, fe, "-") && nodes_id(f, fe, n.master_id) < 0)
        return -EPROTO;
    if (!nodes_digits(&p, end) || !nodes_digits(&p, end) || !nodes_digits(&p, end))
        return -EPROTO;
    if (!nodes_field(&p, end, &f, &fe))
        return -EPROTO;
    if (nodes_word_is(f, fe, "connected"))
        n.connected = true;
    else if (!nodes_word_is(f, fe, "disconnected"))
        return -EPROTO;
    for (unsigned i = 0; i < cn->nnodes; i++)
        if (strcmp(cn->nodes[i].id, n.id) == 0)
            return -EEXIST;
    if (cn->nnodes == REDIS_CLUSTER_MAX_NODES) {
        cn->dropped++;
        return 0;
    }
    rc = nodes_slots(p, end, cn->nnodes, cn, &n.nslots);
    if (rc < 0)
        return rc;
    cn->nodes[cn->nnodes++] = n;
    return 0;
}

int parse_redis_cluster_nodes(const char *text, struct redis_cluster_nodes *out,
                              struct parse_err *err)
{
    /* Parsed into a scratch copy: out is written only on success. */
    struct redis_cluster_nodes *cn = xcalloc(1, sizeof(*cn));
    const char *first_bad = NULL;
    const char *next;
    int rc = 0;
    for (unsigned s = 0; s < REDIS_SLOTS; s++)
        cn->slot_owner[s] = REDIS_SLOT_NONE;
    for (const char *p = text; *p != '\0'; p = next) {
        const char *e = strchr(p, '\n');
        next = e ? e + 1 : p + strlen(p);
        const char *end = e ? e : next;
        while (end > p && end[-1] == '\r')
            end--;
        if (end == p)
            continue;
        if (nodes_line(p, end, cn) < 0) {
            if (first_bad == NULL)
                first_bad = p;
            cn->malformed++;
        }
    }
    if (cn->nnodes == 0) {
        parse_err_set(err, text, first_bad ? first_bad : text,
                      "no valid node line in CLUSTER NODES reply");
        rc = -EPROTO;
        goto out;
    }
    memcpy(out, cn, sizeof(*cn));
out:
    free(cn);
    return rc;
}
