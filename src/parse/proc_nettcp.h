/* Parser for /proc/net/tcp and /proc/net/tcp6: counts sockets by TCP state (the hex "st"
 * column) and the ESTABLISHED sockets whose local port is a given one (the app's active
 * connections when it reports none). Only the first four columns are read; the rest of each line
 * is skipped, so time is linear in the input (a busy pod can list tens of thousands of sockets).
 * Pure: bytes in, struct out. */
#ifndef RIZK_PARSE_PROC_NETTCP_H
#define RIZK_PARSE_PROC_NETTCP_H

#include <stdint.h>

#include "core/err.h"

/* The kernel's TCP states (include/net/tcp_states.h), as printed in the st column. */
enum proc_tcp_state {
    PROC_TCP_ESTABLISHED = 1,
    PROC_TCP_SYN_SENT,
    PROC_TCP_SYN_RECV,
    PROC_TCP_FIN_WAIT1,
    PROC_TCP_FIN_WAIT2,
    PROC_TCP_TIME_WAIT,
    PROC_TCP_CLOSE,
    PROC_TCP_CLOSE_WAIT,
    PROC_TCP_LAST_ACK,
    PROC_TCP_LISTEN,
    PROC_TCP_CLOSING,
    PROC_TCP_STATES /* one past the last; index 0 is unused */
};

struct proc_nettcp {
    uint64_t by_state[PROC_TCP_STATES]; /* by_state[PROC_TCP_LISTEN], ...; [0] stays 0 */
    uint64_t sockets;                   /* lines counted in by_state */
    uint64_t unknown_state;             /* well-formed lines with a state outside 1..11 */
    uint64_t established_on_port;       /* ESTABLISHED with local port == port (0 if port 0) */
    unsigned malformed;                 /* lines skipped */
};

/* proc_tcp_state_name returns the node_exporter-style lowercase name ("established",
 * "syn_sent", "fin_wait1", "time_wait", "close_wait", "listen", ...), or "" outside 1..11.
 * Static string. thread: any. */
const char *proc_tcp_state_name(enum proc_tcp_state st);

/* parse_proc_nettcp parses the text of /proc/net/tcp or tcp6 into *out (written only on
 * success); port (1..65535) selects the local port for established_on_port, 0 disables it.
 * Errors: -EPROTO when the text holds neither the "sl" header nor a socket line; err (may be
 * NULL) gets the position. thread: any. */
int parse_proc_nettcp(const char *text, unsigned port, struct proc_nettcp *out,
                      struct parse_err *err);

/* proc_nettcp_add adds b's counts into a (tcp + tcp6). thread: any. */
void proc_nettcp_add(struct proc_nettcp *a, const struct proc_nettcp *b);

#endif
