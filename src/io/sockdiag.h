/* TCP socket states of this process's network namespace through NETLINK_SOCK_DIAG (what ss and
 * node_exporter's tcpstat use). Reading /proc/net/tcp walks the kernel's whole established hash
 * table (8 ms per file on a 24 GiB node with 262144 buckets, measured); the netlink dump answers
 * in tens of microseconds for a pod's handful of sockets. */
#ifndef RIZK_IO_SOCKDIAG_H
#define RIZK_IO_SOCKDIAG_H

#include "parse/proc_nettcp.h"

/* sockdiag_tcp_count fills *out (by_state, sockets, established_on_port for port, 0 = none)
 * for IPv4 and IPv6 TCP sockets, the same shape parse_proc_nettcp gives. An address family
 * the kernel does not support (IPv6 off) counts as empty. Errors: negative errno from the
 * netlink socket, -EPROTO on a malformed reply. *out is written only on success.
 * thread: any (opens its own socket). */
int sockdiag_tcp_count(unsigned port, struct proc_nettcp *out);

#endif
