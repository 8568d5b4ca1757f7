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
#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "http/tls.h"

GNUTLS_SKIP_GLOBAL_INIT

/* An executable's constructors run after those of the libraries it loads. */
static bool libraries_loaded;

static int gnutls_lazy_missing(void)
{
    return GNUTLS_E_INTERNAL_ERROR;
}

/* Looks up GnuTLS's own gnutls_global_init now, while no other thread exists (dlsym takes the
 * loader's lock; inside tls_library_init's pthread_once it could meet a dlopen whose
 * constructors call gnutls_global_init). */
__attribute__((constructor)) static void gnutls_lazy_loaded(void)
{
    void *sym = dlvsym(RTLD_NEXT, "gnutls_global_init", "GNUTLS_3_4");
    if (sym == NULL)
        sym = dlsym(RTLD_NEXT, "gnutls_global_init");
    int (*real_init)(void) = gnutls_lazy_missing;
    if (sym != NULL)
        memcpy(&real_init, &sym, sizeof(real_init)); /* POSIX: dlsym's pointer is callable */
    tls_library_use_init(real_init);
    libraries_loaded = true;
}

int gnutls_global_init(void)
{
    if (!libraries_loaded)
        return 0;
    return tls_library_init() == 0 ? 0 : GNUTLS_E_INTERNAL_ERROR;
}

void gnutls_global_deinit(void)
{
}
