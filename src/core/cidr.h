/* CIDR allow-lists ("127.0.0.0/8,::1/128"): parsing and matching a peer address. IPv4 rules
 * also match IPv4-mapped IPv6 peers (::ffff:a.b.c.d), which is how a dual-stack listener sees
 * IPv4 clients. A bare address means a single host (/32 or /128). Pure. */
#ifndef RIZK_CORE_CIDR_H
#define RIZK_CORE_CIDR_H

#include <stdbool.h>

struct sockaddr;
struct cidr_set;

/* cidr_set_parse parses a comma-separated list (blanks around items allowed, at least one
 * item, at most 64) into *out (caller frees with cidr_set_free). -EINVAL on a malformed item.
 * thread: any. */
int cidr_set_parse(const char *list, struct cidr_set **out);
void cidr_set_free(struct cidr_set *s);

/* cidr_set_match tells whether sa (AF_INET or AF_INET6; anything else never matches) is in s.
 * thread: any (s is read-only after parsing). */
bool cidr_set_match(const struct cidr_set *s, const struct sockaddr *sa);

#endif
