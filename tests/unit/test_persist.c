/* persist + parse/history_file: a store saved and loaded back holds the same samples; the
 * loader skips unknown series, old and future samples; corrupt, truncated, foreign and
 * other-version files are refused with their reason and load nothing. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "parse/history_file.h"
#include "signals/sigtable.h"
#include "io/persist.h"
#include "store/store.h"
#include "core/banned.h"

#define NOW 1700000000000LL

static char path[64];
static const struct persist_names names = {sigtable_history_name, sigtable_history_lookup};

static int setup(void)
{
    snprintf(path, sizeof(path), "/tmp/rizk-unit-persist.%d", (int)getpid());
    return 0;
}

static int teardown(void)
{
    unlink(path);
    return 0;
}

static struct store *filled(void)
{
    struct store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(store_new(16, &s), 0);
    for (int i = 0; i < 20; i++) /* wraps: the newest 16 stay */
        store_append(s, HS_APP_REQUESTS, NOW - 20000 + i * 1000, (double)(i * 10));
    store_append(s, HS_ERROR_RATIO, NOW - 5000, NAN);
    store_append(s, HS_ERROR_RATIO, NOW - 4000, 0.25);
    return s;
}

static unsigned char *slurp(size_t *len)
{
    FILE *f = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    unsigned char *b = malloc(1 << 20);
    *len = fread(b, 1, 1 << 20, f);
    fclose(f);
    return b;
}

static void spit(const unsigned char *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fwrite(b, 1, len, f);
    fclose(f);
}

static void test_round_trip(void)
{
    struct store *s = filled();
    CU_ASSERT_EQUAL(persist_save(s, &names, path, NOW), 16 + 2);
    struct store *t = NULL;
    CU_ASSERT_EQUAL_FATAL(store_new(16, &t), 0);
    const char *why = "x";
    CU_ASSERT_EQUAL(persist_load(t, &names, path, NOW + 1, 3600000, &why), 18);
    CU_ASSERT_PTR_NULL(why);
    struct ring_sample a[16], b[16];
    int na = store_copy_window(s, HS_APP_REQUESTS, NOW, NOW, a, 16);
    int nb = store_copy_window(t, HS_APP_REQUESTS, NOW, NOW, b, 16);
    CU_ASSERT_EQUAL_FATAL(na, 16);
    CU_ASSERT_EQUAL_FATAL(nb, 16);
    CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
    CU_ASSERT_EQUAL(b[0].t_ms, NOW - 16000);
    CU_ASSERT_EQUAL(b[0].v, 40.0);
    nb = store_copy_window(t, HS_ERROR_RATIO, NOW, NOW, b, 16);
    CU_ASSERT_EQUAL_FATAL(nb, 2);
    CU_ASSERT_TRUE(isnan(b[0].v)); /* "no value this tick" survives */
    CU_ASSERT_EQUAL(b[1].v, 0.25);
    /* at NOW - 3.5 s with a 10 s retention: (NOW - 13.5 s, NOW - 3.5 s) loads, the rest is too
     * old or in the future */
    store_free(t);
    CU_ASSERT_EQUAL_FATAL(store_new(16, &t), 0);
    CU_ASSERT_EQUAL(persist_load(t, &names, path, NOW - 3500, 10000, &why), 10 + 2);
    store_free(t);
    store_free(s);
}

static void test_refused(void)
{
    struct store *s = filled();
    CU_ASSERT_TRUE_FATAL(persist_save(s, &names, path, NOW) > 0);
    size_t len;
    unsigned char *b = slurp(&len);
    struct store *t = NULL;
    const char *why = NULL;
    CU_ASSERT_EQUAL_FATAL(store_new(16, &t), 0);

    b[40] ^= 1; /* one flipped bit */
    spit(b, len);
    CU_ASSERT_EQUAL(persist_load(t, &names, path, NOW + 1, 3600000, &why), -EPROTO);
    CU_ASSERT_STRING_EQUAL(why, "checksum mismatch");
    b[40] ^= 1;
    spit(b, len / 2);
    CU_ASSERT_EQUAL(persist_load(t, &names, path, NOW + 1, 3600000, &why), -EPROTO);
    CU_ASSERT_STRING_EQUAL(why, "checksum mismatch"); /* the CRC is checked first */
    spit(b, 20);
    CU_ASSERT_EQUAL(persist_load(t, &names, path, NOW + 1, 3600000, &why), -EPROTO);
    CU_ASSERT_STRING_EQUAL(why, "truncated");
    spit((const unsigned char *)"{\"json\": true}\n", 15);
    CU_ASSERT_EQUAL(persist_load(t, &names, path, NOW + 1, 3600000, &why), -EPROTO);
    CU_ASSERT_STRING_EQUAL(why, "not a history file");
    b[8] = 2; /* version 2, with a valid checksum */
    uint32_t crc = history_file_crc32(0, b, len - 4);
    for (int i = 0; i < 4; i++)
        b[len - 4 + i] = (unsigned char)(crc >> (8 * i));
    spit(b, len);
    CU_ASSERT_EQUAL(persist_load(t, &names, path, NOW + 1, 3600000, &why), -EPROTO);
    CU_ASSERT_STRING_EQUAL(why, "unsupported version");
    unlink(path);
    CU_ASSERT_EQUAL(persist_load(t, &names, path, NOW + 1, 3600000, &why), -ENOENT);
    CU_ASSERT_EQUAL(store_count(t, HS_APP_REQUESTS), 0);
    free(b);
    store_free(t);
    store_free(s);
}

/* A file with a series this build does not know, and one it does: the known one loads. */
static void test_changed_series(void)
{
    unsigned char b[256];
    size_t n = 0;
    memcpy(b, "RIZKHIST\x01\0\0\0", 12);
    n = 12;
    memset(b + n, 0, 8); /* saved_wall_ms: unused by the loader */
    n += 8;
    memcpy(b + n, "\x02\0\0\0", 4);
    n += 4;
    const char *series[2] = {"rizk_from_a_future_build", "rizk_requests_total"};
    for (int k = 0; k < 2; k++) {
        size_t l = strlen(series[k]);
        b[n++] = (unsigned char)l;
        b[n++] = 0;
        memcpy(b + n, series[k], l);
        n += l;
        memcpy(b + n, "\x01\0\0\0", 4);
        n += 4;
        int64_t t = NOW - 1000;
        double v = 7;
        memcpy(b + n, &t, 8); /* little-endian host */
        memcpy(b + n + 8, &v, 8);
        n += 16;
    }
    uint32_t crc = history_file_crc32(0, b, n);
    for (int i = 0; i < 4; i++)
        b[n++] = (unsigned char)(crc >> (8 * i));
    spit(b, n);
    struct store *t = NULL;
    const char *why = NULL;
    CU_ASSERT_EQUAL_FATAL(store_new(16, &t), 0);
    CU_ASSERT_EQUAL(persist_load(t, &names, path, NOW, 3600000, &why), 1);
    double v = 0;
    CU_ASSERT_EQUAL(store_last(t, HS_APP_REQUESTS, NOW, 5000, &v), 0);
    CU_ASSERT_EQUAL(v, 7.0);
    store_free(t);
}

/* A full hour in every series: the file spans hundreds of pages and the loader gives each
 * series' pages back once restored (persist.c, read_buf_release); every sample of every series
 * must still come back exactly, the first and last of each included (a page released one series
 * too early would read back as zeros). */
static void test_many_pages(void)
{
    enum { SLOTS = 3600 };
    struct store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(store_new(SLOTS, &s), 0);
    int64_t t0 = NOW - 10000 - (int64_t)SLOTS * 1000;
    for (int i = 0; i < SLOTS; i++)
        for (int id = 0; id < HS_COUNT; id++)
            store_append(s, (enum hist_series)id, t0 + i * 1000LL, id * 100000.0 + i + 0.5);
    CU_ASSERT_EQUAL_FATAL(persist_save(s, &names, path, NOW), (long)HS_COUNT * SLOTS);
    store_free(s);
    struct store *t = NULL;
    const char *why = NULL;
    CU_ASSERT_EQUAL_FATAL(store_new(SLOTS, &t), 0);
    CU_ASSERT_EQUAL_FATAL(persist_load(t, &names, path, NOW, 7200000, &why),
                          (long)HS_COUNT * SLOTS);
    struct ring_sample *got = calloc(SLOTS, sizeof(*got));
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    int bad = 0;
    for (int id = 0; id < HS_COUNT; id++) {
        int n = store_copy_window(t, (enum hist_series)id, NOW, 7200000, got, SLOTS);
        CU_ASSERT_EQUAL(n, SLOTS);
        for (int i = 0; i < n; i++)
            if (got[i].t_ms != t0 + i * 1000LL || got[i].v != id * 100000.0 + i + 0.5)
                bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    free(got);
    store_free(t);
}

static CU_TestInfo tests[] = {
    {"save and load give the same samples", test_round_trip},
    {"a file of many pages loads whole", test_many_pages},
    {"corrupt, truncated, foreign, other version, missing", test_refused},
    {"unknown series are skipped, known ones load", test_changed_series},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_persist = {"persist", setup, teardown, NULL, NULL, tests};
