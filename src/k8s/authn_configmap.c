/* extension-apiserver-authentication parsing with jansson. */
#include "k8s/authn_configmap.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "core/banned.h"

static int cm_fail(struct parse_err *e, const char *what)
{
    if (e != NULL)
        *e = (struct parse_err){0, 0, what};
    return -EPROTO;
}

/* cm_list turns the JSON array held in a string into a comma-separated list. */
static int cm_list(const char *text, char **out)
{
    json_error_t je;
    json_t *a = json_loads(text, 0, &je);
    int rc = json_is_array(a) ? 0 : -EPROTO;
    struct buf b;
    buf_init(&b, 64 * 1024);
    size_t i;
    json_t *v;
    if (rc == 0) {
        json_array_foreach(a, i, v)
        {
            const char *s = json_string_value(v);
            /* a comma would split the item in our comma-separated lists */
            if (s == NULL || s[0] == '\0' || strchr(s, ',') != NULL) {
                rc = -EPROTO;
                break;
            }
            if ((i > 0 && buf_addc(&b, ',') < 0) || buf_adds(&b, s) < 0) {
                rc = -EPROTO;
                break;
            }
        }
    }
    json_decref(a);
    if (rc == 0)
        *out = xstrdup(buf_ptr(&b));
    buf_fini(&b);
    return rc;
}

int parse_authn_configmap(const char *json, size_t len, struct authn_configmap *out,
                          struct parse_err *e)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (!json_is_object(root) || !json_is_string(json_object_get(root, "kind")) ||
        strcmp(json_string_value(json_object_get(root, "kind")), "ConfigMap") != 0) {
        json_decref(root);
        return cm_fail(e, "the answer is not a ConfigMap");
    }
    struct authn_configmap c = {0};
    json_t *data = json_object_get(root, "data");
    int rc = 0;
    static const struct {
        const char *key;
        size_t off;
        int list;
    } keys[] = {
        {"client-ca-file", offsetof(struct authn_configmap, client_ca), 0},
        {"requestheader-client-ca-file", offsetof(struct authn_configmap, requestheader_ca), 0},
        {"requestheader-allowed-names", offsetof(struct authn_configmap, allowed_names), 1},
        {"requestheader-username-headers", offsetof(struct authn_configmap, username_headers), 1},
        {"requestheader-group-headers", offsetof(struct authn_configmap, group_headers), 1},
        {"requestheader-extra-headers-prefix", offsetof(struct authn_configmap, extra_prefixes), 1},
    };
    if (data != NULL && !json_is_null(data) && !json_is_object(data)) {
        rc = cm_fail(e, "data is not an object");
        data = NULL;
    }
    for (size_t i = 0; rc == 0 && data != NULL && i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *v = json_object_get(data, keys[i].key);
        char **slot = (char **)(void *)((char *)&c + keys[i].off);
        if (v == NULL)
            continue;
        if (!json_is_string(v)) {
            rc = cm_fail(e, keys[i].key);
            break;
        }
        if (keys[i].list) {
            if (cm_list(json_string_value(v), slot) < 0)
                rc = cm_fail(e, keys[i].key);
        } else if (json_string_length(v) > 0) {
            *slot = xstrdup(json_string_value(v));
        }
    }
    json_decref(root);
    if (rc < 0) {
        authn_configmap_fini(&c);
        return rc;
    }
    *out = c;
    return 0;
}

void authn_configmap_fini(struct authn_configmap *c)
{
    if (c == NULL)
        return;
    free(c->client_ca);
    free(c->requestheader_ca);
    free(c->allowed_names);
    free(c->username_headers);
    free(c->group_headers);
    free(c->extra_prefixes);
    memset(c, 0, sizeof(*c));
}
