/* dlopen-based libcurl binding. The table is the one piece of process-wide state here: filled
 * once under pthread_once, immutable afterwards. */
#include "io/curl_api.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

#include "core/log.h"
#include "core/banned.h"

static struct curl_api curl_api_table;
static int curl_api_rc = -ENOENT;
static pthread_once_t curl_api_once = PTHREAD_ONCE_INIT;

/* Debian ships the OpenSSL flavour as libcurl.so.4 and the GnuTLS one as libcurl-gnutls.so.4. */
static const char *const curl_api_libs[] = {"libcurl.so.4", "libcurl-gnutls.so.4"};

static void curl_api_do_load(void)
{
    void *h = NULL;
    for (size_t i = 0; h == NULL && i < sizeof(curl_api_libs) / sizeof(curl_api_libs[0]); i++)
        h = dlopen(curl_api_libs[i], RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        log_error("http", "cannot load libcurl (install libcurl4): %s", dlerror());
        return;
    }
    struct {
        const char *name;
        void **slot;
    } syms[] = {
        {"curl_global_init", (void **)&curl_api_table.global_init},
        {"curl_global_cleanup", (void **)&curl_api_table.global_cleanup},
        {"curl_easy_init", (void **)&curl_api_table.easy_init},
        {"curl_easy_cleanup", (void **)&curl_api_table.easy_cleanup},
        {"curl_easy_setopt", (void **)&curl_api_table.easy_setopt},
        {"curl_easy_getinfo", (void **)&curl_api_table.easy_getinfo},
        {"curl_easy_perform", (void **)&curl_api_table.easy_perform},
        {"curl_easy_strerror", (void **)&curl_api_table.easy_strerror},
        {"curl_slist_append", (void **)&curl_api_table.slist_append},
        {"curl_slist_free_all", (void **)&curl_api_table.slist_free_all},
        {"curl_free", (void **)&curl_api_table.free},
        {"curl_url", (void **)&curl_api_table.url},
        {"curl_url_cleanup", (void **)&curl_api_table.url_cleanup},
        {"curl_url_set", (void **)&curl_api_table.url_set},
        {"curl_url_get", (void **)&curl_api_table.url_get},
    };
    for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
        /* POSIX guarantees a data pointer from dlsym converts to a function pointer. */
        *syms[i].slot = dlsym(h, syms[i].name);
        if (*syms[i].slot == NULL) {
            log_error("http", "libcurl lacks %s (needs libcurl >= 7.62)", syms[i].name);
            return; /* the handle stays open: harmless, and the table is never used */
        }
    }
    curl_api_rc = 0;
}

int curl_api_load(const struct curl_api **out)
{
    pthread_once(&curl_api_once, curl_api_do_load);
    if (curl_api_rc < 0)
        return curl_api_rc;
    *out = &curl_api_table;
    return 0;
}
