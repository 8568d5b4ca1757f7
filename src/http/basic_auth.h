/* HTTP basic auth against web-config's basic_auth_users (bcrypt hashes, checked with libcrypt).
 *
 * DESIGN. bcrypt costs tens of milliseconds per check by design, so verified credentials are
 * cached: the cache maps HMAC-SHA-256(per-instance random key; user, password) to the result, never
 * the password itself, in a fixed direct-mapped table (bounded memory; a collision evicts). A
 * user that does not exist is checked against a fake hash of the same cost as the configured
 * ones, so the answer time does not tell which user names exist. Immutable after creation
 * except for the cache (its own mutex): any HTTP thread may call basic_auth_check. */
#ifndef RIZK_HTTP_BASIC_AUTH_H
#define RIZK_HTTP_BASIC_AUTH_H

#include <stdbool.h>
#include <stddef.h>

struct webconfig_user;
struct basic_auth;

#define BASIC_AUTH_CACHE_SLOTS 256

/* basic_auth_new copies users[0..n) (bcrypt hashes) and makes the fake hash, at the highest
 * cost among them. Errors: -EINVAL with why when libcrypt cannot use a hash (unsupported
 * prefix or cost), -ENOMEM. *out owned by the caller (basic_auth_free). thread: any. */
int basic_auth_new(const struct webconfig_user *users, size_t n, struct basic_auth **out, char *why,
                   size_t whylen);
void basic_auth_free(struct basic_auth *b);

/* basic_auth_check tells whether the Authorization header value (may be NULL) carries a
 * configured user and its password. *cached (may be NULL) tells whether the cache answered.
 * thread: any. */
bool basic_auth_check(struct basic_auth *b, const char *authorization, bool *cached);

/* basic_auth_verify checks one user and password (bcrypt, or the cache); exposed for tests
 * and the cost measurement. thread: any. */
bool basic_auth_verify(struct basic_auth *b, const char *user, const char *pass, size_t passlen,
                       bool use_cache, bool *cached);

#endif
