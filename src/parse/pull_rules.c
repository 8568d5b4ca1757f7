/* --app.errors-from-label: label:prefix[,label:prefix...] (see pull_rules.h). */
#include "parse/pull_rules.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/banned.h"

static bool is_label_name(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    for (; *s != '\0'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

int parse_pull_error_rules(char *buf, struct pull_error_rule *rules, unsigned *n)
{
    struct pull_error_rule tmp[PULL_RULES_MAX];
    unsigned k = 0;
    char *p = buf;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        char *colon = strchr(p, ':');
        if (colon == NULL || k == PULL_RULES_MAX)
            return -EINVAL;
        *colon = '\0';
        if (!is_label_name(p) || colon[1] == '\0')
            return -EINVAL;
        tmp[k].label = p;
        tmp[k].prefix = colon + 1;
        k++;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    memcpy(rules, tmp, k * sizeof(tmp[0]));
    *n = k;
    return 0;
}
