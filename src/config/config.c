/* Config loading: defaults, then RIZK_* env, then flags; every value validated against its
 * table row, and a bad one reported with the flag (or env var) and the accepted range. The
 * cross-checks between options are in config_check.c, the help and --print-config texts in
 * config_help.c. */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_int.h"
#include "config/options.h"
#include "core/cidr.h"
#include "core/err.h"
#include "core/hostport.h"
#include "core/strparse.h"
#include "core/version.h"
#include "core/xalloc.h"
#include "parse/pull_rules.h"
#include "parse/redis_url.h"
#include "core/banned.h"

const char *const config_origin_names[] = {"default", "env", "flag"};

static void *config_field(struct config *cfg, const struct option_def *o)
{
    return (char *)cfg + o->offset;
}

const void *config_cfield(const struct config *cfg, const struct option_def *o)
{
    return (const char *)cfg + o->offset;
}

void config_env_name(const char *flag, char *out, size_t n)
{
    size_t j = 0;
    const char *prefix = "RIZK_";
    for (size_t i = 0; prefix[i] && j + 1 < n; i++)
        out[j++] = prefix[i];
    for (const char *p = flag; *p && j + 1 < n; p++)
        out[j++] = (*p == '.' || *p == '-') ? '_' : (char)toupper((unsigned char)*p);
    out[j] = '\0';
}

int config_parse_duration(const char *s, int64_t *ms)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"y", 365LL * 86400000},
                 {"w", 7LL * 86400000},
                 {"d", 86400000},
                 {"h", 3600000},
                 {"m", 60000},
                 {"s", 1000},
                 {"ms", 1}};
    if (strcmp(s, "0") == 0) {
        *ms = 0;
        return 0;
    }
    const char *p = s;
    int64_t total = 0;
    size_t next_unit = 0;
    if (*p == '\0')
        return -EINVAL;
    while (*p != '\0') {
        uint64_t v;
        if (sp_u64(&p, &v) < 0 || v > (uint64_t)INT64_MAX / 1000)
            return -EINVAL;
        size_t k;
        /* units must appear in descending order, each at most once ("1h30m", not "30m1h") */
        for (k = next_unit; k < sizeof(units) / sizeof(units[0]); k++) {
            size_t ul = strlen(units[k].unit);
            if (strncmp(p, units[k].unit, ul) == 0 &&
                !(units[k].unit[0] == 'm' && ul == 1 && p[1] == 's'))
                break;
        }
        if (k == sizeof(units) / sizeof(units[0]))
            return -EINVAL;
        if ((int64_t)v > (INT64_MAX - total) / units[k].ms)
            return -ERANGE;
        total += (int64_t)v * units[k].ms;
        p += strlen(units[k].unit);
        next_unit = k + 1;
    }
    *ms = total;
    return 0;
}

void config_format_duration(int64_t ms, char *out, size_t n)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
    if (ms == 0) {
        snprintf(out, n, "0s");
        return;
    }
    size_t used = 0;
    out[0] = '\0';
    for (size_t k = 0; k < sizeof(units) / sizeof(units[0]) && ms > 0; k++) {
        int64_t q = ms / units[k].ms;
        if (q == 0)
            continue;
        ms -= q * units[k].ms;
        int w =
            snprintf(out + used, n > used ? n - used : 0, "%lld%s", (long long)q, units[k].unit);
        if (w < 0 || (size_t)w >= n - used)
            return;
        used += (size_t)w;
    }
}

/* config_is_string tells whether an option's field is a heap string (char *). */
static bool config_is_string(enum opt_type t)
{
    return t == OPT_STRING || t == OPT_ENUM || t == OPT_ADDR || t == OPT_ADDR_OR_EMPTY ||
           t == OPT_PATH || t == OPT_URL || t == OPT_SECRET || t == OPT_REDIS_URL;
}

/* config_is_sensitive: values that may hold a password are never echoed in messages. */
static bool config_is_sensitive(enum opt_type t)
{
    return t == OPT_SECRET || t == OPT_REDIS_URL;
}

static bool config_enum_ok(const char *allowed, const char *v)
{
    size_t vl = strlen(v);
    for (const char *p = allowed; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == vl && strncmp(p, v, n) == 0)
            return true;
        p += n;
        if (*p == '|')
            p++;
    }
    return false;
}

static int config_parse_bool(const char *v, bool *out)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "yes") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "no") == 0) {
        *out = false;
        return 0;
    }
    return -EINVAL;
}

/* config_set validates v and stores it; -EINVAL/-ERANGE leave the field unchanged. */
static int config_set(struct config *cfg, const struct option_def *o, const char *v)
{
    void *f = config_field(cfg, o);
    switch (o->type) {
    case OPT_STRING:
        if (v[0] == '\0')
            return -EINVAL;
        break;
    case OPT_ENUM:
        if (!config_enum_ok(o->allowed, v))
            return -EINVAL;
        break;
    case OPT_ADDR:
    case OPT_ADDR_OR_EMPTY: {
        char host[256];
        unsigned port;
        bool empty_ok = o->type == OPT_ADDR_OR_EMPTY && v[0] == '\0';
        if (!empty_ok && hostport_parse(v, host, sizeof(host), &port) < 0)
            return -EINVAL;
        break;
    }
    case OPT_PATH:
        if (v[0] != '/' || strpbrk(v, " \t\r\n?#") != NULL || strlen(v) > 256)
            return -EINVAL;
        break;
    case OPT_SECRET:
        break;
    case OPT_REDIS_URL: {
        struct redis_url *u = xcalloc(REDIS_URL_MAX_SEEDS, sizeof(*u));
        int n = parse_redis_url_list(v, u, REDIS_URL_MAX_SEEDS);
        explicit_bzero(u, REDIS_URL_MAX_SEEDS * sizeof(*u));
        free(u);
        if (n < 0)
            return -EINVAL;
        break;
    }
    case OPT_BOOL:
        return config_parse_bool(v, f);
    case OPT_U64: {
        const char *p = v;
        uint64_t n;
        if (sp_u64(&p, &n) < 0 || *p != '\0')
            return -EINVAL;
        if (n < (uint64_t)o->min || n > (uint64_t)o->max)
            return -ERANGE;
        *(uint64_t *)f = n;
        return 0;
    }
    case OPT_DURATION: {
        int64_t ms;
        if (config_parse_duration(v, &ms) < 0)
            return -EINVAL;
        if (ms < o->min || ms > o->max)
            return -ERANGE;
        *(int64_t *)f = ms;
        return 0;
    }
    case OPT_DOUBLE: {
        const char *p = v;
        double d;
        if (sp_double(&p, &d) < 0 || *p != '\0' || !isfinite(d))
            return -EINVAL;
        if (d < (double)o->min || d > (double)o->max)
            return -ERANGE;
        *(double *)f = d;
        return 0;
    }
    case OPT_URL:
        if (v[0] != '\0' && strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
            return -EINVAL;
        if (strpbrk(v, " \t\r\n") != NULL || strlen(v) > 2048)
            return -EINVAL;
        break;
    }
    char **s = f;
    if (*s != NULL && o->type == OPT_SECRET)
        explicit_bzero(*s, strlen(*s));
    free(*s);
    /* An empty secret means "none", so an env file can blank it. */
    *s = (o->type == OPT_SECRET && v[0] == '\0') ? NULL : xstrdup(v);
    return 0;
}

/* config_bad_value reports a refused value; env names the variable it came from (NULL for a
 * flag). Values that may hold a password are not repeated. */
static void config_bad_value(FILE *err, const struct option_def *o, const char *v, const char *env)
{
    char range[200];
    config_range_text(o, range, sizeof(range));
    if (config_is_sensitive(o->type))
        v = "(not shown)";
    if (env != NULL) {
        fprintf(err, "rizk-metrics: invalid value \"%s\" in %s (for --%s): expected %s\n", v, env,
                o->flag, range);
    } else {
        fprintf(err, "rizk-metrics: invalid value \"%s\" for --%s: expected %s\n", v, o->flag,
                range);
    }
}

static bool config_name_is(const char *flag, const char *name, size_t len)
{
    return flag != NULL && strlen(flag) == len && strncmp(flag, name, len) == 0;
}

/* config_alias_of returns the alias of the row for flag, or NULL. */
const char *config_alias_of(const char *flag)
{
    for (size_t i = 0; i < option_alias_count; i++)
        if (strcmp(option_aliases[i].flag, flag) == 0)
            return option_aliases[i].alias;
    return NULL;
}

static const struct option_def *config_find(const char *name, size_t len, size_t *idx)
{
    for (size_t i = 0; i < option_count; i++) {
        if (config_name_is(option_table[i].flag, name, len) ||
            config_name_is(config_alias_of(option_table[i].flag), name, len)) {
            *idx = i;
            return &option_table[i];
        }
    }
    return NULL;
}

_Static_assert(sizeof(((struct config *)0)->origins.opt) >= 16, "origins table");

static void config_defaults(struct config *cfg, const struct config_collectors *cols)
{
    RIZK_ASSERT(option_count <= CONFIG_MAX_OPTIONS);
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < option_count; i++) {
        int rc = config_set(cfg, &option_table[i], option_table[i].def);
        (void)rc; /* defaults are checked by the unit tests */
    }
    RIZK_ASSERT(cols->n <= CONFIG_MAX_COLLECTORS);
    cfg->collectors = cols;
    for (size_t i = 0; i < cols->n; i++)
        cfg->collector_enabled[i] = cols->at(i).default_enabled;
}

static const char *config_getenv(char **envp, const char *name)
{
    size_t n = strlen(name);
    for (char **e = envp; e != NULL && *e != NULL; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

static int config_load_env(struct config *cfg, char **envp, FILE *err, struct config_origins *org)
{
    char env[128];
    /* The guide's names first, so that the RIZK_* twin, read next, wins over them. */
    for (size_t a = 0; a < option_env_alias_count; a++) {
        size_t i;
        const char *flag = option_env_aliases[a].flag;
        const struct option_def *o = config_find(flag, strlen(flag), &i);
        const char *v = config_getenv(envp, option_env_aliases[a].env);
        RIZK_ASSERT(o != NULL);
        if (v == NULL)
            continue;
        if (config_set(cfg, o, v) < 0) {
            config_bad_value(err, o, v, option_env_aliases[a].env);
            return -EINVAL;
        }
        org->opt[i] = ORIGIN_ENV;
    }
    for (size_t i = 0; i < option_count; i++) {
        config_env_name(option_table[i].flag, env, sizeof(env));
        const char *v = config_getenv(envp, env);
        if (v == NULL)
            continue;
        if (config_set(cfg, &option_table[i], v) < 0) {
            config_bad_value(err, &option_table[i], v, env);
            return -EINVAL;
        }
        org->opt[i] = ORIGIN_ENV;
    }
    for (size_t i = 0; i < cfg->collectors->n; i++) {
        char flag[96];
        snprintf(flag, sizeof(flag), "collector.%s", cfg->collectors->at(i).name);
        config_env_name(flag, env, sizeof(env));
        const char *v = config_getenv(envp, env);
        if (v == NULL)
            continue;
        if (config_parse_bool(v, &cfg->collector_enabled[i]) < 0) {
            fprintf(err,
                    "rizk-metrics: invalid value \"%s\" in %s (for --%s): expected true or "
                    "false\n",
                    v, env, flag);
            return -EINVAL;
        }
        org->col[i] = ORIGIN_ENV;
    }
    return 0;
}

/* config_collector_flag handles --[no-]collector.<name>[=bool]; 1 if it was one, 0 if not,
 * negative on a bad value or unknown collector. */
static int config_collector_flag(struct config *cfg, const char *arg, const char *value, FILE *err,
                                 struct config_origins *org)
{
    bool negate = strncmp(arg, "no-", 3) == 0;
    const char *name = negate ? arg + 3 : arg;
    if (strncmp(name, "collector.", 10) != 0)
        return 0;
    name += 10;
    size_t n = strcspn(name, "=");
    char cname[64];
    if (n >= sizeof(cname))
        n = sizeof(cname) - 1;
    memcpy(cname, name, n);
    cname[n] = '\0';
    const struct config_collectors *cols = cfg->collectors;
    int idx = -1;
    for (size_t i = 0; i < cols->n && idx < 0; i++)
        if (strcmp(cols->at(i).name, cname) == 0)
            idx = (int)i;
    if (idx < 0) {
        fprintf(err, "rizk-metrics: unknown collector \"%s\" in --%s (known:", cname, arg);
        for (size_t i = 0; i < cols->n; i++)
            fprintf(err, " %s", cols->at(i).name);
        fprintf(err, ")\n");
        return -EINVAL;
    }
    bool on = true;
    if (value != NULL && (negate || config_parse_bool(value, &on) < 0)) {
        fprintf(err,
                "rizk-metrics: invalid value \"%s\" for --%scollector.%s: expected true or "
                "false\n",
                value, negate ? "no-" : "", cname);
        return -EINVAL;
    }
    cfg->collector_enabled[idx] = negate ? false : on;
    org->col[idx] = ORIGIN_FLAG;
    return 1;
}

__attribute__((format(printf, 2, 3))) static enum config_action config_usage(FILE *err,
                                                                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(err, "rizk-metrics: ");
    vfprintf(err, fmt, ap);
    fprintf(err, " (see --help)\n");
    va_end(ap);
    return CONFIG_EXIT_USAGE;
}

/* config_mode_defaults applies the defaults that differ per mode, where neither env nor flag
 * set the option: the adapter listens on :6443 (SPEC 6), the sidecar on :8080; the adapter's
 * requests (front-proxy identity headers) get twice the sidecar's header memory; the adapter
 * keeps 2 HTTP threads on one CPU too, so that one always stays free of waiting token and
 * access reviews (k8s/auth_setup.c). */
static void config_mode_defaults(struct config *cfg)
{
    static const struct {
        const char *flag;
        const char *value;
    } adapter[] = {
        {"web.listen-address", ":6443"}, {"web.max-header-bytes", "16384"}, {"web.threads", "2"}};
    if (cfg->mode != MODE_ADAPTER)
        return;
    for (size_t i = 0; i < sizeof(adapter) / sizeof(adapter[0]); i++) {
        size_t idx;
        if (config_find(adapter[i].flag, strlen(adapter[i].flag), &idx) != NULL &&
            cfg->origins.opt[idx] == ORIGIN_DEFAULT)
            config_set(cfg, &option_table[idx], adapter[i].value);
    }
}

/* config_auto_threads is --web.threads=0: the CPUs this process may run on, 1 or 2. */
static uint64_t config_auto_threads(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return 2;
    return CPU_COUNT(&set) >= 2 ? 2 : 1;
}

enum config_action config_load(struct config *cfg, const struct config_collectors *cols, int argc,
                               char **argv, char **envp, FILE *out, FILE *err)
{
    config_defaults(cfg, cols);
    struct config_origins *org = &cfg->origins;
    if (config_load_env(cfg, envp, err, org) < 0)
        return CONFIG_EXIT_USAGE;

    int i = 1;
    if (i < argc && argv[i][0] != '-') {
        static const char *const modes[] = {"sidecar", "adapter", "check", "version"};
        size_t m;
        for (m = 0; m < 4; m++)
            if (strcmp(argv[i], modes[m]) == 0)
                break;
        if (m == 4)
            return config_usage(err,
                                "unknown command \"%s\": expected sidecar, adapter, check "
                                "or version",
                                argv[i]);
        cfg->mode = (enum config_mode)m;
        i++;
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            config_help(cols, out);
            return CONFIG_EXIT_OK;
        }
        if (strcmp(a, "--help-markdown") == 0) {
            config_help_markdown(cols, out);
            return CONFIG_EXIT_OK;
        }
        if (strcmp(a, "--version") == 0) {
            cfg->mode = MODE_VERSION;
            continue;
        }
        if (strcmp(a, "--check-config") == 0) {
            cfg->check_config = true;
            continue;
        }
        if (strcmp(a, "--print-config") == 0) {
            cfg->print_config = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
            return config_usage(err, "unexpected argument \"%s\"", a);
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        const char *value = eq ? eq + 1 : NULL;
        if (strcmp(name, "collector.disable-defaults") == 0) {
            for (size_t k = 0; k < cfg->collectors->n; k++)
                if (org->col[k] != ORIGIN_FLAG)
                    cfg->collector_enabled[k] = false;
            continue;
        }
        int crc = config_collector_flag(cfg, name, value, err, org);
        if (crc < 0)
            return CONFIG_EXIT_USAGE;
        if (crc > 0)
            continue;
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        size_t idx;
        bool negate = false;
        const struct option_def *o = config_find(name, len, &idx);
        if (o == NULL && strncmp(name, "no-", 3) == 0) {
            o = config_find(name + 3, len - 3, &idx);
            negate = o != NULL && o->type == OPT_BOOL && value == NULL;
            if (!negate)
                o = NULL;
        }
        if (o == NULL) {
            return config_usage(err, "unknown flag --%.*s", (int)len, name);
        }
        if (o->type == OPT_SECRET) {
            /* argv is world-readable in /proc/<pid>/cmdline: secrets come from env or files. */
            return config_usage(err,
                                "--%s cannot be given on the command line: use "
                                "--redis.password-file or the REDIS_PASSWORD environment variable",
                                o->flag);
        }
        if (o->type == OPT_BOOL && value == NULL) {
            value = negate ? "false" : "true";
        } else if (value == NULL) {
            if (i + 1 >= argc) {
                return config_usage(err, "flag --%s needs a value", o->flag);
            }
            value = argv[++i];
        }
        if (config_set(cfg, o, value) < 0) {
            config_bad_value(err, o, value, NULL);
            return CONFIG_EXIT_USAGE;
        }
        org->opt[idx] = ORIGIN_FLAG;
    }
    if (cfg->mode == MODE_VERSION) {
        fprintf(out, "rizk-metrics version %s (revision %s)\n", RIZK_VERSION, RIZK_REVISION);
        return CONFIG_EXIT_OK;
    }
    config_mode_defaults(cfg);
    if (cfg->web_threads == 0)
        cfg->web_threads = config_auto_threads();
    if (config_check(cfg, err) < 0)
        return CONFIG_EXIT_USAGE;
    return CONFIG_RUN;
}

void config_fini(struct config *cfg)
{
    for (size_t i = 0; i < option_count; i++) {
        const struct option_def *o = &option_table[i];
        if (config_is_string(o->type)) {
            char **s = config_field(cfg, o);
            if (*s != NULL && config_is_sensitive(o->type))
                explicit_bzero(*s, strlen(*s));
            free(*s);
            *s = NULL;
        }
    }
}

void config_redis_opts(const struct config *cfg, struct redis_client_opts *o)
{
    *o = (struct redis_client_opts){
        .addr = cfg->redis_addr,
        .cluster_nodes = cfg->redis_cluster_nodes,
        .username = cfg->redis_username,
        .password = cfg->redis_password,
        .password_file = cfg->redis_password_file,
        .timeout_ms = (int)cfg->redis_timeout_ms,
    };
}

uint64_t config_history_slots(const struct config *cfg)
{
    if (cfg->history_interval_ms <= 0)
        return 0;
    return (uint64_t)((cfg->history_retention_ms + cfg->history_interval_ms - 1) /
                      cfg->history_interval_ms);
}
