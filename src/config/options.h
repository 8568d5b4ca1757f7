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

extern const struct option_def option_table[];
extern const size_t option_count;

#endif
