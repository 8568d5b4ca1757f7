/* The two delegated-auth reviews on the wire (reference/k8s-auth-webconfig-cgroups.md): the
 * TokenReview (authentication.k8s.io/v1) and SubjectAccessReview (authorization.k8s.io/v1)
 * request bodies, written the way Go's webhook authenticator and authorizer write them (omitempty
 * fields left out, so the JSON of a spec is also a stable cache key), and their answers, parsed
 * strictly (wrong types are malformed; absent fields are Go's zero values). Pure. */
#ifndef RIZK_K8S_REVIEW_H
#define RIZK_K8S_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "http/auth.h"

struct request_info;

#define REVIEW_TEXT_MAX 512 /* reasons and errors are cut to this (bytes, NUL included) */

/* review_render_token appends the TokenReview request for token (a secret: out is too). */
int review_render_token(struct buf *out, const char *token);

/* A TokenReview's status, parsed. */
struct review_token {
    bool authenticated;
    char error[REVIEW_TEXT_MAX]; /* status.error, "" when none */
    struct auth_identity id;     /* when authenticated: strings borrowed from _root */
    json_t *_root;               /* do not touch */
};

/* review_parse_token parses a TokenReview answer (status_only: the status object alone, as
 * review_token_status_text writes it for the cache). *out (review_token_fini) is written only on
 * success. Errors: -EPROTO (not JSON, wrong types, an authenticated user without a username),
 * -E2BIG (more than AUTH_MAX_GROUPS groups or AUTH_MAX_EXTRA extra values), with e->what. */
int review_parse_token(const char *json, size_t len, bool status_only, struct review_token *out,
                       struct parse_err *e);
void review_token_fini(struct review_token *t); /* NULL-safe */
/* review_token_status_text appends the compact JSON of the parsed status (no token in it). */
int review_token_status_text(const struct review_token *t, struct buf *out);

/* review_render_access appends the SubjectAccessReview for id doing what ri describes:
 * resourceAttributes for a resource request, nonResourceAttributes otherwise. */
int review_render_access(struct buf *out, const struct request_info *ri,
                         const struct auth_identity *id);

/* A SubjectAccessReview's status. */
struct review_access {
    bool allowed;
    bool denied;
    char reason[REVIEW_TEXT_MAX];
    char evaluation_error[REVIEW_TEXT_MAX];
};

/* review_parse_access parses a SubjectAccessReview answer. Errors: -EPROTO with e->what. */
int review_parse_access(const char *json, size_t len, struct review_access *out,
                        struct parse_err *e);

#endif
