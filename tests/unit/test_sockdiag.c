/* Unit test for io/sockdiag: real sockets on loopback, counted through netlink. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "io/sockdiag.h"

static void test_established_on_port(void)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(ls >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CU_ASSERT_FATAL(bind(ls, (struct sockaddr *)&a, sizeof(a)) == 0);
    CU_ASSERT_FATAL(listen(ls, 8) == 0);
    socklen_t al = sizeof(a);
    getsockname(ls, (struct sockaddr *)&a, &al);
    unsigned port = ntohs(a.sin_port);

    struct proc_nettcp before;
    CU_ASSERT_EQUAL_FATAL(sockdiag_tcp_count(port, &before), 0);
    CU_ASSERT_EQUAL(before.established_on_port, 0);
    CU_ASSERT(before.by_state[PROC_TCP_LISTEN] >= 1);

    int cl[3];
    int srv[3];
    for (int i = 0; i < 3; i++) {
        cl[i] = socket(AF_INET, SOCK_STREAM, 0);
        CU_ASSERT_FATAL(connect(cl[i], (struct sockaddr *)&a, sizeof(a)) == 0);
        srv[i] = accept(ls, NULL, NULL);
        CU_ASSERT_FATAL(srv[i] >= 0);
    }
    struct proc_nettcp after;
    CU_ASSERT_EQUAL_FATAL(sockdiag_tcp_count(port, &after), 0);
    /* the three accepted sockets have local port == port; the clients' local ports differ */
    CU_ASSERT_EQUAL(after.established_on_port, 3);
    CU_ASSERT(after.by_state[PROC_TCP_ESTABLISHED] >= 6);
    CU_ASSERT(after.sockets >= after.by_state[PROC_TCP_ESTABLISHED]);
    for (int i = 0; i < 3; i++) {
        close(cl[i]);
        close(srv[i]);
    }
    close(ls);
}

/* IPv6 sockets are counted too (one dump covers both families): two connections over ::1 */
static void test_ipv6_counted(void)
{
    int ls = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) != 0) {
        /* no IPv6 loopback here: nothing to check */
        if (ls >= 0)
            close(ls);
        return;
    }
    CU_ASSERT_FATAL(listen(ls, 8) == 0);
    socklen_t al = sizeof(a);
    getsockname(ls, (struct sockaddr *)&a, &al);
    unsigned port = ntohs(a.sin6_port);
    int cl[2], srv[2];
    for (int i = 0; i < 2; i++) {
        cl[i] = socket(AF_INET6, SOCK_STREAM, 0);
        CU_ASSERT_FATAL(connect(cl[i], (struct sockaddr *)&a, sizeof(a)) == 0);
        srv[i] = accept(ls, NULL, NULL);
        CU_ASSERT_FATAL(srv[i] >= 0);
    }
    struct proc_nettcp after;
    CU_ASSERT_EQUAL_FATAL(sockdiag_tcp_count(port, &after), 0);
    CU_ASSERT_EQUAL(after.established_on_port, 2);
    for (int i = 0; i < 2; i++) {
        close(cl[i]);
        close(srv[i]);
    }
    close(ls);
}

static CU_TestInfo sockdiag_tests[] = {
    {"established sockets on a port", test_established_on_port},
    {"IPv6 sockets", test_ipv6_counted},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_sockdiag = {"sockdiag", NULL, NULL, NULL, NULL, sockdiag_tests};
