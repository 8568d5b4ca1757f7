/* src/gnutls_lazy.c, which the unit tests link as the daemon does: GnuTLS is not initialized
 * while the libraries load (libmicrohttpd's constructor and GnuTLS's own are both turned away),
 * tls_library_init initializes it, a later gnutls_global_init from a library forwards to it, and
 * gnutls_global_deinit cannot take it away. ctest runs this suite alone in its process; run with
 * every other suite, an earlier one has initialized GnuTLS already and the first check is moot. */
#include <string.h>

#include <CUnit/CUnit.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "core/buf.h"
#include "http/selfsigned.h"
#include "http/tls.h"
#include "unit_util.h"

static void test_lazy(void)
{
    unsigned char b[16];
    if (unit_only_suite != NULL && strcmp(unit_only_suite, "tls_lazy") == 0)
        CU_ASSERT_EQUAL(gnutls_rnd(GNUTLS_RND_NONCE, b, sizeof(b)), GNUTLS_E_LIB_IN_ERROR_STATE);
    CU_ASSERT_EQUAL(tls_library_init(), 0);
    CU_ASSERT_EQUAL(gnutls_rnd(GNUTLS_RND_NONCE, b, sizeof(b)), 0);
    /* what libcurl's GnuTLS flavour does around its own use */
    CU_ASSERT_EQUAL(gnutls_global_init(), 0);
    gnutls_global_deinit();
    gnutls_global_deinit();
    CU_ASSERT_EQUAL(gnutls_rnd(GNUTLS_RND_NONCE, b, sizeof(b)), 0);
    CU_ASSERT_EQUAL(tls_library_init(), 0);
    /* a real deinit would have dropped the ASN.1 trees X.509 needs */
    struct buf cert, key;
    buf_init(&cert, 1 << 16);
    buf_init(&key, 1 << 16);
    char why[256] = "";
    CU_ASSERT_EQUAL(selfsigned_generate("localhost", &cert, &key, why, sizeof(why)), 0);
    CU_ASSERT(buf_len(&cert) > 0 && strstr(buf_ptr(&cert), "BEGIN CERTIFICATE") != NULL);
    buf_fini(&cert);
    buf_fini(&key);
}

static CU_TestInfo tests[] = {
    {"not initialized at load; first use, library init and deinit", test_lazy},
    CU_TEST_INFO_NULL,
};

const CU_SuiteInfo suite_tls_lazy = {"tls_lazy", NULL, NULL, NULL, NULL, tests};
