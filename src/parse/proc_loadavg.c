/* /proc/loadavg parser: one line, space separated. */
#include "parse/proc_loadavg.h"

#include <errno.h>
#include <math.h>

#include "core/strparse.h"
#include "parse/lex.h"
#include "core/banned.h"

static int loadavg_load(const char **p, double *out)
{
    const char *s = *p;
    double v;
    lex_blanks(&s);
    /* sp_double also accepts "nan", "inf" and signs: a load average is none of those. */
    if (*s < '0' || *s > '9')
        return -EPROTO;
    int rc = sp_double(&s, &v);
    if (rc < 0)
        return rc;
    if (!isfinite(v) || (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n' && *s != '\0'))
        return -EPROTO;
    *out = v;
    *p = s;
    return 0;
}

int parse_proc_loadavg(const char *text, struct proc_loadavg *out, struct parse_err *err)
{
    struct proc_loadavg la = {0};
    const char *p = text;
    double *loads[3] = {&la.load1, &la.load5, &la.load15};
    for (int i = 0; i < 3; i++) {
        int rc = loadavg_load(&p, loads[i]);
        if (rc < 0) {
            parse_err_set(err, text, p, "expected a load average");
            return rc;
        }
    }
    lex_blanks(&p);
    const char *s = p;
    uint64_t running, total;
    if (sp_u64(&s, &running) == 0 && sp_char(&s, '/') == 0 && lex_u64(&s, &total) == 0) {
        la.running = running;
        la.total = total;
        la.has_tasks = true;
        if (lex_u64(&s, &la.last_pid) == 0 && lex_eol(&s))
            la.has_last_pid = true;
    }
    *out = la;
    return 0;
}
