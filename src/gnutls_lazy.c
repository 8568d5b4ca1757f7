/* GnuTLS (which libmicrohttpd brings in) is initialized lazily, so that a sidecar serving plain
 * HTTP never pays for it: 0.9 MiB of RSS (the ASN.1 trees, and the library pages the
 * initialization touches). Two things initialize it at load, before main: GnuTLS's own
 * constructor, which GNUTLS_SKIP_GLOBAL_INIT turns off (GnuTLS's documented opt-out,
 * gnutls/gnutls.h), and libmicrohttpd's, which calls gnutls_global_init. The definitions below
 * take the place of GnuTLS's two functions for the whole process (the dynamic linker binds the
 * executable's first): while the libraries load they do nothing; from then on, initializing goes
 * to tls_library_init (once, with GnuTLS's real function) and deinitializing does nothing, so a
 * library that pairs the two (libcurl's GnuTLS flavour) cannot take GnuTLS away from the server.
 * Every path of ours that reaches GnuTLS calls tls_library_init first (http/tls.h).
 *
 * Linked into the daemon and the unit tests only (not into rizk_core): an executable that does
 * not link it keeps GnuTLS's implicit initialization. The unit tests link it so that a path that
 * forgets tls_library_init fails there (GNUTLS_E_LIB_IN_ERROR_STATE), not in production. */
#include <stdbool.h>

#include <gnutls/gnutls.h>

#include "http/tls.h"

GNUTLS_SKIP_GLOBAL_INIT

/* An executable's constructors run after those of the libraries it loads. */
static bool libraries_loaded;

__attribute__((constructor)) static void gnutls_lazy_loaded(void)
{
    libraries_loaded = true;
}

int gnutls_global_init(void)
{
    return libraries_loaded ? tls_library_init() : 0;
}

void gnutls_global_deinit(void)
{
}
