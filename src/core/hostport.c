/* Listen-address syntax shared by config validation and the HTTP server. */
#include "core/hostport.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/strparse.h"
#include "core/banned.h"

int hostport_parse(const char *s, char *host, size_t n, unsigned *port)
{
    const char *colon;
    const char *h = s;
    size_t hlen;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':')
            return -EINVAL;
        h = s + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
        if (hlen == 0)
            return -EINVAL;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return -EINVAL;
        hlen = (size_t)(colon - s);
        if (memchr(s, ':', hlen) != NULL)
            return -EINVAL; /* bare IPv6 needs brackets */
    }
    const char *p = colon + 1;
    uint64_t v;
    if (sp_u64(&p, &v) < 0 || *p != '\0')
        return -EINVAL;
    if (v > 65535)
        return -ERANGE;
    if (hlen + 1 > n)
        return -E2BIG;
    for (size_t i = 0; i < hlen; i++)
        if (h[i] == ' ' || h[i] == '/' || (unsigned char)h[i] < 0x21)
            return -EINVAL;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (unsigned)v;
    return 0;
}
