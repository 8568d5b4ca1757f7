/* /proc/net/tcp{,6} parser: "  sl: local:port remote:port st ...", addresses and ports in hex. */
#include "parse/proc_nettcp.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/strparse.h"
#include "parse/lex.h"
#include "core/banned.h"

static const char *const proc_tcp_state_names[PROC_TCP_STATES] = {
    [PROC_TCP_ESTABLISHED] = "established",
    [PROC_TCP_SYN_SENT] = "syn_sent",
    [PROC_TCP_SYN_RECV] = "syn_recv",
    [PROC_TCP_FIN_WAIT1] = "fin_wait1",
    [PROC_TCP_FIN_WAIT2] = "fin_wait2",
    [PROC_TCP_TIME_WAIT] = "time_wait",
    [PROC_TCP_CLOSE] = "close",
    [PROC_TCP_CLOSE_WAIT] = "close_wait",
    [PROC_TCP_LAST_ACK] = "last_ack",
    [PROC_TCP_LISTEN] = "listen",
    [PROC_TCP_CLOSING] = "closing",
};

const char *proc_tcp_state_name(enum proc_tcp_state st)
{
    if ((unsigned)st == 0 || (unsigned)st >= PROC_TCP_STATES)
        return "";
    return proc_tcp_state_names[st];
}

/* An IPv6 address is 32 hex digits; anything longer is not a socket line. */
#define NETTCP_ADDR_DIGITS 32

static int nettcp_endpoint(const char **p, uint64_t *port)
{
    const char *s = *p;
    const char *a = s;
    while ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F'))
        s++;
    size_t n = (size_t)(s - a);
    if (n == 0 || n > NETTCP_ADDR_DIGITS)
        return -EPROTO;
    int rc = sp_char(&s, ':');
    if (rc < 0)
        return rc;
    rc = lex_hex(&s, 4, port);
    if (rc < 0)
        return -EPROTO;
    *p = s;
    return 0;
}

static int nettcp_line(const char **p, uint64_t *local_port, uint64_t *state)
{
    const char *s = *p;
    uint64_t sl, remote_port;
    int rc = sp_u64(&s, &sl);
    if (rc == 0)
        rc = sp_char(&s, ':');
    if (rc < 0)
        return -EPROTO;
    lex_blanks(&s);
    rc = nettcp_endpoint(&s, local_port);
    if (rc < 0)
        return rc;
    lex_blanks(&s);
    rc = nettcp_endpoint(&s, &remote_port);
    if (rc < 0)
        return rc;
    lex_blanks(&s);
    rc = lex_hex(&s, 2, state);
    if (rc < 0)
        return -EPROTO;
    if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n' && *s != '\0')
        return -EPROTO;
    *p = s;
    return 0;
}

int parse_proc_nettcp(const char *text, unsigned port, struct proc_nettcp *out,
                      struct parse_err *err)
{
    struct proc_nettcp t;
    struct lex_skips skips = {0};
    bool usable = false;
    memset(&t, 0, sizeof(t));

    for (const char *p = text; *p != '\0'; sp_next_line(&p)) {
        const char *line = p;
        uint64_t local_port, st;
        lex_blanks(&p);
        if (sp_eol(p))
            continue;
        if (p[0] == 's' && p[1] == 'l' && (p[2] == ' ' || p[2] == '\t')) {
            usable = true; /* the header */
            continue;
        }
        int rc = nettcp_line(&p, &local_port, &st);
        if (rc < 0) {
            lex_skip(&skips, text, line, rc, "malformed socket line");
            continue;
        }
        usable = true;
        if (st == 0 || st >= PROC_TCP_STATES) {
            t.unknown_state++;
            continue;
        }
        t.by_state[st]++;
        t.sockets++;
        if (port != 0 && st == PROC_TCP_ESTABLISHED && local_port == port)
            t.established_on_port++;
    }
    if (!usable)
        return lex_fail(&skips, err, text, text, "no header and no socket line");
    t.malformed = skips.count;
    *out = t;
    return 0;
}

void proc_nettcp_add(struct proc_nettcp *a, const struct proc_nettcp *b)
{
    for (int i = 0; i < PROC_TCP_STATES; i++)
        a->by_state[i] += b->by_state[i];
    a->sockets += b->sockets;
    a->unknown_state += b->unknown_state;
    a->established_on_port += b->established_on_port;
    a->malformed += b->malformed;
}
