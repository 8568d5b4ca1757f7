/* /proc/<pid>/stat and /proc/<pid>/limits parsers. */
#include "parse/proc_pid.h"

#include <errno.h>
#include <string.h>

#include "core/strparse.h"
#include "parse/lex.h"
#include "core/banned.h"

/* The last field this parser needs (rss). */
#define PID_STAT_LAST_FIELD 24

int parse_proc_pid_stat(const char *text, struct proc_pid_stat *out, struct parse_err *err)
{
    struct proc_pid_stat ps = {0};
    const char *p = text;
    lex_blanks(&p);
    int rc = sp_u64(&p, &ps.pid);
    if (rc < 0) {
        parse_err_set(err, text, p, "expected the pid");
        return rc;
    }
    lex_blanks(&p);
    /* comm is "(name)" where name may contain ") (", so trust only the last ')'. */
    const char *close = strrchr(p, ')');
    if (*p != '(' || close == NULL) {
        parse_err_set(err, text, p, "expected (comm)");
        return -EPROTO;
    }
    p = close + 1;
    for (int field = 3; field <= PID_STAT_LAST_FIELD; field++) {
        const char *w;
        size_t n;
        uint64_t *dst = NULL;
        lex_blanks(&p);
        const char *at = p;
        rc = lex_word(&p, &w, &n);
        if (rc < 0) {
            parse_err_set(err, text, at, "too few fields");
            return -EPROTO;
        }
        switch (field) {
        case 3:
            ps.state = w[0];
            break;
        case 14:
            dst = &ps.utime;
            break;
        case 15:
            dst = &ps.stime;
            break;
        case 20:
            dst = &ps.num_threads;
            break;
        case 22:
            dst = &ps.starttime;
            break;
        case 23:
            dst = &ps.vsize;
            break;
        case 24:
            dst = &ps.rss;
            break;
        default:
            break;
        }
        if (dst == NULL)
            continue;
        const char *q = at;
        rc = lex_u64(&q, dst);
        if (rc < 0) {
            parse_err_set(err, text, at, "bad numeric field");
            return rc;
        }
    }
    *out = ps;
    return 0;
}

/* limits_value parses "unlimited" or a decimal. */
static int limits_value(const char **p, uint64_t *out)
{
    const char *s = *p;
    const char *w;
    size_t n;
    lex_blanks(&s);
    const char *at = s;
    int rc = lex_word(&s, &w, &n);
    if (rc < 0)
        return rc;
    if (sp_word_eq(w, n, "unlimited")) {
        *out = PROC_LIMIT_UNLIMITED;
    } else {
        rc = lex_u64(&at, out);
        if (rc < 0)
            return rc;
    }
    *p = s;
    return 0;
}

/* limits_line parses the soft and hard values after a limit's name. */
static int limits_line(const char **p, uint64_t *soft, uint64_t *hard)
{
    const char *s = *p;
    uint64_t a, b;
    int rc = limits_value(&s, &a);
    if (rc == 0)
        rc = limits_value(&s, &b);
    if (rc < 0)
        return rc;
    *soft = a;
    *hard = b;
    *p = s;
    return 0;
}

/* limits_name_is matches a limit's name followed by a blank (the columns are space-padded). */
static bool limits_name_is(const char **p, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(*p, name, n) != 0 || ((*p)[n] != ' ' && (*p)[n] != '\t'))
        return false;
    *p += n;
    return true;
}

int parse_proc_pid_limits(const char *text, struct proc_pid_limits *out, struct parse_err *err)
{
    struct proc_pid_limits lim = {0};
    struct lex_skips skips = {0};
    for (const char *p = text; *p != '\0'; sp_next_line(&p)) {
        const char *line = p;
        int rc = 0;
        if (limits_name_is(&p, "Max open files")) {
            rc = limits_line(&p, &lim.open_files_soft, &lim.open_files_hard);
            lim.has_open_files = lim.has_open_files || rc == 0;
        } else if (limits_name_is(&p, "Max address space")) {
            rc = limits_line(&p, &lim.address_space_soft, &lim.address_space_hard);
            lim.has_address_space = lim.has_address_space || rc == 0;
        }
        if (rc < 0)
            lex_skip(&skips, text, line, rc, "malformed limit line");
    }
    if (!lim.has_open_files && !lim.has_address_space)
        return lex_fail(&skips, err, text, text, "no Max open files / Max address space line");
    lim.malformed = skips.count;
    *out = lim;
    return 0;
}
