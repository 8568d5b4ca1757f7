/* Parser for /proc/net/dev: two header lines, then "  eth0: <8 receive> <8 transmit>" per
 * interface. The number of interfaces kept is bounded (a node can have thousands of veths; the
 * pod's own network namespace has a few). Pure: bytes in, struct out. */
#ifndef RIZK_PARSE_PROC_NETDEV_H
#define RIZK_PARSE_PROC_NETDEV_H

#include <stdint.h>

#include "core/err.h"

#define PROC_NETDEV_MAX 256     /* interfaces kept; the excess is counted in dropped */
#define PROC_NETDEV_NAME_MAX 32 /* IFNAMSIZ is 16; longer names are malformed lines */

/* The 16 columns, in file order. */
enum proc_netdev_col {
    NETDEV_RX_BYTES = 0,
    NETDEV_RX_PACKETS,
    NETDEV_RX_ERRS,
    NETDEV_RX_DROP,
    NETDEV_RX_FIFO,
    NETDEV_RX_FRAME,
    NETDEV_RX_COMPRESSED,
    NETDEV_RX_MULTICAST,
    NETDEV_TX_BYTES,
    NETDEV_TX_PACKETS,
    NETDEV_TX_ERRS,
    NETDEV_TX_DROP,
    NETDEV_TX_FIFO,
    NETDEV_TX_COLLS,
    NETDEV_TX_CARRIER,
    NETDEV_TX_COMPRESSED,
    NETDEV_COLS
};

struct proc_netdev_if {
    char name[PROC_NETDEV_NAME_MAX];
    uint64_t v[NETDEV_COLS];
};

struct proc_netdev {
    struct proc_netdev_if ifs[PROC_NETDEV_MAX]; /* file order */
    unsigned nifs;
    unsigned dropped;   /* interfaces beyond PROC_NETDEV_MAX */
    unsigned malformed; /* lines skipped: no ':', bad or missing column, long name */
};

/* parse_proc_netdev parses text into *out (written only on success). Header lines (those with
 * '|') are skipped silently; extra columns are ignored. Errors: -EPROTO when the text holds
 * neither a header nor an interface line (empty or foreign file), -ERANGE when the first skipped
 * line was an overflow and nothing else was usable; err (may be NULL) gets the position.
 * thread: any. */
int parse_proc_netdev(const char *text, struct proc_netdev *out, struct parse_err *err);

#endif
