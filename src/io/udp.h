/* UDP listening sockets and batched receive (recvmmsg) for the statsd listener. The only code
 * that touches the UDP socket; parsing happens in parse/statsd_line. */
#ifndef RIZK_IO_UDP_H
#define RIZK_IO_UDP_H

#include <stddef.h>
#include <stdint.h>

/* A batch of receive buffers for udp_recv_batch. Fields are private; use the accessors. */
struct udp_batch;

/* udp_listen binds a non-blocking UDP socket to addr ("host:port", ":port", "[v6]:port") and
 * asks for a receive buffer of rcvbuf bytes (SO_RCVBUFFORCE when permitted, else SO_RCVBUF,
 * which the kernel caps at net.core.rmem_max). *fd_out is the caller's to close.
 * Errors: -EINVAL (address), negative errno from socket/bind. thread: any. */
int udp_listen(const char *addr, int rcvbuf, int *fd_out);
/* udp_port returns the bound port of fd (for port 0), or 0. */
unsigned udp_port(int fd);

/* udp_batch_new allocates n buffers of size bytes each. Caller frees with udp_batch_free. */
struct udp_batch *udp_batch_new(size_t n, size_t size);
void udp_batch_free(struct udp_batch *b);

/* udp_recv_batch receives up to n datagrams without blocking. Returns how many (0 when none is
 * waiting) or a negative errno. thread: the batch's owner. */
int udp_recv_batch(int fd, struct udp_batch *b);
/* udp_batch_at returns datagram i of the last receive (borrowed until the next receive) and
 * whether it was truncated (longer than the buffer). */
const char *udp_batch_at(const struct udp_batch *b, size_t i, size_t *len, int *truncated);

/* udp_drops returns the datagrams the kernel dropped on fd because its receive buffer was full
 * (SO_MEMINFO SK_MEMINFO_DROPS), or -ENOPROTOOPT on kernels without it. */
int udp_drops(int fd, uint64_t *drops);

#endif
