/* Unit tests for the Kubernetes label selector (fleet/selector.c): the grammar of
 * apimachinery's labels.Parse (canonical re-rendering shows what was understood), the errors
 * Go reports for the same inputs, and the matching semantics of every operator. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "fleet/selector.h"

/* Labels for the matcher: a NULL-terminated list of key, value pairs. */
static const char *labels_get(const void *obj, const char *key)
{
    const char *const *kv = obj;
    for (size_t i = 0; kv[i] != NULL; i += 2)
        if (strcmp(kv[i], key) == 0)
            return kv[i + 1];
    return NULL;
}

/* canon parses text and returns its canonical rendering (static), or "ERR" */
static const char *canon(const char *text)
{
    static char out[512];
    struct selector *s = NULL;
    struct parse_err e = {0};
    if (selector_parse(text, &s, &e) < 0)
        return "ERR";
    struct buf b;
    buf_init(&b, sizeof(out) - 1);
    selector_render(s, &b);
    memcpy(out, buf_ptr(&b), buf_len(&b) + 1);
    buf_fini(&b);
    selector_free(s);
    return out;
}

static void test_grammar(void)
{
    CU_ASSERT_STRING_EQUAL(canon(""), "");
    CU_ASSERT_STRING_EQUAL(canon("   "), "");
    CU_ASSERT_STRING_EQUAL(canon("app=web"), "app=web");
    CU_ASSERT_STRING_EQUAL(canon("app==web"), "app==web");
    CU_ASSERT_STRING_EQUAL(canon("app!=web"), "app!=web");
    CU_ASSERT_STRING_EQUAL(canon("tier in (b,a)"), "tier in (a,b)");
    CU_ASSERT_STRING_EQUAL(canon("tier notin (b , a, b)"), "tier notin (a,b)");
    CU_ASSERT_STRING_EQUAL(canon("app"), "app");
    CU_ASSERT_STRING_EQUAL(canon("!canary"), "!canary");
    CU_ASSERT_STRING_EQUAL(canon("! canary"), "!canary");
    CU_ASSERT_STRING_EQUAL(canon("replicas>5"), "replicas>5");
    CU_ASSERT_STRING_EQUAL(canon("replicas < 5"), "replicas<5");
    /* sorted by key, as Go clients send it */
    CU_ASSERT_STRING_EQUAL(canon("tier in (a,b),app=web"), "app=web,tier in (a,b)");
    CU_ASSERT_STRING_EQUAL(canon(" app = web , !canary "), "app=web,!canary");
    /* empty values: k=, (,a), (a,,b), () */
    CU_ASSERT_STRING_EQUAL(canon("app="), "app=");
    CU_ASSERT_STRING_EQUAL(canon("app=,x"), "app=,x");
    CU_ASSERT_STRING_EQUAL(canon("k in ()"), "k in ()");
    CU_ASSERT_STRING_EQUAL(canon("k in (,a)"), "k in (,a)");
    CU_ASSERT_STRING_EQUAL(canon("k in (a,,b)"), "k in (,a,b)");
    CU_ASSERT_STRING_EQUAL(canon("k in (a,)"), "k in (,a)");
    /* qualified keys, keywords as values, whitespace of every kind */
    CU_ASSERT_STRING_EQUAL(canon("scaledobject.keda.sh/name=x"), "scaledobject.keda.sh/name=x");
    CU_ASSERT_STRING_EQUAL(canon("a=in"), "a=in");
    CU_ASSERT_STRING_EQUAL(canon("a in (in,notin)"), "a in (in,notin)");
    CU_ASSERT_STRING_EQUAL(canon("a\tin\n(x)\r"), "a in (x)");
    CU_ASSERT_STRING_EQUAL(canon("x.y_z-1=A.b_c-9"), "x.y_z-1=A.b_c-9");
}

static void test_errors(void)
{
    static const char *const bad[] = {
        "=web",           /* no key */
        "app=web,",       /* identifier expected after ',' */
        ",app",           /* leading comma */
        "app web",        /* operator expected */
        "app=web=x",      /* ',' or end expected */
        "app in a",       /* '(' expected */
        "app in (a",      /* ')' expected */
        "app in (a b)",   /* ',' or ')' expected */
        "app in (a,=)",   /* value expected */
        "!app=web",       /* '!' takes a key alone */
        "!!app",          /* key expected */
        "in=x",           /* 'in' is a keyword where a key goes */
        "app>x",          /* '>' needs an integer */
        "app>-5",         /* ... that is also a label value */
        "app>",           /* empty is not an integer */
        "-app=x",         /* key must start alphanumeric */
        "a/b/c=x",        /* one '/' at most */
        "Upper.Case/x=1", /* prefix is a lowercase DNS subdomain */
        "/x=1",           /* empty prefix */
        "app=we b",       /* ',' or end expected */
        "app=web!",       /* '!' after a value */
        "app=%00",        /* an undecoded %00 is not a value */
        "app=-web",       /* value must start alphanumeric */
        "app=0123456789012345678901234567890123456789012345678901234567890123", /* 64 > 63 */
        "(",
        ")",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct selector *s = NULL;
        struct parse_err e = {0};
        int rc = selector_parse(bad[i], &s, &e);
        if (rc != -EPROTO)
            CU_FAIL(bad[i]);
        CU_ASSERT_PTR_NULL(s);
        CU_ASSERT_PTR_NOT_NULL(e.what);
        CU_ASSERT(e.col >= 1);
    }
    struct parse_err e = {0};
    struct selector *s = NULL;
    CU_ASSERT_EQUAL(selector_parse("app=web,tier in (a b)", &s, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.col, 20); /* at the "b" */
    char *big = malloc(SELECTOR_MAX_LEN + 2);
    memset(big, 'a', SELECTOR_MAX_LEN + 1);
    big[SELECTOR_MAX_LEN + 1] = '\0';
    CU_ASSERT_EQUAL(selector_parse(big, &s, NULL), -E2BIG);
    free(big);
}

static bool sel_match(const char *text, const char *const *labels)
{
    struct selector *s = NULL;
    if (selector_parse(text, &s, NULL) < 0) {
        CU_FAIL("selector did not parse");
        return false;
    }
    bool m = selector_matches(s, labels_get, labels);
    selector_free(s);
    return m;
}

static void test_matching(void)
{
    const char *web[] = {"app", "web", "tier", "a", "replicas", "7", "empty", "", NULL};
    const char *none[] = {NULL};
    CU_ASSERT_TRUE(sel_match("", web));
    CU_ASSERT_TRUE(sel_match("", none));
    CU_ASSERT_TRUE(sel_match("app=web", web));
    CU_ASSERT_TRUE(sel_match("app==web", web));
    CU_ASSERT_FALSE(sel_match("app=api", web));
    CU_ASSERT_FALSE(sel_match("app=web", none));
    /* != and notin: absent key matches */
    CU_ASSERT_TRUE(sel_match("app!=api", web));
    CU_ASSERT_FALSE(sel_match("app!=web", web));
    CU_ASSERT_TRUE(sel_match("app!=web", none));
    CU_ASSERT_TRUE(sel_match("tier in (a,b)", web));
    CU_ASSERT_FALSE(sel_match("tier in (b,c)", web));
    CU_ASSERT_FALSE(sel_match("tier in (a,b)", none));
    CU_ASSERT_TRUE(sel_match("tier notin (b,c)", web));
    CU_ASSERT_FALSE(sel_match("tier notin (a)", web));
    CU_ASSERT_TRUE(sel_match("tier notin (a)", none));
    CU_ASSERT_TRUE(sel_match("app", web));
    CU_ASSERT_FALSE(sel_match("app", none));
    CU_ASSERT_TRUE(sel_match("!canary", web));
    CU_ASSERT_FALSE(sel_match("!app", web));
    /* the empty value is a value: present-and-empty differs from absent */
    CU_ASSERT_TRUE(sel_match("empty=", web));
    CU_ASSERT_TRUE(sel_match("empty in ()", web));
    CU_ASSERT_FALSE(sel_match("missing=", web));
    CU_ASSERT_TRUE(sel_match("empty", web));
    /* > and < compare integers; a non-integer label value never matches */
    CU_ASSERT_TRUE(sel_match("replicas>5", web));
    CU_ASSERT_FALSE(sel_match("replicas>7", web));
    CU_ASSERT_TRUE(sel_match("replicas<8", web));
    CU_ASSERT_FALSE(sel_match("app>1", web));
    CU_ASSERT_FALSE(sel_match("replicas>1", none));
    /* AND of requirements */
    CU_ASSERT_TRUE(sel_match("app=web,tier in (a),!canary,replicas>6", web));
    CU_ASSERT_FALSE(sel_match("app=web,tier in (b)", web));
}

static void test_names(void)
{
    CU_ASSERT_TRUE(selector_is_dns_label("ns-a", 4));
    CU_ASSERT_TRUE(selector_is_dns_label("a", 1));
    CU_ASSERT_FALSE(selector_is_dns_label("", 0));
    CU_ASSERT_FALSE(selector_is_dns_label("-a", 2));
    CU_ASSERT_FALSE(selector_is_dns_label("a-", 2));
    CU_ASSERT_FALSE(selector_is_dns_label("A", 1));
    CU_ASSERT_FALSE(selector_is_dns_label("a.b", 3));
    CU_ASSERT_FALSE(selector_is_dns_label("{x}", 3));
    CU_ASSERT_TRUE(selector_is_dns_subdomain("web-7d9f.abc", 12));
    CU_ASSERT_FALSE(selector_is_dns_subdomain("web..abc", 8));
    CU_ASSERT_FALSE(selector_is_dns_subdomain("web.", 4));
    CU_ASSERT_FALSE(selector_is_dns_subdomain("*", 1));
    char long_label[65];
    memset(long_label, 'a', 64);
    long_label[64] = '\0';
    CU_ASSERT_FALSE(selector_is_dns_label(long_label, 64));
    CU_ASSERT_TRUE(selector_is_dns_label(long_label, 63));
}

/* selector_req_values exposes exactly the requirements an index may answer */
static void test_req_values(void)
{
    struct selector *s = NULL;
    CU_ASSERT_EQUAL_FATAL(
        selector_parse("app=web,tier in (b,a),x!=y,k,!j,z notin (q),n>1,m==v", &s, NULL), 0);
    const char *key = NULL;
    const char *const *vals = NULL;
    size_t n = 0;
    bool want[] = {true, true, false, false, false, false, false, true};
    for (size_t i = 0; i < 8; i++)
        CU_ASSERT_EQUAL(selector_req_values(s, i, &key, &vals, &n), want[i]);
    CU_ASSERT_FALSE(selector_req_values(s, 8, &key, &vals, &n));
    CU_ASSERT_TRUE_FATAL(selector_req_values(s, 1, &key, &vals, &n));
    CU_ASSERT_STRING_EQUAL(key, "tier");
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_TRUE((strcmp(vals[0], "a") == 0 && strcmp(vals[1], "b") == 0) ||
                   (strcmp(vals[0], "b") == 0 && strcmp(vals[1], "a") == 0));
    CU_ASSERT_TRUE_FATAL(selector_req_values(s, 7, &key, &vals, &n));
    CU_ASSERT_STRING_EQUAL(key, "m");
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_STRING_EQUAL(vals[0], "v");
    CU_ASSERT_FALSE(selector_req_values(NULL, 0, &key, &vals, &n));
    selector_free(s);
}

static CU_TestInfo selector_tests[] = {
    {"requirements an index can answer", test_req_values},
    {"grammar and canonical form", test_grammar},
    {"errors Go also reports", test_errors},
    {"matching semantics", test_matching},
    {"DNS names", test_names},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_selector = {"selector", NULL, NULL, NULL, NULL, selector_tests};
