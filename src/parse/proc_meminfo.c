/* /proc/meminfo parser: one "Name: value [kB]" per line. */
#include "parse/proc_meminfo.h"

#include <errno.h>
#include <string.h>

#include "core/strparse.h"
#include "parse/lex.h"
#include "core/banned.h"

static int meminfo_line(const char **p, struct proc_meminfo_entry *e)
{
    const char *s = *p;
    const char *name = s;
    while (*s != ':' && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n' && *s != '\0')
        s++;
    if (*s != ':' || s == name)
        return -EPROTO;
    struct proc_meminfo_entry v = {0};
    int rc = lex_copy(v.name, sizeof(v.name), name, (size_t)(s - name));
    if (rc < 0)
        return -EPROTO;
    s++;
    rc = lex_u64(&s, &v.value);
    if (rc < 0)
        return rc;
    lex_blanks(&s);
    const char *unit;
    size_t n;
    if (lex_word(&s, &unit, &n) == 0) {
        /* The kernel prints "kB" for every sized field; it means KiB. */
        if (!sp_word_eq(unit, n, "kB"))
            return -EPROTO;
        rc = lex_u64_mul(v.value, 1024, &v.value);
        if (rc < 0)
            return rc;
        v.has_unit = true;
    }
    if (!lex_eol(&s))
        return -EPROTO;
    *e = v;
    *p = s;
    return 0;
}

const struct proc_meminfo_entry *proc_meminfo_find(const struct proc_meminfo *m, const char *name)
{
    for (unsigned i = 0; i < m->nentries; i++)
        if (strcmp(m->entries[i].name, name) == 0)
            return &m->entries[i];
    return NULL;
}

int parse_proc_meminfo(const char *text, struct proc_meminfo *out, struct parse_err *err)
{
    struct proc_meminfo mi;
    struct lex_skips skips = {0};
    bool has_total = false;
    memset(&mi, 0, sizeof(mi));

    for (const char *p = text; *p != '\0'; sp_next_line(&p)) {
        const char *line = p;
        struct proc_meminfo_entry e;
        if (lex_is_blank_line(p))
            continue;
        lex_blanks(&p);
        int rc = meminfo_line(&p, &e);
        if (rc == 0 && proc_meminfo_find(&mi, e.name) != NULL)
            rc = -EEXIST;
        if (rc < 0) {
            lex_skip(&skips, text, line, rc, "malformed /proc/meminfo line");
            continue;
        }
        if (mi.nentries < PROC_MEMINFO_MAX)
            mi.entries[mi.nentries++] = e;
        else
            mi.dropped++;

        /* Direct fields: only the sized (kB) form is meaningful as bytes. */
        if (!e.has_unit)
            continue;
        if (strcmp(e.name, "MemTotal") == 0) {
            mi.mem_total = e.value;
            has_total = true;
        } else if (strcmp(e.name, "MemFree") == 0) {
            mi.mem_free = e.value;
            mi.has_mem_free = true;
        } else if (strcmp(e.name, "MemAvailable") == 0) {
            mi.mem_available = e.value;
            mi.has_mem_available = true;
        } else if (strcmp(e.name, "Buffers") == 0) {
            mi.buffers = e.value;
            mi.has_buffers = true;
        } else if (strcmp(e.name, "Cached") == 0) {
            mi.cached = e.value;
            mi.has_cached = true;
        } else if (strcmp(e.name, "SwapTotal") == 0) {
            mi.swap_total = e.value;
            mi.has_swap_total = true;
        } else if (strcmp(e.name, "SwapFree") == 0) {
            mi.swap_free = e.value;
            mi.has_swap_free = true;
        }
    }
    if (!has_total)
        return lex_fail(&skips, err, text, text, "no MemTotal line");
    mi.malformed = skips.count;
    *out = mi;
    return 0;
}
