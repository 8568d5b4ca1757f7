/* Kubernetes label selectors, as apimachinery's labels.Parse reads them and Selector.Matches
 * applies them: requirements joined by ',' (AND); "k=v", "k==v", "k!=v", "k in (a,b)",
 * "k notin (a,b)", "k", "!k", "k>5", "k<5"; whitespace separates tokens; keys are qualified
 * names ([prefix/]name), values are label values (<= 63 bytes, may be empty). Pure: text in,
 * struct out; no I/O, no globals. The adapter filters the fleet's pods with it (labelSelector),
 * so the grammar and the semantics follow Go exactly, errors included: a selector Go refuses
 * is refused here, with the byte where it went wrong. */
#ifndef RIZK_FLEET_SELECTOR_H
#define RIZK_FLEET_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define SELECTOR_MAX_LEN 8192 /* bytes of selector text accepted */

enum selector_op {
    SELECTOR_EQ = 0,     /* "=" */
    SELECTOR_DEQ,        /* "==" (same meaning as "=") */
    SELECTOR_NE,         /* "!=" : key absent or different */
    SELECTOR_IN,         /* "in (...)" */
    SELECTOR_NOTIN,      /* "notin (...)" : key absent or none of the values */
    SELECTOR_EXISTS,     /* "k" */
    SELECTOR_NOT_EXISTS, /* "!k" */
    SELECTOR_GT,         /* "k>N" : key present, integer value above N */
    SELECTOR_LT,         /* "k<N" */
};

struct selector;

/* selector_parse parses text (NUL-terminated, already URL-decoded; "" and all-blank text select
 * everything) into *out (written only on success; free with selector_free). Errors: -EPROTO
 * with err (if not NULL) pointing at the offending byte and saying what was expected, or
 * -E2BIG for text over SELECTOR_MAX_LEN. thread: any. */
int selector_parse(const char *text, struct selector **out, struct parse_err *err);
/* selector_free frees s. NULL-safe. */
void selector_free(struct selector *s);

/* How the matcher reads an object's labels: the value of key (NUL-terminated, borrowed) or NULL
 * when the object has no such label. */
typedef const char *(*selector_label_fn)(const void *obj, const char *key);

/* selector_matches tells whether the object's labels satisfy every requirement (true for the
 * empty selector). thread: any (s is read-only). */
bool selector_matches(const struct selector *s, selector_label_fn get, const void *obj);

/* selector_is_empty is true when s selects everything. */
bool selector_is_empty(const struct selector *s);
/* selector_count returns the number of requirements. */
size_t selector_count(const struct selector *s);

/* selector_req_values exposes requirement i when it can only match listed values ("=", "==",
 * "in"): true with *key and values[0..*n) borrowed from s; false for any other operator or i
 * out of range. For indexes: a pod whose label key is none of the values cannot match.
 * thread: any. */
bool selector_req_values(const struct selector *s, size_t i, const char **key,
                         const char *const **values, size_t *n);

/* selector_render appends the canonical form Go clients send (requirements sorted by key,
 * in/notin values sorted and unique: "app=web,tier in (a,b)"). Errors: -E2BIG (out freed). */
int selector_render(const struct selector *s, struct buf *out);

/* Kubernetes name validation, shared with the adapter's router: a DNS-1123 label (namespaces:
 * 1-63 of [a-z0-9-], alphanumeric at both ends) and a DNS-1123 subdomain (pod names: 1-253,
 * such labels joined by '.'). thread: any. */
bool selector_is_dns_label(const char *s, size_t n);
bool selector_is_dns_subdomain(const char *s, size_t n);

#endif
