/* Fuzz target for the Kubernetes label selector (fleet/selector.c): NUL-terminated copy capped
 * at 16 KiB (over SELECTOR_MAX_LEN, so the length check is reached). A parsed selector must
 * render to canonical text that parses again to the same canonical text (idempotent), and
 * matching against a fixed label set and the empty one must not crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/selector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (16u << 10)

static const char *fuzz_labels(const void *obj, const char *key)
{
    const char *const *kv = obj;
    for (size_t i = 0; kv[i] != NULL; i += 2)
        if (strcmp(kv[i], key) == 0)
            return kv[i + 1];
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct selector *s = NULL;
    struct parse_err e;
    if (selector_parse(text, &s, &e) == 0) {
        static const char *const labels[] = {"app", "web", "tier", "a", "n", "7", "e", "", NULL};
        static const char *const none[] = {NULL};
        (void)selector_matches(s, fuzz_labels, labels);
        if (selector_is_empty(s) != selector_matches(s, fuzz_labels, none) && selector_is_empty(s))
            abort(); /* the empty selector selects everything */
        struct buf b1, b2;
        buf_init(&b1, 1 << 20);
        buf_init(&b2, 1 << 20);
        if (selector_render(s, &b1) < 0)
            abort();
        struct selector *s2 = NULL;
        if (selector_parse(buf_ptr(&b1), &s2, NULL) < 0)
            abort(); /* the canonical form must parse */
        if (selector_render(s2, &b2) < 0 || strcmp(buf_ptr(&b1), buf_ptr(&b2)) != 0)
            abort(); /* and render back identically */
        if (selector_count(s) != selector_count(s2))
            abort();
        selector_free(s2);
        buf_fini(&b1);
        buf_fini(&b2);
        selector_free(s);
    }
    free(text);
    return 0;
}
