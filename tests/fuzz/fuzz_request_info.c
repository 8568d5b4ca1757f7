/* Fuzz target for k8s/request_info: the input is "METHOD\nPATH\nWATCH\nFIELDSELECTOR" (missing
 * lines are NULL). On success the attributes are consistent: a resource request has an API
 * prefix and a version, a non-resource one none of the resource fields, and every string is
 * NUL-free text inside the path's bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/request_info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (3u * REQUEST_INFO_PATH_MAX)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    char *text = malloc(size + 1);
    struct request_info *ri = malloc(sizeof(*ri));
    if (text == NULL || ri == NULL) {
        free(text);
        free(ri);
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    char *f[4] = {text, NULL, NULL, NULL};
    for (int i = 1; i < 4 && f[i - 1] != NULL; i++) {
        char *nl = strchr(f[i - 1], '\n');
        if (nl != NULL) {
            *nl = '\0';
            f[i] = nl + 1;
        }
    }
    const char *path = f[1] != NULL ? f[1] : "/";
    if (request_info_parse(f[0], path, f[2], f[3], ri) == 0) {
        if (strcmp(ri->path, path) != 0)
            abort();
        if (ri->is_resource && (ri->api_prefix[0] == '\0' || strstr(path, ri->resource) == NULL))
            abort();
        if (!ri->is_resource && (ri->resource[0] != '\0' || ri->name[0] != '\0' ||
                                 ri->namespace[0] != '\0' || ri->group[0] != '\0'))
            abort();
        if (strlen(ri->verb) > 63 || strlen(ri->name) > REQUEST_INFO_PATH_MAX)
            abort();
    }
    free(ri);
    free(text);
    return 0;
}
