/* kube-apiserver's RequestInfoFactory.NewRequestInfo, step for step (the comments name the Go
 * branches), so a SubjectAccessReview asks about exactly what kube-apiserver would have asked. */
#include "k8s/request_info.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "core/banned.h"

#define RI_MAX_PARTS 512
#define RI_NAME_MAX 253

static bool ri_in(const char *s, const char *const *set)
{
    for (size_t i = 0; set[i] != NULL; i++)
        if (strcmp(s, set[i]) == 0)
            return true;
    return false;
}

/* ri_watch is Go's string-to-bool conversion of a query value: "0" and "false" are false,
 * anything else (even "") true. */
static bool ri_watch(const char *v)
{
    return v != NULL && strcmp(v, "0") != 0 && strcasecmp(v, "false") != 0;
}

/* ri_valid_segment is apimachinery's IsValidPathSegmentName. */
static bool ri_valid_segment(const char *s)
{
    return strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && strchr(s, '/') == NULL &&
           strchr(s, '%') == NULL;
}

/* ri_field_name finds an exact metadata.name requirement (= or ==) in a field selector, as
 * fields.Selector.RequiresExactMatch, honouring the selector's backslash escapes. Writes the
 * unescaped value to out (cap bytes); false when there is none or the selector is malformed
 * (Go then falls back to a plain list). */
static bool ri_field_name(const char *sel, char *out, size_t cap)
{
    bool found = false;
    const char *p = sel;
    while (*p != '\0') {
        /* one term: up to an unescaped ',' */
        const char *t = p;
        const char *op = NULL;
        size_t oplen = 0;
        while (*p != '\0' && *p != ',') {
            if (*p == '\\' && p[1] != '\0') {
                p += 2;
                continue;
            }
            if (op == NULL && (*p == '=' || (*p == '!' && p[1] == '='))) {
                op = p;
                oplen = (*p == '!' || p[1] == '=') ? 2 : 1;
            }
            p++;
        }
        const char *end = p;
        if (*p == ',')
            p++;
        if (op == NULL)
            return false; /* "a term without an operator": Go's parse error */
        size_t kl = (size_t)(op - t);
        if (*op == '!' || kl != strlen("metadata.name") || memcmp(t, "metadata.name", kl) != 0)
            continue;
        size_t o = 0;
        for (const char *v = op + oplen; v < end; v++) {
            if (*v == '\\' && v + 1 < end)
                v++;
            if (o + 1 >= cap)
                return false;
            out[o++] = *v;
        }
        out[o] = '\0';
        found = true;
        break; /* RequiresExactMatch returns the first one */
    }
    return found;
}

int request_info_parse(const char *method, const char *path, const char *watch,
                       const char *field_selector, struct request_info *out)
{
    static const char *const special_verbs[] = {"proxy", "watch", NULL};
    static const char *const ns_subresources[] = {"status", "finalize", NULL};
    size_t plen = strlen(path);
    if (plen >= REQUEST_INFO_PATH_MAX)
        return -E2BIG;
    struct request_info *ri = out;
    memset(ri, 0, offsetof(struct request_info, _store));
    char *st = ri->_store;
    memcpy(st, path, plen + 1);
    ri->path = st;
    char *split = st + plen + 1;
    char *verb = split + plen + 1; /* 64 bytes: the lower-cased method */
    char *fname = verb + 64;       /* RI_NAME_MAX + 1 bytes */
    size_t ml = strlen(method);
    if (ml > 63)
        ml = 63;
    for (size_t i = 0; i < ml; i++)
        verb[i] = (char)((method[i] >= 'A' && method[i] <= 'Z') ? method[i] + 32 : method[i]);
    verb[ml] = '\0';
    /* start with a non-resource request until proven otherwise */
    ri->verb = verb;
    ri->api_prefix = ri->group = ri->version = ri->namespace = ri->resource = ri->subresource =
        ri->name = "";

    /* splitPath: trim every leading and trailing '/', then split on each '/' (empty interior
     * segments stay) */
    const char *b = path;
    while (*b == '/')
        b++;
    size_t bl = strlen(b);
    while (bl > 0 && b[bl - 1] == '/')
        bl--;
    const char *parts[RI_MAX_PARTS];
    size_t n = 0;
    if (bl > 0) {
        memcpy(split, b, bl);
        split[bl] = '\0';
        char *s = split;
        for (;;) {
            if (n == RI_MAX_PARTS)
                return -E2BIG;
            parts[n++] = s;
            char *slash = strchr(s, '/');
            if (slash == NULL)
                break;
            *slash = '\0';
            s = slash + 1;
        }
    }
    if (n < 3 || (strcmp(parts[0], "api") != 0 && strcmp(parts[0], "apis") != 0))
        return 0;
    ri->api_prefix = parts[0];
    const char **cur = parts + 1;
    size_t left = n - 1;
    /* URL forms: /{api-prefix}/{api-group}/{version}/... ("api" has no group) */
    if (strcmp(ri->api_prefix, "api") != 0) {
        if (left < 3)
            return 0;
        ri->group = cur[0];
        cur++;
        left--;
    }
    ri->is_resource = true;
    ri->version = cur[0];
    cur++;
    left--;
    /* handle input of form /{specialVerb}/... */
    if (ri_in(cur[0], special_verbs)) {
        if (left < 2)
            return -EPROTO;
        ri->verb = cur[0];
        cur++;
        left--;
    } else if (strcmp(method, "POST") == 0) {
        ri->verb = "create";
    } else if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        ri->verb = "get";
    } else if (strcmp(method, "PUT") == 0) {
        ri->verb = "update";
    } else if (strcmp(method, "PATCH") == 0) {
        ri->verb = "patch";
    } else if (strcmp(method, "DELETE") == 0) {
        ri->verb = "delete";
    } else {
        ri->verb = "";
    }
    /* URL forms: /namespaces/{namespace}/{kind}/..., where parts are adjusted to be relative to
     * kind */
    if (strcmp(cur[0], "namespaces") == 0) {
        if (left > 1) {
            ri->namespace = cur[1];
            if (left > 2 && !ri_in(cur[2], ns_subresources)) {
                cur += 2;
                left -= 2;
            }
        }
    }
    /* parts look like: resource/resourceName/subresource/other/stuff/we/don't/interpret */
    if (left >= 3 && strcmp(ri->verb, "proxy") != 0)
        ri->subresource = cur[2];
    if (left >= 2)
        ri->name = cur[1];
    if (left >= 1)
        ri->resource = cur[0];
    /* no name and "get": a list or a watch */
    if (ri->name[0] == '\0' && strcmp(ri->verb, "get") == 0) {
        ri->verb = ri_watch(watch) ? "watch" : "list";
        if (field_selector != NULL && ri_field_name(field_selector, fname, RI_NAME_MAX + 1) &&
            ri_valid_segment(fname))
            ri->name = fname;
    }
    /* no name and "delete": deletecollection */
    if (ri->name[0] == '\0' && strcmp(ri->verb, "delete") == 0)
        ri->verb = "deletecollection";
    return 0;
}
