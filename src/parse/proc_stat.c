/* /proc/stat parser. Lines are "key v1 v2 ..."; only the cpu lines have several columns. */
#include "parse/proc_stat.h"

#include <errno.h>
#include <string.h>

#include "core/strparse.h"
#include "parse/lex.h"
#include "core/banned.h"

static const char *const proc_cpu_mode_names[PROC_CPU_MODES] = {
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice",
};

const char *proc_cpu_mode_name(enum proc_cpu_mode m)
{
    return ((unsigned)m < PROC_CPU_MODES) ? proc_cpu_mode_names[m] : "";
}

/* The four first columns exist on every 2.6+ kernel; fewer means a broken line. */
#define PROC_STAT_MIN_MODES 4

static int proc_stat_cpu_cols(const char **p, struct proc_cpu_times *t)
{
    const char *s = *p;
    struct proc_cpu_times v = {.id = t->id};
    while (!lex_eol(&s)) {
        uint64_t x;
        int rc = lex_u64(&s, &x);
        if (rc < 0)
            return rc;
        if (v.nmodes < PROC_CPU_MODES)
            v.ticks[v.nmodes++] = x;
    }
    if (v.nmodes < PROC_STAT_MIN_MODES)
        return -EPROTO;
    *t = v;
    *p = s;
    return 0;
}

/* proc_stat_cpu_id recognises "cpuN" and returns N; -EPROTO for any other key. */
static int proc_stat_cpu_id(const char *w, size_t n, unsigned *id)
{
    if (n < 4 || memcmp(w, "cpu", 3) != 0)
        return -EPROTO;
    uint64_t v = 0;
    for (size_t i = 3; i < n; i++) {
        if (w[i] < '0' || w[i] > '9' || v > 1000000)
            return -EPROTO;
        v = v * 10 + (uint64_t)(w[i] - '0');
    }
    *id = (unsigned)v;
    return 0;
}

static int proc_stat_scalar(const char **p, uint64_t *v, bool *has)
{
    uint64_t x;
    int rc = lex_u64(p, &x);
    if (rc < 0)
        return rc;
    if (!lex_eol(p))
        return -EPROTO;
    *v = x;
    *has = true;
    return 0;
}

int parse_proc_stat(const char *text, struct proc_stat *out, struct parse_err *err)
{
    struct proc_stat st;
    struct lex_skips skips = {0};
    bool has_total = false;
    memset(&st, 0, sizeof(st));

    for (const char *p = text; *p != '\0'; sp_next_line(&p)) {
        const char *line = p;
        const char *w;
        size_t n;
        unsigned id;
        int rc = 0;
        lex_blanks(&p);
        if (lex_word(&p, &w, &n) < 0)
            continue; /* blank line */
        if (sp_word_eq(w, n, "cpu")) {
            if (has_total)
                rc = -EPROTO; /* a second aggregate line cannot be right */
            else
                rc = proc_stat_cpu_cols(&p, &st.total);
            if (rc == 0)
                has_total = true;
        } else if (proc_stat_cpu_id(w, n, &id) == 0) {
            struct proc_cpu_times t = {.id = id};
            rc = proc_stat_cpu_cols(&p, &t);
            if (rc == 0) {
                if (st.ncpus < PROC_STAT_MAX_CPUS)
                    st.cpus[st.ncpus] = t;
                else
                    st.cpus_dropped++;
                st.ncpus++;
            }
        } else if (sp_word_eq(w, n, "btime")) {
            rc = proc_stat_scalar(&p, &st.btime, &st.has_btime);
        } else if (sp_word_eq(w, n, "ctxt")) {
            rc = proc_stat_scalar(&p, &st.ctxt, &st.has_ctxt);
        } else if (sp_word_eq(w, n, "processes")) {
            rc = proc_stat_scalar(&p, &st.processes, &st.has_processes);
        } else if (sp_word_eq(w, n, "procs_running")) {
            rc = proc_stat_scalar(&p, &st.procs_running, &st.has_procs_running);
        } else if (sp_word_eq(w, n, "procs_blocked")) {
            rc = proc_stat_scalar(&p, &st.procs_blocked, &st.has_procs_blocked);
        }
        if (rc < 0)
            lex_skip(&skips, text, line, rc, "malformed /proc/stat line");
    }
    if (!has_total)
        return lex_fail(&skips, err, text, text, "no aggregate cpu line");
    st.malformed = skips.count;
    *out = st;
    return 0;
}
