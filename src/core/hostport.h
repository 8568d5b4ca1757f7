/* Pure parser for listen addresses: "host:port", ":port" (all interfaces), "[v6]:port". */
#ifndef RIZK_CORE_HOSTPORT_H
#define RIZK_CORE_HOSTPORT_H

#include <stddef.h>

/* hostport_parse splits s into host (copied into host, "" for all interfaces, brackets removed)
 * and port (0-65535). Errors: -EINVAL (syntax), -ERANGE (port), -E2BIG (host longer than n-1).
 * thread: any. */
int hostport_parse(const char *s, char *host, size_t n, unsigned *port);

#endif
