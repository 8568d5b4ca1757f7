/* Unit tests for the basis chooser (signals/basis.c): every requested basis against every
 * combination of what is readable, and the flag values. */
#include <errno.h>

#include <CUnit/CUnit.h>

#include "signals/basis.h"

static void test_parse_names(void)
{
    static const char *const names[] = {"auto", "app", "pod", "container", "node"};
    for (int i = 0; i < 5; i++) {
        enum basis_kind k;
        CU_ASSERT_EQUAL(basis_parse(names[i], &k), 0);
        CU_ASSERT_EQUAL(k, (enum basis_kind)i);
        CU_ASSERT_STRING_EQUAL(basis_name(k), names[i]);
    }
    enum basis_kind k = BASIS_POD;
    CU_ASSERT_EQUAL(basis_parse("App", &k), -EINVAL);
    CU_ASSERT_EQUAL(basis_parse("", &k), -EINVAL);
    CU_ASSERT_EQUAL(basis_parse(NULL, &k), -EINVAL);
    CU_ASSERT_EQUAL(k, BASIS_POD);
}

/* expect[requested][mask] with mask bit 0 = app, 1 = pod, 2 = container readable. */
static void test_choose_table(void)
{
    static const enum basis_kind expect[5][8] = {
        /* auto */ {BASIS_NODE, BASIS_APP, BASIS_POD, BASIS_APP, BASIS_CONTAINER, BASIS_APP,
                    BASIS_POD, BASIS_APP},
        /* app */
        {BASIS_NODE, BASIS_APP, BASIS_POD, BASIS_APP, BASIS_CONTAINER, BASIS_APP, BASIS_POD,
         BASIS_APP},
        /* pod: never the app, even when readable */
        {BASIS_NODE, BASIS_NODE, BASIS_POD, BASIS_POD, BASIS_CONTAINER, BASIS_CONTAINER, BASIS_POD,
         BASIS_POD},
        /* container */
        {BASIS_NODE, BASIS_NODE, BASIS_NODE, BASIS_NODE, BASIS_CONTAINER, BASIS_CONTAINER,
         BASIS_CONTAINER, BASIS_CONTAINER},
        /* node */
        {BASIS_NODE, BASIS_NODE, BASIS_NODE, BASIS_NODE, BASIS_NODE, BASIS_NODE, BASIS_NODE,
         BASIS_NODE},
    };
    for (int r = 0; r < 5; r++) {
        for (int mask = 0; mask < 8; mask++) {
            struct basis_avail a = {
                .app = (mask & 1) != 0, .pod = (mask & 2) != 0, .container = (mask & 4) != 0};
            CU_ASSERT_EQUAL(basis_choose((enum basis_kind)r, &a), expect[r][mask]);
        }
    }
}

static CU_TestInfo basis_tests[] = {
    {"parse_names", test_parse_names},
    {"choose_table", test_choose_table},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_basis = {"basis", NULL, NULL, NULL, NULL, basis_tests};
