/* Unit tests for io/fsroot: reads under a root, the path escape guard, and whole-file reads by
 * path (certificates, password and labels files) with their bound. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "io/fsroot.h"
#include "unit_util.h"

static void test_read_path(void)
{
    char *want = unit_fixture_read("proc/loadavg", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    struct buf b;
    buf_init(&b, 4096);
    CU_ASSERT_EQUAL(fsroot_read_path(unit_fixture_path("proc/loadavg"), &b), 0);
    CU_ASSERT_STRING_EQUAL(buf_ptr(&b), want);
    buf_fini(&b);
    free(want);

    buf_init(&b, 4096);
    CU_ASSERT_EQUAL(fsroot_read_path(unit_fixture_path("proc/no-such-file"), &b), -ENOENT);
    CU_ASSERT_EQUAL(buf_len(&b), 0);
    buf_fini(&b);

    buf_init(&b, 4); /* the loadavg fixture is longer than 4 bytes */
    CU_ASSERT_EQUAL(fsroot_read_path(unit_fixture_path("proc/loadavg"), &b), -E2BIG);
    CU_ASSERT_EQUAL(buf_len(&b), 0);
    buf_fini(&b);
}

static void test_rel_guard(void)
{
    struct fsroot *r = NULL;
    CU_ASSERT_EQUAL_FATAL(fsroot_open(unit_fixture_path("proc"), &r), 0);
    struct buf b;
    buf_init(&b, 4096);
    CU_ASSERT_EQUAL(fsroot_read(r, "../proc/loadavg", &b), -EINVAL);
    CU_ASSERT_EQUAL(fsroot_read(r, "/etc/passwd", &b), -EINVAL);
    CU_ASSERT_EQUAL(fsroot_read(r, "loadavg", &b), 0);
    CU_ASSERT(buf_len(&b) > 0);
    CU_ASSERT_TRUE(fsroot_exists(r, "pressure/cpu"));
    CU_ASSERT_FALSE(fsroot_exists(r, "pressure/../../x"));
    buf_fini(&b);
    fsroot_free(r);
}

static int count_name(const char *name, void *ctx)
{
    int *n = ctx;
    if (strcmp(name, "cgroup") == 0 || strcmp(name, "comm") == 0)
        (*n)++;
    return 0;
}

static int stop_at_first(const char *name, void *ctx)
{
    (void)name;
    (*(int *)ctx)++;
    return 1;
}

static void test_list(void)
{
    struct fsroot *r = NULL;
    int seen = 0;
    long n = 0;
    /* cgroup/v1-podman-shared/proc/self holds exactly "cgroup" and "comm". */
    CU_ASSERT_EQUAL_FATAL(fsroot_open(unit_fixture_path("cgroup/v1-podman-shared/proc"), &r), 0);
    CU_ASSERT_EQUAL(fsroot_list(r, "self", 16, count_name, &seen), 2);
    CU_ASSERT_EQUAL(seen, 2);
    CU_ASSERT_EQUAL(fsroot_count_entries(r, "self", &n), 0);
    CU_ASSERT_EQUAL(n, 2);
    seen = 0;
    CU_ASSERT_EQUAL(fsroot_list(r, "self", 1, count_name, &seen), -E2BIG);
    CU_ASSERT_EQUAL(seen, 1);
    seen = 0;
    CU_ASSERT_EQUAL(fsroot_list(r, "self", 16, stop_at_first, &seen), 1);
    CU_ASSERT_EQUAL(seen, 1);
    CU_ASSERT_EQUAL(fsroot_list(r, "no-such-dir", 16, count_name, &seen), -ENOENT);
    CU_ASSERT_EQUAL(fsroot_list(r, "../proc", 16, count_name, &seen), -EINVAL);
    fsroot_free(r);
}

static CU_TestInfo fsroot_tests[] = {
    {"list a directory: bounded, stoppable, under the root", test_list},
    {"whole file by path, missing, over the cap", test_read_path},
    {"reads stay under the root", test_rel_guard},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_fsroot = {"fsroot", NULL, NULL, NULL, NULL, fsroot_tests};
