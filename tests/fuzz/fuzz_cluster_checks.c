/* Fuzz target for the check --cluster evaluators (signals/cluster_checks.c): the input, capped at
 * 256 KiB, is parsed as JSON and handed to every item as each API document at once (Deployment,
 * HPA, PDB and Pod lists), beside a fixed fleet. Any shape must give a verdict for every item
 * with a NUL-terminated message, never a crash; a document that is not JSON is not checkable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "signals/cluster_checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (256u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    static const struct cluster_fleet_pod fleet[] = {
        {"rizk-app-7f9c8d5b6d-4xk2p", "i-1", "eu-west-1", "eu-west-1a"},
        {"rizk-app-7f9c8d5b6d-9wq7z", "i-1", NULL, ""},
        {NULL, NULL, NULL, NULL},
    };
    struct cluster_in in = {.ns = "shop",
                            .workload = "rizk-app",
                            .deployment = doc,
                            .hpas = doc,
                            .pdbs = doc,
                            .pods = doc,
                            .fleet = fleet,
                            .nfleet = 3,
                            .redis = CLUSTER_REDIS_CLUSTER,
                            .redis_masters = 3,
                            .redis_masters_with_replica = 1,
                            .drain_ms = 30000};
    struct cluster_report r;
    cluster_checks_evaluate(&in, &r);
    unsigned sum = r.pass + r.warn + r.fail + r.not_checkable;
    if (sum != CLUSTER_NITEMS)
        abort();
    for (int i = 0; i < CLUSTER_NITEMS; i++)
        if (memchr(r.items[i].message, '\0', sizeof(r.items[i].message)) == NULL)
            abort();
    json_decref(doc);
    return 0;
}
