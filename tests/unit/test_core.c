/* Unit tests for core/: bounded buffer, bump arena, checked number parsing, listen-address
 * syntax. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/hostport.h"
#include "core/strparse.h"

static void test_buf_cap(void)
{
    struct buf b;
    buf_init(&b, 8);
    CU_ASSERT_EQUAL(buf_adds(&b, "abcd"), 0);
    CU_ASSERT_EQUAL(buf_printf(&b, "%d", 123), 0);
    CU_ASSERT_STRING_EQUAL(buf_ptr(&b), "abcd123");
    CU_ASSERT_EQUAL(buf_len(&b), 7);
    CU_ASSERT_EQUAL(buf_adds(&b, "xy"), -E2BIG);
    /* a failed append frees: never a truncated body */
    CU_ASSERT_EQUAL(buf_len(&b), 0);
    CU_ASSERT_STRING_EQUAL(buf_ptr(&b), "");
    buf_fini(&b);
}

static void test_buf_large_printf(void)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    char big[1000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CU_ASSERT_EQUAL(buf_printf(&b, "[%s]", big), 0);
    CU_ASSERT_EQUAL(buf_len(&b), 1001);
    size_t n = 0;
    char *p = buf_steal(&b, &n);
    CU_ASSERT_EQUAL(n, 1001);
    CU_ASSERT_EQUAL(p[0], '[');
    CU_ASSERT_EQUAL(p[1000], ']');
    free(p);
    CU_ASSERT_EQUAL(buf_len(&b), 0);
    buf_fini(&b);
}

static void test_sp_u64(void)
{
    const char *p = "18446744073709551615 x";
    uint64_t v = 0;
    CU_ASSERT_EQUAL(sp_u64(&p, &v), 0);
    CU_ASSERT_EQUAL(v, UINT64_MAX);
    CU_ASSERT_STRING_EQUAL(p, " x");
    p = "18446744073709551616";
    CU_ASSERT_EQUAL(sp_u64(&p, &v), -ERANGE);
    CU_ASSERT_STRING_EQUAL(p, "18446744073709551616");
    p = "-1";
    CU_ASSERT_EQUAL(sp_u64(&p, &v), -EPROTO);
    p = "";
    CU_ASSERT_EQUAL(sp_u64(&p, &v), -EPROTO);
}

static void test_sp_i64(void)
{
    const char *p = "-9223372036854775808";
    int64_t v = 0;
    CU_ASSERT_EQUAL(sp_i64(&p, &v), 0);
    CU_ASSERT_EQUAL(v, INT64_MIN);
    p = "9223372036854775808";
    CU_ASSERT_EQUAL(sp_i64(&p, &v), -ERANGE);
    p = "+42";
    CU_ASSERT_EQUAL(sp_i64(&p, &v), 0);
    CU_ASSERT_EQUAL(v, 42);
}

static void test_sp_double(void)
{
    const char *p = "1.5e3 ";
    double v = 0;
    CU_ASSERT_EQUAL(sp_double(&p, &v), 0);
    CU_ASSERT_EQUAL(v, 1500.0);
    CU_ASSERT_STRING_EQUAL(p, " ");
    p = "-Inf";
    CU_ASSERT_EQUAL(sp_double(&p, &v), 0);
    CU_ASSERT(isinf(v) && v < 0);
    p = "NaN";
    CU_ASSERT_EQUAL(sp_double(&p, &v), 0);
    CU_ASSERT(isnan(v));
    p = "0x10"; /* hex floats are not metrics syntax: stops after the 0 */
    CU_ASSERT_EQUAL(sp_double(&p, &v), 0);
    CU_ASSERT_EQUAL(v, 0.0);
    CU_ASSERT_STRING_EQUAL(p, "x10");
    p = ".";
    CU_ASSERT_EQUAL(sp_double(&p, &v), -EPROTO);
    p = "1e999";
    CU_ASSERT_EQUAL(sp_double(&p, &v), -ERANGE);
    p = "2.5e";
    CU_ASSERT_EQUAL(sp_double(&p, &v), 0);
    CU_ASSERT_EQUAL(v, 2.5);
    CU_ASSERT_STRING_EQUAL(p, "e");
}

static void test_sp_tokens(void)
{
    const char *p = "  cpu  12\nnext";
    const char *w;
    size_t n;
    CU_ASSERT_EQUAL(sp_blanks(&p), 2);
    CU_ASSERT_EQUAL(sp_word(&p, &w, &n), 0);
    CU_ASSERT(sp_word_eq(w, n, "cpu"));
    CU_ASSERT_FALSE(sp_word_eq(w, n, "cpu0"));
    sp_next_line(&p);
    CU_ASSERT_STRING_EQUAL(p, "next");
    CU_ASSERT_EQUAL(sp_char(&p, 'n'), 0);
    CU_ASSERT_EQUAL(sp_char(&p, 'x'), -EPROTO);
}

static void test_hostport(void)
{
    char host[64];
    unsigned port = 0;
    CU_ASSERT_EQUAL(hostport_parse(":8080", host, sizeof(host), &port), 0);
    CU_ASSERT_STRING_EQUAL(host, "");
    CU_ASSERT_EQUAL(port, 8080);
    CU_ASSERT_EQUAL(hostport_parse("127.0.0.1:0", host, sizeof(host), &port), 0);
    CU_ASSERT_STRING_EQUAL(host, "127.0.0.1");
    CU_ASSERT_EQUAL(port, 0);
    CU_ASSERT_EQUAL(hostport_parse("[::1]:9", host, sizeof(host), &port), 0);
    CU_ASSERT_STRING_EQUAL(host, "::1");
    CU_ASSERT_EQUAL(hostport_parse("::1:9", host, sizeof(host), &port), -EINVAL);
    CU_ASSERT_EQUAL(hostport_parse("localhost:65536", host, sizeof(host), &port), -ERANGE);
    CU_ASSERT_EQUAL(hostport_parse("8080", host, sizeof(host), &port), -EINVAL);
    CU_ASSERT_EQUAL(hostport_parse("a:", host, sizeof(host), &port), -EINVAL);
    CU_ASSERT_EQUAL(hostport_parse("a b:1", host, sizeof(host), &port), -EINVAL);
}

static void test_parse_err_position(void)
{
    const char *text = "ab\ncd\nef";
    struct parse_err e;
    parse_err_set(&e, text, text + 7, "bad");
    CU_ASSERT_EQUAL(e.line, 3);
    CU_ASSERT_EQUAL(e.col, 2);
    CU_ASSERT_STRING_EQUAL(e.what, "bad");
    CU_ASSERT_STRING_EQUAL(err_str(-E2BIG), "size limit exceeded");
}

static void test_arena(void)
{
    struct arena a;
    arena_init(&a, 64);
    char *s = arena_strdup(&a, "rizk");
    CU_ASSERT_STRING_EQUAL(s, "rizk");
    /* every block is aligned for any type, even after an odd-sized one */
    void *p = arena_alloc(&a, 3);
    void *q = arena_alloc(&a, 8);
    CU_ASSERT_EQUAL((uintptr_t)p % _Alignof(max_align_t), 0);
    CU_ASSERT_EQUAL((uintptr_t)q % _Alignof(max_align_t), 0);
    CU_ASSERT_TRUE((char *)q - (char *)p >= (ptrdiff_t)sizeof(max_align_t) ||
                   (char *)p - (char *)q >= (ptrdiff_t)sizeof(max_align_t));
    /* larger than a chunk: a chunk of its own, earlier blocks untouched */
    unsigned char *big = arena_calloc(&a, 100, 10);
    for (size_t i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL_FATAL(big[i], 0);
    memset(big, 0xAB, 1000);
    CU_ASSERT_STRING_EQUAL(s, "rizk");
    arena_fini(&a);
    /* reusable after fini, and a zeroed arena works with the default chunk */
    CU_ASSERT_STRING_EQUAL(arena_strdup(&a, "again"), "again");
    arena_fini(&a);
    struct arena z = {0};
    CU_ASSERT_PTR_NOT_NULL(arena_alloc(&z, ARENA_CHUNK_DEFAULT + 1));
    arena_fini(&z);
    arena_fini(NULL);
}

static CU_TestInfo core_tests[] = {
    {"buf cap fails and frees", test_buf_cap},
    {"buf large printf and steal", test_buf_large_printf},
    {"arena", test_arena},
    {"sp_u64", test_sp_u64},
    {"sp_i64", test_sp_i64},
    {"sp_double", test_sp_double},
    {"tokens", test_sp_tokens},
    {"hostport", test_hostport},
    {"parse_err position", test_parse_err_position},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_core = {"core", NULL, NULL, NULL, NULL, core_tests};
