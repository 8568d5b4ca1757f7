/* Internal to config/: what config.c (loading), config_check.c (cross-checks) and config_help.c
 * (help and --print-config) share. Not for other folders. thread: main (config loading). */
#ifndef RIZK_CONFIG_CONFIG_INT_H
#define RIZK_CONFIG_CONFIG_INT_H

#include <stddef.h>
#include <stdio.h>

#include "config/config.h"
#include "config/options.h"

/* Largest ring: keeps --history.retention / --history.interval from allocating gigabytes. */
#define CONFIG_MAX_SLOTS (1u << 20)

/* Where a value came from (struct config_origins), and its name for --print-config. */
enum origin { ORIGIN_DEFAULT = 0, ORIGIN_ENV, ORIGIN_FLAG };
extern const char *const config_origin_names[];

/* config_cfield returns the address of o's field in cfg. */
const void *config_cfield(const struct config *cfg, const struct option_def *o);
/* config_env_name writes the RIZK_* variable of flag ("web.listen-address" ->
 * RIZK_WEB_LISTEN_ADDRESS) into out. */
void config_env_name(const char *flag, char *out, size_t n);
/* config_alias_of returns the alias of the row for flag, or NULL. */
const char *config_alias_of(const char *flag);
/* config_range_text describes what o accepts ("a duration from 1s to 1m") into out. */
void config_range_text(const struct option_def *o, char *out, size_t n);
/* config_check runs the cross-checks between options after defaults, env and flags; prints one
 * line naming the flag to err and returns -EINVAL on the first failure. */
int config_check(struct config *cfg, FILE *err);

#endif
