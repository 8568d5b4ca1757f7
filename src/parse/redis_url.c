/* Redis endpoint URLs. The credentials end at the LAST '@' before the host: users paste
 * passwords with a raw '@' more often than they percent-encode them. */
#include "parse/redis_url.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "parse/urldecode.h"
#include "core/banned.h"

/* url_decode percent-decodes [p, end) into out (cap bytes with the NUL), strictly. */
static int url_decode(const char *p, const char *end, char *out, size_t cap)
{
    return urldecode_n(p, (size_t)(end - p), out, cap, URLDECODE_STRICT, NULL);
}

static int url_uint(const char *p, const char *end, unsigned max, unsigned *out)
{
    unsigned long v = 0;
    if (p == end)
        return -EPROTO;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -EPROTO;
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > max)
            return -ERANGE;
    }
    *out = (unsigned)v;
    return 0;
}

static int url_parse_range(const char *s, const char *end, struct redis_url *out)
{
    struct redis_url u;
    memset(&u, 0, sizeof(u));
    u.port = 6379;
    const char *p = s;
    const char *scheme = "redis://";
    size_t sl = strlen(scheme);
    if ((size_t)(end - p) >= sl && strncmp(p, scheme, sl) == 0) {
        p += sl;
    } else {
        const char *sep = NULL;
        for (const char *q = p; q + 2 < end; q++)
            if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
                sep = q;
                break;
            }
        if (sep != NULL)
            return (sep - p == 6 && strncmp(p, "rediss", 6) == 0) ? -EPROTONOSUPPORT : -EPROTO;
    }
    const char *slash = memchr(p, '/', (size_t)(end - p));
    const char *auth_end = NULL;
    const char *hostpart_end = slash ? slash : end;
    for (const char *q = p; q < hostpart_end; q++)
        if (*q == '@')
            auth_end = q;
    int rc;
    if (auth_end != NULL) {
        const char *colon = memchr(p, ':', (size_t)(auth_end - p));
        rc = url_decode(p, colon ? colon : auth_end, u.user, sizeof(u.user));
        if (rc < 0)
            return rc;
        if (colon != NULL) {
            rc = url_decode(colon + 1, auth_end, u.password, sizeof(u.password));
            if (rc < 0)
                return rc;
            u.has_password = true;
        }
        p = auth_end + 1;
    }
    const char *h = p, *he = hostpart_end;
    if (h == he)
        return -EPROTO;
    if (*h == '[') {
        const char *rb = memchr(h, ']', (size_t)(he - h));
        if (rb == NULL)
            return -EPROTO;
        if (rb + 1 < he) {
            if (rb[1] != ':')
                return -EPROTO;
            rc = url_uint(rb + 2, he, 65535, &u.port);
            if (rc < 0)
                return rc;
        }
        h++;
        he = rb;
    } else {
        const char *colon = memchr(h, ':', (size_t)(he - h));
        if (colon != NULL) {
            rc = url_uint(colon + 1, he, 65535, &u.port);
            if (rc < 0)
                return rc;
            he = colon;
        }
    }
    if (u.port == 0)
        return -ERANGE;
    if (he == h)
        return -EPROTO;
    if ((size_t)(he - h) >= sizeof(u.host))
        return -E2BIG;
    for (const char *q = h; q < he; q++)
        if (*q == ' ' || *q == '\t' || *q == '@' || *q == '/' || *q == '\r' || *q == '\n')
            return -EPROTO;
    memcpy(u.host, h, (size_t)(he - h));
    u.host[he - h] = '\0';
    if (slash != NULL && slash + 1 < end) {
        rc = url_uint(slash + 1, end, 1000000, &u.db);
        if (rc < 0)
            return rc;
    }
    *out = u;
    return 0;
}

int parse_redis_url(const char *s, struct redis_url *out)
{
    return url_parse_range(s, s + strlen(s), out);
}

int parse_redis_url_list(const char *s, struct redis_url *out, size_t max)
{
    size_t n = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (n == max)
            return -E2BIG;
        int rc = url_parse_range(a, b, &out[n]);
        if (rc < 0)
            return rc;
        n++;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return (int)n;
}

void redis_url_redact(const char *s, char *out, size_t n)
{
    /* Rebuilt from the parsed form, never copied from the input: a password holding ',' or
     * '@' would otherwise slip through a textual redaction. Unparsable input is all secret. */
    struct redis_url *u = xcalloc(REDIS_URL_MAX_SEEDS, sizeof(*u));
    int k = parse_redis_url_list(s, u, REDIS_URL_MAX_SEEDS);
    size_t used = 0;
    if (n == 0)
        goto out;
    out[0] = '\0';
    if (k < 0) {
        snprintf(out, n, "<secret>");
        goto out;
    }
    for (int i = 0; i < k && used < n; i++) {
        bool v6 = strchr(u[i].host, ':') != NULL;
        char db[16] = "";
        if (u[i].db != 0)
            snprintf(db, sizeof(db), "/%u", u[i].db);
        int w = snprintf(out + used, n - used, "%sredis://%s%s%s%s%s%s:%u%s", i ? "," : "",
                         u[i].user, u[i].has_password ? ":<secret>" : "",
                         (u[i].user[0] || u[i].has_password) ? "@" : "", v6 ? "[" : "", u[i].host,
                         v6 ? "]" : "", u[i].port, db);
        if (w < 0)
            break;
        used += (size_t)w;
    }
out:
    explicit_bzero(u, REDIS_URL_MAX_SEEDS * sizeof(*u));
    free(u);
}
