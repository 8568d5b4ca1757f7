/* /proc/net/dev parser. The kernel prints "%6s:%8lu ..." so a long name touches its numbers. */
#include "parse/proc_netdev.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/strparse.h"
#include "parse/lex.h"
#include "core/banned.h"

static int netdev_line(const char **p, struct proc_netdev_if *ifc)
{
    const char *s = *p;
    const char *name = s;
    /* Interface names cannot hold ':' or blanks (dev_valid_name), so the first ':' ends it. */
    while (*s != ':' && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n' && *s != '\0')
        s++;
    if (*s != ':' || s == name)
        return -EPROTO;
    struct proc_netdev_if v;
    memset(&v, 0, sizeof(v));
    if (lex_copy(v.name, sizeof(v.name), name, (size_t)(s - name)) < 0)
        return -EPROTO;
    s++;
    for (int i = 0; i < NETDEV_COLS; i++) {
        int rc = lex_u64(&s, &v.v[i]);
        if (rc < 0)
            return rc;
    }
    *ifc = v;
    *p = s;
    return 0;
}

int parse_proc_netdev(const char *text, struct proc_netdev *out, struct parse_err *err)
{
    struct proc_netdev nd;
    struct lex_skips skips = {0};
    bool usable = false;
    memset(&nd, 0, sizeof(nd));

    for (const char *p = text; *p != '\0'; sp_next_line(&p)) {
        const char *line = p;
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (lex_is_blank_line(p))
            continue;
        if (memchr(p, '|', len) != NULL) {
            usable = true;
            continue;
        }
        lex_blanks(&p);
        struct proc_netdev_if ifc;
        int rc = netdev_line(&p, &ifc);
        if (rc < 0) {
            lex_skip(&skips, text, line, rc, "malformed /proc/net/dev line");
            continue;
        }
        usable = true;
        if (nd.nifs < PROC_NETDEV_MAX)
            nd.ifs[nd.nifs++] = ifc;
        else
            nd.dropped++;
    }
    if (!usable)
        return lex_fail(&skips, err, text, text, "no header and no interface line");
    nd.malformed = skips.count;
    *out = nd;
    return 0;
}
