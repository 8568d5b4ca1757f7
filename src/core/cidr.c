/* CIDR allow-lists (see cidr.h). Every rule is stored as 16 bytes plus a prefix length; IPv4
 * rules and peers are compared in their IPv4-mapped IPv6 form, so one comparison serves both. */
#include "core/cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/strparse.h"
#include "core/xalloc.h"
#include "core/banned.h"

#define CIDR_MAX 64

struct cidr_rule {
    uint8_t addr[16];
    unsigned bits; /* 0..128, in the mapped form for IPv4 (96 + prefix) */
};

struct cidr_set {
    size_t n;
    struct cidr_rule rules[CIDR_MAX];
};

static void cidr_map4(const void *in4, uint8_t out[16])
{
    memset(out, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    memcpy(out + 12, in4, 4);
}

static int cidr_rule_parse(const char *s, size_t n, struct cidr_rule *r)
{
    char tmp[64];
    if (n == 0 || n >= sizeof(tmp))
        return -EINVAL;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *slash = strchr(tmp, '/');
    uint64_t bits = 0;
    bool has_bits = slash != NULL;
    if (has_bits) {
        *slash = '\0';
        const char *p = slash + 1;
        if (sp_u64(&p, &bits) < 0 || *p != '\0')
            return -EINVAL;
    }
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, tmp, &a4) == 1) {
        if (bits > 32)
            return -EINVAL;
        cidr_map4(&a4, r->addr);
        r->bits = 96 + (unsigned)(has_bits ? bits : 32);
        return 0;
    }
    if (inet_pton(AF_INET6, tmp, &a6) == 1) {
        if (bits > 128)
            return -EINVAL;
        memcpy(r->addr, &a6, 16);
        r->bits = (unsigned)(has_bits ? bits : 128);
        return 0;
    }
    return -EINVAL;
}

int cidr_set_parse(const char *list, struct cidr_set **out)
{
    struct cidr_set *s = xcalloc(1, sizeof(*s));
    const char *p = list;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (s->n == CIDR_MAX || cidr_rule_parse(p, n, &s->rules[s->n]) < 0) {
            free(s);
            return -EINVAL;
        }
        s->n++;
        if (e == NULL)
            break;
        p = e + 1;
    }
    *out = s;
    return 0;
}

void cidr_set_free(struct cidr_set *s)
{
    free(s);
}

static bool cidr_rule_match(const struct cidr_rule *r, const uint8_t a[16])
{
    unsigned full = r->bits / 8, rest = r->bits % 8;
    if (memcmp(r->addr, a, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (r->addr[full] & mask) == (a[full] & mask);
}

bool cidr_set_match(const struct cidr_set *s, const struct sockaddr *sa)
{
    uint8_t a[16];
    if (sa == NULL)
        return false;
    if (sa->sa_family == AF_INET) {
        struct sockaddr_in in4;
        memcpy(&in4, sa, sizeof(in4));
        cidr_map4(&in4.sin_addr, a);
    } else if (sa->sa_family == AF_INET6) {
        struct sockaddr_in6 in6;
        memcpy(&in6, sa, sizeof(in6));
        memcpy(a, &in6.sin6_addr, 16);
    } else {
        return false;
    }
    for (size_t i = 0; i < s->n; i++)
        if (cidr_rule_match(&s->rules[i], a))
            return true;
    return false;
}
