/* The texts made from the option table: --help, --help-markdown (the README's flag table) and
 * --print-config. */
#include "config/config_int.h"

#include <stdio.h>
#include <string.h>

#include "parse/redis_url.h"
#include "core/banned.h"

void config_range_text(const struct option_def *o, char *out, size_t n)
{
    char a[32], b[32];
    switch (o->type) {
    case OPT_U64:
        snprintf(out, n, "an integer from %lld to %lld", (long long)o->min, (long long)o->max);
        break;
    case OPT_DURATION:
        config_format_duration(o->min, a, sizeof(a));
        config_format_duration(o->max, b, sizeof(b));
        snprintf(out, n, "a duration from %s to %s (e.g. 500ms, 1s, 1m30s, 1h)", a, b);
        break;
    case OPT_ENUM:
        snprintf(out, n, "one of %s", o->allowed);
        break;
    case OPT_BOOL:
        snprintf(out, n, "true or false");
        break;
    case OPT_ADDR:
        snprintf(out, n, "host:port, :port or [ipv6]:port with a port from 0 to 65535");
        break;
    case OPT_PATH:
        snprintf(out, n, "a URL path starting with / (no spaces, '?' or '#')");
        break;
    case OPT_STRING:
        snprintf(out, n, "a non-empty string");
        break;
    case OPT_DOUBLE:
        snprintf(out, n, "a number from %lld to %lld", (long long)o->min, (long long)o->max);
        break;
    case OPT_URL:
        snprintf(out, n, "empty or an http:// or https:// URL");
        break;
    case OPT_SECRET:
        snprintf(out, n, "a string, from the environment only");
        break;
    case OPT_REDIS_URL:
        snprintf(out, n,
                 "redis://[user[:password]@]host:port[/db] or host:port, comma-separated "
                 "for several");
        break;
    case OPT_ADDR_OR_EMPTY:
        snprintf(out, n,
                 "host:port, :port or [ipv6]:port with a port from 0 to 65535, or empty "
                 "to disable");
        break;
    }
}

static void config_value_text(const struct config *cfg, const struct option_def *o, char *out,
                              size_t n)
{
    const void *f = config_cfield(cfg, o);
    switch (o->type) {
    case OPT_BOOL:
        snprintf(out, n, "%s", *(const bool *)f ? "true" : "false");
        break;
    case OPT_U64:
        snprintf(out, n, "%llu", (unsigned long long)*(const uint64_t *)f);
        break;
    case OPT_DURATION:
        config_format_duration(*(const int64_t *)f, out, n);
        break;
    case OPT_DOUBLE:
        snprintf(out, n, "%.15g", *(const double *)f);
        break;
    case OPT_SECRET:
        snprintf(out, n, "%s", *(char *const *)f ? "<secret>" : "");
        break;
    case OPT_REDIS_URL:
        if (*(char *const *)f == NULL)
            out[0] = '\0';
        else
            redis_url_redact(*(char *const *)f, out, n);
        break;
    default:
        snprintf(out, n, "%s", *(char *const *)f ? *(char *const *)f : "");
    }
}

void config_print(const struct config *cfg, FILE *out)
{
    const struct config_origins *org = &cfg->origins;
    char v[512];
    for (size_t i = 0; i < option_count; i++) {
        config_value_text(cfg, &option_table[i], v, sizeof(v));
        fprintf(out, "--%s=%s\t# %s\n", option_table[i].flag, v, config_origin_names[org->opt[i]]);
    }
    for (size_t i = 0; i < cfg->collectors->n; i++)
        fprintf(out, "--collector.%s=%s\t# %s\n", cfg->collectors->at(i).name,
                cfg->collector_enabled[i] ? "true" : "false", config_origin_names[org->col[i]]);
}

static const char *config_metavar(enum opt_type t)
{
    switch (t) {
    case OPT_U64:
        return "=N";
    case OPT_DURATION:
        return "=DURATION";
    case OPT_ADDR:
    case OPT_ADDR_OR_EMPTY:
        return "=ADDR";
    case OPT_PATH:
        return "=PATH";
    case OPT_ENUM:
        return "=VALUE";
    case OPT_BOOL:
        return "";
    case OPT_DOUBLE:
        return "=NUMBER";
    case OPT_URL:
    case OPT_REDIS_URL:
        return "=URL";
    default:
        return "=STRING";
    }
}

/* config_alias_text writes " or ALIAS" for each guide env name of flag into out. */
static void config_alias_text(const char *flag, const char *sep, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t a = 0; a < option_env_alias_count; a++) {
        if (strcmp(option_env_aliases[a].flag, flag) != 0)
            continue;
        int w = snprintf(out + used, n - used, "%s%s", sep, option_env_aliases[a].env);
        if (w < 0 || (size_t)w >= n - used)
            return;
        used += (size_t)w;
    }
}

void config_help(const struct config_collectors *cols, FILE *out)
{
    char env[128], range[160];
    fprintf(out, "Usage: rizk-metrics [sidecar|adapter|check|version] [flags]\n\n"
                 "Sidecar for Rizk SDK pods: samples /proc, cgroup v2, Redis and the app's\n"
                 "request stats, serves Prometheus metrics and the scaling signals.\n\n"
                 "Redis (the redis collector and the fleet registry) is off unless --redis.addr\n"
                 "or --redis.cluster-nodes (REDIS_URL, REDIS_CLUSTER_URL) is set: then no\n"
                 "rizk_redis_* metric and no redis source exist at all.\n\n"
                 "Commands:\n"
                 "  sidecar   run the per-pod sampler and HTTP server (default)\n"
                 "  adapter   serve the Kubernetes custom/external metrics APIs\n"
                 "  check     validate scaling readiness against live sources\n"
                 "  version   print the version and exit\n\n"
                 "Flags (each has an environment twin; precedence: default < env < flag):\n");
    for (size_t i = 0; i < option_count; i++) {
        const struct option_def *o = &option_table[i];
        config_env_name(o->flag, env, sizeof(env));
        config_range_text(o, range, sizeof(range));
        char alias[96];
        config_alias_text(o->flag, " or ", alias, sizeof(alias));
        fprintf(out, "  --%s%s", o->flag, config_metavar(o->type));
        if (config_alias_of(o->flag) != NULL)
            fprintf(out, ", --%s%s", config_alias_of(o->flag), config_metavar(o->type));
        fprintf(out, "\n      %s\n      env %s%s, default \"%s\"; %s\n", o->help, env, alias,
                o->def, range);
    }
    for (size_t i = 0; i < cols->n; i++) {
        struct config_collector t = cols->at(i);
        char flag[96];
        snprintf(flag, sizeof(flag), "collector.%s", t.name);
        config_env_name(flag, env, sizeof(env));
        fprintf(out, "  --[no-]collector.%s\n      %s\n      env %s, default %s\n", t.name, t.help,
                env, t.default_enabled ? "enabled" : "disabled");
    }
    fprintf(out,
            "  --collector.disable-defaults\n"
            "      Disable every collector not enabled explicitly by a flag.\n"
            "  --check-config\n      Validate the configuration and exit (0 valid, 2 invalid).\n"
            "  --print-config\n      Print every effective value and its origin, then go on.\n"
            "  --version\n      Print the version and exit.\n"
            "  -h, --help\n      Show this help and exit.\n");
}

/* config_md_cell writes s with '|' escaped, so enum lists do not split a table cell. */
static void config_md_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', out);
        fputc(*s, out);
    }
}

void config_help_markdown(const struct config_collectors *cols, FILE *out)
{
    char env[128], range[160];
    fprintf(out, "| flag | env | default | accepted | meaning |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < option_count; i++) {
        const struct option_def *o = &option_table[i];
        config_env_name(o->flag, env, sizeof(env));
        config_range_text(o, range, sizeof(range));
        char alias[96];
        config_alias_text(o->flag, "`, `", alias, sizeof(alias));
        fprintf(out, "| `--%s`", o->flag);
        if (config_alias_of(o->flag) != NULL)
            fprintf(out, " (`--%s`)", config_alias_of(o->flag));
        if (o->def[0] != '\0')
            fprintf(out, " | `%s%s` | `%s` | ", env, alias, o->def);
        else
            fprintf(out, " | `%s%s` | (empty) | ", env, alias);
        config_md_cell(out, range);
        fprintf(out, " | %s |\n", o->help);
    }
    for (size_t i = 0; i < cols->n; i++) {
        struct config_collector t = cols->at(i);
        char flag[96];
        snprintf(flag, sizeof(flag), "collector.%s", t.name);
        config_env_name(flag, env, sizeof(env));
        fprintf(out, "| `--[no-]collector.%s` | `%s` | %s | true or false | %s |\n", t.name, env,
                t.default_enabled ? "enabled" : "disabled", t.help);
    }
    fprintf(out, "| `--collector.disable-defaults` | | | | Disable every collector not enabled "
                 "explicitly by a flag. |\n"
                 "| `--check-config` | | | | Validate the configuration and exit (0 valid, 2 "
                 "invalid). |\n"
                 "| `--print-config` | | | | Print every effective value and its origin. |\n"
                 "| `--version` | | | | Print the version and exit. |\n");
}
