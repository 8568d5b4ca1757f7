/* Fuzz target for every parser of parse/cgroup.h (each one sees the same input): the input is
 * copied into a NUL-terminated buffer capped at 1 MiB (the parsers require NUL termination),
 * parsed, and the result's invariants are checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct parse_err e;
    struct cgroup_cpu_stat cs;
    struct cgroup_cpu_max cm;
    struct cgroup_value cv;
    struct cgroup_memory_events ev;
    struct cgroup_memory_stat *ms = malloc(sizeof(*ms));
    struct cgroup_membership *mb = malloc(sizeof(*mb));
    (void)parse_cgroup_cpu_stat(text, &cs, &e);
    if (parse_cgroup_cpu_max(text, &cm, &e) == 0 && cm.period_usec == 0)
        abort();
    if (parse_cgroup_value(text, &cv, &e) == 0 && cv.is_max && cv.value != UINT64_MAX)
        abort();
    (void)parse_cgroup_memory_events(text, &ev, &e);
    if (ms != NULL && parse_cgroup_memory_stat(text, ms, &e) == 0 && ms->nentries > CGROUP_STAT_MAX)
        abort();
    if (mb != NULL && parse_cgroup_membership(text, mb, &e) == 0 && mb->has_v2 &&
        mb->v2_path[0] != '/')
        abort();
    if (mb != NULL && parse_cgroup_membership(text, mb, &e) == 0 &&
        ((mb->v1_memory.found && mb->v1_memory.path[0] != '/') ||
         (mb->v1_cpu.found && mb->v1_cpu.ctrl[0] == '\0')))
        abort();
    struct cgroup_v1_quota q;
    if (parse_cgroup_v1_quota(text, &q, &e) == 0 && q.has_quota && q.quota_usec == 0)
        abort();
    struct cgroup_v1_cpu_stat v1cs;
    (void)parse_cgroup_v1_cpu_stat(text, &v1cs, &e);
    struct cgroup_v1_oom oc;
    (void)parse_cgroup_v1_oom_control(text, &oc, &e);
    /* The name helpers see the first line, as a directory name or a pod UID. */
    char line[512], id[CGROUP_ID_MAX];
    size_t n = strcspn(text, "\n");
    if (n >= sizeof(line))
        n = sizeof(line) - 1;
    memcpy(line, text, n);
    line[n] = '\0';
    if (parse_cgroup_container_id(line, id, sizeof(id)) == 0 && (id[0] == '\0' || strchr(id, '/')))
        abort();
    char(*dirs)[CGROUP_PATH_MAX] = malloc(CGROUP_POD_DIRS * CGROUP_PATH_MAX);
    if (dirs != NULL && parse_cgroup_pod_dirs(line, dirs) == 0 && strstr(dirs[0], "..") != NULL)
        abort();
    free(dirs);
    free(mb);
    free(ms);
    free(text);
    return 0;
}
