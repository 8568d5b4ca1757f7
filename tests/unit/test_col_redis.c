/* Unit tests for the redis collector: the real collector (collect/col_redis.c, its worker thread
 * and io/redis_conn) against a fake Redis on a loopback port that answers PING and serves
 * tests/fixtures/redis/info_standalone.txt to INFO (RESP2, one connection at a time). The test
 * asserts the exact per-node samples the fixture implies, the keyspace history inputs and the
 * source status, and that a server that answers INFO with an error is counted as a reply error
 * and marks the node down. The only waiting is for the worker's first poll (a hang guard, never
 * an asserted time). */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "collect/collectors.h"
#include "collect/registry.h"
#include "collect/sink.h"
#include "config/config.h"
#include "store/mset.h"
#include "store/series.h"
#include "unit_util.h"

#define EPS 1e-9

/* The fake server: a listening socket and a thread that serves one client at a time. */
struct fake_redis {
    int lfd;
    unsigned port;
    const char *info; /* bulk reply to INFO; NULL: an error reply */
    size_t info_len;
    pthread_t thread;
    unsigned commands; /* read by the test after the thread is joined */
};

/* fake_read_cmd reads one RESP array of bulk strings and keeps its first word (the command) in
 * argv0. Returns 0, or -1 on EOF or garbage. */
static int fake_read_cmd(FILE *in, char *argv0, size_t cap)
{
    int argc = 0;
    if (fscanf(in, "*%d\r\n", &argc) != 1 || argc < 1)
        return -1;
    for (int i = 0; i < argc; i++) {
        int len = 0;
        if (fscanf(in, "$%d\r\n", &len) != 1 || len < 0)
            return -1;
        char buf[256];
        if ((size_t)len >= sizeof(buf) || fread(buf, 1, (size_t)len + 2, in) != (size_t)len + 2)
            return -1;
        buf[len] = '\0';
        if (i == 0 && (size_t)len < cap)
            memcpy(argv0, buf, (size_t)len + 1);
        else if (i == 0)
            return -1;
    }
    return 0;
}

static void *fake_main(void *arg)
{
    struct fake_redis *f = arg;
    for (;;) {
        int cfd = accept(f->lfd, NULL, NULL);
        if (cfd < 0)
            return NULL; /* the listening socket was shut down: the test is over */
        FILE *io = fdopen(cfd, "r+");
        char cmd[64];
        while (io != NULL && fake_read_cmd(io, cmd, sizeof(cmd)) == 0) {
            f->commands++;
            if (strcasecmp(cmd, "PING") == 0)
                fputs("+PONG\r\n", io);
            else if (strcasecmp(cmd, "INFO") == 0 && f->info != NULL)
                fprintf(io, "$%zu\r\n%s\r\n", f->info_len, f->info);
            else
                fputs("-ERR unknown command\r\n", io);
            fflush(io);
        }
        if (io != NULL)
            fclose(io);
        else
            close(cfd);
    }
}

static void fake_start(struct fake_redis *f, const char *info)
{
    memset(f, 0, sizeof(*f));
    f->info = info;
    f->info_len = info != NULL ? strlen(info) : 0;
    f->lfd = unit_tcp_listen(&f->port);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake_redis *f)
{
    shutdown(f->lfd, SHUT_RDWR);
    close(f->lfd);
    pthread_join(f->thread, NULL);
}

struct redis_run {
    struct config cfg;
    void *ctx;
};

static void redis_start(struct redis_run *r, unsigned port)
{
    char addr[64];
    snprintf(addr, sizeof(addr), "--redis.addr=127.0.0.1:%u", port);
    char *argv[] = {"rizk-metrics", addr, "--history.interval=200ms", NULL};
    char *env[] = {NULL};
    FILE *null = fopen("/dev/null", "w");
    memset(r, 0, sizeof(*r));
    CU_ASSERT_EQUAL_FATAL(
        config_load(&r->cfg, &registry_config_collectors, 3, argv, env, null, null), CONFIG_RUN);
    fclose(null);
    CU_ASSERT_EQUAL_FATAL(col_redis_type.init(&r->cfg, &r->ctx), 0);
}

static void redis_stop(struct redis_run *r)
{
    col_redis_type.destroy(r->ctx);
    config_fini(&r->cfg);
}

#define ASSERT_SAMPLE(m, name, lname, lval, want)                                                  \
    CU_ASSERT_DOUBLE_EQUAL(unit_sample(m, name, lname, lval), (want), EPS)

/* redis_collect_polled collects until the worker has polled once (rizk_redis_up present), at
 * most 10 s (a hang guard), and returns that tick's set and sink. */
static struct sample_sink *redis_collect_polled(struct redis_run *r, struct mset **out)
{
    for (int i = 0; i < 500; i++) {
        struct mset *m = mset_new();
        struct sample_sink *s = sink_new(m);
        CU_ASSERT_EQUAL(col_redis_type.collect(r->ctx, s), 0);
        if (mset_find(m, "rizk_redis_up") != NULL) {
            *out = m;
            return s;
        }
        sink_free(s);
        mset_free(m);
        unit_nap_ms(20);
    }
    CU_FAIL_FATAL("the redis collector never polled");
    return NULL;
}

/* One case: the fake serving info (NULL: refusing INFO), the collector, its first poll. */
struct redis_case {
    struct fake_redis f;
    struct redis_run r;
    struct mset *m;
    struct sample_sink *s;
    char node[32];
};

static void redis_case_start(struct redis_case *c, const char *info)
{
    fake_start(&c->f, info);
    redis_start(&c->r, c->f.port);
    c->s = redis_collect_polled(&c->r, &c->m);
    snprintf(c->node, sizeof(c->node), "127.0.0.1:%u", c->f.port);
}

static void redis_case_stop(struct redis_case *c)
{
    sink_free(c->s);
    mset_free(c->m);
    redis_stop(&c->r);
    fake_stop(&c->f);
}

static void test_redis_fixture(void)
{
    char *info = unit_fixture_read("redis/info_standalone.txt", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(info);
    struct redis_case c;
    redis_case_start(&c, info);
    struct mset *m = c.m;
    struct sample_sink *s = c.s;
    const char *node = c.node;

    ASSERT_SAMPLE(m, "rizk_redis_up", "node", node, 1);
    CU_ASSERT_EQUAL(unit_source_up(s, "redis"), 1);
    ASSERT_SAMPLE(m, "rizk_redis_keyspace_hits_total", "node", node, 1);
    ASSERT_SAMPLE(m, "rizk_redis_keyspace_misses_total", "node", node, 1);
    ASSERT_SAMPLE(m, "rizk_redis_commands_processed_total", "node", node, 10);
    ASSERT_SAMPLE(m, "rizk_redis_connected_clients", "node", node, 1);
    ASSERT_SAMPLE(m, "rizk_redis_memory_used_bytes", "node", node, 1108856);
    ASSERT_SAMPLE(m, "rizk_redis_memory_max_bytes", "node", node, 0);
    ASSERT_SAMPLE(m, "rizk_redis_evicted_keys_total", "node", node, 0);
    ASSERT_SAMPLE(m, "rizk_redis_expired_keys_total", "node", node, 0);
    ASSERT_SAMPLE(m, "rizk_redis_db_keys", "db", "db0", 2);
    ASSERT_SAMPLE(m, "rizk_redis_db_keys", "db", "db3", 1);
    ASSERT_SAMPLE(m, "rizk_redis_instance_info", "role", "master", 1);
    ASSERT_SAMPLE(m, "rizk_redis_instance_info", "version", "7.0.15", 1);
    ASSERT_SAMPLE(m, "rizk_redis_instance_info", "mode", "standalone", 1);
    ASSERT_SAMPLE(m, "rizk_redis_errors_total", "kind", "reply", 0);
    ASSERT_SAMPLE(m, "rizk_redis_errors_total", "kind", "connect", 0);
    CU_ASSERT_PTR_NULL(mset_find(m, "rizk_redis_cluster_state_ok")); /* standalone */
    /* the history inputs are running sums of per-node increases: a node's first sight is its
     * baseline, so they start at 0 whatever the node's lifetime counters say */
    double v = -1;
    CU_ASSERT_TRUE(sink_history_get(s, HS_REDIS_KEYSPACE_HITS, &v));
    CU_ASSERT_DOUBLE_EQUAL(v, 0, EPS);
    v = -1;
    CU_ASSERT_TRUE(sink_history_get(s, HS_REDIS_KEYSPACE_MISSES, &v));
    CU_ASSERT_DOUBLE_EQUAL(v, 0, EPS);
    redis_case_stop(&c);
    /* one PING and one INFO (server clients memory stats replication keyspace) per poll */
    CU_ASSERT_TRUE(c.f.commands >= 2 && c.f.commands % 2 == 0);
    free(info);
}

/* A server that answers PING but refuses INFO: the node is down, the error is a reply error. */
static void test_redis_info_refused(void)
{
    struct redis_case c;
    redis_case_start(&c, NULL);
    struct mset *m = c.m;
    struct sample_sink *s = c.s;
    const char *node = c.node;
    ASSERT_SAMPLE(m, "rizk_redis_up", "node", node, 0);
    CU_ASSERT_EQUAL(unit_source_up(s, "redis"), 0);
    CU_ASSERT_TRUE(unit_sample(m, "rizk_redis_errors_total", "kind", "reply") >= 1);
    ASSERT_SAMPLE(m, "rizk_redis_errors_total", "kind", "connect", 0);
    CU_ASSERT_PTR_NULL(mset_find(m, "rizk_redis_keyspace_hits_total"));
    double v;
    CU_ASSERT_FALSE(sink_history_get(s, HS_REDIS_KEYSPACE_HITS, &v));
    redis_case_stop(&c);
}

static CU_TestInfo tests[] = {
    {"standalone INFO fixture: exact samples", test_redis_fixture},
    {"INFO refused: node down, reply error", test_redis_info_refused},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_col_redis = {"col_redis", NULL, NULL, NULL, NULL, tests};
