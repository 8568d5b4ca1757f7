/* PSI parser: "<kind> key=value ..." lines. */
#include "parse/proc_pressure.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "core/strparse.h"
#include "parse/lex.h"
#include "core/banned.h"

static int psi_avg(const char *v, size_t n, double *out)
{
    const char *s = v;
    double d;
    if (n == 0 || *s < '0' || *s > '9')
        return -EPROTO;
    int rc = sp_double(&s, &d);
    if (rc < 0)
        return rc;
    if ((size_t)(s - v) != n || !isfinite(d))
        return -EPROTO;
    *out = d;
    return 0;
}

static int psi_line(const char **p, struct psi_record *r)
{
    struct psi_record v = {0};
    bool has_total = false;
    const char *s = *p;
    while (!lex_eol(&s)) {
        const char *w;
        size_t n;
        int rc = lex_word(&s, &w, &n);
        if (rc < 0)
            return rc;
        const char *eq = memchr(w, '=', n);
        if (eq == NULL)
            return -EPROTO;
        size_t kn = (size_t)(eq - w);
        const char *val = eq + 1;
        size_t vn = n - kn - 1;
        if (sp_word_eq(w, kn, "total")) {
            const char *t = val;
            rc = lex_u64(&t, &v.total);
            if (rc == 0 && t != val + vn)
                rc = -EPROTO;
            has_total = rc == 0;
        } else if (sp_word_eq(w, kn, "avg10")) {
            rc = psi_avg(val, vn, &v.avg10);
        } else if (sp_word_eq(w, kn, "avg60")) {
            rc = psi_avg(val, vn, &v.avg60);
        } else if (sp_word_eq(w, kn, "avg300")) {
            rc = psi_avg(val, vn, &v.avg300);
        }
        if (rc < 0)
            return rc;
    }
    if (!has_total)
        return -EPROTO;
    *r = v;
    *p = s;
    return 0;
}

int parse_proc_pressure(const char *text, struct proc_pressure *out, struct parse_err *err)
{
    struct proc_pressure pr;
    struct lex_skips skips = {0};
    bool has_some = false;
    memset(&pr, 0, sizeof(pr));

    for (const char *p = text; *p != '\0'; sp_next_line(&p)) {
        const char *line = p;
        const char *w;
        size_t n;
        int rc = -EPROTO;
        lex_blanks(&p);
        if (lex_word(&p, &w, &n) < 0)
            continue;
        if (sp_word_eq(w, n, "some") && !has_some) {
            rc = psi_line(&p, &pr.some);
            has_some = rc == 0;
        } else if (sp_word_eq(w, n, "full") && !pr.has_full) {
            rc = psi_line(&p, &pr.full);
            pr.has_full = rc == 0;
        }
        if (rc < 0)
            lex_skip(&skips, text, line, rc, "malformed pressure line");
    }
    if (!has_some)
        return lex_fail(&skips, err, text, text, "no \"some\" line");
    pr.malformed = skips.count;
    *out = pr;
    return 0;
}
