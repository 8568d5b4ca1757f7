/* Fuzz target for the review answers and the extension-apiserver-authentication ConfigMap:
 * the same bytes as a TokenReview answer (full and status-only), a SubjectAccessReview answer and
 * a ConfigMap. An authenticated TokenReview has a username and bounded groups, and its cached
 * form parses back to the same identity. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/authn_configmap.h"
#include "k8s/review.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (1u << 20)

static void fuzz_token(const char *text, size_t len, bool status_only)
{
    struct review_token t;
    struct parse_err e = {0};
    if (review_parse_token(text, len, status_only, &t, &e) != 0)
        return;
    if (t.authenticated) {
        if (t.id.user == NULL || t.id.user[0] == '\0' || t.id.ngroups > AUTH_MAX_GROUPS ||
            t.id.nextra > AUTH_MAX_EXTRA)
            abort();
        struct buf b;
        buf_init(&b, 1 << 20);
        if (review_token_status_text(&t, &b) == 0) {
            struct review_token t2;
            if (review_parse_token(buf_ptr(&b), buf_len(&b), true, &t2, &e) != 0)
                abort();
            if (!t2.authenticated || strcmp(t2.id.user, t.id.user) != 0 ||
                t2.id.ngroups != t.id.ngroups || t2.id.nextra != t.id.nextra)
                abort();
            review_token_fini(&t2);
        }
        buf_fini(&b);
    }
    review_token_fini(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    char *text = malloc(size ? size : 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    fuzz_token(text, size, false);
    fuzz_token(text, size, true);
    struct review_access a;
    struct parse_err e = {0};
    (void)review_parse_access(text, size, &a, &e);
    struct authn_configmap cm;
    if (parse_authn_configmap(text, size, &cm, &e) == 0)
        authn_configmap_fini(&cm);
    free(text);
    return 0;
}
