/* Discovery documents. custom.metrics.k8s.io prefers v1beta2 (what the HPA speaks since 1.12)
 * and keeps v1beta1 for older clusters and charts; external.metrics.k8s.io has only v1beta1.
 * Resources: pods/<signal> for custom metrics (kind MetricValueList), the bare signal name for
 * external metrics (kind ExternalMetricValueList), verbs ["get"]. */
#include "k8s/discovery.h"

#include <stdio.h>
#include <string.h>

#include "core/version.h"
#include "fleet/publish.h"
#include "render/jsonw.h"
#include "core/banned.h"

static void disc_gv(struct jsonw *w, enum k8s_group g, enum k8s_version v)
{
    char gv[64];
    snprintf(gv, sizeof(gv), "%s/%s", k8s_group_name(g), k8s_version_name(v));
    jsonw_obj_open(w);
    jsonw_key(w, "groupVersion");
    jsonw_str(w, gv);
    jsonw_key(w, "version");
    jsonw_str(w, k8s_version_name(v));
    jsonw_obj_close(w);
}

static void disc_group_body(struct jsonw *w, enum k8s_group g)
{
    enum k8s_version pref = g == K8S_GROUP_CUSTOM ? K8S_V1BETA2 : K8S_V1BETA1;
    jsonw_key(w, "name");
    jsonw_str(w, k8s_group_name(g));
    jsonw_key(w, "versions");
    jsonw_arr_open(w);
    disc_gv(w, g, pref);
    if (g == K8S_GROUP_CUSTOM)
        disc_gv(w, g, K8S_V1BETA1);
    jsonw_arr_close(w);
    jsonw_key(w, "preferredVersion");
    disc_gv(w, g, pref);
}

int discovery_render_apis(struct buf *out)
{
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_obj_open(&w);
    jsonw_key(&w, "kind");
    jsonw_str(&w, "APIGroupList");
    jsonw_key(&w, "apiVersion");
    jsonw_str(&w, "v1");
    jsonw_key(&w, "groups");
    jsonw_arr_open(&w);
    for (int g = K8S_GROUP_CUSTOM; g <= K8S_GROUP_EXTERNAL; g++) {
        jsonw_obj_open(&w);
        disc_group_body(&w, (enum k8s_group)g);
        jsonw_obj_close(&w);
    }
    jsonw_arr_close(&w);
    jsonw_obj_close(&w);
    return jsonw_finish(&w);
}

int discovery_render_group(struct buf *out, enum k8s_group g)
{
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_obj_open(&w);
    jsonw_key(&w, "kind");
    jsonw_str(&w, "APIGroup");
    jsonw_key(&w, "apiVersion");
    jsonw_str(&w, "v1");
    disc_group_body(&w, g);
    jsonw_obj_close(&w);
    return jsonw_finish(&w);
}

int discovery_render_resources(struct buf *out, enum k8s_group g, enum k8s_version v)
{
    char gv[64], name[96];
    snprintf(gv, sizeof(gv), "%s/%s", k8s_group_name(g), k8s_version_name(v));
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_obj_open(&w);
    jsonw_key(&w, "kind");
    jsonw_str(&w, "APIResourceList");
    jsonw_key(&w, "apiVersion");
    jsonw_str(&w, "v1");
    jsonw_key(&w, "groupVersion");
    jsonw_str(&w, gv);
    jsonw_key(&w, "resources");
    jsonw_arr_open(&w);
    for (int i = 0; i < SIG_COUNT; i++) {
        const char *sig = fleet_signal_name((enum sig_id)i);
        if (sig[0] == '\0')
            continue; /* not published */
        if (g == K8S_GROUP_CUSTOM)
            snprintf(name, sizeof(name), "pods/%s", sig);
        else
            snprintf(name, sizeof(name), "%s", sig);
        jsonw_obj_open(&w);
        jsonw_key(&w, "name");
        jsonw_str(&w, name);
        jsonw_key(&w, "singularName");
        jsonw_str(&w, "");
        jsonw_key(&w, "namespaced");
        jsonw_bool(&w, true);
        jsonw_key(&w, "kind");
        jsonw_str(&w, g == K8S_GROUP_CUSTOM ? "MetricValueList" : "ExternalMetricValueList");
        jsonw_key(&w, "verbs");
        jsonw_arr_open(&w);
        jsonw_str(&w, "get");
        jsonw_arr_close(&w);
        jsonw_obj_close(&w);
    }
    jsonw_arr_close(&w);
    jsonw_obj_close(&w);
    return jsonw_finish(&w);
}

/* disc_version_part copies the idx-th dot-separated number of RIZK_VERSION ("0" if absent). */
static void disc_version_part(unsigned idx, char *out, size_t n)
{
    const char *p = RIZK_VERSION;
    for (unsigned i = 0; i < idx && p != NULL; i++) {
        p = strchr(p, '.');
        if (p != NULL)
            p++;
    }
    size_t len = p != NULL ? strspn(p, "0123456789") : 0;
    if (len == 0 || len >= n)
        snprintf(out, n, "0");
    else
        snprintf(out, n, "%.*s", (int)len, p);
}

int discovery_render_version(struct buf *out)
{
    char git[64], major[16], minor[16];
    snprintf(git, sizeof(git), "v%s", RIZK_VERSION);
    disc_version_part(0, major, sizeof(major));
    disc_version_part(1, minor, sizeof(minor));
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_obj_open(&w);
    jsonw_key(&w, "major");
    jsonw_str(&w, major);
    jsonw_key(&w, "minor");
    jsonw_str(&w, minor);
    jsonw_key(&w, "gitVersion");
    jsonw_str(&w, git);
    jsonw_key(&w, "gitCommit");
    jsonw_str(&w, RIZK_REVISION);
    jsonw_key(&w, "platform");
    jsonw_str(&w, "linux");
    jsonw_obj_close(&w);
    return jsonw_finish(&w);
}
