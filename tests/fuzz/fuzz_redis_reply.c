/* Fuzz target for the Redis Cluster reply parsers and the endpoint URL parser: every input goes
 * to parse_redis_redirect (length-bounded, not NUL-terminated: a copy without the terminator),
 * parse_redis_cluster_nodes, redis_slot_of_key, parse_redis_url(_list) and redis_url_redact,
 * with invariants checked on each result. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/redis_reply.h"
#include "parse/redis_slot.h"
#include "parse/redis_url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (1u << 18)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    /* Exact-size copy: ASan flags any read past len in the redirect parser. */
    char *raw = malloc(size ? size : 1);
    char *text = malloc(size + 1);
    if (raw == NULL || text == NULL)
        goto out;
    memcpy(raw, data, size);
    memcpy(text, data, size);
    text[size] = '\0';

    struct redis_redirect rd;
    if (parse_redis_redirect(raw, size, &rd) == 0) {
        if (rd.slot >= REDIS_SLOTS || rd.port == 0 || rd.port > 65535 ||
            strlen(rd.host) >= REDIS_HOST_MAX)
            abort();
    }
    if (redis_slot_of_key(raw, size) >= REDIS_SLOTS)
        abort();

    struct redis_cluster_nodes *cn = malloc(sizeof(*cn));
    struct parse_err e;
    if (cn != NULL && parse_redis_cluster_nodes(text, cn, &e) == 0) {
        if (cn->nnodes == 0 || cn->nnodes > REDIS_CLUSTER_MAX_NODES)
            abort();
        unsigned owned = 0;
        for (unsigned s = 0; s < REDIS_SLOTS; s++) {
            if (cn->slot_owner[s] == REDIS_SLOT_NONE)
                continue;
            if (cn->slot_owner[s] >= cn->nnodes)
                abort();
            owned++;
        }
        unsigned claimed = 0;
        for (unsigned i = 0; i < cn->nnodes; i++)
            claimed += cn->nodes[i].nslots;
        if (owned > claimed) /* overlapping claims: later lines win, never more owners */
            abort();
    }
    free(cn);

    struct redis_url u[4];
    if (parse_redis_url(text, &u[0]) == 0 && (u[0].port == 0 || u[0].host[0] == '\0'))
        abort();
    /* The redacted form is rebuilt from the list parse: every password it had is "<secret>",
     * and input it cannot parse is nothing but "<secret>". */
    char red[2048];
    redis_url_redact(text, red, sizeof(red));
    int n = parse_redis_url_list(text, u, 4);
    if (n > 4 || n == 0)
        abort();
    if (n < 0 && n != -E2BIG && strcmp(red, "<secret>") != 0)
        abort();
    for (int i = 0; i < n; i++)
        if (u[i].has_password && strstr(red, "<secret>") == NULL)
            abort();
out:
    free(text);
    free(raw);
    return 0;
}
