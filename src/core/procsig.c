/* sigwait loop shared by app.c and adapter.c. */
#include "core/procsig.h"

#include <pthread.h>

#include "core/log.h"
#include "core/banned.h"

void procsig_block(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int procsig_wait(const sigset_t *set, const char *component, procsig_hup_fn on_hup, void *arg)
{
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            on_hup(arg);
            continue;
        }
        log_info(component, "received %s, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        return sig;
    }
}
