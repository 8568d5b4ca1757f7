/* libcurl GET: the write callback stops the transfer (returns 0) once the cap is passed. */
#include "io/http_get.h"

#include <errno.h>

#include <curl/curl.h>

#include "core/banned.h"

struct http_get_sink {
    struct buf *out;
    int rc;
};

static size_t http_get_write(char *p, size_t size, size_t n, void *cls)
{
    struct http_get_sink *s = cls;
    if (buf_add(s->out, p, size * n) < 0) {
        s->rc = -E2BIG;
        return 0;
    }
    return size * n;
}

int http_get(const char *url, long timeout_ms, struct buf *out, long *status)
{
    CURL *c = curl_easy_init();
    if (c == NULL)
        return -EIO;
    struct http_get_sink sink = {out, 0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "rizk-metrics-check");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_get_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    CURLcode cc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    if (sink.rc < 0)
        return sink.rc;
    switch (cc) {
    case CURLE_OK:
        *status = code;
        return 0;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
        return -ECONNREFUSED;
    case CURLE_OPERATION_TIMEDOUT:
        return -ETIMEDOUT;
    default:
        return -EIO;
    }
}
