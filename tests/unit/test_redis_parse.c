/* Unit tests for the pure Redis parsers: INFO and CLUSTER INFO on replies captured from Redis
 * 7.0 (standalone, replica, cluster master and replica; tests/fixtures/redis keeps their CRLF),
 * CLUSTER NODES before and after a failover, MOVED/ASK errors, key slots against values
 * printed by CLUSTER KEYSLOT, endpoint URLs, and the downward-API labels file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "parse/pod_labels.h"
#include "parse/redis_info.h"
#include "parse/redis_reply.h"
#include "parse/redis_slot.h"
#include "parse/redis_url.h"
#include "unit_util.h"

static char *fixture(const char *rel)
{
    char *t = unit_fixture_read(rel, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

static const struct redis_info_db *info_db(const struct redis_info *in, unsigned idx)
{
    for (unsigned i = 0; i < in->ndbs; i++)
        if (in->dbs[i].index == idx)
            return &in->dbs[i];
    return NULL;
}

static void test_info_standalone(void)
{
    char *t = fixture("redis/info_standalone.txt");
    CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(t, "\r\n")); /* the fixture kept its CRLF */
    struct redis_info in;
    struct parse_err e = {0};
    CU_ASSERT_EQUAL_FATAL(parse_redis_info(t, &in, &e), 0);
    CU_ASSERT_STRING_EQUAL(in.version, "7.0.15");
    CU_ASSERT_STRING_EQUAL(in.mode, "standalone");
    CU_ASSERT_EQUAL(in.role, REDIS_ROLE_MASTER);
    CU_ASSERT(in.has_cluster_enabled && !in.cluster_enabled);
    CU_ASSERT(in.has_keyspace_hits && in.has_keyspace_misses);
    CU_ASSERT_EQUAL(in.keyspace_hits, 1);
    CU_ASSERT_EQUAL(in.keyspace_misses, 1);
    CU_ASSERT_EQUAL(in.connected_clients, 1);
    CU_ASSERT_EQUAL(in.used_memory, 1108856);
    CU_ASSERT(in.has_maxmemory);
    CU_ASSERT_EQUAL(in.maxmemory, 0);
    CU_ASSERT_EQUAL(in.total_commands_processed, 10);
    CU_ASSERT(in.has_evicted_keys && in.has_expired_keys);
    CU_ASSERT_EQUAL(in.evicted_keys, 0);
    CU_ASSERT_EQUAL(in.ndbs, 2);
    const struct redis_info_db *d0 = info_db(&in, 0), *d3 = info_db(&in, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d3);
    if (d0 == NULL || d3 == NULL)
        return; /* unreachable: tells -Wnull-dereference what the FATAL asserts guarantee */
    CU_ASSERT_EQUAL(d0->keys, 2);
    CU_ASSERT_EQUAL(d0->expires, 1);
    CU_ASSERT_EQUAL(d3->keys, 1);
    CU_ASSERT_EQUAL(in.malformed, 0);
    free(t);
}

static void test_info_replica_and_cluster(void)
{
    struct redis_info in;
    char *t = fixture("redis/info_replica.txt");
    CU_ASSERT_EQUAL_FATAL(parse_redis_info(t, &in, NULL), 0);
    CU_ASSERT_EQUAL(in.role, REDIS_ROLE_REPLICA);
    CU_ASSERT_EQUAL(in.keyspace_hits, 0);
    CU_ASSERT_EQUAL(in.used_memory, 917152);
    free(t);

    t = fixture("redis/info_cluster_master.txt");
    CU_ASSERT_EQUAL_FATAL(parse_redis_info(t, &in, NULL), 0);
    CU_ASSERT_STRING_EQUAL(in.mode, "cluster");
    CU_ASSERT(in.has_cluster_enabled && in.cluster_enabled);
    CU_ASSERT_EQUAL(in.role, REDIS_ROLE_MASTER);
    CU_ASSERT_EQUAL(in.malformed, 0);
    free(t);

    t = fixture("redis/info_cluster_replica.txt");
    CU_ASSERT_EQUAL_FATAL(parse_redis_info(t, &in, NULL), 0);
    CU_ASSERT_EQUAL(in.role, REDIS_ROLE_REPLICA);
    CU_ASSERT(in.cluster_enabled);
    free(t);

    /* INFO with a list of sections (what the collector asks Redis 7 for) */
    t = fixture("redis/info_sections.txt");
    CU_ASSERT_EQUAL_FATAL(parse_redis_info(t, &in, NULL), 0);
    CU_ASSERT(in.has_keyspace_hits && in.has_used_memory && in.has_connected_clients);
    CU_ASSERT_STRING_EQUAL(in.version, "7.0.15");
    free(t);
}

static void test_info_edges(void)
{
    struct redis_info in;
    struct parse_err e = {0};
    /* LF only, no section, a value with ':' inside, a prefix-named key that must not match */
    CU_ASSERT_EQUAL_FATAL(parse_redis_info("keyspace_hits:5\nkeyspace_hits_x:9\nexecutable:/a:b\n"
                                           "keyspace_misses:7",
                                           &in, &e),
                          0);
    CU_ASSERT_EQUAL(in.keyspace_hits, 5);
    CU_ASSERT_EQUAL(in.keyspace_misses, 7);
    CU_ASSERT_EQUAL(in.fields, 4);
    /* bad numbers are skipped and counted; the has_ flag stays false */
    CU_ASSERT_EQUAL_FATAL(parse_redis_info("# Stats\r\nkeyspace_hits:12x\r\nkeyspace_misses:"
                                           "99999999999999999999\r\nnocolon\r\n",
                                           &in, NULL),
                          0);
    CU_ASSERT(!in.has_keyspace_hits && !in.has_keyspace_misses);
    CU_ASSERT_EQUAL(in.malformed, 3);
    /* dbN sub-fields */
    CU_ASSERT_EQUAL_FATAL(parse_redis_info("db12:keys=40,expires=3,avg_ttl=0\r\ndbx:keys=1\r\n"
                                           "db1:expires=3\r\n",
                                           &in, NULL),
                          0);
    CU_ASSERT_EQUAL(in.ndbs, 1);
    CU_ASSERT_EQUAL(in.dbs[0].index, 12);
    CU_ASSERT_EQUAL(in.dbs[0].keys, 40);
    CU_ASSERT_EQUAL(in.malformed, 1);
    uint64_t v = 0;
    const char *cs = "calls=10,usec=25,usec_per_call=2.50";
    CU_ASSERT_EQUAL(parse_redis_info_subfield(cs, strlen(cs), "usec", &v), 0);
    CU_ASSERT_EQUAL(v, 25);
    CU_ASSERT_EQUAL(parse_redis_info_subfield(cs, strlen(cs), "usec_per_call", &v), -EPROTO);
    CU_ASSERT_EQUAL(parse_redis_info_subfield(cs, strlen(cs), "call", &v), -ENOENT);
    /* nothing usable */
    CU_ASSERT_EQUAL(parse_redis_info("", &in, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_redis_info("# Server\r\n\r\n", &in, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_redis_info("-ERR unknown\r\nx\r\n", &in, &e), -EPROTO);
    CU_ASSERT_EQUAL(e.line, 1);
}

static void test_cluster_info(void)
{
    struct redis_cluster_info ci;
    char *t = fixture("redis/cluster_info.txt");
    CU_ASSERT_EQUAL_FATAL(parse_redis_cluster_info(t, &ci, NULL), 0);
    CU_ASSERT(ci.has_state && ci.state_ok);
    CU_ASSERT_EQUAL(ci.known_nodes, 6);
    CU_ASSERT_EQUAL(ci.size, 3);
    CU_ASSERT_EQUAL(ci.slots_assigned, 16384);
    CU_ASSERT_EQUAL(ci.slots_ok, 16384);
    free(t);
    CU_ASSERT_EQUAL_FATAL(parse_redis_cluster_info("cluster_state:fail\r\n", &ci, NULL), 0);
    CU_ASSERT(!ci.state_ok);
    CU_ASSERT_EQUAL(parse_redis_cluster_info("cluster_size:3\r\n", &ci, NULL), -EPROTO);
}

static const struct redis_cluster_node *node_at(const struct redis_cluster_nodes *cn, unsigned port)
{
    for (unsigned i = 0; i < cn->nnodes; i++)
        if (cn->nodes[i].port == port)
            return &cn->nodes[i];
    return NULL;
}

static void test_cluster_nodes(void)
{
    struct redis_cluster_nodes *cn = calloc(1, sizeof(*cn));
    char *t = fixture("redis/cluster_nodes.txt");
    struct parse_err e = {0};
    CU_ASSERT_EQUAL_FATAL(parse_redis_cluster_nodes(t, cn, &e), 0);
    CU_ASSERT_EQUAL(cn->nnodes, 6);
    CU_ASSERT_EQUAL(cn->malformed, 0);
    const struct redis_cluster_node *me = node_at(cn, 27110), *r = node_at(cn, 27113);
    CU_ASSERT_PTR_NOT_NULL_FATAL(me);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    if (me == NULL || r == NULL)
        return;
    CU_ASSERT_STRING_EQUAL(me->host, "127.0.0.1");
    CU_ASSERT_EQUAL(me->flags, REDIS_NODE_MYSELF | REDIS_NODE_MASTER);
    CU_ASSERT_EQUAL(me->nslots, 5461);
    CU_ASSERT_STRING_EQUAL(me->id, "6bf770f662d71db24b6e98acc808aa8651f1ea1a");
    CU_ASSERT_EQUAL(r->flags, REDIS_NODE_REPLICA);
    CU_ASSERT_STRING_EQUAL(r->master_id, "ca398a3e3ca2579e1c946ca3eb5a569e8d790885");
    CU_ASSERT(r->connected);
    CU_ASSERT_EQUAL(r->nslots, 0);
    CU_ASSERT_EQUAL(cn->nodes[cn->slot_owner[0]].port, 27110);
    CU_ASSERT_EQUAL(cn->nodes[cn->slot_owner[5461]].port, 27111);
    CU_ASSERT_EQUAL(cn->nodes[cn->slot_owner[12182]].port, 27112);
    CU_ASSERT_EQUAL(cn->nodes[cn->slot_owner[16383]].port, 27112);
    free(t);

    /* after the master on 27111 was killed: its replica 27113 serves 5461-10922 */
    t = fixture("redis/cluster_nodes_failover.txt");
    CU_ASSERT_EQUAL_FATAL(parse_redis_cluster_nodes(t, cn, &e), 0);
    const struct redis_cluster_node *dead = node_at(cn, 27111);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dead);
    const struct redis_cluster_node *promoted = node_at(cn, 27113);
    CU_ASSERT_PTR_NOT_NULL_FATAL(promoted);
    if (dead == NULL || promoted == NULL)
        return;
    CU_ASSERT_EQUAL(dead->flags, REDIS_NODE_MASTER | REDIS_NODE_FAIL);
    CU_ASSERT(!dead->connected);
    CU_ASSERT_EQUAL(dead->nslots, 0);
    CU_ASSERT_EQUAL(cn->nodes[cn->slot_owner[5461]].port, 27113);
    CU_ASSERT_EQUAL(promoted->flags, REDIS_NODE_MASTER);
    free(t);

    /* a fresh node without an address, migration markers, pfail, a hostname, bad lines */
    const char *odd =
        "63000348042c819f34cf22ba2f428ff4ba99e9c5 :27199@37199 myself,master - 0 0 0 connected "
        "0-10 12 [13->-ca398a3e3ca2579e1c946ca3eb5a569e8d790885]\r\n"
        "ca398a3e3ca2579e1c946ca3eb5a569e8d790885 10.0.0.2:6379@16379,redis-1 master,fail? - 0 0 "
        "1 connected 11\n"
        "zz 1.2.3.4:1@2 master - 0 0 0 connected\n"
        "805415701c96e8630c980cc5da2cb5929eb6eb86 1.2.3.4:1@2 master - 0 0 0 connected 5-3\n";
    CU_ASSERT_EQUAL_FATAL(parse_redis_cluster_nodes(odd, cn, &e), 0);
    CU_ASSERT_EQUAL(cn->nnodes, 2);
    CU_ASSERT_EQUAL(cn->malformed, 2);
    CU_ASSERT_STRING_EQUAL(cn->nodes[0].host, "");
    CU_ASSERT_EQUAL(cn->nodes[0].port, 27199);
    CU_ASSERT_EQUAL(cn->nodes[0].nslots, 12);
    CU_ASSERT_EQUAL(cn->slot_owner[13], REDIS_SLOT_NONE);
    CU_ASSERT_EQUAL(cn->slot_owner[11], 1);
    CU_ASSERT_STRING_EQUAL(cn->nodes[1].host, "10.0.0.2");
    CU_ASSERT_EQUAL(cn->nodes[1].flags, REDIS_NODE_MASTER | REDIS_NODE_PFAIL);
    CU_ASSERT_EQUAL(cn->slot_owner[4], 0); /* the bad "5-3" line claimed nothing */
    CU_ASSERT_EQUAL(parse_redis_cluster_nodes("", cn, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_redis_cluster_nodes("garbage\n", cn, &e), -EPROTO);
    free(cn);
}

static void test_redirect(void)
{
    struct redis_redirect r;
    const char *m = "MOVED 12182 127.0.0.1:27112";
    CU_ASSERT_EQUAL_FATAL(parse_redis_redirect(m, strlen(m), &r), 0);
    CU_ASSERT_EQUAL(r.kind, REDIS_REDIRECT_MOVED);
    CU_ASSERT_EQUAL(r.slot, 12182);
    CU_ASSERT_STRING_EQUAL(r.host, "127.0.0.1");
    CU_ASSERT_EQUAL(r.port, 27112);
    m = "ASK 0 ::1:7000";
    CU_ASSERT_EQUAL_FATAL(parse_redis_redirect(m, strlen(m), &r), 0);
    CU_ASSERT_EQUAL(r.kind, REDIS_REDIRECT_ASK);
    CU_ASSERT_STRING_EQUAL(r.host, "::1");
    CU_ASSERT_EQUAL(r.port, 7000);
    m = "MOVED 16383 [fe80::1]:6379";
    CU_ASSERT_EQUAL_FATAL(parse_redis_redirect(m, strlen(m), &r), 0);
    CU_ASSERT_STRING_EQUAL(r.host, "fe80::1");
    m = "MOVED 7 :6380";
    CU_ASSERT_EQUAL_FATAL(parse_redis_redirect(m, strlen(m), &r), 0);
    CU_ASSERT_STRING_EQUAL(r.host, "");
    CU_ASSERT_EQUAL(r.port, 6380);
    m = "MOVED 16384 h:1";
    CU_ASSERT_EQUAL(parse_redis_redirect(m, strlen(m), &r), -ERANGE);
    m = "MOVED 1 h:65536";
    CU_ASSERT_EQUAL(parse_redis_redirect(m, strlen(m), &r), -ERANGE);
    m = "MOVED 1 h";
    CU_ASSERT_EQUAL(parse_redis_redirect(m, strlen(m), &r), -EPROTO);
    m = "MOVED x h:1";
    CU_ASSERT_EQUAL(parse_redis_redirect(m, strlen(m), &r), -EPROTO);
    m = "MOVED 1 h:1 extra";
    CU_ASSERT_EQUAL(parse_redis_redirect(m, strlen(m), &r), -EPROTO);
    m = "CLUSTERDOWN The cluster is down";
    CU_ASSERT_EQUAL(parse_redis_redirect(m, strlen(m), &r), -ENOENT);
    /* length-bounded: bytes after len are not read */
    m = "MOVED 5 h:12345678";
    CU_ASSERT_EQUAL_FATAL(parse_redis_redirect(m, 13, &r), 0);
    CU_ASSERT_EQUAL(r.port, 123);
}

static void test_slots(void)
{
    CU_ASSERT_EQUAL(redis_slot_crc16("123456789", 9), 0x31C3);
    /* expected values printed by CLUSTER KEYSLOT on redis-server 7.0.15 */
    static const struct {
        const char *key;
        unsigned slot;
    } v[] = {
        {"foo", 12182},
        {"bar", 5061},
        {"123456789", 12739},
        {"{user1000}.following", 3443},
        {"{user1000}.followers", 3443},
        {"foo{}{bar}", 8363},
        {"foo{{bar}}zap", 4015},
        {"foo{bar}{zap}", 5061},
        {"", 0},
        {"rizk:fleet:{prod}:pods", 811},
        {"rizk:fleet:{prod}:pod:web-1", 811},
        {"{", 4092},
        {"}{a}", 15495},
        {"a{b", 13340},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        CU_ASSERT_EQUAL(redis_slot_of_key(v[i].key, strlen(v[i].key)), v[i].slot);
}

static void test_url(void)
{
    struct redis_url u;
    CU_ASSERT_EQUAL_FATAL(parse_redis_url("redis://app:p%40ss@cache.svc:6380/2", &u), 0);
    CU_ASSERT_STRING_EQUAL(u.host, "cache.svc");
    CU_ASSERT_EQUAL(u.port, 6380);
    CU_ASSERT_EQUAL(u.db, 2);
    CU_ASSERT_STRING_EQUAL(u.user, "app");
    CU_ASSERT_STRING_EQUAL(u.password, "p@ss");
    CU_ASSERT(u.has_password);
    CU_ASSERT_EQUAL_FATAL(parse_redis_url("redis://:s3cr@t@h", &u), 0);
    CU_ASSERT_STRING_EQUAL(u.user, "");
    CU_ASSERT_STRING_EQUAL(u.password, "s3cr@t");
    CU_ASSERT_EQUAL(u.port, 6379);
    CU_ASSERT_EQUAL_FATAL(parse_redis_url("127.0.0.1:7000", &u), 0);
    CU_ASSERT_STRING_EQUAL(u.host, "127.0.0.1");
    CU_ASSERT(!u.has_password);
    CU_ASSERT_EQUAL_FATAL(parse_redis_url("redis://[::1]:7001/", &u), 0);
    CU_ASSERT_STRING_EQUAL(u.host, "::1");
    CU_ASSERT_EQUAL(u.port, 7001);
    CU_ASSERT_EQUAL(parse_redis_url("rediss://h:1", &u), -EPROTONOSUPPORT);
    CU_ASSERT_EQUAL(parse_redis_url("http://h:1", &u), -EPROTO);
    CU_ASSERT_EQUAL(parse_redis_url("h:0", &u), -ERANGE);
    CU_ASSERT_EQUAL(parse_redis_url("h:70000", &u), -ERANGE);
    CU_ASSERT_EQUAL(parse_redis_url("", &u), -EPROTO);
    CU_ASSERT_EQUAL(parse_redis_url("redis://u:p@", &u), -EPROTO);
    CU_ASSERT_EQUAL(parse_redis_url("h:1/x", &u), -EPROTO);
    struct redis_url l[3];
    CU_ASSERT_EQUAL(parse_redis_url_list("a:1, redis://b:2 ,c", l, 3), 3);
    CU_ASSERT_EQUAL(l[2].port, 6379);
    CU_ASSERT_EQUAL(parse_redis_url_list("a:1,b:2,c:3,d:4", l, 3), -E2BIG);
    CU_ASSERT_EQUAL(parse_redis_url_list("a:1,,b:2", l, 3), -EPROTO);
    char red[128];
    redis_url_redact("redis://app:hunter2@h:1/0,redis://:x@y:2,z:3", red, sizeof(red));
    CU_ASSERT_STRING_EQUAL(red, "redis://app:<secret>@h:1,redis://:<secret>@y:2,redis://z:3");
    redis_url_redact("redis://user@[::1]:1/3", red, sizeof(red));
    CU_ASSERT_STRING_EQUAL(red, "redis://user@[::1]:1/3");
    redis_url_redact("user:pa master,fail ss@7", red, sizeof(red)); /* found by the fuzzer */
    CU_ASSERT_STRING_EQUAL(red, "<secret>");
    redis_url_redact("u:a,b@h:1", red, sizeof(red));
    CU_ASSERT_PTR_NULL(strstr(red, "a,b"));
    CU_ASSERT_PTR_NULL(strstr(red, "hunter2"));
}

static void test_pod_labels(void)
{
    struct pod_labels l;
    struct parse_err e = {0};
    const char *t = "app=\"web\"\n"
                    "app.kubernetes.io/name=\"rizk\"\n"
                    "pod-template-hash=\"5d8f\\\"q\\\\\"\n"
                    "note=\"a\\nb\\tc\\u00e9\\x41\\101\\U0001F600\"\n"
                    "\n"
                    "bad line\n"
                    "app=\"dup\"\n"
                    "nul=\"\\x00\"\n"
                    "unterminated=\"abc\n"
                    "empty=\"\"\r\n";
    CU_ASSERT_EQUAL_FATAL(parse_pod_labels(t, &l, &e), 0);
    CU_ASSERT_EQUAL(l.n, 5);
    CU_ASSERT_EQUAL(l.malformed, 4);
    CU_ASSERT_EQUAL(e.line, 6);
    CU_ASSERT_STRING_EQUAL(pod_labels_get(&l, "app"), "web");
    CU_ASSERT_STRING_EQUAL(pod_labels_get(&l, "app.kubernetes.io/name"), "rizk");
    CU_ASSERT_STRING_EQUAL(pod_labels_get(&l, "pod-template-hash"), "5d8f\"q\\");
    CU_ASSERT_STRING_EQUAL(pod_labels_get(&l, "note"), "a\nb\tc\xc3\xa9"
                                                       "AA\xf0\x9f\x98\x80");
    CU_ASSERT_STRING_EQUAL(pod_labels_get(&l, "empty"), "");
    CU_ASSERT_PTR_NULL(pod_labels_get(&l, "nul"));
    pod_labels_fini(&l);
    pod_labels_fini(&l);
    CU_ASSERT_EQUAL(parse_pod_labels("", &l, &e), 0);
    CU_ASSERT_EQUAL(l.n, 0);
    CU_ASSERT_EQUAL(parse_pod_labels("x\ny=z\n", &l, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_pod_labels("k=\"\\ud800\"\n", &l, &e), -EPROTO);
    CU_ASSERT_EQUAL(parse_pod_labels("k=\"\\q\"\n", &l, &e), -EPROTO);
}

static CU_TestInfo redis_parse_tests[] = {
    {"info_standalone", test_info_standalone},
    {"info_replica_and_cluster", test_info_replica_and_cluster},
    {"info_edges", test_info_edges},
    {"cluster_info", test_cluster_info},
    {"cluster_nodes", test_cluster_nodes},
    {"redirect", test_redirect},
    {"slots", test_slots},
    {"url", test_url},
    {"pod_labels", test_pod_labels},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_redis_parse = {"redis_parse", NULL, NULL, NULL, NULL, redis_parse_tests};
