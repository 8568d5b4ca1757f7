/* Unit tests for fleet/view without Redis: views built from decoded fixture snapshots; the label
 * index (labels, region, zone, a label shadowing the zone field) against a full scan for every
 * operator, ZSET order kept, and the answer memo (expiry, first writer wins, capacity). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "fleet/query.h"
#include "fleet/selector.h"
#include "fleet/view.h"

static void *tv_alloc(void *ad, size_t n)
{
    return arena_alloc(ad, n);
}

static void tv_free(void *ad, void *p)
{
    (void)ad;
    (void)p;
}

/* tv_add decodes one snapshot (labels "k=v,k=v", region and zone may be NULL) into pods. */
static void tv_add(struct fleet_pods *pods, const char *pod, const char *labels, char *region,
                   char *zone)
{
    Rizk__V1__PodSnapshot m = RIZK__V1__POD_SNAPSHOT__INIT;
    m.pod = (char *)(uintptr_t)pod;
    m.namespace_ = (char *)(uintptr_t) "shop";
    m.has_timestamp_ms = 1;
    m.timestamp_ms = 1000;
    m.region = region;
    m.zone = zone;
    Rizk__V1__PodSnapshot__LabelsEntry ent[4], *ptr[4];
    char copy[128];
    snprintf(copy, sizeof(copy), "%s", labels);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t != NULL && m.n_labels < 4;
         t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        *eq = '\0';
        rizk__v1__pod_snapshot__labels_entry__init(&ent[m.n_labels]);
        ent[m.n_labels].key = t;
        ent[m.n_labels].value = eq + 1;
        ptr[m.n_labels] = &ent[m.n_labels];
        m.n_labels++;
    }
    m.labels = ptr;
    uint8_t buf[512];
    size_t len = rizk__v1__pod_snapshot__pack(&m, buf);
    ProtobufCAllocator a = {tv_alloc, tv_free, &pods->_arena};
    pods->pods = realloc(pods->pods, (pods->n + 1) * sizeof(*pods->pods));
    pods->pods[pods->n] = rizk__v1__pod_snapshot__unpack(&a, len, buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pods->pods[pods->n]);
    pods->n++;
}

static struct fleet_view *tv_view(void)
{
    struct fleet_pods pods = {0};
    tv_add(&pods, "web-a", "app=web,tier=a", "eu", "eu-1");
    tv_add(&pods, "api-b", "app=api,tier=b", "eu", "eu-2");
    tv_add(&pods, "web-c", "app=web,tier=b", "us", "us-1");
    tv_add(&pods, "web-d", "app=web,zone=lbl", "us", "field");
    tv_add(&pods, "bare-e", "", NULL, NULL);
    return fleet_view_new("shop", 1000, &pods);
}

/* tv_select returns the pod names selected by sel and msel, space-separated. */
static const char *tv_select(struct fleet_view *v, const char *sel, const char *msel)
{
    static char out[256];
    struct selector *s = NULL, *m = NULL;
    CU_ASSERT_EQUAL_FATAL(selector_parse(sel, &s, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(selector_parse(msel, &m, NULL), 0);
    Rizk__V1__PodSnapshot *got[8];
    size_t n = fleet_view_select(v, s, m, got);
    out[0] = '\0';
    size_t at = 0;
    for (size_t i = 0; i < n && at < sizeof(out); i++)
        at += (size_t)snprintf(out + at, sizeof(out) - at, "%s%s", i > 0 ? " " : "", got[i]->pod);
    /* the index must agree with matching every pod */
    size_t k = 0;
    for (size_t i = 0; i < v->pods.n; i++)
        if (selector_matches(s, fleet_pod_label, v->pods.pods[i]) &&
            selector_matches(m, fleet_pod_label, v->pods.pods[i]))
            k++;
    CU_ASSERT_EQUAL(k, n);
    selector_free(s);
    selector_free(m);
    return out;
}

static void test_select(void)
{
    struct fleet_view *v = tv_view();
    CU_ASSERT_STRING_EQUAL(tv_select(v, "", ""), "web-a api-b web-c web-d bare-e");
    CU_ASSERT_STRING_EQUAL(tv_select(v, "app=web", ""), "web-a web-c web-d");
    CU_ASSERT_STRING_EQUAL(tv_select(v, "app==web", "tier=b"), "web-c");
    CU_ASSERT_STRING_EQUAL(tv_select(v, "tier in (b,a)", ""), "web-a api-b web-c");
    CU_ASSERT_STRING_EQUAL(tv_select(v, "region=eu", ""), "web-a api-b");
    CU_ASSERT_STRING_EQUAL(tv_select(v, "region!=eu", ""), "web-c web-d bare-e");
    CU_ASSERT_STRING_EQUAL(tv_select(v, "zone in (eu-1,us-1,field)", ""), "web-a web-c");
    CU_ASSERT_STRING_EQUAL(tv_select(v, "zone=lbl", ""), "web-d");
    CU_ASSERT_STRING_EQUAL(tv_select(v, "zone notin (eu-1)", ""), "api-b web-c web-d bare-e");
    CU_ASSERT_STRING_EQUAL(tv_select(v, "region", "!tier"), "web-d");
    CU_ASSERT_STRING_EQUAL(tv_select(v, "!region", ""), "bare-e");
    CU_ASSERT_STRING_EQUAL(tv_select(v, "app=web", "region in (us)"), "web-c web-d");
    CU_ASSERT_STRING_EQUAL(tv_select(v, "app=nope", ""), "");
    CU_ASSERT_STRING_EQUAL(tv_select(v, "app in (nope,api)", "zone=eu-2"), "api-b");
    fleet_view_release(v);
}

static void test_memo(void)
{
    struct fleet_view *v = tv_view();
    const char *body = NULL;
    size_t len = 0;
    long items = 0;
    CU_ASSERT_FALSE(fleet_view_memo_get(v, "q1", 0, &body, &len, &items));
    char *b1 = strdup("first");
    size_t l1 = 5;
    CU_ASSERT_TRUE(fleet_view_memo_put(v, "q1", 2000, 3, &b1, &l1));
    CU_ASSERT_TRUE(fleet_view_memo_get(v, "q1", 1999, &body, &len, &items));
    CU_ASSERT_EQUAL(len, 5);
    CU_ASSERT_EQUAL(items, 3);
    CU_ASSERT_EQUAL(memcmp(body, "first", 5), 0);
    /* valid while now < valid_until */
    CU_ASSERT_FALSE(fleet_view_memo_get(v, "q1", 2000, &body, &len, &items));
    /* a second writer of the same answer gets the first one's bytes; its own are freed */
    char *b2 = strdup("second");
    size_t l2 = 6;
    CU_ASSERT_TRUE(fleet_view_memo_put(v, "q1", 2000, 3, &b2, &l2));
    CU_ASSERT_PTR_EQUAL(b2, b1);
    CU_ASSERT_EQUAL(l2, 5);
    /* eight answers fit; a ninth is not remembered and stays the caller's */
    for (int i = 2; i <= 8; i++) {
        char key[8];
        snprintf(key, sizeof(key), "q%d", i);
        char *b = strdup("x");
        size_t l = 1;
        CU_ASSERT_TRUE(fleet_view_memo_put(v, key, 5000, 1, &b, &l));
    }
    char *b9 = strdup("ninth");
    size_t l9 = 5;
    CU_ASSERT_FALSE(fleet_view_memo_put(v, "q9", 5000, 1, &b9, &l9));
    free(b9);
    /* references: the last release frees the view and its memo (ASan checks) */
    fleet_view_acquire(v);
    fleet_view_release(v);
    CU_ASSERT_TRUE(fleet_view_memo_get(v, "q8", 0, &body, &len, &items));
    fleet_view_release(v);
}

static CU_TestInfo fleet_view_tests[] = {
    {"label index agrees with a full scan", test_select},
    {"answer memo", test_memo},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_fleet_view = {"fleet_view", NULL, NULL, NULL, NULL, fleet_view_tests};
