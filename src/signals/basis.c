/* The basis chooser. Falling back only downwards keeps an explicit choice honest: asking for
 * the sidecar's own container never silently measures the app. */
#include "signals/basis.h"

#include <errno.h>
#include <string.h>

#include "core/banned.h"

static const char *const basis_names[] = {
    [BASIS_AUTO] = "auto",           [BASIS_APP] = "app",   [BASIS_POD] = "pod",
    [BASIS_CONTAINER] = "container", [BASIS_NODE] = "node",
};

const char *basis_name(enum basis_kind kind)
{
    if ((unsigned)kind >= sizeof(basis_names) / sizeof(basis_names[0]))
        return "node";
    return basis_names[kind];
}

int basis_parse(const char *s, enum basis_kind *out)
{
    for (unsigned i = 0; i < sizeof(basis_names) / sizeof(basis_names[0]); i++) {
        if (s != NULL && strcmp(s, basis_names[i]) == 0) {
            *out = (enum basis_kind)i;
            return 0;
        }
    }
    return -EINVAL;
}

enum basis_kind basis_choose(enum basis_kind requested, const struct basis_avail *avail)
{
    enum basis_kind k = requested == BASIS_AUTO ? BASIS_APP : requested;
    for (; k < BASIS_NODE; k++) {
        if ((k == BASIS_APP && avail->app) || (k == BASIS_POD && avail->pod) ||
            (k == BASIS_CONTAINER && avail->container))
            return k;
    }
    return BASIS_NODE;
}
