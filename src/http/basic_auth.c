/* Basic auth: Authorization header decoding, bcrypt through libcrypt's crypt_rn (thread-safe:
 * the state lives in a struct crypt_data per call), and the verified-credentials cache. */
#include "http/basic_auth.h"

#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "core/xalloc.h"
#include "http/tls.h"
#include "parse/webconfig.h"
#include "core/banned.h"

#define BA_DIGEST 32
#define BA_HEADER_MAX 4096 /* a longer Authorization header is refused unread */

struct ba_slot {
    bool used, ok;
    unsigned char digest[BA_DIGEST];
};

struct basic_auth {
    struct webconfig_user *users;
    size_t nusers;
    char fake[CRYPT_OUTPUT_SIZE]; /* a bcrypt hash of a random secret at the highest cost */
    unsigned char key[32];        /* random per instance: cache digests are not guessable */
    pthread_mutex_t mu;
    struct ba_slot slots[BASIC_AUTH_CACHE_SLOTS];
};

/* ba_crypt runs bcrypt of pass with the setting (a full hash) and tells whether the result
 * equals it. Constant time in the comparison; bcrypt's time depends on the cost only. */
static bool ba_crypt_matches(const char *setting, const char *pass)
{
    struct crypt_data *cd = xcalloc(1, sizeof(*cd));
    char *h = crypt_rn(pass, setting, cd, (int)sizeof(*cd));
    bool ok = false;
    if (h != NULL && h[0] != '*') {
        size_t n = strlen(setting);
        unsigned char diff = (unsigned char)(strlen(h) != n);
        for (size_t i = 0; i < n && h[i] != '\0'; i++)
            diff |= (unsigned char)(h[i] ^ setting[i]);
        ok = diff == 0;
    }
    explicit_bzero(cd, sizeof(*cd));
    free(cd);
    return ok;
}

static int ba_cost(const char *hash)
{
    return (hash[4] - '0') * 10 + (hash[5] - '0'); /* the parser checked the shape */
}

int basic_auth_new(const struct webconfig_user *users, size_t n, struct basic_auth **out, char *why,
                   size_t whylen)
{
    /* gnutls_rnd and the HMAC below */
    if (tls_library_init() < 0) {
        snprintf(why, whylen, "basic_auth_users: GnuTLS did not initialize");
        return -EIO;
    }
    struct basic_auth *b = xcalloc(1, sizeof(*b));
    pthread_mutex_init(&b->mu, NULL);
    b->users = xcalloc(n > 0 ? n : 1, sizeof(*b->users));
    int cost = 4;
    for (size_t i = 0; i < n; i++) {
        b->users[i].name = xstrdup(users[i].name);
        b->users[i].hash = xstrdup(users[i].hash);
        b->nusers++;
        if (ba_cost(users[i].hash) > cost)
            cost = ba_cost(users[i].hash);
        /* libcrypt must take the hash as a setting, or every check of this user would fail */
        struct crypt_data *cd = xcalloc(1, sizeof(*cd));
        char *h = crypt_rn("", users[i].hash, cd, (int)sizeof(*cd));
        bool usable = h != NULL && h[0] != '*';
        free(cd);
        if (!usable) {
            snprintf(why, whylen, "basic_auth_users: libcrypt cannot check the hash of \"%s\"",
                     users[i].name);
            basic_auth_free(b);
            return -EINVAL;
        }
    }
    unsigned char rnd[16], secret[24];
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (gnutls_rnd(GNUTLS_RND_KEY, b->key, sizeof(b->key)) < 0 ||
        gnutls_rnd(GNUTLS_RND_NONCE, rnd, sizeof(rnd)) < 0 ||
        gnutls_rnd(GNUTLS_RND_KEY, secret, sizeof(secret)) < 0 ||
        crypt_gensalt_rn("$2b$", (unsigned long)cost, (const char *)rnd, sizeof(rnd), setting,
                         sizeof(setting)) == NULL) {
        snprintf(why, whylen, "cannot make the fake bcrypt hash for unknown users");
        basic_auth_free(b);
        return -ENOMEM;
    }
    char pw[2 * sizeof(secret) + 1];
    for (size_t i = 0; i < sizeof(secret); i++)
        snprintf(pw + 2 * i, 3, "%02x", secret[i]);
    struct crypt_data *cd = xcalloc(1, sizeof(*cd));
    char *h = crypt_rn(pw, setting, cd, (int)sizeof(*cd));
    if (h != NULL && h[0] != '*')
        snprintf(b->fake, sizeof(b->fake), "%s", h);
    explicit_bzero(pw, sizeof(pw));
    free(cd);
    if (b->fake[0] == '\0') {
        snprintf(why, whylen, "cannot make the fake bcrypt hash for unknown users");
        basic_auth_free(b);
        return -ENOMEM;
    }
    *out = b;
    return 0;
}

void basic_auth_free(struct basic_auth *b)
{
    if (b == NULL)
        return;
    for (size_t i = 0; i < b->nusers; i++) {
        free(b->users[i].name);
        explicit_bzero(b->users[i].hash, strlen(b->users[i].hash));
        free(b->users[i].hash);
    }
    free(b->users);
    pthread_mutex_destroy(&b->mu);
    explicit_bzero(b, sizeof(*b));
    free(b);
}

static void ba_digest(const struct basic_auth *b, const char *user, const char *pass,
                      size_t passlen, unsigned char out[BA_DIGEST])
{
    gnutls_hmac_hd_t h = NULL;
    if (gnutls_hmac_init(&h, GNUTLS_MAC_SHA256, b->key, sizeof(b->key)) < 0) {
        memset(out, 0, BA_DIGEST);
        return;
    }
    gnutls_hmac(h, user, strlen(user) + 1); /* the NUL separates user from password */
    gnutls_hmac(h, pass, passlen);
    gnutls_hmac_deinit(h, out);
}

bool basic_auth_verify(struct basic_auth *b, const char *user, const char *pass, size_t passlen,
                       bool use_cache, bool *cached)
{
    unsigned char d[BA_DIGEST];
    ba_digest(b, user, pass, passlen, d);
    struct ba_slot *slot = &b->slots[d[0] % BASIC_AUTH_CACHE_SLOTS];
    if (cached != NULL)
        *cached = false;
    if (use_cache) {
        pthread_mutex_lock(&b->mu);
        bool hit = slot->used && memcmp(slot->digest, d, BA_DIGEST) == 0;
        bool ok = slot->ok;
        pthread_mutex_unlock(&b->mu);
        if (hit) {
            if (cached != NULL)
                *cached = true;
            return ok;
        }
    }
    const char *hash = b->fake;
    for (size_t i = 0; i < b->nusers; i++)
        if (strcmp(b->users[i].name, user) == 0)
            hash = b->users[i].hash;
    /* a password with a NUL byte cannot be one bcrypt would accept: checked anyway (fake
     * hash) so it costs the same */
    bool nul = memchr(pass, '\0', passlen) != NULL;
    bool ok = ba_crypt_matches(nul ? b->fake : hash, pass) && hash != b->fake && !nul;
    if (use_cache) {
        pthread_mutex_lock(&b->mu);
        slot->used = true;
        slot->ok = ok;
        memcpy(slot->digest, d, BA_DIGEST);
        pthread_mutex_unlock(&b->mu);
    }
    return ok;
}

bool basic_auth_check(struct basic_auth *b, const char *authorization, bool *cached)
{
    if (cached != NULL)
        *cached = false;
    if (authorization == NULL || strncasecmp(authorization, "Basic ", 6) != 0)
        return false;
    const char *p = authorization + 6;
    p += strspn(p, " ");
    size_t n = strlen(p);
    if (n == 0 || n > BA_HEADER_MAX)
        return false;
    gnutls_datum_t in = {(unsigned char *)(uintptr_t)p, (unsigned)n}, out = {NULL, 0};
    if (gnutls_base64_decode2(&in, &out) < 0)
        return false;
    bool ok = false;
    char *colon = memchr(out.data, ':', out.size);
    if (colon != NULL) {
        *colon = '\0';
        const char *user = (const char *)out.data;
        const char *pass = colon + 1;
        size_t passlen = out.size - (size_t)(colon + 1 - (char *)out.data);
        char *pw = xmalloc(passlen + 1); /* crypt_rn needs a NUL-terminated phrase */
        memcpy(pw, pass, passlen);
        pw[passlen] = '\0';
        if (strlen(user) == (size_t)(colon - (char *)out.data))
            ok = basic_auth_verify(b, user, pw, passlen, true, cached);
        explicit_bzero(pw, passlen);
        free(pw);
    }
    explicit_bzero(out.data, out.size);
    gnutls_free(out.data);
    return ok;
}
