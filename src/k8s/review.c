/* TokenReview and SubjectAccessReview bodies: written with render/jsonw, read with jansson. */
#include "k8s/review.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "k8s/request_info.h"
#include "render/jsonw.h"
#include "core/banned.h"

int review_render_token(struct buf *out, const char *token)
{
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_obj_open(&w);
    jsonw_key(&w, "apiVersion");
    jsonw_str(&w, "authentication.k8s.io/v1");
    jsonw_key(&w, "kind");
    jsonw_str(&w, "TokenReview");
    jsonw_key(&w, "spec");
    jsonw_obj_open(&w);
    jsonw_key(&w, "token");
    jsonw_str(&w, token);
    jsonw_obj_close(&w);
    jsonw_obj_close(&w);
    return jsonw_finish(&w);
}

static void review_fail(struct parse_err *e, const char *what)
{
    if (e != NULL)
        *e = (struct parse_err){0, 0, what};
}

/* review_opt_str reads an optional string member: absent or null is "" (Go's zero value). */
static int review_opt_str(json_t *obj, const char *key, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = "";
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return -EPROTO;
    *out = json_string_value(v);
    return 0;
}

static int review_opt_bool(json_t *obj, const char *key, bool *out)
{
    json_t *v = json_object_get(obj, key);
    *out = false;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return -EPROTO;
    *out = json_is_true(v);
    return 0;
}

static void review_copy(char *dst, const char *src)
{
    snprintf(dst, REVIEW_TEXT_MAX, "%s", src);
}

/* review_strings appends the strings of arr to id: groups (key NULL) or the extra values of key. */
static int review_strings(json_t *arr, const char *key, struct auth_identity *id,
                          struct parse_err *e)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v)) {
            review_fail(e, key == NULL ? "status.user.groups holds a non-string"
                                       : "status.user.extra holds a non-string");
            return -EPROTO;
        }
        if (key == NULL ? id->ngroups == AUTH_MAX_GROUPS : id->nextra == AUTH_MAX_EXTRA) {
            review_fail(e, key == NULL ? "too many groups" : "too many extra values");
            return -E2BIG;
        }
        if (key == NULL)
            id->groups[id->ngroups++] = json_string_value(v);
        else
            id->extra[id->nextra++] = (struct auth_extra){key, json_string_value(v)};
    }
    return 0;
}

static int review_user(json_t *user, struct auth_identity *id, struct parse_err *e)
{
    if (!json_is_object(user)) {
        review_fail(e, "status.user is not an object");
        return -EPROTO;
    }
    if (review_opt_str(user, "username", &id->user) < 0 ||
        review_opt_str(user, "uid", &id->uid) < 0) {
        review_fail(e, "status.user.username or uid is not a string");
        return -EPROTO;
    }
    if (id->user[0] == '\0') {
        review_fail(e, "an authenticated user without a username");
        return -EPROTO;
    }
    json_t *groups = json_object_get(user, "groups");
    if (groups != NULL && !json_is_null(groups)) {
        if (!json_is_array(groups)) {
            review_fail(e, "status.user.groups is not a list");
            return -EPROTO;
        }
        int rc = review_strings(groups, NULL, id, e);
        if (rc < 0)
            return rc;
    }
    json_t *extra = json_object_get(user, "extra");
    if (extra == NULL || json_is_null(extra))
        return 0;
    if (!json_is_object(extra)) {
        review_fail(e, "status.user.extra is not an object");
        return -EPROTO;
    }
    const char *k;
    json_t *vals;
    json_object_foreach(extra, k, vals)
    {
        if (!json_is_array(vals)) {
            review_fail(e, "status.user.extra values are not lists");
            return -EPROTO;
        }
        int rc = review_strings(vals, k, id, e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int review_parse_token(const char *json, size_t len, bool status_only, struct review_token *out,
                       struct parse_err *e)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        review_fail(e, "the TokenReview answer is not a JSON object");
        return -EPROTO;
    }
    struct review_token t = {._root = root};
    json_t *st = status_only ? root : json_object_get(root, "status");
    int rc = 0;
    const char *err = "";
    if (st != NULL && !json_is_null(st)) {
        if (!json_is_object(st)) {
            review_fail(e, "status is not an object");
            rc = -EPROTO;
        } else if (review_opt_bool(st, "authenticated", &t.authenticated) < 0 ||
                   review_opt_str(st, "error", &err) < 0) {
            review_fail(e, "status.authenticated or status.error has the wrong type");
            rc = -EPROTO;
        } else if (t.authenticated) {
            rc = review_user(json_object_get(st, "user"), &t.id, e);
            t.id.via = "token";
        }
    }
    if (rc < 0) {
        json_decref(root);
        return rc;
    }
    review_copy(t.error, err);
    *out = t;
    return 0;
}

void review_token_fini(struct review_token *t)
{
    if (t == NULL)
        return;
    json_decref(t->_root);
    t->_root = NULL;
}

int review_token_status_text(const struct review_token *t, struct buf *out)
{
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_obj_open(&w);
    jsonw_key(&w, "authenticated");
    jsonw_bool(&w, t->authenticated);
    if (t->authenticated) {
        const struct auth_identity *id = &t->id;
        jsonw_key(&w, "user");
        jsonw_obj_open(&w);
        jsonw_key(&w, "username");
        jsonw_str(&w, id->user);
        if (id->uid != NULL && id->uid[0] != '\0') {
            jsonw_key(&w, "uid");
            jsonw_str(&w, id->uid);
        }
        jsonw_key(&w, "groups");
        jsonw_arr_open(&w);
        for (size_t i = 0; i < id->ngroups; i++)
            jsonw_str(&w, id->groups[i]);
        jsonw_arr_close(&w);
        if (id->nextra > 0) {
            jsonw_key(&w, "extra");
            jsonw_obj_open(&w);
            /* entries of one key are consecutive in a parsed review */
            for (size_t i = 0; i < id->nextra;) {
                size_t j = i;
                jsonw_key(&w, id->extra[i].key);
                jsonw_arr_open(&w);
                while (j < id->nextra && strcmp(id->extra[j].key, id->extra[i].key) == 0)
                    jsonw_str(&w, id->extra[j++].value);
                jsonw_arr_close(&w);
                i = j;
            }
            jsonw_obj_close(&w);
        }
        jsonw_obj_close(&w);
    }
    if (t->error[0] != '\0') {
        jsonw_key(&w, "error");
        jsonw_str(&w, t->error);
    }
    jsonw_obj_close(&w);
    return jsonw_finish(&w);
}

/* review_key_str writes key: value when value is not empty (Go's omitempty). */
static void review_key_str(struct jsonw *w, const char *key, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return;
    jsonw_key(w, key);
    jsonw_str(w, value);
}

static bool review_seen_key(const struct auth_identity *id, size_t upto, const char *key)
{
    for (size_t i = 0; i < upto; i++)
        if (strcmp(id->extra[i].key, key) == 0)
            return true;
    return false;
}

int review_render_access(struct buf *out, const struct request_info *ri,
                         const struct auth_identity *id)
{
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_obj_open(&w);
    jsonw_key(&w, "apiVersion");
    jsonw_str(&w, "authorization.k8s.io/v1");
    jsonw_key(&w, "kind");
    jsonw_str(&w, "SubjectAccessReview");
    jsonw_key(&w, "spec");
    jsonw_obj_open(&w);
    if (ri->is_resource) {
        jsonw_key(&w, "resourceAttributes");
        jsonw_obj_open(&w);
        review_key_str(&w, "namespace", ri->namespace);
        review_key_str(&w, "verb", ri->verb);
        review_key_str(&w, "group", ri->group);
        review_key_str(&w, "version", ri->version);
        review_key_str(&w, "resource", ri->resource);
        review_key_str(&w, "subresource", ri->subresource);
        review_key_str(&w, "name", ri->name);
        jsonw_obj_close(&w);
    } else {
        jsonw_key(&w, "nonResourceAttributes");
        jsonw_obj_open(&w);
        review_key_str(&w, "path", ri->path);
        review_key_str(&w, "verb", ri->verb);
        jsonw_obj_close(&w);
    }
    review_key_str(&w, "user", id->user);
    if (id->ngroups > 0) {
        jsonw_key(&w, "groups");
        jsonw_arr_open(&w);
        for (size_t i = 0; i < id->ngroups; i++)
            jsonw_str(&w, id->groups[i]);
        jsonw_arr_close(&w);
    }
    if (id->nextra > 0) {
        /* every value of a key under that key, keys in order of first appearance */
        jsonw_key(&w, "extra");
        jsonw_obj_open(&w);
        for (size_t i = 0; i < id->nextra; i++) {
            if (review_seen_key(id, i, id->extra[i].key))
                continue;
            jsonw_key(&w, id->extra[i].key);
            jsonw_arr_open(&w);
            for (size_t j = i; j < id->nextra; j++)
                if (strcmp(id->extra[j].key, id->extra[i].key) == 0)
                    jsonw_str(&w, id->extra[j].value);
            jsonw_arr_close(&w);
        }
        jsonw_obj_close(&w);
    }
    review_key_str(&w, "uid", id->uid);
    jsonw_obj_close(&w);
    jsonw_obj_close(&w);
    return jsonw_finish(&w);
}

int review_parse_access(const char *json, size_t len, struct review_access *out,
                        struct parse_err *e)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        review_fail(e, "the SubjectAccessReview answer is not a JSON object");
        return -EPROTO;
    }
    struct review_access a = {0};
    json_t *st = json_object_get(root, "status");
    const char *reason = "", *everr = "";
    int rc = 0;
    if (st != NULL && !json_is_null(st)) {
        if (!json_is_object(st) || review_opt_bool(st, "allowed", &a.allowed) < 0 ||
            review_opt_bool(st, "denied", &a.denied) < 0 ||
            review_opt_str(st, "reason", &reason) < 0 ||
            review_opt_str(st, "evaluationError", &everr) < 0) {
            review_fail(e, "the SubjectAccessReview status has the wrong types");
            rc = -EPROTO;
        }
    }
    if (rc == 0) {
        review_copy(a.reason, reason);
        review_copy(a.evaluation_error, everr);
        *out = a;
    }
    json_decref(root);
    return rc;
}
