/* The option table: one row per flag (flag, env twin, type, default, bounds, help, field). */
#ifndef RIZK_CONFIG_OPTIONS_H
#define RIZK_CONFIG_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

enum opt_type {
    OPT_STRING,   /* char * */
    OPT_ENUM,     /* char *, one of the '|'-separated values in allowed */
    OPT_BOOL,     /* bool */
    OPT_U64,      /* uint64_t within [min, max] */
    OPT_DURATION, /* int64_t milliseconds within [min, max] */
    OPT_ADDR,     /* char *, host:port */
    OPT_PATH,     /* char *, URL path starting with '/' */
    OPT_DOUBLE,   /* double within [min, max] (integral bounds) */
    OPT_URL,      /* char *, "" (unset) or an http:// or https:// URL */
    OPT_SECRET,   /* char *, environment only (never argv), printed as "<secret>" */
    OPT_REDIS_URL, /* char *, redis endpoint(s); never echoed in errors, password redacted */
    OPT_ADDR_OR_EMPTY, /* char *, host:port, or "" to disable what it configures */
};

struct option_def {
    const char *flag;    /* without the leading "--" */
    enum opt_type type;
    const char *def;     /* default, in flag syntax */
    int64_t min, max;    /* OPT_U64 / OPT_DURATION bounds (inclusive) */
    const char *allowed; /* OPT_ENUM values, "a|b|c" */
    const char *help;
    size_t offset;       /* offsetof(struct config, field) */
};

/* Second spellings of a few flags (the check command's --url, --output, --strict), without an
 * env twin: alias -> the flag of a row in option_table. */
struct option_alias {
    const char *alias;
    const char *flag;
};

extern const struct option_def option_table[];
extern const size_t option_count;
extern const struct option_alias option_aliases[];
extern const size_t option_alias_count;

/* Environment names of the Rizk scaling guide and of the Kubernetes downward API, honoured
 * with a lower precedence than the mechanical RIZK_* twin of the same flag. */
struct option_env_alias {
    const char *env;  /* "REDIS_URL" */
    const char *flag; /* "redis.addr" */
};

extern const struct option_env_alias option_env_aliases[];
extern const size_t option_env_alias_count;

#endif
