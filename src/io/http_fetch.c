/* libcurl easy-handle wrapper: options are set once in http_fetch_new, so each GET is a reset of
 * the body buffer plus curl_easy_perform, and curl's connection cache keeps the app's connection
 * alive between intervals. */
#include "io/http_fetch.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "core/buf.h"
#include "core/version.h"
#include "io/curl_api.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct http_fetch {
    const struct curl_api *api;
    CURL *curl;
    struct curl_slist *headers;
    char *url;
    char *accept;
    char *user_agent;
    struct buf body;
    bool too_big; /* the write callback refused data: the cap was passed */
    char content_type[HTTP_FETCH_CONTENT_TYPE_MAX];
    char errbuf[CURL_ERROR_SIZE];
};

int http_fetch_global_init(void)
{
    const struct curl_api *api = NULL;
    int rc = curl_api_load(&api);
    if (rc < 0)
        return rc;
    return api->global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -ENOMEM;
}

void http_fetch_global_cleanup(void)
{
    const struct curl_api *api = NULL;
    if (curl_api_load(&api) == 0)
        api->global_cleanup();
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *cls)
{
    struct http_fetch *f = cls;
    size_t n = size * nmemb;
    /* Returning less than n makes curl abort with CURLE_WRITE_ERROR: the cap is a failure,
     * never a silently truncated exposition (a cut counter would read as a reset). */
    if (buf_add(&f->body, data, n) < 0) {
        f->too_big = true;
        return 0;
    }
    return n;
}

static bool url_is_http(const struct curl_api *api, const char *url)
{
    CURLU *u = api->url();
    char *scheme = NULL;
    bool ok = false;
    if (u == NULL)
        return false;
    if (api->url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        api->url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK)
        ok = strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0;
    api->free(scheme);
    api->url_cleanup(u);
    return ok;
}

/* set_options applies every option once; any failure means a libcurl without a feature we rely
 * on (or OOM), reported as -EINVAL. */
static int set_options(struct http_fetch *f, const struct http_fetch_opts *o)
{
    CURL *c = f->curl;
    long connect_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : o->timeout_ms;
    char timeout_hdr[96];
    /* Prometheus sends the scrape timeout; some apps size their own work by it. */
    snprintf(timeout_hdr, sizeof(timeout_hdr), "X-Prometheus-Scrape-Timeout-Seconds: %g",
             (double)o->timeout_ms / 1000.0);
    char *accept_hdr = xasprintf("Accept: %s", f->accept);
    struct curl_slist *h = f->api->slist_append(NULL, accept_hdr);
    free(accept_hdr);
    if (h == NULL)
        return -ENOMEM;
    f->headers = h;
    h = f->api->slist_append(f->headers, timeout_hdr);
    if (h == NULL)
        return -ENOMEM;
    f->headers = h;

    CURLcode rc = CURLE_OK;
#define SETOPT(opt, val)                                                                           \
    do {                                                                                           \
        if (rc == CURLE_OK)                                                                        \
            rc = f->api->easy_setopt(c, opt, val);                                                    \
    } while (0)
    SETOPT(CURLOPT_URL, f->url);
    SETOPT(CURLOPT_HTTPGET, 1L);
    /* No SIGALRM for resolver timeouts: this runs on a worker thread. */
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_TIMEOUT_MS, o->timeout_ms);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    SETOPT(CURLOPT_HTTPHEADER, f->headers);
    SETOPT(CURLOPT_ACCEPT_ENCODING, ""); /* every encoding this libcurl decodes (gzip...) */
    SETOPT(CURLOPT_USERAGENT, f->user_agent);
    SETOPT(CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(CURLOPT_WRITEDATA, f);
    SETOPT(CURLOPT_ERRORBUFFER, f->errbuf);
    SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body);
    SETOPT(CURLOPT_FOLLOWLOCATION, 1L);
    SETOPT(CURLOPT_MAXREDIRS, 3L);
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
#undef SETOPT
    return rc == CURLE_OK ? 0 : -EINVAL;
}

int http_fetch_new(const struct http_fetch_opts *o, struct http_fetch **out)
{
    const struct curl_api *api = NULL;
    int lrc = curl_api_load(&api);
    if (lrc < 0)
        return lrc;
    if (o == NULL || o->url == NULL || o->timeout_ms <= 0 || o->connect_timeout_ms < 0 ||
        o->max_body == 0 || !url_is_http(api, o->url))
        return -EINVAL;
    struct http_fetch *f = xcalloc(1, sizeof(*f));
    f->api = api;
    buf_init(&f->body, o->max_body);
    f->url = xstrdup(o->url);
    f->accept = xstrdup(o->accept != NULL ? o->accept : HTTP_FETCH_ACCEPT_EXPO);
    f->user_agent =
        o->user_agent != NULL ? xstrdup(o->user_agent) : xstrdup("rizk-metrics/" RIZK_VERSION);
    int rc = -ENOMEM;
    f->curl = api->easy_init();
    if (f->curl == NULL)
        goto fail;
    rc = set_options(f, o);
    if (rc < 0)
        goto fail;
    *out = f;
    return 0;
fail:
    http_fetch_free(f);
    return rc;
}

static int map_curl_error(const struct http_fetch *f, CURLcode code)
{
    long os_errno = 0;
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return -ETIMEDOUT;
    case CURLE_COULDNT_CONNECT:
        f->api->easy_getinfo(f->curl, CURLINFO_OS_ERRNO, &os_errno);
        return os_errno > 0 && os_errno != ECONNREFUSED ? -(int)os_errno : -ECONNREFUSED;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return -EHOSTUNREACH;
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        return f->too_big || code == CURLE_FILESIZE_EXCEEDED ? -E2BIG : -EIO;
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return -EPROTO;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
        return -ECONNRESET;
    case CURLE_OUT_OF_MEMORY:
        return -ENOMEM;
    default:
        return -EIO;
    }
}

int http_fetch_get(struct http_fetch *f, struct http_fetch_result *res)
{
    memset(res, 0, sizeof(*res));
    res->content_type = "";
    res->body = "";
    buf_reset(&f->body);
    f->too_big = false;
    f->errbuf[0] = '\0';
    f->content_type[0] = '\0';

    CURLcode code = f->api->easy_perform(f->curl);
    long status = 0;
    char *ctype = NULL;
    double total_s = 0;
    f->api->easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &status);
    f->api->easy_getinfo(f->curl, CURLINFO_TOTAL_TIME, &total_s);
    if (f->api->easy_getinfo(f->curl, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype != NULL)
        snprintf(f->content_type, sizeof(f->content_type), "%s", ctype);
    res->status = status;
    res->content_type = f->content_type;
    res->elapsed_ms = (long)(total_s * 1000.0 + 0.5);
    if (code != CURLE_OK) {
        if (f->errbuf[0] == '\0')
            snprintf(f->errbuf, sizeof(f->errbuf), "%s", f->api->easy_strerror(code));
        buf_reset(&f->body);
        return map_curl_error(f, code);
    }
    if (status < 200 || status > 299) {
        snprintf(f->errbuf, sizeof(f->errbuf), "HTTP status %ld", status);
        buf_reset(&f->body);
        return -EPROTO;
    }
    res->body = buf_ptr(&f->body);
    res->body_len = buf_len(&f->body);
    return 0;
}

const char *http_fetch_last_error(const struct http_fetch *f)
{
    return f->errbuf;
}

void http_fetch_free(struct http_fetch *f)
{
    if (f == NULL)
        return;
    if (f->curl != NULL)
        f->api->easy_cleanup(f->curl);
    if (f->api != NULL)
        f->api->slist_free_all(f->headers);
    buf_fini(&f->body);
    free(f->url);
    free(f->accept);
    free(f->user_agent);
    free(f);
}
