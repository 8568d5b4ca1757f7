/* The --app.errors-from-label syntax: which series of the pulled requests family count as
 * errors (collect/pull_delta.h). Pure. */
#ifndef RIZK_PARSE_PULL_RULES_H
#define RIZK_PARSE_PULL_RULES_H

#define PULL_RULES_MAX 4 /* alternatives of an error rule */

/* errors = series of the requests family whose label `label` starts with `prefix`. */
struct pull_error_rule {
    const char *label;
    const char *prefix;
};

/* parse_pull_error_rules parses comma-separated label:prefix alternatives ("status:5",
 * "status:5,code:5"); label a Prometheus label name, prefix non-empty. Fills rules (strings
 * point into buf, which is modified: pass a copy) and *n; both written only on success.
 * Errors: -EINVAL (syntax, or more than PULL_RULES_MAX). thread: any. */
int parse_pull_error_rules(char *buf, struct pull_error_rule *rules, unsigned *n);

#endif
